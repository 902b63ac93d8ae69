"""``sprawl revoke ID... [--yes] [--dry-run] [--endpoint PROVIDER=URL]``: revoke leaked keys at the source.

Each value is read again from where it was found; the provider's revocation calls
(``detectors/revocation.toml``) go to its official host or the operator's ``--endpoint``; then its
verifier re-checks the key, and only a rejection closes the secret as ``revoked`` (event
``revoked-by-sprawl``). Where no API exists the console URL and the rule's steps are printed and the
secret stays open. Asks before revoking unless ``--yes``; without a terminal to ask on and without
``--yes`` it refuses (exit 2). Exit 0 when every secret asked for is revoked (now or before), 1 when
any is still open.
"""

from __future__ import annotations

import argparse
import os
import sys

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.revocation import load_revocations
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.cli import EXIT_FINDINGS, EXIT_OK, UsageError, add_rules_option
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.revoke import RevokeView
from secret_sprawl.scanner.revoke.plan import API, CLOSED, plan
from secret_sprawl.scanner.revoke.service import REVOKED, Recheck, revoke
from secret_sprawl.scanner.verify.client import Verifier
from secret_sprawl.scanner.verify.settings import VerifySettings, add_endpoint_options
from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.lifecycle import find_secret
from secret_sprawl.tracker.safe_text import terminal
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "revoke", parents=[common], help="revoke tracked secrets at their provider, then prove it",
        description="Revoke each secret through its provider's API (GitHub, GitLab, Slack, npm; OpenAI and "
                    "Anthropic with an admin key in OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY; AWS IAM), then "
                    "re-verify it: only a key the provider rejects is closed as revoked. Others get the "
                    "provider's console URL and steps.",
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help="secret id or fingerprint prefix")
    parser.add_argument("--yes", action="store_true", help="do not ask before revoking")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the calls (redacted); send and change nothing")
    add_endpoint_options(parser)
    parser.add_argument("--by", default=default_actor(), help="who (default the OS user)")
    parser.add_argument("--format", choices=names("revoke"), default="table",
                        help="table (for people) or json (for programs, such as the TUI)")
    add_rules_option(parser)  # secrets are re-read from where they were found
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = VerifySettings.from_config(config, args.endpoint,
                                          allow_overrides=args.allow_endpoint_overrides)
    db = open_database(database_url(args.db))
    with Session(db) as session:
        try:
            ids = list(dict.fromkeys(int(find_secret(session, ident).id or 0) for ident in args.ids))
        except LookupError as exc:
            raise UsageError(str(exc)) from exc
    verifiers = load_verifiers()
    plans = plan(db, build_engine(args.rules), verifiers, load_revocations(), settings, ids, env=os.environ,
                 fingerprint_key=fingerprint_key(config))
    render = renderer("revoke", args.format)
    if args.dry_run:
        _write(render(RevokeView(plans=plans, dry_run=True)))
        return EXIT_OK
    calls = [p for p in plans if p.kind == API]
    if calls and not args.yes and not _confirmed(calls):
        _write(render(RevokeView(plans=plans, dry_run=True)))
        print("sprawl revoke: not confirmed; nothing was revoked", file=sys.stderr)
        return EXIT_FINDINGS
    table = config.revoke
    results = revoke(db, plans, Verifier(verifiers, settings), settings, env=os.environ, by=args.by,
                     recheck=Recheck(table.recheck_attempts, table.recheck_delay))
    _write(render(RevokeView(results=results)))
    return EXIT_OK if all(r.status in (REVOKED, CLOSED) for r in results) else EXIT_FINDINGS


def _confirmed(calls: list) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("refusing to revoke without confirmation: no terminal to ask on (pass --yes)")
    for item in calls:
        line = f"  {item.secret_id}  {item.redacted}  {item.provider}  ({item.rule_id})"
        print(terminal(line), file=sys.stderr)
    try:
        answer = input(f"Revoke these {len(calls)} secret(s) at their provider? It cannot be undone. [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
