"""The ``sprawl`` command: argument parsing and dispatch only.

Subcommands are plugins registered under the ``sprawl.commands`` entry-point group (see
pyproject.toml); each exposes ``register(subparsers, common)`` and sets ``func`` on its parser.
Exit codes: 0 ok / no findings, 1 findings, 2 usage or fatal error (Ctrl-C included). The module
imports little at the top, so a Ctrl-C while the rest loads is caught by ``main`` too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from secret_sprawl.scanner import __version__
from secret_sprawl.scanner.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with what the user asked for; printed without a traceback, exit code 2."""


GLOBAL_DEFAULTS = {"db": None, "config": None, "no_color": False}


def common_options(*, suppress: bool = False) -> argparse.ArgumentParser:
    """The global options (``--db``, ``--config``, ``--no-color``), for a subcommand's parser. With
    ``suppress`` they default to "not given", so a value read before the subcommand (``sprawl --db X
    secrets list``) is kept unless given again after it."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("common options")
    _global_options(group)
    if suppress:
        for action in parent._actions:
            action.default = argparse.SUPPRESS
    return parent


def _global_options(group: argparse._ActionsContainer) -> None:
    group.add_argument("--db", metavar="URL",
                       help="tracker database URL (else $SPRAWL_DB, else the embedded SQLite)")
    group.add_argument("--config", metavar="FILE",
                       help="config file (else ./sprawl.toml, else the user config dir)")
    group.add_argument("--no-color", action="store_true",
                       help="no colour in terminal output (as the NO_COLOR environment variable does)")


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    """``--rules FILE`` (repeatable), for the commands that detect secrets and so use rules."""
    parser.add_argument("--rules", metavar="FILE", action="append", default=[],
                        help="extra TOML rules file (repeatable)")


def utc_time(text: str) -> datetime:
    """An argparse type for the times users type (``--at``, ``--as-of``, ``--since``): ISO 8601, UTC."""
    from secret_sprawl.tracker.models.columns import parse_utc

    try:
        return parse_utc(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def action_options() -> argparse.ArgumentParser:
    """The common options for the actions of a command with actions (``sprawl secrets list``), so
    ``sprawl --db X secrets list``, ``sprawl secrets --db X list`` and ``sprawl secrets list --db X``
    all work without a later parser resetting what an earlier one read."""
    return common_options(suppress=True)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or with only ``command``'s plugin loaded when it names one
    (each plugin imports its own dependencies, so loading one keeps start-up short)."""
    from importlib.metadata import entry_points

    plugins = sorted(entry_points(group="sprawl.commands"), key=lambda e: e.name)
    chosen = [entry for entry in plugins if entry.name == command] or plugins
    parser = argparse.ArgumentParser(
        prog="sprawl",
        description="Find long-lived and shared credentials used by AI workloads "
                    "and track each one until it is revoked.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")
    _global_options(parser.add_argument_group("common options (also accepted after the command)"))
    # A command without --rules reads no rules files: the attribute is there, empty.
    parser.set_defaults(**GLOBAL_DEFAULTS, rules=[])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options(suppress=True)
    for entry in chosen:
        entry.load()(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("sprawl: interrupted", file=sys.stderr)
        return EXIT_ERROR


def _main(arguments: list[str]) -> int:
    if arguments == ["--version"]:  # answered before any plugin (and its imports) loads
        print(f"sprawl {__version__}")
        return EXIT_OK
    from secret_sprawl.tracker.config import ConfigError

    parser = build_parser(_command_name(arguments))
    args = parser.parse_args(arguments)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    if args.no_color:
        os.environ["NO_COLOR"] = "1"  # every console (rich, the TUI) honours it
    try:
        return int(args.func(args))
    except (UsageError, InputError, ConfigError) as exc:
        print(f"sprawl {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if not isinstance(exc, _database_errors()):
            raise
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"sprawl {args.command}: database error: {reason}", file=sys.stderr)
        return EXIT_ERROR


def _command_name(arguments: list[str]) -> str | None:
    """The subcommand named in ``arguments``, after any global options (``sprawl --db X secrets``)."""
    valued = {"--db", "--config"}
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in valued:
            skip = True
        elif not argument.startswith("-"):
            return argument
    return None


def _database_errors() -> tuple[type[Exception], ...]:
    """The database layer's error types, when the command loaded that layer (else none can occur): the
    tracker stack (sqlalchemy, alembic) is imported only by commands that record or read the tracker."""
    db, sqlalchemy = sys.modules.get("secret_sprawl.tracker.db"), sys.modules.get("sqlalchemy.exc")
    # Any SQLAlchemy error: also a --db URL that is not one, or an unknown dialect.
    found = (getattr(db, "DatabaseError", None), getattr(sqlalchemy, "SQLAlchemyError", None))
    return tuple(kind for kind in found if kind is not None)


if __name__ == "__main__":
    # Run through the imported module, so plugins and this entry share one UsageError class.
    from secret_sprawl.scanner.cli import main as imported_main

    sys.exit(imported_main())
