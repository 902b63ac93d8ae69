"""``sprawl notifications list|deliver|retry|drop``: the outbox of webhook notices.

Every notice (new secret, SLA approaching or breached, revocation detected or disproved, scheduled run
failed) waits here until its webhook accepts it. ``deliver`` sends what is due now (scheduled runs do it
after each run); ``retry ID`` makes a failed or dropped notice due again; ``drop ID`` gives up on one.
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.scanner.cli import EXIT_ERROR, EXIT_OK, UsageError, action_options
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.notify import deliver_pending
from secret_sprawl.tracker import outbox
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models.columns import utcnow
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("notifications", parents=[common],
                                   help="the outbox of webhook notices: list, deliver, retry, drop")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf = action_options()
    listing = actions.add_parser("list", parents=[leaf], help="notices, newest first, with delivery state")
    listing.add_argument("--state",
                         choices=[s.value for s in outbox.DELIVERY_STATUSES],
                         help="only notices in this state")
    listing.add_argument("--limit", type=int, default=100, metavar="N",
                         help="at most N notices (default 100)")
    listing.add_argument("--format", choices=names("notifications"), default="table", help="table or json")
    listing.set_defaults(func=_list)
    deliver = actions.add_parser("deliver", parents=[leaf], help="send every notice that is due now")
    deliver.add_argument("--notify", metavar="URL",
                         help="the global webhook (else the config's [notify] url)")
    deliver.set_defaults(func=_deliver)
    for name, help_text, func in (("retry", "make a failed or dropped notice due again", _retry),
                                  ("drop", "give up on a notice (kept, never sent)", _drop)):
        action = actions.add_parser(name, parents=[leaf], help=help_text)
        action.add_argument("id", type=int, metavar="ID", help="the notice's id (see `notifications list`)")
        action.set_defaults(func=func)


def _list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with Session(open_database(database_url(args.db))) as session:
        notices = outbox.list_notices(session, status=args.state, limit=args.limit)
    sys.stdout.write(renderer("notifications", args.format)(notices))
    return EXIT_OK


def _deliver(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    report = deliver_pending(open_database(database_url(args.db)), config, explicit_url=args.notify)
    for destination, count in sorted(report.delivered.items()):
        print(f"{destination}: {count} delivered")
    for destination, error in sorted(report.refused.items()):
        print(f"{destination}: refused ({error}); retried later with backoff", file=sys.stderr)
    for destination in report.no_webhook:
        print(f"{destination}: notices wait, no webhook configured for it now", file=sys.stderr)
    if not (report.delivered or report.refused or report.no_webhook):
        print("nothing due")
    return EXIT_OK if report.ok else EXIT_ERROR


def _retry(args: argparse.Namespace) -> int:
    return _change(args, lambda session: outbox.retry(session, args.id, utcnow()), "due again")


def _drop(args: argparse.Namespace) -> int:
    return _change(args, lambda session: outbox.drop(session, args.id), "dropped")


def _change(args: argparse.Namespace, change, done: str) -> int:
    with Session(writer(open_database(database_url(args.db)))) as session:
        try:
            change(session)
        except (LookupError, ValueError) as exc:
            raise UsageError(str(exc)) from exc
        session.commit()
    print(f"notice {args.id}: {done}")
    return EXIT_OK
