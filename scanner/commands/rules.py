"""``sprawl rules``: list the rule catalog, and check a user's own rules file before using it.

``rules list [--format table|json]`` prints every rule (built-in plus ``--rules`` files): id,
provider, category and lifetime (json adds name, severity and the lifetime note).
``rules check FILE`` validates FILE's schema, times each pattern on adversarial inputs built from
it (catastrophic backtracking fails the check), and runs each of its rules' examples and negative
examples through the engine, together with the built-in catalog as a scan would; exit 0 when all
pass, 2 with one line per problem naming the rule.
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.detectors.backtrack import backtracking_problems
from secret_sprawl.detectors.catalog import Catalog, CatalogError, load_catalog, parse_rules
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.selftest import check_rules
from secret_sprawl.scanner.cli import EXIT_ERROR, EXIT_OK, UsageError, action_options, add_rules_option
from secret_sprawl.scanner.formats import names, renderer


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "rules", parents=[common], help="list the rule catalog or check a rules file",
        description="List the detection rules, or validate your own TOML rules file.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf = action_options()
    listing = actions.add_parser("list", parents=[leaf], help="print the rule catalog")
    listing.add_argument("--format", choices=names("rules"), default="table", help="table or json")
    listing.set_defaults(func=_list)
    check = actions.add_parser("check", parents=[leaf], help="validate a rules file and run its examples")
    check.add_argument("file", metavar="FILE", help="TOML file of [[rules]] tables")
    check.set_defaults(func=_check)
    for action in (listing, check):
        add_rules_option(action)


def _load(extra_files: list[str]) -> Catalog:
    try:
        return load_catalog(extra_files)
    except CatalogError as exc:
        raise UsageError(str(exc)) from exc


def _list(args: argparse.Namespace) -> int:
    sys.stdout.write(renderer("rules", args.format)(_load(args.rules)))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as handle:
            own = parse_rules(handle.read(), source=args.file)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    except CatalogError as exc:
        return _fail([str(exc)])
    try:
        catalog = load_catalog([*args.rules, args.file])
    except CatalogError as exc:
        return _fail([str(exc)])
    problems = [problem for rule in own for problem in backtracking_problems(rule)]
    problems += check_rules(Engine(catalog), own)
    if problems:
        return _fail([f"{args.file}: {problem}" for problem in problems])
    print(f"{args.file}: {len(own)} rule(s) OK")
    return EXIT_OK


def _fail(problems: list[str]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_ERROR
