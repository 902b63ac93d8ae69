"""``sprawl audit verify|head|replay|export``: check the audit log from outside, or export it as JSONL.

``verify`` exits 0 when every link and HMAC checks out (and, with ``--expect-head HASH``, the head
recorded earlier is still in the chain) and 1 naming the first broken or malformed event otherwise.
``head`` prints the current head hash and event count, to record outside the tracker. ``replay``
rebuilds every secret from its events and lists the rows that disagree (exit 1 if any).
``export`` writes one JSON object per event (fields and hash recipe in ``tracker.audit``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from secret_sprawl.scanner.cli import EXIT_FINDINGS, EXIT_OK, UsageError, utc_time
from secret_sprawl.tracker.audit import chain_head, check_chain, event_record, iter_events
from secret_sprawl.tracker.config import database_url
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.replay import replay
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "audit", parents=[common], help="verify or export the tamper-evident audit log",
        description="verify: check the HMAC chain and name the first broken event (exit 1). "
                    "head: print the head hash and count to record elsewhere. "
                    "replay: rebuild each secret from the events and list rows that disagree (exit 1). "
                    "export: write the log as JSONL for an auditor.",
    )
    parser.add_argument("action", choices=("verify", "head", "replay", "export"),
                        help="verify the chain, print its head, replay it, or export it as JSONL")
    parser.add_argument("--expect-head", metavar="HASH",
                        help="verify: fail unless this earlier head (`audit head`) is still in the chain")
    parser.add_argument("--since", type=utc_time, metavar="DATE", help="export: only events from this date")
    parser.add_argument("--output", metavar="FILE", help="export: write here instead of stdout")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action != "export" and (args.since or args.output):
        raise UsageError("--since and --output apply to export only")
    if args.expect_head and args.action != "verify":
        raise UsageError("--expect-head applies to verify only")
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        if args.action == "verify":
            return _verify(session, args.expect_head)
        if args.action == "head":
            head, count = chain_head(session)
            print(f"{head} {count}")
            return EXIT_OK
        if args.action == "replay":
            return _replay(session)
        if not args.output:
            return _export(session, args.since, sys.stdout)
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                return _export(session, args.since, out)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None


def _verify(session: Session, expect_head: str | None) -> int:
    report = check_chain(session, expect_head=expect_head.strip().lower() if expect_head else None)
    if report.broken is not None:
        print(f"audit log BROKEN at event {report.broken.event_id}: {report.broken.reason}")
        return EXIT_FINDINGS
    if expect_head and report.expected_at is None:
        print(f"audit log BROKEN: the expected head {expect_head} is not in the chain (events were removed "
              f"or rewritten since it was recorded); head now {report.head} {report.count}")
        return EXIT_FINDINGS
    since = (f"; the expected head is event {report.expected_at}, {report.count - report.expected_at} "
             "appended since" if expect_head else "")
    print(f"audit log OK: {report.count} events, every HMAC and link checks out{since}; "
          f"head {report.head}")
    return EXIT_OK


def _replay(session: Session) -> int:
    report = replay(session)
    for problem in report.malformed:
        print(f"malformed: {problem}")
    for disagreement in report.disagreements:
        print(disagreement.line())
    if report.disagreements or report.malformed:
        print(f"replay: {len(report.disagreements)} row(s) disagree with the events "
              f"({report.secrets} secrets checked)")
        return EXIT_FINDINGS
    print(f"replay OK: all {report.secrets} secrets and their occurrences match the events")
    return EXIT_OK


def _export(session: Session, since: datetime | None, out: TextIO) -> int:
    for event in iter_events(session, since=since):
        out.write(json.dumps(event_record(event), sort_keys=True, ensure_ascii=False) + "\n")
    return EXIT_OK
