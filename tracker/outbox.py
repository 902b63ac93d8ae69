"""The notification outbox, delivery side: what is due for a destination, and what each attempt did.

A notice is ``pending`` until its webhook accepts it (``delivered``). A refused attempt counts in
``attempts``, keeps ``last_error`` and waits ``base_delay * 2**(attempts-1)`` (at most ``MAX_DELAY``)
before the next one; after ``max_attempts`` it is ``failed`` and waits for ``retry`` (back to pending)
or ``drop``. ``dropped`` notices are kept, never sent. These functions never commit, except
``delivery_lease``, which holds a lock on its own connection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum

from secret_sprawl.tracker.models.schedule import Notification
from sqlalchemy import Engine, or_, select, text, update
from sqlmodel import Session

MAX_DELAY = timedelta(hours=6)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DROPPED = "dropped"


DELIVERY_STATUSES = tuple(DeliveryStatus)


@contextmanager
def delivery_lease(db: Engine, destination: str) -> Iterator[bool]:
    """True when this process may deliver ``destination``'s notices now. On PostgreSQL, where several
    workers and schedule daemons share one outbox, a session advisory lock per destination lets only
    one of them post at a time (the others skip it: the holder delivers what is due, so a notice is
    not posted twice). SQLite has one machine and one writer at a time: always True."""
    if db.dialect.name != "postgresql":
        yield True
        return
    digest = hashlib.sha256(b"sprawl-outbox:" + destination.encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with db.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


def waiting_destinations(session: Session) -> list[str]:
    """Destinations with pending notices."""
    query = select(Notification.destination).where(Notification.status == DeliveryStatus.PENDING).distinct()
    return sorted(session.execute(query).scalars())


def due(session: Session, destination: str, now: datetime, *, limit: int) -> list[Notification]:
    """Pending notices for ``destination`` whose next attempt is due, oldest first."""
    query = (select(Notification)
             .where(Notification.destination == destination, Notification.status == DeliveryStatus.PENDING,
                    or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
             .order_by(Notification.created_at, Notification.id).limit(limit))
    return list(session.execute(query).scalars())


def mark_delivered(session: Session, ids: Sequence[int], at: datetime) -> None:
    session.execute(update(Notification).where(Notification.id.in_(ids)).values(
        status=DeliveryStatus.DELIVERED, delivered_at=at, attempts=Notification.attempts + 1,
        next_attempt_at=None, last_error=None))


def mark_refused(session: Session, notices: Sequence[Notification], error: str, at: datetime, *,
                 base_delay: timedelta, max_attempts: int) -> None:
    """One more failed attempt for each notice: back off, or ``failed`` after ``max_attempts``."""
    for notice in notices:
        notice.attempts += 1
        notice.last_error = error
        if notice.attempts >= max_attempts:
            notice.status, notice.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            notice.next_attempt_at = at + min(base_delay * 2 ** (notice.attempts - 1), MAX_DELAY)
        session.add(notice)
    session.flush()


def mark_dropped(session: Session, ids: Sequence[int], reason: str) -> None:
    session.execute(update(Notification).where(Notification.id.in_(ids)).values(
        status=DeliveryStatus.DROPPED, next_attempt_at=None, last_error=reason))


def drop_destination(session: Session, destination: str, reason: str) -> int:
    """Drop every pending notice for ``destination`` (a schedule that was removed)."""
    result = session.execute(update(Notification).where(
        Notification.destination == destination, Notification.status == DeliveryStatus.PENDING,
    ).values(status=DeliveryStatus.DROPPED, next_attempt_at=None, last_error=reason))
    return result.rowcount or 0


def list_notices(session: Session, *, status: str | None = None,
                 limit: int | None = None) -> list[Notification]:
    """Notices newest first, optionally of one delivery status."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValueError(f"status must be one of {', '.join(DELIVERY_STATUSES)}")
    query = select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
    if status is not None:
        query = query.where(Notification.status == status)
    return list(session.execute(query.limit(limit)).scalars())


def failing(session: Session, *, limit: int = 20) -> list[Notification]:
    """Notices a webhook refused at least once and that are not delivered: failed, or pending a retry."""
    query = (select(Notification)
             .where(Notification.status.in_((DeliveryStatus.PENDING, DeliveryStatus.FAILED)),
                    Notification.attempts > 0)
             .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    return list(session.execute(query).scalars())


def retry(session: Session, notice_id: int, now: datetime) -> Notification:
    """Make a failed or dropped notice pending again, due now, with its attempts counted afresh."""
    notice = _get(session, notice_id)
    if notice.status == DeliveryStatus.DELIVERED:
        raise ValueError(f"notice {notice_id} was delivered already")
    notice.status, notice.attempts, notice.next_attempt_at = DeliveryStatus.PENDING, 0, now
    session.add(notice)
    session.flush()
    return notice


def drop(session: Session, notice_id: int) -> Notification:
    """Give up on a notice that is not delivered (kept, marked ``dropped``)."""
    notice = _get(session, notice_id)
    if notice.status == DeliveryStatus.DELIVERED:
        raise ValueError(f"notice {notice_id} was delivered already")
    notice.status, notice.next_attempt_at = DeliveryStatus.DROPPED, None
    notice.last_error = notice.last_error or "dropped"
    session.add(notice)
    session.flush()
    return notice


def _get(session: Session, notice_id: int) -> Notification:
    notice = session.get(Notification, notice_id)
    if notice is None:
        raise LookupError(f"no notice {notice_id}")
    return notice
