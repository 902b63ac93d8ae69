"""``sprawl verify [ID...] [--all-open] [--endpoint PROVIDER=URL]``: are tracked secrets still live?

The tracker never stores a secret, so each value is read again from its recorded occurrence (git blob
or working-tree file) and matched by fingerprint; a secret that can no longer be read is reported as
such and left unverified. Exit code 1 when any checked secret is live.
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.cli import EXIT_FINDINGS, EXIT_OK, UsageError, add_rules_option
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.verify import VerifyView
from secret_sprawl.scanner.notify import deliver_pending, webhook_url
from secret_sprawl.scanner.verify.client import Verifier
from secret_sprawl.scanner.verify.service import (
    reread_items,
    reverify_ids,
    summarize,
    verify_and_record,
)
from secret_sprawl.scanner.verify.settings import VerifySettings, add_endpoint_options
from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.lifecycle import find_secret
from sqlalchemy import Engine
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "verify", parents=[common], help="check with each provider whether tracked secrets are still live",
        description="Re-read each secret from where it was found and ask its provider (a read-only call) "
                    "whether it still works. Secrets go only to the provider's official host, or to the "
                    "base URL given with --endpoint / [verify.endpoints].",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="secret id or fingerprint prefix")
    parser.add_argument("--all-open", action="store_true",
                        help="every open secret, and revoked/rotated ones not yet proven dead")
    add_endpoint_options(parser)
    parser.add_argument("--notify", metavar="URL",
                        help="POST revocations detected and SLA changes to this webhook (else [notify] url)")
    parser.add_argument("--by", default=default_actor(), help="who (default the OS user)")
    parser.add_argument("--format", choices=names("verify"), default="text",
                        help="text (one line per secret) or json (for programs, such as the TUI)")
    add_rules_option(parser)  # secrets are re-read from where they were found
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.ids and not args.all_open:
        raise UsageError("give secret ids or --all-open")
    config = load_config(args.config)
    settings = VerifySettings.from_config(config, args.endpoint,
                                          allow_overrides=args.allow_endpoint_overrides)
    db = open_database(database_url(args.db))
    ids = _resolve_ids(db, args.ids) if args.ids else reverify_ids(db)
    catalog = load_verifiers()
    items, skipped = reread_items(db, build_engine(args.rules), catalog, ids, fingerprint_key(config))
    checked = verify_and_record(db, Verifier(catalog, settings), items, by=args.by)
    sys.stdout.write(renderer("verify", args.format)(VerifyView(checked, skipped)))
    sys.stdout.flush()
    print(summarize(checked) + (f"; {len(skipped)} not verified" if skipped else ""), file=sys.stderr)
    url = webhook_url(args.notify, config)
    if url:
        deliver_pending(db, config, explicit_url=args.notify)
    return EXIT_FINDINGS if any(c.verdict.state == "live" for c in checked) else EXIT_OK


def _resolve_ids(db: Engine, idents: list[str]) -> list[int]:
    with Session(db) as session:
        try:
            return [int(find_secret(session, ident).id or 0) for ident in idents]
        except LookupError as exc:
            raise UsageError(str(exc)) from exc
