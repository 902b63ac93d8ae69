"""The queue's tasks: scan one repository (or target) and record it; expand one organisation.

A scan job holds the lock named after its target, so one repository is never scanned by two
workers at once, and its queueing lock, so it is queued at most once. Transient failures (a fetch
that failed, a database lock or connection problem) are retried with exponential backoff. The
job arguments carry names and URLs only: each worker reads tokens from its own environment. After
each scan the worker delivers the notification outbox (one deliverer per webhook at a time).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.notify import deliver_pending
from secret_sprawl.scanner.orgs.expand import OrgOptions, RepositoryTarget, expand_targets, rebuild_target
from secret_sprawl.scanner.queue.app import QUEUE, app
from secret_sprawl.scanner.queue.record import TransientScanError, scan_and_record
from secret_sprawl.scanner.sources.remote import default_cache_dir
from secret_sprawl.tracker.config import load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.jobs import record_job_error
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2,
                                    retry_exceptions={TransientScanError, OperationalError})
_engines: dict[str, Engine] = {}
log = logging.getLogger(__name__)


def _keeps_error(task: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Record the message of a job that raises as its last error (``sprawl jobs list``), then re-raise."""

    @functools.wraps(task)
    def run(context: procrastinate.JobContext, **kwargs: Any) -> dict[str, Any]:
        try:
            return task(context, **kwargs)
        except Exception as exc:
            message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            record_job_error(_engine(context.additional_context["db_url"]), context.job.id or 0, message)
            raise

    return run


@app.task(name="sprawl.scan", queue=QUEUE, retry=RETRY, pass_context=True)
@_keeps_error
def scan_job(context: procrastinate.JobContext, target: str, clone_url: str = "", kind: str = "",
             org: dict[str, Any] | None = None, timestamp: int | None = None) -> dict[str, Any]:
    """Scan and record ``target``; ``timestamp`` is the fire time of a scheduled run (procrastinate's
    periodic deferral requires the argument; see scanner/queue/periodic.py)."""
    settings = context.additional_context
    options = OrgOptions.from_settings(org, settings)
    spec = rebuild_target(target, clone_url, kind, options) if kind else target
    recorded = scan_and_record(_engine(settings["db_url"]), spec,
                               cache_dir=Path(settings.get("cache_dir") or default_cache_dir()),
                               trigger="worker", actor=f"worker:{socket.gethostname()}:{os.getpid()}",
                               rules=tuple(settings.get("rules", ())),
                               fingerprint_key=settings.get("fingerprint_key"))
    _deliver(_engine(settings["db_url"]), settings.get("config_path"))
    return {"scan_id": recorded.scan_id, "findings": recorded.findings, "complete": recorded.complete}


@app.task(name="sprawl.expand", queue=QUEUE, retry=RETRY, pass_context=True)
@_keeps_error
def expand_job(context: procrastinate.JobContext, target: str, org: dict[str, Any],
               timestamp: int | None = None) -> dict[str, Any]:
    """List organisation ``target`` and queue one scan job per repository (``timestamp``: see scan_job)."""
    options = OrgOptions.from_settings(org, context.additional_context)
    repositories = expand_targets([target], options)
    ids = [defer_scan(repository, org, context.job.queue) for repository in repositories]
    return {"repositories": len(repositories), "jobs": [i for i in ids if i is not None]}


def defer_scan(target: str, org: dict[str, Any] | None, queue: str = QUEUE) -> int | None:
    """Queue a scan of ``target``; None when one is already waiting for it."""
    arguments = target.job_arguments() if isinstance(target, RepositoryTarget) else {"target": str(target)}
    try:
        return scan_job.configure(lock=str(target), queueing_lock=str(target), queue=queue).defer(
            **arguments, org=org or {})
    except AlreadyEnqueued:
        return None


def _engine(db_url: str) -> Engine:
    if db_url not in _engines:
        _engines[db_url] = open_database(db_url)
    return _engines[db_url]


def _deliver(engine: Engine, config_path: str | None) -> None:
    """Post the outbox's due notices (the ones this job wrote among them); never fails the job."""
    try:
        deliver_pending(engine, load_config(config_path))
    except Exception:  # a notification problem is logged, and retried by the next delivery
        log.exception("delivering notifications failed")
