"""``sprawl audit verify|export``: check the audit log's hash chain, or export it as JSONL.

``verify`` exits 0 when every link checks out and 1 naming the first broken event otherwise.
``export`` writes one JSON object per event (fields and hash recipe in ``tracker.audit``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from secret_sprawl.scanner.cli import EXIT_FINDINGS, EXIT_OK, UsageError, utc_time
from secret_sprawl.tracker.audit import event_record, first_break, iter_events
from secret_sprawl.tracker.config import database_url
from secret_sprawl.tracker.db import open_database
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "audit", parents=[common], help="verify or export the tamper-evident audit log",
        description="verify: check the hash chain and name the first broken event (exit 1). "
                    "export: write the log as JSONL for an auditor.",
    )
    parser.add_argument("action", choices=("verify", "export"))
    parser.add_argument("--since", type=utc_time, metavar="DATE", help="export: only events from this date")
    parser.add_argument("--output", metavar="FILE", help="export: write here instead of stdout")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action == "verify" and (args.since or args.output):
        raise UsageError("--since and --output apply to export only")
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        if args.action == "verify":
            return _verify(session)
        if not args.output:
            return _export(session, args.since, sys.stdout)
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                return _export(session, args.since, out)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None


def _verify(session: Session) -> int:
    broken = first_break(session)
    if broken is not None:
        print(f"audit log BROKEN at event {broken.event_id}: {broken.reason}")
        return EXIT_FINDINGS
    print("audit log OK: every event's hash and link check out")
    return EXIT_OK


def _export(session: Session, since: datetime | None, out: TextIO) -> int:
    for event in iter_events(session, since=since):
        out.write(json.dumps(event_record(event), sort_keys=True, ensure_ascii=False) + "\n")
    return EXIT_OK
