"""Scans whose process died: a ``running`` scan row started on this host by a process that no longer
exists is marked ``interrupted`` when the next scan starts (a kill -9 or a power cut cannot close it).

Only rows of this host can be checked (a pid means nothing elsewhere); a scan of another host stays
``running`` until a scan starts there. Rows written before the host and pid were recorded are left.
"""

from __future__ import annotations

import os
import socket

from secret_sprawl.tracker.models.core import Scan, ScanStatus
from sqlalchemy import select
from sqlmodel import Session


def this_process() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def mark_interrupted(session: Session) -> list[int]:
    """Mark this host's running scans of dead processes ``interrupted`` (in the caller's transaction)."""
    host, own_pid = this_process()
    query = select(Scan).where(Scan.status == ScanStatus.RUNNING, Scan.host == host, Scan.pid.is_not(None))
    marked = []
    for scan in session.execute(query).scalars():
        if scan.pid != own_pid and not _alive(int(scan.pid or 0)):
            scan.status = ScanStatus.INTERRUPTED
            marked.append(int(scan.id or 0))
    return marked


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
