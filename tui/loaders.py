"""What the detail, dashboard and schedules screens show, read in one go from a worker thread.

Each loader returns plain objects detached from the session, so a screen can render them at leisure.
Everything comes from the tracker's own functions (``tracker.queries``, ``tracker.metrics``,
``tracker.schedules``, ``tracker.remediation``), the same ones the CLI uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.metrics import Metrics, compute_metrics
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tracker.models.schedule import Schedule, Verification
from secret_sprawl.tracker.queries import Place
from secret_sprawl.tracker.remediation import remediation
from secret_sprawl.tracker.schedules import cron_trigger, list_schedules
from secret_sprawl.tracker.sla import SlaPolicy, SlaStatus
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class SecretDetail:
    """Everything the detail screen shows about one secret."""

    secret: Secret
    sla: SlaStatus
    places: list[Place]
    events: list[Event]
    verifications: list[Verification]
    remediation: str  # the rule's own text (``tracker.remediation``)


def load_detail(engine: sa.Engine, policy: SlaPolicy, secret_id: int, now: datetime) -> SecretDetail:
    """The secret, where it was seen, its whole audit trail and its live checks."""
    with Session(engine, expire_on_commit=False) as session:
        found = queries.secrets_by_id(session, [secret_id])
        if not found:
            raise LookupError(f"no secret with id {secret_id}")
        detail = SecretDetail(
            secret=found[0],
            sla=policy.evaluate(found[0], now),
            places=queries.places(session, secret_id),
            events=queries.timeline(session, secret_id),
            verifications=queries.verifications(session, secret_id),
            remediation=remediation(found[0].rule_id),
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
    open_by_org: dict[str, int]  # organisations with open secrets, most first


def load_dashboard(engine: sa.Engine, policy: SlaPolicy, now: datetime, *, months: int = 12) -> DashboardData:
    """The tracker's metrics as of ``now`` (grouped by organisation too) plus how many secrets were open
    at each of the last month ends (all over secrets at the tracker's default confidence floor, medium
    and up)."""
    with Session(engine) as session:
        metrics = compute_metrics(session, policy, as_of=now, group_by="org")
        by_org = sorted(((org, group.open_count) for org, group in metrics.groups.items()
                         if group.open_count), key=lambda item: (-item[1], item[0]))
        return DashboardData(metrics=metrics, open_by_org=dict(by_org),
                             open_over_time=queries.open_over_time(session, now, months=months))
