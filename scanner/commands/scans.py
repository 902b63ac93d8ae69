"""``sprawl scans list [--target T] [--limit N] [--format table|json]``: the scan history.

Each scan with its targets, start, duration, status (as recorded), result (``ok``, ``findings``,
``partial``, ``failed``), findings and new-secret counts and errors, newest first.
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, action_options
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.tracker.config import database_url
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.scan_history import list_scans
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("scans", parents=[common], help="the scan history")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[action_options()], help="scans, newest first")
    listing.add_argument("--target", metavar="T", help="only scans that recorded this target (as listed)")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="at most N scans (default 50)")
    listing.add_argument("--format", choices=names("scans"), default="table", help="table or json")
    listing.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with Session(open_database(database_url(args.db))) as session:
        scans = list_scans(session, target=args.target, limit=args.limit)
    sys.stdout.write(renderer("scans", args.format)(scans))
    return EXIT_OK
