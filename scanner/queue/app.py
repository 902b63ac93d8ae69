"""The procrastinate app and the queue's name: what tasks register on and workers run.

The app has no connection of its own; ``scanner.queue.connect`` connects it to the tracker's
PostgreSQL (the queue's tables are the tracker's to create: ``tracker.queue_schema``).
"""

from __future__ import annotations

import procrastinate
from secret_sprawl.scanner.errors import InputError

QUEUE = "scans"

app = procrastinate.App(connector=procrastinate.PsycopgConnector(),
                        import_paths=["secret_sprawl.scanner.queue.tasks"])


class QueueError(InputError):
    """The queue cannot be used with this database (exit code 2)."""
