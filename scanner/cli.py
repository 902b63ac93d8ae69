"""The ``sprawl`` command: argument parsing and dispatch only.

Subcommands are plugins registered under the ``sprawl.commands`` entry-point group (see
pyproject.toml); each exposes ``register(subparsers, common)`` and sets ``func`` on its parser.
Exit codes: 0 ok / no findings, 1 findings, 2 usage or fatal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from secret_sprawl.scanner import __version__
from secret_sprawl.scanner.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with what the user asked for; printed without a traceback, exit code 2."""


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand accepts after its name."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("common options")
    group.add_argument("--db", metavar="URL",
                       help="tracker database URL (else $SPRAWL_DB, else the embedded SQLite)")
    group.add_argument("--config", metavar="FILE",
                       help="config file (else ./sprawl.toml, else the user config dir)")
    group.add_argument("--rules", metavar="FILE", action="append", default=[],
                       help="extra TOML rules file (repeatable)")
    return parent


def utc_time(text: str) -> datetime:
    """An argparse type for the times users type (``--at``, ``--as-of``, ``--since``): ISO 8601, UTC."""
    from secret_sprawl.tracker.models.columns import parse_utc

    try:
        return parse_utc(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def action_options() -> argparse.ArgumentParser:
    """The common options for the actions of a command with actions (``sprawl secrets list``),
    defaulting to "not given" so both ``sprawl secrets --db X list`` and ``sprawl secrets list --db X``
    work without the action's parser resetting what the command's parser read."""
    options = common_options()
    for action in options._actions:
        action.default = argparse.SUPPRESS
    return options


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options()
    for entry in chosen:
        entry.load()(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--version"]:  # answered before any plugin (and its imports) loads
        print(f"sprawl {__version__}")
        return EXIT_OK
    from secret_sprawl.tracker.config import ConfigError

    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except (UsageError, InputError, ConfigError) as exc:
        print(f"sprawl {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("sprawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if not isinstance(exc, _database_errors()):
            raise
        print(f"sprawl {args.command}: database error: {exc}", file=sys.stderr)
        return EXIT_ERROR


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
