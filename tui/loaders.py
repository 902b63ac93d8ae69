"""What the detail, dashboard and schedules screens show, read in one go from a worker thread.

Each loader returns plain objects detached from the session, so a screen can render them at leisure.
The audit timeline, places and metrics come from the tracker's own queries; only what the tracker
does not offer (verification history, open secrets at each month end) is queried here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, at_least
from secret_sprawl.tracker.metrics import Metrics, compute_metrics
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tracker.models.schedule import Schedule, Verification
from secret_sprawl.tracker.queries import Place, places, timeline
from secret_sprawl.tracker.schedules import cron_trigger, list_schedules
from secret_sprawl.tracker.sla import SlaPolicy, SlaStatus
from sqlmodel import Session, select

_TICK = timedelta(microseconds=1)


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
    """The tracker's metrics as of ``now`` plus how many secrets were open at each of the last month ends
    (both over secrets at the tracker's default confidence floor, medium and up)."""
    with Session(engine) as session:
        metrics = compute_metrics(session, policy, as_of=now)
        spans = session.execute(sa.select(Secret.exposed_at, Secret.resolved_at)
                                .where(at_least(Secret.confidence, DEFAULT_FLOOR))).all()
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
