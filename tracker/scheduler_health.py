"""Scheduler health for monitoring: each schedule's last run and last successful run, and the depth of
the scan queue when the procrastinate queue exists (PostgreSQL with workers).

A schedule's run is a ``Scan`` with trigger ``schedule:<name>``; a successful run is one that
completed (``completed``: every target scanned, no error). The queue is read from procrastinate's
own table, read only: jobs waiting (``todo``) and running (``doing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from secret_sprawl.tracker.models.core import Scan, ScanStatus
from secret_sprawl.tracker.models.schedule import Schedule
from sqlalchemy import func, inspect, select, text
from sqlmodel import Session

QUEUE_STATES = ("todo", "doing")
_QUEUE = text("SELECT status::text, count(*) FROM procrastinate_jobs "
              "WHERE status::text IN ('todo', 'doing') GROUP BY status")


@dataclass(frozen=True, slots=True)
class ScheduleHealth:
    name: str
    last_run_at: datetime | None
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class SchedulerHealth:
    schedules: list[ScheduleHealth]
    queue: dict[str, int] | None  # None: no procrastinate queue in this database


def scheduler_health(session: Session) -> SchedulerHealth:
    names = list(session.execute(select(Schedule.name).order_by(Schedule.name)).scalars())
    trigger = func.substr(Scan.trigger, len("schedule:") + 1)
    scheduled = Scan.trigger.startswith("schedule:")
    last_run = dict(session.execute(
        select(trigger, func.max(Scan.started_at)).where(scheduled).group_by(trigger)).all())
    last_success = dict(session.execute(
        select(trigger, func.max(Scan.finished_at))
        .where(scheduled, Scan.status == ScanStatus.COMPLETED.value).group_by(trigger)).all())
    schedules = [ScheduleHealth(name, last_run.get(name), last_success.get(name)) for name in names]
    return SchedulerHealth(schedules, _queue_depth(session))


def _queue_depth(session: Session) -> dict[str, int] | None:
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not inspect(connection).has_table("procrastinate_jobs"):
        return None
    depth = dict.fromkeys(QUEUE_STATES, 0)
    depth.update({status: int(count) for status, count in connection.execute(_QUEUE)})
    return depth
