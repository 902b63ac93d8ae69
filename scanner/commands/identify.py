"""``sprawl identify [ID...] [--all-open] [--endpoint PROVIDER=URL] [--assign]``: who does a live secret
belong to, what can it reach, when does it expire?

Each value is read again from its recorded blob (as ``sprawl verify`` does) and sent, read-only, to
its provider's official host (or the operator's ``--endpoint``). The identity is recorded on the
secret with an ``identified`` event; ``--assign`` applies the config's ``[owners]`` table. Exit code 1
when any secret was identified (a provider that answers who it belongs to says it is live).
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.identity import load_identities
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.identify import IdentifyView
from secret_sprawl.scanner.identify.client import IDENTIFIED, Identifier
from secret_sprawl.scanner.identify.service import identify_and_record, identify_items, open_ids
from secret_sprawl.scanner.verify.settings import VerifySettings, add_endpoint_options
from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.lifecycle import find_secret
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import Engine
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "identify", parents=[common],
        help="ask each provider who a tracked secret belongs to and what it can reach",
        description="Re-read each secret from where it was found and ask its provider (read-only calls) "
                    "who it belongs to, what it can reach and when it expires; record that on the secret. "
                    "Secrets go only to the provider's official host, or to the base URL given with "
                    "--endpoint / [verify.endpoints].",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="secret id or fingerprint prefix")
    parser.add_argument("--all-open", action="store_true", help="every open secret")
    add_endpoint_options(parser)
    parser.add_argument("--assign", action="store_true",
                        help="give each identified secret without an owner the one the [owners] table names")
    parser.add_argument("--by", default=default_actor(), help="who (default the OS user)")
    parser.add_argument("--format", choices=names("identify"), default="table",
                        help="table (for people) or json (for programs, such as the TUI)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.ids and not args.all_open:
        raise UsageError("give secret ids or --all-open")
    config = load_config(args.config)
    verifiers = load_verifiers()
    settings = VerifySettings.from_config(config, args.endpoint, catalog=verifiers,
                                          allow_overrides=args.allow_endpoint_overrides)
    identities = load_identities(verifiers)
    db = open_database(database_url(args.db))
    ids = _resolve_ids(db, args.ids) if args.ids else open_ids(db)
    items, skipped = identify_items(db, build_engine(args.rules), identities, verifiers, ids,
                                    fingerprint_key(config))
    done = identify_and_record(db, Identifier(identities, verifiers, settings), items, by=args.by,
                               policy=SlaPolicy.from_config(config), owners=config.owners.root,
                               assign_owners=args.assign)
    sys.stdout.write(renderer("identify", args.format)(IdentifyView(done, skipped)))
    sys.stdout.flush()
    count = sum(item.identity.state == IDENTIFIED for item in done)
    others = len(done) - count
    print(f"identified {count} secret(s)" + (f"; {others} not identified by their provider" if others else "")
          + (f"; {len(skipped)} skipped" if skipped else ""), file=sys.stderr)
    return EXIT_FINDINGS if count else EXIT_OK


def _resolve_ids(db: Engine, idents: list[str]) -> list[int]:
    with Session(db) as session:
        try:
            return [int(find_secret(session, ident).id or 0) for ident in idents]
        except LookupError as exc:
            raise UsageError(str(exc)) from exc
