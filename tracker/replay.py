"""Replay the audit log: rebuild each secret's state from its events alone and compare with its row.

The events are the evidence; ``secret`` and ``occurrence`` rows are a cache of what they say. A status,
owner or verification state changed without an event, or occurrence rows deleted (or added) behind the
log's back, show up as a :class:`Disagreement`. Rows of the events table that cannot be read are named,
never raised (``tracker/audit.py`` checks the chain itself).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from secret_sprawl.tracker.models.core import Event, Occurrence, Secret
from sqlalchemy import String, func, select, type_coerce
from sqlmodel import Session

# Events whose new_value is the secret's status from then on.
STATUS_EVENTS = frozenset({"detected", "status-changed", "reopened", "revocation-detected",
                           "inactive-at-discovery", "revocation-disproved"})


@dataclass(slots=True)
class Replayed:
    """A secret as its events describe it."""

    status: str | None = None
    owner: str | None = None
    verification_state: str = "unverified"
    occurrences: int | None = 0  # None: recorded before detected events counted their places


@dataclass(frozen=True, slots=True)
class Disagreement:
    secret_id: int
    field: str
    from_events: Any
    in_table: Any

    def line(self) -> str:
        return (f"secret {self.secret_id}: {self.field} is {self.in_table!r} "
                f"but the events say {self.from_events!r}")


@dataclass(slots=True)
class ReplayReport:
    secrets: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)


def replay(session: Session) -> ReplayReport:
    """Rebuild every secret from the events and compare with the ``secret`` and ``occurrence`` rows."""
    report = ReplayReport()
    states = _replay_events(session, report)
    occurrences = dict(session.execute(
        select(Occurrence.secret_id, func.count()).group_by(Occurrence.secret_id)).all())
    rows = session.execute(select(Secret.id, Secret.status, Secret.owner, Secret.verification_state))
    for secret_id, status, owner, verification in rows:
        report.secrets += 1
        state = states.pop(secret_id, None)
        if state is None or state.status is None:
            report.disagreements.append(Disagreement(secret_id, "detected event", "missing", "row exists"))
            continue
        for name, replayed, stored in (("status", state.status, status), ("owner", state.owner, owner),
                                       ("verification_state", state.verification_state, verification)):
            if replayed != stored:
                report.disagreements.append(Disagreement(secret_id, name, replayed, stored))
        count = occurrences.get(secret_id, 0)
        if state.occurrences is not None and state.occurrences != count:
            report.disagreements.append(Disagreement(secret_id, "occurrences", state.occurrences, count))
    for secret_id in sorted(states):
        report.disagreements.append(Disagreement(secret_id, "secret row", "exists", "missing"))
    return report


def _replay_events(session: Session, report: ReplayReport) -> dict[int, Replayed]:
    columns = Event.__table__.c
    query = (select(columns.id, columns.secret_id, columns.kind, columns.new_value,
                    type_coerce(columns.detail, String).label("detail"))
             .where(columns.secret_id.is_not(None)).order_by(columns.id))
    states: dict[int, Replayed] = {}
    new_occurrences: Counter[int] = Counter()
    rows = session.execute(query.execution_options(yield_per=1000))
    for event_id, secret_id, kind, new_value, detail in rows:
        state = states.setdefault(secret_id, Replayed())
        if kind in STATUS_EVENTS:
            state.status = new_value
        if kind == "assigned":
            state.owner = new_value
        elif kind == "verified":
            state.verification_state = new_value or "unverified"
        elif kind == "new-occurrence":
            new_occurrences[secret_id] += 1
        elif kind == "detected":
            try:
                places = (json.loads(detail) if detail else {}).get("occurrences")
            except (ValueError, AttributeError):
                report.malformed.append(f"event {event_id}: detail is not a JSON object")
                places = None
            state.occurrences = places if isinstance(places, int) else None
    for secret_id, count in new_occurrences.items():
        state = states[secret_id]
        if state.occurrences is not None:
            state.occurrences += count
    return states
