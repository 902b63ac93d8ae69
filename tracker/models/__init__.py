"""The tracker's SQLModel tables, one module per concern; importing this registers all of them."""

from tracker.models.core import Event, Occurrence, Scan, Secret, Target
from tracker.models.inventory import InventorySnapshot, Workload, WorkloadSecret
from tracker.models.schedule import Notification, Schedule, Verification

__all__ = [
    "Event", "InventorySnapshot", "Notification", "Occurrence", "Scan", "Schedule", "Secret", "Target",
    "Verification", "Workload", "WorkloadSecret",
]
