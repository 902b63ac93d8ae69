"""The notification outbox: which notices were delivered, so each state change is announced once.

A notice is keyed by (secret_id, kind, state); ``secret_id`` is None for notices about a run. The
scanner decides what to announce and delivers it; the tracker remembers what was delivered.
"""

from __future__ import annotations

from collections.abc import Iterable

from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.core import Occurrence, Secret
from secret_sprawl.tracker.models.schedule import Notification
from sqlalchemy import Engine, func, select
from sqlmodel import Session

NoticeKey = tuple[int | None, str, str]  # secret_id, kind, state


def new_in_scan(session: Session, scan_id: int) -> list[Secret]:
    """Secrets first seen by scan ``scan_id``."""
    first_scan = func.min(Occurrence.first_scan_id)
    new_ids = select(Occurrence.secret_id).group_by(Occurrence.secret_id).having(first_scan == scan_id)
    return list(session.execute(select(Secret).where(Secret.id.in_(new_ids))).scalars())


def delivered(session: Session, key: NoticeKey) -> bool:
    """Whether a notice with this key was delivered before."""
    secret_id, kind, state = key
    query = select(Notification.id).where(Notification.kind == kind, Notification.state == state)
    query = query.where(Notification.secret_id.is_(None) if secret_id is None
                        else Notification.secret_id == secret_id)
    return session.execute(query.limit(1)).first() is not None


def remember_delivered(db: Engine, keys: Iterable[NoticeKey]) -> None:
    """Record these notices as delivered, in one transaction."""
    with Session(writer(db)) as session:
        for secret_id, kind, state in keys:
            session.add(Notification(secret_id=secret_id, kind=kind, state=state))
        session.commit()
