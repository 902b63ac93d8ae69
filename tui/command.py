"""``sprawl tui``: open the triage terminal UI over the tracker database.

A plugin of the ``sprawl`` front door (entry point ``tui = tui.command:register``). It imports only
the tracker, so it resolves what it needs itself, in the same order as every other command: the
database URL (``--db``, else ``$SPRAWL_DB``, else the tracker's embedded SQLite default) and the
config file whose ``[sla]`` table sets the SLA (``--config``, else ``./sprawl.toml``, else
``sprawl.toml`` in the user config dir).
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from datetime import datetime
from pathlib import Path

from platformdirs import user_config_dir
from sqlalchemy.exc import SQLAlchemyError

from tracker.actor import default_actor
from tracker.db import DatabaseError, default_url, open_database
from tracker.sla import SlaPolicy
from tui.timeparse import parse_when

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
    parser.set_defaults(func=run)


def database_url(explicit: str | None) -> str:
    """``--db``, else ``$SPRAWL_DB``, else the tracker's embedded SQLite default."""
    return explicit or os.environ.get("SPRAWL_DB") or default_url()


def sla_policy(explicit_config: str | None) -> SlaPolicy:
    """The ``[sla]`` table of the config file; ValueError for a file or table that cannot be used."""
    candidates = [Path(explicit_config)] if explicit_config else [
        Path.cwd() / "sprawl.toml", Path(user_config_dir("secret-sprawl")) / "sprawl.toml",
    ]
    path = next((c for c in candidates if explicit_config or c.is_file()), None)
    if path is None:
        return SlaPolicy()
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"config {path} is not valid TOML: {exc}") from exc
    return SlaPolicy.from_config(config)


def run(args: argparse.Namespace) -> int:
    from tui.app import SprawlApp  # Textual is only loaded when the UI actually opens.

    try:
        policy = sla_policy(args.config)
    except ValueError as exc:
        print(f"sprawl tui: {exc}", file=sys.stderr)
        return 2
    url = database_url(args.db)
    try:
        engine = open_database(url)
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
        return parse_when(text)
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
