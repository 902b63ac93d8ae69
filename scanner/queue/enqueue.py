"""``sprawl scan --enqueue``: put one job per target on the queue and print the job ids.

An organisation target becomes one expansion job (run by a worker, which lists the organisation
and queues one scan job per repository); a local path is queued as an absolute path, so workers
must see the same path (a shared mount); a URL is queued as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from procrastinate.exceptions import AlreadyEnqueued
from secret_sprawl.scanner.cli import EXIT_OK
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.orgs.expand import is_org_target, parse_org_target
from secret_sprawl.scanner.orgs.options import org_options
from secret_sprawl.scanner.queue.app import QUEUE
from secret_sprawl.scanner.queue.connect import opened
from secret_sprawl.scanner.queue.tasks import defer_scan, expand_job
from secret_sprawl.scanner.sources.remote import is_remote, strip_credentials
from secret_sprawl.tracker.config import database_url


def enqueue(args: argparse.Namespace, targets: list[str]) -> int:
    if any(is_remote(t) and strip_credentials(t) != t for t in targets):
        raise InputError("a target URL carries credentials, which a job would store in the queue; "
                         "use a git credential helper on the workers instead")
    for target in targets:
        if is_org_target(target):
            parse_org_target(target)  # a malformed organisation fails here, not on a worker
    db_url = database_url(args.db)
    with opened(db_url):  # the tracker's schema and the queue's are ready before any worker records
        org = org_options(args).settings()
        queue = args.queue or QUEUE
        for target in targets:
            if is_org_target(target):
                try:
                    deferrer = expand_job.configure(queueing_lock=f"expand:{target}", queue=queue)
                    job_id: int | None = deferrer.defer(target=target, org=org)
                except AlreadyEnqueued:
                    job_id = None
            else:
                name = target if is_remote(target) else str(Path(target).resolve())
                job_id = defer_scan(name, org, queue)
            print(f"{job_id}\t{target}" if job_id is not None else f"-\t{target}\t(already queued)")
    return EXIT_OK
