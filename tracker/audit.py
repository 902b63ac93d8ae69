"""The append-only, hash-chained audit log: the only code that writes an ``Event``.

Each event stores ``prev_hash`` (the previous event's hash, or 64 zeros for the first) and
``hash`` = SHA-256 of the canonical JSON of ``{prev_hash, at, actor, kind, secret_id, scan_id,
old, new, detail}`` (keys sorted, no spaces, ``at`` as ISO 8601 UTC with microseconds), so an
auditor can recompute the chain from an export. Editing, inserting or deleting a row breaks the link
at (or right after) that row; removing the newest rows cannot be seen without an external copy of
the last hash.

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the
database's single writer. ``prev_hash`` is unique in the schema, so even a writer that skipped the
lock could not fork the chain: its insert would fail instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Event
from sqlalchemy import insert, select, text
from sqlmodel import Session

GENESIS = "0" * 64
# Arbitrary constant naming the audit chain among PostgreSQL advisory locks.
_CHAIN_LOCK = 0x5EC7_0002


@dataclass(frozen=True, slots=True)
class EventData:
    """The content of one event before it is chained (see :func:`append_events`)."""

    kind: str
    actor: str
    secret_id: int | None = None
    scan_id: int | None = None
    old_value: str | None = None
    new_value: str | None = None
    detail: dict[str, Any] | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChainBreak:
    event_id: int
    reason: str


def append_event(
    session: Session,
    *,
    kind: str,
    actor: str,
    secret_id: int | None = None,
    scan_id: int | None = None,
    old_value: str | None = None,
    new_value: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Chain and add one event in the caller's transaction (flushed, not committed)."""
    data = EventData(kind, actor, secret_id, scan_id, old_value, new_value, detail, at)
    prev_hash = _lock_and_read_head(session)
    event = Event(**_row(data, prev_hash))
    session.add(event)
    session.flush()
    return event


def append_events(session: Session, events: Iterable[EventData]) -> int:
    """Chain and insert many events in one statement batch (for recording large scans)."""
    prev_hash = _lock_and_read_head(session)
    rows = []
    for data in events:
        row = _row(data, prev_hash)
        rows.append(row)
        prev_hash = row["hash"]
    if rows:
        session.execute(insert(Event.__table__), rows)
    return len(rows)


def event_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    kind: str,
    secret_id: int | None,
    scan_id: int | None,
    old_value: str | None,
    new_value: str | None,
    detail: dict[str, Any] | None,
) -> str:
    """SHA-256 hex of the canonical JSON of an event's content and its predecessor's hash."""
    document = {
        "prev_hash": prev_hash,
        "at": _iso(at),
        "actor": actor,
        "kind": kind,
        "secret_id": secret_id,
        "scan_id": scan_id,
        "old": old_value,
        "new": new_value,
        "detail": detail,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def first_break(session: Session) -> ChainBreak | None:
    """The first event whose link or content does not check out, with the reason; None if intact."""
    expected_prev = GENESIS
    for event in iter_events(session):
        if event.prev_hash != expected_prev:
            return ChainBreak(event.id or 0, "prev_hash does not match the previous event's hash")
        recomputed = event_hash(
            event.prev_hash, event.at, event.actor, event.kind, event.secret_id, event.scan_id,
            event.old_value, event.new_value, event.detail,
        )
        if recomputed != event.hash:
            return ChainBreak(event.id or 0, "content does not match its hash")
        expected_prev = event.hash
    return None


def iter_events(session: Session, *, since: datetime | None = None) -> Iterator[Event]:
    """Events in chain order, streamed in batches."""
    query = select(Event).order_by(Event.id).execution_options(yield_per=1000)
    if since is not None:
        query = query.where(Event.at >= since)
    for (event,) in session.execute(query):
        yield event


def event_record(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready dict (the JSONL export line)."""
    return {
        "id": event.id,
        "at": _iso(event.at),
        "actor": event.actor,
        "kind": event.kind,
        "secret_id": event.secret_id,
        "scan_id": event.scan_id,
        "old": event.old_value,
        "new": event.new_value,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _row(data: EventData, prev_hash: str) -> dict[str, Any]:
    at = (data.at or utcnow()).astimezone(UTC)
    digest = event_hash(
        prev_hash, at, data.actor, data.kind, data.secret_id, data.scan_id,
        data.old_value, data.new_value, data.detail,
    )
    return {
        "at": at, "actor": data.actor, "kind": data.kind, "secret_id": data.secret_id,
        "scan_id": data.scan_id, "old_value": data.old_value, "new_value": data.new_value,
        "detail": data.detail, "prev_hash": prev_hash, "hash": digest,
    }


def lock_chain(session: Session) -> None:
    """Hold the audit chain's write lock until the transaction ends (PostgreSQL; SQLite has one writer).

    Re-entrant within a transaction. Recording takes it first, so two scans that find the same new
    secret at the same time are serialised instead of colliding on the fingerprint.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})


def _lock_and_read_head(session: Session) -> str:
    lock_chain(session)
    head = session.execute(select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    return head or GENESIS


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")
