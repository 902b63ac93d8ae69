"""``sprawl worker``: run scan jobs from the queue in the tracker's PostgreSQL database.

Start as many as the machines allow, on any machine that reaches the database; each job scans
one repository and records it in the tracker. Tokens for organisation repositories come from this
worker's own environment (GITHUB_TOKEN, GITLAB_TOKEN, HF_TOKEN or ``--token-env``).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, add_rules_option
from secret_sprawl.scanner.orgs import options as org_cli


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("worker", parents=[common], help="run queued scan jobs (PostgreSQL)",
                                   description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--concurrency", type=int, default=1, metavar="N", help="jobs run at once (default 1)")
    add("--until-empty", action="store_true", help="exit once no job is waiting")
    add("--queue", action="append", default=[], metavar="NAME", help="only jobs of this queue (repeatable)")
    add("--cache-dir", type=Path, default=None, metavar="DIR", help="where repositories are mirrored")
    add("--heartbeat", type=float, default=10.0, metavar="SECONDS", help="heartbeat interval (default 10)")
    add("--stalled-after", type=float, default=30.0, metavar="SECONDS",
        help="retry the jobs of a worker silent this long (default 30)")
    add_rules_option(parser)
    org_cli.add_arguments(parser, filters=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from secret_sprawl.scanner.queue.connect import prepare
    from secret_sprawl.scanner.queue.work import WorkerSettings, run_worker
    from secret_sprawl.tracker.config import database_url, load_config
    from secret_sprawl.tracker.fingerprints import fingerprint_key

    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if args.stalled_after <= args.heartbeat:
        raise UsageError("--stalled-after must be longer than --heartbeat")
    key = fingerprint_key(load_config(args.config))  # kept in this process's memory, never in a job
    db_url = database_url(args.db)
    conninfo = prepare(db_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    context = {"db_url": db_url, "cache_dir": str(args.cache_dir) if args.cache_dir else None,
               "rules": list(args.rules), "api_urls": dict(args.api_url), "token_envs": dict(args.token_env),
               "fingerprint_key": key, "config_path": str(args.config) if args.config else None}
    run_worker(WorkerSettings(conninfo, tuple(args.queue), args.concurrency, args.until_empty,
                              args.heartbeat, args.stalled_after, context))
    return EXIT_OK
