"""The queue's data: every secret with its SLA standing, filtered and sorted in memory.

Loading is two plain functions over the tracker's own queries that the queue calls from a worker thread
(``load_secrets`` is enough to paint; ``attach_places`` adds the first target and path, every
organisation, and the targets and paths for the text filter).
Filtering and sorting are pure and fast enough for 100,000 rows, so the database is read once per
refresh and never while the user types. ``change_marker`` tells a refresh whether to read at all.
Every secret is loaded whatever its confidence; the filter keeps medium and up unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, suggested_resolution
from secret_sprawl.tracker.metrics import organisation
from secret_sprawl.tracker.sla import SlaPolicy, SlaState, SlaStatus
from sqlmodel import Session


def resolved_late(sla: SlaStatus) -> bool:
    """Remediated after the SLA deadline (the tracker's ``SlaStatus.late`` of a resolved secret: its
    deadline and clock are ``tracker.sla``'s, never recomputed here)."""
    return sla.state == SlaState.RESOLVED and sla.late


@dataclass(slots=True)
class QueueRow:
    """One secret as the queue shows it, with its SLA standing at load time.

    ``late``: resolved after its SLA deadline (the tracker's ``SlaStatus``: days left below zero at
    the resolution). ``target`` and ``path`` (the first place), ``orgs`` (the organisation of every
    target, ``tracker.metrics.organisation``) and ``haystack`` (the lowercase text the free-text filter
    searches: rule, provider, owner, redacted preview, then every target and path) are completed by
    ``attach_places``.
    """

    id: int
    rule_id: str
    provider: str
    category: str
    lifetime: str
    status: str
    owner: str | None
    exposed_at: datetime
    resolved_at: datetime | None
    places: int
    verification_state: str
    confidence: str
    suggested_status: str | None
    redacted: str = ""
    confidence_rank: int = 0
    suggestion: str | None = None  # what the tracker suggests closing it as, while that applies
    sla_state: str = ""
    days_left: float = 0.0
    # Most urgent first: breached, then approaching, then within (each by days left), then resolved.
    urgency: tuple[int, float, int] = (0, 0.0, 0)
    late: bool = False
    target: str = ""
    path: str = ""
    orgs: tuple[str, ...] = ()
    haystack: str = ""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the filter bar asks for; ``None`` means any."""

    text: str = ""
    status: str | None = "open"
    sla_state: str | None = None
    provider: str | None = None
    category: str | None = None
    org: str | None = None
    min_confidence: Confidence = DEFAULT_FLOOR

    def accepts(self, row: QueueRow) -> bool:
        if row.confidence_rank < self.min_confidence.rank:
            return False
        if self.status is not None and row.status != self.status:
            return False
        if self.sla_state is not None and row.sla_state != self.sla_state:
            return False
        if self.provider is not None and row.provider != self.provider:
            return False
        if self.category is not None and row.category != self.category:
            return False
        if self.org is not None and self.org not in row.orgs:
            return False
        needle = self.text.strip().lower()
        return not needle or needle in row.haystack


# Sort keys by column id; "urgency" is the default order.
SORT_KEYS: dict[str, Callable[[QueueRow], Any]] = {
    "urgency": attrgetter("urgency"),
    "id": attrgetter("id"),
    "sla": attrgetter("urgency"),
    "days": attrgetter("days_left"),
    "provider": attrgetter("provider"),
    "rule": attrgetter("rule_id"),
    "lifetime": attrgetter("lifetime"),
    "confidence": attrgetter("confidence_rank"),
    "shared": attrgetter("places"),
    "status": attrgetter("status"),
    "owner": lambda r: (r.owner is None, r.owner or ""),
    "verified": attrgetter("verification_state"),
    "exposed": attrgetter("exposed_at"),
    "target": attrgetter("target"),
    "path": attrgetter("path"),
    "preview": attrgetter("redacted"),
    "org": lambda r: r.orgs[0] if r.orgs else "",
}


def select_rows(
    rows: Sequence[QueueRow], queue_filter: QueueFilter, sort: str = "urgency", descending: bool = False
) -> list[QueueRow]:
    """The rows the filter accepts, in the requested order (ties broken by urgency)."""
    kept = [row for row in rows if queue_filter.accepts(row)]
    kept.sort(key=SORT_KEYS["urgency"])
    if sort != "urgency":
        kept.sort(key=SORT_KEYS[sort], reverse=descending)
    elif descending:
        kept.reverse()
    return kept


def load_secrets(engine: sa.Engine, policy: SlaPolicy, now: datetime) -> list[QueueRow]:
    """Every secret exposed by ``now`` with its status and SLA standing then (``queries.list_secrets``,
    as ``sprawl secrets list --as-of`` and the dashboard count them), at every confidence (the filter
    bar applies the floor); enough to paint the queue."""
    with Session(engine) as session:
        found = queries.list_secrets(session, policy, now=now, min_confidence=Confidence.LOW)
    rows = []
    for item in found:
        s, sla = item.secret, item.sla
        rows.append(QueueRow(
            int(s.id or 0), s.rule_id, s.provider, s.category, s.lifetime, item.status, s.owner, s.exposed_at,
            s.resolved_at, s.places, s.verification_state, s.confidence, s.suggested_status, s.redacted,
            confidence_rank=Confidence(s.confidence).rank,
            suggestion=suggested_resolution(item.status, s.suggested_status, s.verification_state),
            sla_state=sla.state, days_left=sla.days_left,
            urgency=(list(SlaState).index(sla.state), sla.days_left, int(s.id or 0)),
            late=resolved_late(sla),
            haystack=f"{s.rule_id} {s.provider} {s.owner or ''} {s.redacted}".lower(),
        ))
    return rows


def attach_places(engine: sa.Engine, rows: Sequence[QueueRow]) -> None:
    """Fill each row's first target and path and its organisations, and add every target and path to
    its filter text (one query)."""
    by_id = {row.id: row for row in rows}
    words: dict[int, list[str]] = {}
    orgs: dict[int, dict[str, None]] = {}  # insertion-ordered sets
    with Session(engine) as session:
        for secret_id, target, path in queries.occurrence_words(session):
            row = by_id.get(secret_id)
            if row is None:
                continue  # recorded after the secrets were read; the next refresh shows it
            if not row.target:
                row.target, row.path = target, path
            words.setdefault(secret_id, []).extend((target, path))
            orgs.setdefault(secret_id, {})[organisation(target)] = None
    for secret_id, extra in words.items():
        row = by_id[secret_id]
        row.haystack = f"{row.haystack} {' '.join(extra).lower()}"
        row.orgs = tuple(orgs[secret_id])


def change_marker(engine: sa.Engine) -> tuple[Any, ...]:
    """A cheap value that changes whenever what the TUI shows may have (``queries.change_marker``)."""
    with engine.connect() as connection:
        return queries.change_marker(connection)
