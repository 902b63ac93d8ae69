"""``sprawl secrets``: list tracked secrets with their SLA state, show a timeline, and change them.

``list`` / ``show`` read; ``resolve``, ``reopen``, ``assign`` and ``note`` go through
``tracker.lifecycle`` so each change is one transaction with its audit event. ID is the numeric id
or a fingerprint prefix. ``list`` shows secrets at ``--min-confidence`` or above (default medium) and
both show each secret's confidence and the resolution the tracker suggests (``used-in-tests``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, action_options, utc_time
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.min_confidence import add_min_confidence
from secret_sprawl.tracker import lifecycle, queries
from secret_sprawl.tracker.actor import default_actor
from secret_sprawl.tracker.confidence import SUGGESTIONS
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import RESOLVED_STATUSES, SECRET_STATUSES, Event, Secret
from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tracker.sla import OPEN_SLA_STATES, SlaPolicy
from sqlmodel import Session

_CHANGES = frozenset({"status-changed", "assigned", "reopened"})
_ID_HELP = "the secret's id or a prefix of its fingerprint"
_BY_HELP = "who (default the OS user)"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "secrets", parents=[common], help="list, show and resolve tracked secrets",
        description="List tracked secrets with their SLA state, show one's timeline, and record changes.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf = action_options()

    listing = actions.add_parser("list", parents=[leaf], help="secrets with age, SLA state and places")
    listing.add_argument("--status",
                         choices=[s.value for s in SECRET_STATUSES], help="only secrets with this status")
    listing.add_argument("--sla", choices=OPEN_SLA_STATES, help="only secrets in this SLA state")
    listing.add_argument("--provider", help="only this provider's secrets (e.g. openai, aws)")
    listing.add_argument("--target", help="only secrets seen in this target")
    listing.add_argument("--format", choices=names("secrets"), default="table", help="output format")
    listing.add_argument("--as-of", type=utc_time, metavar="DATE", help="evaluate the SLA at this time")
    listing.add_argument("--group-by", choices=queries.SECRET_GROUPS,
                         help="one section per organisation (host/org) or target the secret was seen in "
                              "(table and json)")
    add_min_confidence(listing, "list secrets")
    listing.set_defaults(func=_list)

    show = actions.add_parser("show", parents=[leaf], help="a secret's places and full timeline")
    show.add_argument("ident", metavar="ID", help=_ID_HELP)
    show.set_defaults(func=_show)

    resolve = actions.add_parser("resolve", parents=[leaf], help="close a secret (revoked, rotated, ...)")
    resolve.add_argument("ident", metavar="ID", help=_ID_HELP)
    resolve.add_argument("--reason", required=True,
                         choices=[s.value for s in RESOLVED_STATUSES], help="how it was closed")
    resolve.add_argument("--at", type=utc_time, metavar="ISO8601", help="when it was resolved (default now)")
    resolve.add_argument("--note", help="why; required for accepted-risk")
    resolve.add_argument("--by", default=default_actor(), help=_BY_HELP)
    resolve.set_defaults(func=_resolve)

    reopen = actions.add_parser("reopen", parents=[leaf], help="set a resolved secret back to open")
    reopen.add_argument("ident", metavar="ID", help=_ID_HELP)
    reopen.add_argument("--note", help="why it is open again")
    reopen.add_argument("--by", default=default_actor(), help=_BY_HELP)
    reopen.set_defaults(func=_reopen)

    assign = actions.add_parser("assign", parents=[leaf], help="make someone responsible for revoking it")
    assign.add_argument("ident", metavar="ID", help=_ID_HELP)
    assign.add_argument("owner", metavar="OWNER", help="who is responsible for revoking it")
    assign.add_argument("--by", default=default_actor(), help=_BY_HELP)
    assign.set_defaults(func=_assign)

    note = actions.add_parser("note", parents=[leaf], help="add a note to the secret's timeline")
    note.add_argument("ident", metavar="ID", help=_ID_HELP)
    note.add_argument("text", metavar="TEXT", help="the note")
    note.add_argument("--by", default=default_actor(), help=_BY_HELP)
    note.set_defaults(func=_note)


def _policy(args: argparse.Namespace) -> SlaPolicy:
    return SlaPolicy.from_config(load_config(args.config))


def _list(args: argparse.Namespace) -> int:
    if args.group_by and args.format == "csv":
        raise UsageError("--group-by shows a table or json; csv has one row per secret (see its places)")
    policy = _policy(args)
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        rows = queries.list_secrets(
            session, policy, now=args.as_of or utcnow(), status=args.status, sla=args.sla,
            provider=args.provider, target=args.target, min_confidence=args.min_confidence,
        )
        listed = queries.group_secrets(session, rows, args.group_by) if args.group_by else rows
    sys.stdout.write(renderer("secrets", args.format)(listed))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    policy = _policy(args)
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        secret = _find(session, args.ident)
        secret_id = int(secret.id or 0)
        for line in _describe(queries.SecretRow(secret, policy.evaluate(secret, utcnow()))):
            print(terminal(line))
        print(f"\nPlaces ({secret.places} distinct, {secret.targets_count} target(s)):")
        for place in queries.places(session, secret_id):
            print(f"  {terminal(_place_line(place))}")
        print("\nTimeline:")
        for event in queries.timeline(session, secret_id):
            print(f"  {terminal(_event_line(event))}")
    return EXIT_OK


def _describe(row: queries.SecretRow) -> list[str]:
    secret, sla = row.secret, row.sla
    resolved = f" at {secret.resolved_at.isoformat()}" if secret.resolved_at else ""
    lines = [
        f"Secret {secret.id}  {secret.redacted}",
        f"  fingerprint  {secret.fingerprint}",
        f"  rule         {secret.rule_id} ({secret.provider}, {secret.category}, {secret.lifetime})",
        f"  status       {secret.status}{resolved}",
        f"  owner        {secret.owner or '-'}",
        f"  exposed      {secret.exposed_at.isoformat()}",
        f"  first seen   {secret.first_seen_at.isoformat()}, last seen {secret.last_seen_at.isoformat()}",
        f"  SLA          {sla.state}, age {sla.age_days:.1f} d of {sla.window_days:g} d, "
        f"deadline {sla.deadline.isoformat()}",
        f"  verification {secret.verification_state}",
        f"  confidence   {secret.confidence}",
    ]
    if row.suggestion:
        lines.append(f"  suggested    {row.suggestion} ({SUGGESTIONS[row.suggestion]}; "
                     f"`sprawl secrets resolve {secret.id} --reason {row.suggestion}`)")
    if secret.resolution_note:
        lines.insert(4, f"  note         {secret.resolution_note}")
    return lines


def _place_line(place: queries.Place) -> str:
    occ = place.occurrence
    reasons = f": {', '.join(occ.reasons)}" if occ.reasons else ""
    where = f"{place.target}: {occ.path}:{occ.line} ({occ.location_kind}, {occ.confidence}{reasons})"
    if occ.commit:
        when = occ.committed_at.isoformat() if occ.committed_at else "?"
        where += f" commit {occ.commit[:12]} {when} {occ.author or ''}".rstrip()
    return where if occ.in_head else f"{where}  [not at HEAD]"


def _event_line(event: Event) -> str:
    line = f"{event.at.isoformat()}  {event.kind}"
    if event.old_value is not None or event.kind in _CHANGES:
        line += f" {event.old_value or '-'} -> {event.new_value or '-'}"
    elif event.new_value:
        line += f" {event.new_value}"
    line += f"  by {event.actor}"
    if event.detail:
        line += "  " + ", ".join(f"{k}={v}" for k, v in sorted(event.detail.items()) if v is not None)
    return line


def _resolve(args: argparse.Namespace) -> int:
    return _change(args, lambda s, sid: lifecycle.resolve(s, sid, args.reason, at=args.at, note=args.note,
                                                          by=args.by), f"resolved as {args.reason}")


def _reopen(args: argparse.Namespace) -> int:
    return _change(args, lambda s, sid: lifecycle.reopen(s, sid, by=args.by, note=args.note), "reopened")


def _assign(args: argparse.Namespace) -> int:
    return _change(args, lambda s, sid: lifecycle.assign(s, sid, args.owner, by=args.by),
                   f"assigned to {args.owner}")


def _note(args: argparse.Namespace) -> int:
    return _change(args, lambda s, sid: lifecycle.add_note(s, sid, args.text, by=args.by), "noted")


def _change(args: argparse.Namespace, apply: Callable[[Session, int], object], done: str) -> int:
    engine = open_database(database_url(args.db))
    with Session(writer(engine)) as session:
        secret = _find(session, args.ident)
        try:
            apply(session, int(secret.id or 0))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        session.commit()
        print(terminal(f"secret {secret.id} ({secret.redacted}) {done}"))
    return EXIT_OK


def _find(session: Session, ident: str) -> Secret:
    try:
        return lifecycle.find_secret(session, ident)
    except LookupError as exc:
        raise UsageError(str(exc.args[0])) from None
