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
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from secret_sprawl.scanner.schedule.job import stored_url
from secret_sprawl.tracker.db import create_db_engine, open_database
from secret_sprawl.tracker.schedules import cron_trigger, list_schedules
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
    """A scheduler whose jobs live in table ``apscheduler_jobs`` of the tracker database."""
    store = SQLAlchemyJobStore(engine=create_db_engine(db_url))  # busy timeout shared with the tracker
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_time},
        timezone=UTC,
    )


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
        self.scheduler.start()
        self.sync()

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
