"""``sprawl db upgrade|current``: migrate the tracker schema explicitly, or show its revision.

Every command already upgrades the database on first use; ``upgrade`` is for doing it at a chosen
moment (e.g. before a deployment), ``current`` shows where a database stands. On PostgreSQL,
``upgrade`` also creates the job queue's tables (``sprawl worker``), which otherwise appear on the
first use of a queue command.
"""

from __future__ import annotations

import argparse

from secret_sprawl.scanner.cli import EXIT_OK
from secret_sprawl.tracker.config import database_url
from secret_sprawl.tracker.db import create_db_engine, current_revision, head_revision, upgrade
from secret_sprawl.tracker.queue_schema import ensure_queue_schema, has_queue


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "db", parents=[common], help="upgrade the tracker database schema",
        description="upgrade: apply pending schema migrations. current: print the schema revision.",
    )
    parser.add_argument("action", choices=("upgrade", "current"),
                        help="upgrade: apply pending migrations; current: print the schema revision")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    engine = create_db_engine(database_url(args.db))
    try:
        before = current_revision(engine)
        if args.action == "current":
            print(f"schema revision {before or 'none'} (latest {head_revision()})")
            return EXIT_OK
        upgrade(engine)
        after = current_revision(engine)
        print(f"schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))
        if has_queue(engine):
            print("job queue " + ("created" if ensure_queue_schema(engine) else "ready"))
    finally:
        engine.dispose()
    return EXIT_OK
