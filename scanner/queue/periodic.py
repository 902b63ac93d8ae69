"""``sprawl schedule run --enqueue``: the scheduler queues each due scan instead of running it.

Two schedule daemons may run for availability; each fires the same schedule at the same cron time.
The scan jobs are deferred through procrastinate's periodic deferral, whose table keeps one row per
(task, schedule and target, fire time) under a unique constraint: the second daemon's deferral of
the same fire time is a no-op, so a due scan is queued once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import procrastinate
from croniter import croniter
from procrastinate import jobs
from procrastinate.exceptions import AlreadyEnqueued
from secret_sprawl.scanner.orgs.expand import OrgOptions, is_org_target
from secret_sprawl.scanner.queue.app import QUEUE, app
from secret_sprawl.scanner.queue.connect import libpq_url
from secret_sprawl.scanner.queue.tasks import expand_job, scan_job
from secret_sprawl.scanner.schedule.job import real_url
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.queue_schema import ensure_queue_schema
from secret_sprawl.tracker.schedules import find_schedule
from sqlmodel import Session

log = logging.getLogger(__name__)
ENQUEUE_FUNCTION = "secret_sprawl.scanner.queue.periodic:enqueue_schedule"


def enqueue_schedule(name: str, db_url: str, config_path: str | None = None, *,
                     now: datetime | None = None) -> list[int]:
    """Queue the scans of schedule ``name`` for its latest fire time; the ids of the jobs queued here."""
    url = real_url(db_url)
    engine = open_database(url)
    try:
        with Session(engine) as session:
            schedule = find_schedule(session, name)
            if schedule is None:
                log.warning("schedule %s no longer exists; nothing queued", name)
                return []
            targets, cron, org = list(schedule.targets), schedule.cron, schedule.options or {}
        ensure_queue_schema(engine)
    finally:
        engine.dispose()
    fired = fire_time(cron, now or datetime.now(UTC))
    conninfo = libpq_url(url)
    queued = asyncio.run(_defer(conninfo, name, targets, fired, OrgOptions.from_settings(org).settings()))
    log.info("schedule %s: %d of %d scans queued for %s", name, len(queued), len(targets),
             datetime.fromtimestamp(fired, UTC).isoformat())
    return queued


async def _defer(conninfo: str, name: str, targets: list[str], fired: int, org: dict) -> list[int]:
    queued = []
    with app.replace_connector(procrastinate.PsycopgConnector(conninfo=conninfo)):
        async with app.open_async():
            for target in targets:
                expand = is_org_target(target)
                job = jobs.Job(id=None, queue=QUEUE, lock=None if expand else target,
                               queueing_lock=f"expand:{target}" if expand else target,
                               task_name=(expand_job if expand else scan_job).name,
                               task_kwargs={"target": target, "org": org, "timestamp": fired})
                try:
                    job_id = await app.job_manager.defer_periodic_job(job, periodic_id=f"{name}:{target}",
                                                                      defer_timestamp=fired)
                except AlreadyEnqueued:  # the last run's job is still waiting
                    job_id = None
                if job_id is not None:
                    queued.append(job_id)
    return queued


def fire_time(cron: str, now: datetime) -> int:
    """The schedule's latest fire time at or before ``now`` (seconds since the epoch, UTC)."""
    return int(croniter(cron, now + timedelta(seconds=1)).get_prev(datetime).timestamp())
