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
    """One secret as the queue shows it. ``haystack`` is the lowercase text the free-text filter searches."""

    id: int
    fingerprint: str
    rule_id: str
    provider: str
    category: str
    lifetime: str
    severity: str
    status: str
    owner: str | None
    exposed_at: datetime
    resolved_at: datetime | None
    places: int
    verification_state: str
    target: str = ""
    haystack: str = ""
    sla: SlaStatus | None = None

    @property
    def urgency(self) -> tuple[int, float, int]:
        """Most urgent first: breached, then approaching, then within (each by days left), then resolved."""
        assert self.sla is not None
        return (_SLA_RANK.get(self.sla.state, len(SLA_STATES)), self.sla.days_left, self.id)


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
        if self.sla_state is not None and (row.sla is None or row.sla.state != self.sla_state):
            return False
        if self.provider is not None and row.provider != self.provider:
            return False
        if self.category is not None and row.category != self.category:
            return False
        needle = self.text.strip().lower()
        return not needle or needle in row.haystack


# Sort keys by column id; "urgency" is the default order. None sorts last in either direction.
SORT_KEYS: dict[str, Callable[[QueueRow], Any]] = {
    "urgency": lambda r: r.urgency,
    "id": lambda r: r.id,
    "sla": lambda r: r.urgency,
    "days": lambda r: r.sla.days_left if r.sla else 0.0,
    "provider": lambda r: r.provider,
    "rule": lambda r: r.rule_id,
    "lifetime": lambda r: r.lifetime,
    "shared": lambda r: r.places,
    "status": lambda r: r.status,
    "owner": lambda r: (r.owner is None, r.owner or ""),
    "verified": lambda r: r.verification_state,
    "exposed": lambda r: r.exposed_at,
    "target": lambda r: r.target,
}


def select_rows(
    rows: Sequence[QueueRow], queue_filter: QueueFilter, sort: str = "urgency", descending: bool = False
) -> list[QueueRow]:
    """The rows the filter accepts, in the requested order (ties broken by urgency)."""
    kept = [row for row in rows if queue_filter.accepts(row)]
    kept.sort(key=lambda r: r.urgency)
    if sort != "urgency":
        kept.sort(key=SORT_KEYS[sort], reverse=descending)
    elif descending:
        kept.reverse()
    return kept


def load_queue(engine: sa.Engine, policy: SlaPolicy, now: datetime) -> list[QueueRow]:
    """Every secret with its SLA status, first target and the text the filter searches (two queries)."""
    columns = (
        Secret.id, Secret.fingerprint, Secret.rule_id, Secret.provider, Secret.category, Secret.lifetime,
        Secret.severity, Secret.status, Secret.owner, Secret.exposed_at, Secret.resolved_at, Secret.places,
        Secret.verification_state,
    )
    with Session(engine) as session:
        rows = {values[0]: QueueRow(*values) for values in session.execute(sa.select(*columns))}
        places = session.execute(
            sa.select(Occurrence.secret_id, Target.name, Occurrence.path)
            .join(Target, Target.id == Occurrence.target_id)
            .order_by(Occurrence.id)
        )
        paths: dict[int, list[str]] = {}
        for secret_id, target, path in places:
            row = rows.get(secret_id)
            if row is None:
                continue
            if not row.target:
                row.target = target
            paths.setdefault(secret_id, []).append(f"{target} {path}")
    for row in rows.values():
        row.sla = policy.evaluate(row, now)  # type: ignore[arg-type]  # reads only Secret's fields
        words = (row.rule_id, row.provider, row.owner or "", *paths.get(row.id, ()))
        row.haystack = " ".join(words).lower()
    return list(rows.values())


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
