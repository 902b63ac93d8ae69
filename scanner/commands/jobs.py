"""``sprawl jobs list|retry|cancel``: watch and steer the scan queue in the tracker's PostgreSQL."""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, action_options
from secret_sprawl.scanner.formats import names, renderer


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from secret_sprawl.tracker.jobs import STATUSES

    parser = subparsers.add_parser("jobs", parents=[common], help="list, retry or cancel queued scan jobs",
                                   description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf = action_options()
    listing = actions.add_parser("list", parents=[leaf], help="jobs with their status")
    listing.add_argument("--status", choices=STATUSES, help="only jobs in this state")
    listing.add_argument("--format", choices=names("jobs"), default="table",
                         help="table, or json with each job's last error")
    listing.set_defaults(func=_list)
    for name, help_text in (("retry", "queue a failed or cancelled job again"),
                            ("cancel", "cancel a waiting job (a running scan is not interrupted)")):
        action = actions.add_parser(name, parents=[leaf], help=help_text)
        action.add_argument("id", type=int, help="the job id (`sprawl jobs list`)")
        action.set_defaults(func=_retry if name == "retry" else _cancel)


def _list(args: argparse.Namespace) -> int:
    from secret_sprawl.scanner.queue.connect import prepare
    from secret_sprawl.tracker.config import database_url
    from secret_sprawl.tracker.db import create_db_engine
    from secret_sprawl.tracker.jobs import list_jobs

    db_url = database_url(args.db)
    prepare(db_url)  # checks PostgreSQL; the tracker's tables and the queue's exist from here
    engine = create_db_engine(db_url)
    try:
        jobs = list_jobs(engine, args.status)
    finally:
        engine.dispose()
    sys.stdout.write(renderer("jobs", args.format)(jobs))
    return EXIT_OK


def _retry(args: argparse.Namespace) -> int:
    from procrastinate.exceptions import AlreadyEnqueued
    from secret_sprawl.scanner.queue.connect import opened
    from secret_sprawl.tracker.config import database_url

    with opened(database_url(args.db)) as app:
        found = app.job_manager.list_jobs(id=args.id)
        if not found:
            raise UsageError(f"no job {args.id}")
        job = found[0]
        if job.status not in ("failed", "cancelled", "aborted"):
            raise UsageError(f"job {args.id} is {job.status}; "
                             "only failed, cancelled or aborted jobs are retried")
        task = app.tasks[job.task_name]
        try:
            new_id = task.configure(lock=job.lock, queueing_lock=job.queueing_lock, queue=job.queue).defer(
                **job.task_kwargs)
        except AlreadyEnqueued:
            raise UsageError(f"a job for {job.task_kwargs.get('target')} is already waiting") from None
    print(f"job {args.id} queued again as job {new_id}")
    return EXIT_OK


def _cancel(args: argparse.Namespace) -> int:
    from secret_sprawl.scanner.queue.connect import opened
    from secret_sprawl.tracker.config import database_url

    with opened(database_url(args.db)) as app:
        if not app.job_manager.cancel_job_by_id(args.id):
            raise UsageError(f"job {args.id} cannot be cancelled (unknown, or already finished)")
    print(f"job {args.id} cancelled")
    return EXIT_OK
