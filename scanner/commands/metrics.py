"""``sprawl metrics``: MTTR, SLA compliance and open-secret ageing, as a table or an export file.

Formats: ``table`` (terminal), ``json``, ``csv``, ``openmetrics`` and ``html`` (one self-contained
report). ``--as-of`` fixes "now" so a report can be reproduced; ``--since`` limits the remediations
counted in MTTR to those resolved from that date; ``--min-confidence`` (default medium) leaves
secrets below that confidence out of every figure (``low`` counts them all).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, utc_time
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.metrics import MetricsView
from secret_sprawl.scanner.inventory_scan import shared_jobs_threshold
from secret_sprawl.scanner.min_confidence import add_min_confidence
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.inventory import inventory_metrics
from secret_sprawl.tracker.metrics import GROUP_BY, compute_metrics
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "metrics", parents=[common], help="MTTR, SLA compliance and exposure, for leadership",
        description="Remediation metrics: MTTR (mean, median, p90 nearest-rank, min, max) over secrets "
                    "revoked or rotated, share within the SLA, open secrets by age, breached, exposure.",
    )
    parser.add_argument("--format", choices=names("metrics"), default="table", help="output format")
    parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--group-by", choices=GROUP_BY, help="the same figures per group (org: host/org)")
    parser.add_argument("--since", type=utc_time, metavar="DATE", help="count remediations from this date")
    parser.add_argument("--as-of", type=utc_time, metavar="DATE",
                        help="compute as of this time (default now)")
    add_min_confidence(parser, "count secrets")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    policy = SlaPolicy.from_config(config)
    generated_at = utcnow()
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        metrics = compute_metrics(session, policy, as_of=args.as_of or generated_at, since=args.since,
                                  group_by=args.group_by, min_confidence=args.min_confidence)
        ci = inventory_metrics(session, jobs_threshold=shared_jobs_threshold(config))
    metrics = replace(metrics, ci_inventory=ci)
    text = renderer("metrics", args.format)(MetricsView(metrics, generated_at))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
