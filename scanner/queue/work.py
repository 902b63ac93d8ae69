"""Run a procrastinate worker on the tracker's queue, plus the reaper of jobs whose worker died.

procrastinate marks a worker stalled when its heartbeat is older than ``stalled_after``; the reaper
(running in every worker) puts the jobs of stalled workers back to ``todo``, so a job whose worker
was killed or whose machine was lost is picked up by another worker. SIGTERM/SIGINT stop the
worker gracefully: it finishes the job it is running, then exits. With ``until_empty`` the worker
returns once no job is waiting (after giving stalled jobs back to the queue once more).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import procrastinate
from secret_sprawl.scanner.queue.app import app

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    conninfo: str
    queues: tuple[str, ...] = ()
    concurrency: int = 1
    until_empty: bool = False
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    context: dict[str, Any] = field(default_factory=dict)  # handed to each job (db_url, cache_dir…)


def run_worker(settings: WorkerSettings) -> None:
    asyncio.run(_run(settings))


async def _run(settings: WorkerSettings) -> None:
    with app.replace_connector(procrastinate.PsycopgConnector(conninfo=settings.conninfo)):
        async with app.open_async():
            reaper = asyncio.create_task(_reap_forever(settings))
            try:
                while True:
                    await app.run_worker_async(
                        queues=list(settings.queues) or None, concurrency=settings.concurrency,
                        wait=not settings.until_empty, additional_context=settings.context,
                        update_heartbeat_interval=settings.heartbeat,
                        stalled_worker_timeout=settings.stalled_after, install_signal_handlers=True,
                        listen_notify=True)
                    if not settings.until_empty or not await reap(settings):
                        break
            finally:
                reaper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reaper


async def reap(settings: WorkerSettings) -> int:
    """Give the jobs of stalled workers back to the queue; the number given back."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_after)
    count = 0
    for job in stalled:
        if settings.queues and job.queue not in settings.queues:
            continue
        log.warning("job %s (%s) was running on a worker that stopped answering; retrying it",
                    job.id, job.task_kwargs.get("target"))
        await app.job_manager.retry_job(job)
        count += 1
    return count


async def _reap_forever(settings: WorkerSettings) -> None:
    while True:
        try:
            await reap(settings)
        except procrastinate.exceptions.ConnectorException:
            log.warning("could not look for stalled jobs; trying again later")
        await asyncio.sleep(max(1.0, settings.stalled_after / 3))
