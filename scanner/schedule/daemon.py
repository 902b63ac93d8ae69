"""The scheduler daemon: APScheduler 3 with its SQLAlchemyJobStore in the tracker's own database.

Our ``schedule`` table is the truth; ``sync_jobs`` makes the job store match it (add, change,
remove) and runs at start and then every ``sync_interval`` seconds, so ``sprawl schedule add`` in
another process is picked up without a restart. Jobs are stored by reference to
``scanner.schedule.job:run_schedule`` with plain arguments, one instance at a time, coalesced, with
a misfire grace time: a daemon that was down runs a missed scan once, not once per missed time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from secret_sprawl.scanner.schedule.job import stored_url
from secret_sprawl.tracker.db import create_db_engine, open_database
from secret_sprawl.tracker.schedules import cron_trigger, find_schedule, list_schedules
from sqlalchemy import Engine
from sqlmodel import Session

log = logging.getLogger(__name__)
JOB_FUNCTION = "secret_sprawl.scanner.schedule.job:run_schedule"
JOB_PREFIX = "sprawl-schedule:"
MISFIRE_GRACE_SECONDS = 7 * 86_400


def job_id(name: str) -> str:
    return JOB_PREFIX + name


def make_scheduler(db_url: str, *, workers: int = 2,
                   misfire_grace_time: int = MISFIRE_GRACE_SECONDS) -> BackgroundScheduler:
    """A scheduler whose jobs live in table ``apscheduler_jobs`` of the tracker database; missed,
    coalesced and skipped runs are logged (``log_run_events``)."""
    store = SQLAlchemyJobStore(engine=create_db_engine(db_url))  # busy timeout shared with the tracker
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_time},
        timezone=UTC,
    )
    scheduler.add_listener(log_run_events, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def log_run_events(event: JobEvent) -> None:
    """A log line for each run that will not happen as planned: missed (past the grace time) or skipped
    (the previous run still going). Coalesced runs are logged by the daemon (``Daemon.coalesced``)."""
    name = event.job_id.removeprefix(JOB_PREFIX)
    if event.code == EVENT_JOB_MISSED:
        log.warning("schedule %s: missed the run due at %s (the daemon was down or busy past the grace time)",
                    name, _when(event.scheduled_run_time))  # type: ignore[attr-defined]
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("schedule %s: skipped the run due at %s (the previous run is still going)",
                    name, _when(event.scheduled_run_times[0]))  # type: ignore[attr-defined]


def missed_since(cron: str, last_run: datetime, due: datetime) -> list[datetime]:
    """The fire times of ``cron`` after ``last_run`` and before ``due``: runs that never happened."""
    trigger, missed = cron_trigger(cron), []
    moment = trigger.get_next_fire_time(None, last_run + timedelta(microseconds=1))
    while moment is not None and moment < due and len(missed) < 10_000:
        missed.append(moment)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return missed


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z"


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def sync_jobs(scheduler: BackgroundScheduler, db: Engine, db_url: str,
              config_path: str | None = None, function: str = JOB_FUNCTION) -> SyncResult:
    """Make the started scheduler's jobs match the ``schedule`` table of ``db`` (opened from ``db_url``)."""
    with Session(db) as session:
        wanted = {job_id(s.name): (s.name, s.cron) for s in list_schedules(session)}
    added, changed, removed = [], [], []
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
            removed.append(job.name)
    for identifier, (name, cron) in wanted.items():
        trigger = cron_trigger(cron)
        args, kwargs = [name, stored_url(db_url)], {"config_path": config_path}
        job = scheduler.get_job(identifier)
        if job is None:
            scheduler.add_job(function, trigger, id=identifier, name=name, args=args, kwargs=kwargs)
            added.append(name)
        elif (str(job.trigger) != str(trigger) or list(job.args) != args or dict(job.kwargs) != kwargs
              or job.func_ref != function):
            scheduler.modify_job(identifier, func=function, args=args, kwargs=kwargs)
            scheduler.reschedule_job(identifier, trigger=trigger)
            changed.append(name)
    if added or changed or removed:
        log.info("schedules synced: added %s, changed %s, removed %s", added, changed, removed)
    return SyncResult(tuple(added), tuple(changed), tuple(removed))


class Daemon:
    """Run the scheduler until ``stop()`` (signal handlers call it), syncing schedules periodically."""

    def __init__(self, db_url: str, *, config_path: str | None = None, sync_interval: float = 10.0,
                 misfire_grace_time: int = MISFIRE_GRACE_SECONDS, function: str = JOB_FUNCTION) -> None:
        self.db_url = db_url
        self.function = function  # run the scan here, or (scanner.queue.periodic) queue it
        self.config_path = config_path
        self.sync_interval = sync_interval
        self.scheduler = make_scheduler(db_url, misfire_grace_time=misfire_grace_time)
        self._db: Engine | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self._db = open_database(self.db_url)  # our tables exist before the job store adds its own
        if self.function == JOB_FUNCTION:  # runs here record their time on the schedule
            self.scheduler.add_listener(self.coalesced, EVENT_JOB_SUBMITTED)
        self.scheduler.start()
        self.sync()

    def coalesced(self, event: JobSubmissionEvent) -> None:
        """Log the runs that fell due since the schedule's last run and are folded into this one."""
        if self._db is None or not event.job_id.startswith(JOB_PREFIX):
            return
        name = event.job_id.removeprefix(JOB_PREFIX)
        try:
            with Session(self._db) as session:
                schedule = find_schedule(session, name)
            if schedule is None or schedule.last_run_at is None:
                return
            due = event.scheduled_run_times[-1]
            missed = missed_since(schedule.cron, schedule.last_run_at, due)
        except Exception:  # a log line must never stop the scheduler
            log.exception("schedule %s: could not count missed runs", name)
            return
        if missed:
            log.warning("schedule %s: %d missed runs (%s to %s) coalesced into the run due at %s", name,
                        len(missed), _when(missed[0]), _when(missed[-1]), _when(due))

    def sync(self) -> SyncResult:
        assert self._db is not None, "start() first"
        return sync_jobs(self.scheduler, self._db, self.db_url, self.config_path, self.function)

    def run(self) -> None:
        """Start, then keep the jobs in step with the table until stopped; waits for a running scan."""
        self.start()
        try:
            while not self._stop.wait(self.sync_interval):
                try:
                    self.sync()
                except Exception:  # a bad row or a locked database must not kill the daemon
                    log.exception("could not sync schedules; retrying in %ss", self.sync_interval)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the scheduler (waiting for a running scan) and release the database."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self._db is not None:
            self._db.dispose()

    def stop(self) -> None:
        self._stop.set()
