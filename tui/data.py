"""The queue's data: every secret with its SLA standing, filtered and sorted in memory.

Loading is two plain functions over a SQLAlchemy engine that the queue calls from a worker thread
(``load_secrets`` is enough to paint; ``attach_places`` adds targets and paths for the text filter).
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
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, suggested_resolution
from secret_sprawl.tracker.models import Event, Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.sla import SlaPolicy

SLA_STATES = ("breached", "approaching", "within", "resolved")
_SLA_RANK = {state: rank for rank, state in enumerate(SLA_STATES)}


@dataclass(slots=True)
class QueueRow:
    """One secret as the queue shows it, with its SLA standing at load time.

    ``target`` (first place's target) and ``haystack`` (the lowercase text the free-text filter
    searches: rule, provider, owner, then every target and path) are completed by ``attach_places``.
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
    confidence_rank: int = 0
    suggestion: str | None = None  # what the tracker suggests closing it as, while that applies
    sla_state: str = ""
    days_left: float = 0.0
    # Most urgent first: breached, then approaching, then within (each by days left), then resolved.
    urgency: tuple[int, float, int] = (0, 0.0, 0)
    target: str = ""
    haystack: str = ""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the filter bar asks for; ``None`` means any."""

    text: str = ""
    status: str | None = "open"
    sla_state: str | None = None
    provider: str | None = None
    category: str | None = None
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


def load_queue(engine: sa.Engine, policy: SlaPolicy, now: datetime) -> list[QueueRow]:
    """Every secret, complete (``load_secrets`` then ``attach_places``)."""
    rows = load_secrets(engine, policy, now)
    attach_places(engine, rows)
    return rows


def load_secrets(engine: sa.Engine, policy: SlaPolicy, now: datetime) -> list[QueueRow]:
    """Every secret with its SLA standing at ``now``; one query, enough to paint the queue."""
    columns = (
        Secret.id, Secret.rule_id, Secret.provider, Secret.category, Secret.lifetime, Secret.status,
        Secret.owner, Secret.exposed_at, Secret.resolved_at, Secret.places, Secret.verification_state,
        Secret.confidence, Secret.suggested_status,
    )
    with engine.connect() as connection:
        rows = [QueueRow(*values) for values in connection.execute(sa.select(*columns))]
    for row in rows:
        sla = policy.status(row.exposed_at, row.category, row.lifetime, now=now, resolved_at=row.resolved_at)
        row.sla_state, row.days_left = sla.state, sla.days_left
        row.urgency = (_SLA_RANK.get(sla.state, len(SLA_STATES)), sla.days_left, row.id)
        row.haystack = f"{row.rule_id} {row.provider} {row.owner or ''}".lower()
        row.confidence_rank = Confidence(row.confidence).rank
        row.suggestion = suggested_resolution(row.status, row.suggested_status, row.verification_state)
    return rows


def attach_places(engine: sa.Engine, rows: Sequence[QueueRow]) -> None:
    """Fill each row's first target and add every target and path to its filter text (one query)."""
    by_id = {row.id: row for row in rows}
    words: dict[int, list[str]] = {}
    with engine.connect() as connection:
        names = dict(connection.execute(sa.select(Target.id, Target.name)).all())
        found = connection.execute(
            sa.select(Occurrence.secret_id, Occurrence.target_id, Occurrence.path).order_by(Occurrence.id)
        )
        for secret_id, target_id, path in found:
            row = by_id.get(secret_id)
            if row is None:
                continue  # recorded after the secrets were read; the next refresh shows it
            target = names.get(target_id, "")
            if not row.target:
                row.target = target
            words.setdefault(secret_id, []).extend((target, path))
    for secret_id, extra in words.items():
        row = by_id[secret_id]
        row.haystack = f"{row.haystack} {' '.join(extra).lower()}"


def change_marker(engine: sa.Engine) -> tuple[Any, ...]:
    """A cheap value (one indexed aggregate per table) that changes whenever what the TUI shows may have."""
    probes = (
        sa.select(sa.func.max(Event.id)).scalar_subquery(),
        sa.select(sa.func.count(Secret.id)).scalar_subquery(),
        sa.select(sa.func.max(Secret.last_seen_at)).scalar_subquery(),
        sa.select(sa.func.max(Occurrence.id)).scalar_subquery(),
        sa.select(sa.func.max(Scan.id)).scalar_subquery(),
    )
    with engine.connect() as connection:
        return tuple(connection.execute(sa.select(*probes)).one())
