"""``sprawl schedule add|list|remove|run|run-now``: tracked scans on a cron schedule.

Schedules live in the tracker database, with the ``scan`` options that make sense for them
(``--cache-dir``, ``--min-confidence``, ``--exclude``); ``run`` is the foreground daemon (stops cleanly on
SIGINT or SIGTERM, after the scan in progress) and picks up schedules added or removed while it runs.
``run-now`` runs one schedule once, in the foreground, and exits as ``scan`` does for the run's result
(``scanner.outcome``: ok 0, findings 1, partial or failed 2).
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from secret_sprawl.detectors.urls import has_credentials
from secret_sprawl.scanner.cli import EXIT_OK, UsageError, action_options
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.schedules import ScheduleView
from secret_sprawl.scanner.logs import configure as configure_logging
from secret_sprawl.scanner.min_confidence import confidence_level
from secret_sprawl.scanner.orgs import options as org_cli
from secret_sprawl.scanner.orgs.expand import is_org_target, parse_org_target
from secret_sprawl.scanner.outcome import exit_code
from secret_sprawl.scanner.schedule.daemon import JOB_FUNCTION, Daemon
from secret_sprawl.scanner.schedule.job import run_schedule
from secret_sprawl.scanner.sources.remote import is_remote
from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.config import database_url
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models.schedule import Schedule
from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tracker.schedules import (
    add_schedule,
    cron_trigger,
    find_schedule,
    list_schedules,
    remove_schedule,
)
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("schedule", parents=[common], help="run tracked scans on a cron schedule")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf = action_options()
    add = actions.add_parser("add", parents=[leaf], help="add a schedule")
    add.add_argument("name", help="the schedule's name (letters, digits, - and _)")
    add.add_argument("--cron", required=True, metavar="EXPR",
                     help='crontab expression in UTC, e.g. "0 6 * * *" (daily at 06:00)')
    add.add_argument("targets", nargs="+", metavar="TARGET", help="directory, repository or git URL")
    add.add_argument("--verify", action="store_true", help="re-verify every open secret on each run")
    add.add_argument("--notify", metavar="env:NAME",
                     help="environment variable holding this schedule's webhook URL (else [notify] url)")
    add.add_argument("--by", default=default_actor(), help="who (default the OS user)")
    org_cli.add_arguments(add)  # stored with the schedule: API URLs, filters, token variable names
    _scan_options(add, "")
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", parents=[leaf],
                                 help="schedules, next and last run, each target's result")
    listing.add_argument("--format", choices=names("schedules"), default="table", help="table or json")
    listing.set_defaults(func=_list)
    remove = actions.add_parser("remove", parents=[leaf], help="remove a schedule")
    remove.add_argument("name", help="the schedule to remove")
    remove.add_argument("--by", default=default_actor(), help="who (default the OS user)")
    remove.set_defaults(func=_remove)
    run = actions.add_parser("run", parents=[leaf], help="the scheduler daemon, in the foreground")
    run.add_argument("--sync-interval", type=float, default=10.0, metavar="SECONDS",
                     help="how often schedule changes are picked up (default 10)")
    run.add_argument("--enqueue", action="store_true",
                     help="queue each due scan for `sprawl worker` instead of running it here (PostgreSQL); "
                          "several daemons queue a due scan once")
    run.set_defaults(func=_run)
    now = actions.add_parser("run-now", parents=[leaf], help="run one schedule once, now")
    now.add_argument("name", help="the schedule to run")
    _scan_options(now, " (this run only; default the schedule's)")
    now.add_argument("--exclude", action="append", metavar="GLOB",
                     help="organisation targets: skip repositories whose full name matches GLOB "
                          "(repeatable; this run only, instead of the schedule's)")
    now.set_defaults(func=_run_now)


def _scan_options(parser: argparse.ArgumentParser, scope: str) -> None:
    """The ``sprawl scan`` options a schedule keeps."""
    default = scope or " (default: the user cache dir)"
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help=f"where remote repositories are mirrored{default}")
    parser.add_argument("--min-confidence", type=confidence_level, metavar="LEVEL",
                        help=f"count findings (run result, exit code, this schedule's new-secret notices) at "
                             f"this confidence or higher: high, medium or low{scope or ' (default medium)'}")


def _options(args: argparse.Namespace) -> dict[str, object]:
    """The scan options of ``schedule add`` (stored) or ``run-now`` (overrides for one run)."""
    return {"cache_dir": str(args.cache_dir.resolve()) if args.cache_dir else None,
            "min_confidence": str(args.min_confidence) if args.min_confidence else None}


def _add(args: argparse.Namespace) -> int:
    if any(has_credentials(t) for t in args.targets):  # before a path is resolved and changes its shape
        raise UsageError("a target URL carries credentials; use a git credential helper instead "
                         "(schedules are stored in the tracker and must not hold secrets)")
    targets = [t if is_remote(t) or is_org_target(t) else str(Path(t).resolve()) for t in args.targets]
    for target in filter(is_org_target, targets):
        parse_org_target(target)
    db = open_database(database_url(args.db))
    with Session(writer(db)) as session:
        try:
            schedule = add_schedule(session, args.name, args.cron, targets, verify=args.verify,
                                    notify_url=args.notify,
                                    options={**org_cli.org_options(args).settings(), **_options(args)},
                                    by=args.by)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        session.commit()
        when = _next_run(schedule)
        print(f"added schedule {schedule.name}: {schedule.cron} (UTC), "
              f"next run {f'{when:%Y-%m-%d %H:%M:%S}Z' if when else 'never'}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    with Session(open_database(database_url(args.db))) as session:
        schedules = list_schedules(session)
    views = [ScheduleView(s, _next_run(s)) for s in schedules]
    sys.stdout.write(renderer("schedules", args.format)(views))
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    with Session(writer(open_database(database_url(args.db)))) as session:
        try:
            remove_schedule(session, args.name, by=args.by)
        except LookupError as exc:
            raise UsageError(str(exc)) from exc
        session.commit()
    print(f"removed schedule {args.name}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    configure_logging()
    url = database_url(args.db)
    function = JOB_FUNCTION
    if args.enqueue:
        from secret_sprawl.scanner.queue.connect import prepare
        from secret_sprawl.scanner.queue.periodic import ENQUEUE_FUNCTION

        prepare(url)
        function = ENQUEUE_FUNCTION
    daemon = Daemon(url, config_path=args.config, sync_interval=args.sync_interval, function=function)

    def stop(signum: int, _frame: FrameType | None) -> None:
        print(f"sprawl schedule: {signal.Signals(signum).name}, stopping after the running scan",
              file=sys.stderr)
        daemon.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    daemon.run()
    return EXIT_OK


def _run_now(args: argparse.Namespace) -> int:
    url = database_url(args.db)
    with Session(open_database(url)) as session:
        if find_schedule(session, args.name) is None:
            raise UsageError(f"no schedule named {args.name!r}")
    overrides = {**_options(args), "exclude": list(args.exclude or [])}
    run = run_schedule(args.name, url, args.config, overrides=overrides)
    print(terminal(f"schedule {args.name}: {run.result} (scan {run.scan_id})"
                   + (f": {run.error}" if run.error else "")))
    return exit_code(run.result)


def _next_run(schedule: Schedule) -> datetime | None:
    return cron_trigger(schedule.cron).get_next_fire_time(None, datetime.now(UTC))
