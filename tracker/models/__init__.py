"""The tracker's SQLModel tables, one module per concern; importing this registers all of them."""

from secret_sprawl.tracker.models.core import Event, Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.models.identity import Identity
from secret_sprawl.tracker.models.inventory import InventorySnapshot, Workload, WorkloadSecret
from secret_sprawl.tracker.models.jobs import JobError
from secret_sprawl.tracker.models.schedule import Notification, Schedule, Verification

__all__ = [
    "Event", "Identity", "InventorySnapshot", "JobError", "Notification", "Occurrence", "Scan", "Schedule",
    "Secret", "Target", "Verification", "Workload", "WorkloadSecret",
]
