"""The tracker's SQLModel tables, one module per concern; importing this registers all of them."""

from tracker.models.core import Event, Occurrence, Scan, Secret, Target

__all__ = ["Event", "Occurrence", "Scan", "Secret", "Target"]
