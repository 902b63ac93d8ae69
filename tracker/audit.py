"""The append-only, HMAC-chained audit log: the only code that writes an ``Event``.

Each event stores ``prev_hash`` (the previous event's hash, or 64 zeros for the first) and
``hash`` = HMAC-SHA-256, under the audit key (kept outside the database: ``tracker/audit_key.py``),
of the canonical JSON of ``{prev_hash, at, actor, kind, secret_id, scan_id, old, new, detail}``
(keys sorted, no spaces, ``at`` as ISO 8601 UTC with microseconds), so an auditor holding the key can
recompute the chain from an export, and someone holding only the database cannot re-sign an edited,
inserted, deleted or appended row. Removing the newest rows is seen against an external record of
the head (``chain_head``: hash and count; ``sprawl audit verify --expect-head``). A chain written
before it was keyed (plain SHA-256) is checked and re-signed once by migration 0008
(:func:`resign_unkeyed_chain`); a broken one is left as it is, for ``verify`` to report.

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the
database's single writer. ``prev_hash`` is unique in the schema, so even a writer that skipped the
lock could not fork the chain: its insert would fail instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from secret_sprawl.tracker.audit_key import audit_key
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Event
from sqlalchemy import Connection, String, func, insert, select, text, type_coerce
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


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What a full check found: the first break (None if intact), the head and the event count."""

    broken: ChainBreak | None
    head: str
    count: int
    expected_at: int | None = None  # position (1-based) of an expected head in the chain, if found


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
    """HMAC-SHA-256 hex, under the audit key, of the canonical JSON of an event and its predecessor's hash."""
    return hmac.new(audit_key(), _canonical(prev_hash, at, actor, kind, secret_id, scan_id, old_value,
                                            new_value, detail), hashlib.sha256).hexdigest()


def _canonical(
    prev_hash: str, at: datetime, actor: str, kind: str, secret_id: int | None, scan_id: int | None,
    old_value: str | None, new_value: str | None, detail: dict[str, Any] | None,
) -> bytes:
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
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def first_break(session: Session) -> ChainBreak | None:
    """The first event whose link or content does not check out, with the reason; None if intact."""
    return check_chain(session).broken


def check_chain(session: Session, expect_head: str | None = None) -> ChainReport:
    """Walk the whole chain: every link and HMAC, malformed rows named (never an exception)."""
    key = audit_key()
    expected_prev, count = GENESIS, 0
    found = 0 if expect_head == GENESIS else None
    for row in session.execute(_RAW_EVENTS.execution_options(yield_per=1000)):
        problem = _problem(row, expected_prev, lambda canonical: hmac.new(key, canonical, hashlib.sha256))
        if problem is not None:
            return ChainReport(problem, expected_prev, count)
        count += 1
        expected_prev = row.hash
        if expect_head is not None and row.hash == expect_head:
            found = count
    return ChainReport(None, expected_prev, count, found)


def resign_unkeyed_chain(connection: Connection) -> int:
    """Re-sign, under the audit key, a chain written with plain SHA-256 (before the chain was keyed);
    a chain that does not check out under SHA-256 is left untouched. Returns the events re-signed."""
    rows = list(connection.execute(_RAW_EVENTS))
    expected_prev = GENESIS
    for row in rows:
        if _problem(row, expected_prev, hashlib.sha256) is not None:
            return 0
        expected_prev = row.hash
    key, prev = audit_key(), GENESIS
    table = Event.__table__
    for row in rows:
        digest = hmac.new(key, _canonical(prev, *_content(row)), hashlib.sha256).hexdigest()
        connection.execute(table.update().where(table.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev = digest
    return len(rows)


def _problem(row: Any, expected_prev: str, digest: Callable[[bytes], Any]) -> ChainBreak | None:
    try:
        content = _content(row)
    except (TypeError, ValueError) as exc:
        return ChainBreak(row.id, f"malformed row: {exc}")
    if row.prev_hash != expected_prev:
        return ChainBreak(row.id, "prev_hash does not match the previous event's hash")
    if not hmac.compare_digest(digest(_canonical(row.prev_hash, *content)).hexdigest(), row.hash):
        return ChainBreak(row.id, "content does not match its hash (or was signed with another audit key)")
    return None


def chain_head(session: Session) -> tuple[str, int]:
    """The newest event's hash (64 zeros for an empty log) and the number of events: record both
    outside the tracker, then ``check_chain(expect_head=...)`` proves nothing was cut or rewritten."""
    head = session.execute(select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    count = session.execute(select(func.count()).select_from(Event)).scalar_one()
    return head or GENESIS, int(count)


_COLUMNS = Event.__table__.c
# Read as stored, without the column types' conversions, so a malformed row is reported, not raised.
_RAW_EVENTS = select(
    _COLUMNS.id, type_coerce(_COLUMNS.at, String).label("at"), _COLUMNS.actor, _COLUMNS.kind,
    _COLUMNS.secret_id, _COLUMNS.scan_id, _COLUMNS.old_value, _COLUMNS.new_value,
    type_coerce(_COLUMNS.detail, String).label("detail"), _COLUMNS.prev_hash, _COLUMNS.hash,
).order_by(_COLUMNS.id)


def _content(row: Any) -> tuple[Any, ...]:
    if row.at is None:
        raise ValueError("at is missing")
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    detail = None if row.detail is None else json.loads(row.detail)
    if not isinstance(detail, dict | None):
        raise ValueError("detail is not a JSON object")
    for name in ("actor", "kind", "prev_hash", "hash"):
        if not isinstance(getattr(row, name), str):
            raise ValueError(f"{name} is missing")
    return at, row.actor, row.kind, row.secret_id, row.scan_id, row.old_value, row.new_value, detail


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
