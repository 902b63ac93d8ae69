"""Read side of the TUI: load the queue, one secret's detail and the change marker, with SLA annotation.

Everything here is plain functions over a SQLAlchemy engine that the screens call from worker
threads; the in-memory filtering and sorting of the queue are pure and fast enough for 100,000 rows,
so the database is read once per refresh and never while the user types.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.metrics import Metrics, compute_metrics
from tracker.models import Event, Occurrence, Scan, Secret, Target
from tracker.models.schedule import Schedule, Verification
from tracker.queries import Place, places, timeline
from tracker.schedules import cron_trigger, list_schedules
from tracker.sla import SlaPolicy, SlaStatus

SLA_STATES = ("breached", "approaching", "within", "resolved")
_SLA_RANK = {state: rank for rank, state in enumerate(SLA_STATES)}
_TICK = timedelta(microseconds=1)


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

    def accepts(self, row: QueueRow) -> bool:
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
    )
    with engine.connect() as connection:
        rows = [QueueRow(*values) for values in connection.execute(sa.select(*columns))]
    for row in rows:
        sla = policy.status(row.exposed_at, row.category, row.lifetime, now=now, resolved_at=row.resolved_at)
        row.sla_state, row.days_left = sla.state, sla.days_left
        row.urgency = (_SLA_RANK.get(sla.state, len(SLA_STATES)), sla.days_left, row.id)
        row.haystack = f"{row.rule_id} {row.provider} {row.owner or ''}".lower()
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


@dataclass(frozen=True, slots=True)
class SecretDetail:
    """Everything the detail screen shows about one secret."""

    secret: Secret
    sla: SlaStatus
    places: list[Place]
    events: list[Event]
    verifications: list[Verification]


def load_detail(engine: sa.Engine, policy: SlaPolicy, secret_id: int, now: datetime) -> SecretDetail:
    """The secret, where it was seen, its whole audit trail and its live checks."""
    with Session(engine, expire_on_commit=False) as session:
        secret = session.get(Secret, secret_id)
        if secret is None:
            raise LookupError(f"no secret with id {secret_id}")
        detail = SecretDetail(
            secret=secret,
            sla=policy.evaluate(secret, now),
            places=places(session, secret_id),
            events=timeline(session, secret_id),
            verifications=list(session.exec(
                select(Verification).where(Verification.secret_id == secret_id)
                .order_by(Verification.at, Verification.id)  # type: ignore[arg-type]
            )),
        )
        session.expunge_all()
    return detail


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A schedule with the next time it fires after ``now`` (None for a cron that never fires again)."""

    schedule: Schedule
    next_run: datetime | None


def load_schedules(engine: sa.Engine, now: datetime) -> list[ScheduleRow]:
    with Session(engine, expire_on_commit=False) as session:
        schedules = list_schedules(session)
        session.expunge_all()
    return [ScheduleRow(s, cron_trigger(s.cron).get_next_fire_time(None, now)) for s in schedules]


@dataclass(frozen=True, slots=True)
class DashboardData:
    metrics: Metrics
    open_over_time: list[tuple[str, int]]  # (YYYY-MM, secrets open at the end of that month or at now)


def load_dashboard(engine: sa.Engine, policy: SlaPolicy, now: datetime, *, months: int = 12) -> DashboardData:
    """The tracker's metrics as of ``now`` plus how many secrets were open at each of the last month ends."""
    with Session(engine) as session:
        metrics = compute_metrics(session, policy, as_of=now)
        spans = session.execute(sa.select(Secret.exposed_at, Secret.resolved_at)).all()
    return DashboardData(metrics=metrics, open_over_time=open_over_time(spans, now, months=months))


def open_over_time(
    spans: Sequence[tuple[datetime, datetime | None]], now: datetime, *, months: int
) -> list[tuple[str, int]]:
    """Open count at the end of each of the last ``months`` months (the current month: at ``now``).

    A secret is open at ``t`` when exposed at or before ``t`` and not resolved at or before ``t``.
    """
    exposed = sorted(start for start, _ in spans)
    resolved = sorted(end for _, end in spans if end is not None)
    points = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(now.year * 12 + now.month - 1 - back, 12)
        label = f"{year:04d}-{month + 1:02d}"
        next_year, next_month = divmod(year * 12 + month + 1, 12)
        instant = min(now, datetime(next_year, next_month + 1, 1, tzinfo=now.tzinfo) - _TICK)
        points.append((label, bisect_right(exposed, instant) - bisect_right(resolved, instant)))
    return points
