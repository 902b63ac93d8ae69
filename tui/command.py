"""``sprawl tui``: open the triage terminal UI over the tracker database.

A plugin of the ``sprawl`` front door (entry point ``tui = tui.command:register``). It imports only
the tracker, whose ``tracker.config`` finds the database and the config file (``[sla]``) exactly as
every other command does.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.config import ConfigError, database_url, load_config
from secret_sprawl.tracker.db import DatabaseError, open_database
from secret_sprawl.tracker.models.columns import parse_utc
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy.exc import SQLAlchemyError

DEFAULT_REFRESH_SECONDS = 10.0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "tui",
        parents=[common],
        help="triage the tracked secrets in a terminal UI",
        description="Work the queue of exposed secrets: most urgent first, with detail, actions and MTTR.",
    )
    parser.add_argument("--as-of", type=_as_of, metavar="DATE",
                        help="evaluate the SLA as of this date or ISO time, UTC (default: now)")
    parser.add_argument("--refresh", type=_seconds, default=DEFAULT_REFRESH_SECONDS, metavar="SECONDS",
                        help="reload from the database every SECONDS, 0 to disable (default: %(default)s)")
    parser.add_argument("--rules", metavar="FILE", action="append", default=[],
                        help="extra TOML rules file, for re-reading secrets to verify them (repeatable)")
    parser.set_defaults(func=run)


def sla_policy(explicit_config: str | None) -> SlaPolicy:
    """The ``[sla]`` table of the config file; ConfigError for a file or table that cannot be used."""
    return SlaPolicy.from_config(load_config(explicit_config))


def run(args: argparse.Namespace) -> int:
    from secret_sprawl.tui.app import SprawlApp  # Textual is only loaded when the UI actually opens.

    try:
        policy = sla_policy(args.config)
        url = database_url(args.db)
        engine = open_database(url)
    except ConfigError as exc:
        print(f"sprawl tui: {exc}", file=sys.stderr)
        return 2
    except (DatabaseError, SQLAlchemyError, OSError) as exc:
        print(f"sprawl tui: cannot open the tracker database: {exc}", file=sys.stderr)
        return 2
    app = SprawlApp(engine, url=url, policy=policy, actor=default_actor(), as_of=args.as_of,
                    refresh=args.refresh, cli_options=passed_on_options(args))
    try:
        app.run()
    finally:
        engine.dispose()
    return 0


def passed_on_options(args: argparse.Namespace) -> list[str]:
    """The ``--config`` and ``--rules`` given to ``sprawl tui``, for the ``sprawl verify`` it runs."""
    options = ["--config", args.config] if args.config else []
    for rules in args.rules:
        options += ["--rules", rules]
    return options


def _as_of(text: str) -> datetime:
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the refresh interval cannot be negative")
    return value
