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
from datetime import datetime
from pathlib import Path

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, utc_time
from secret_sprawl.scanner.inventory_scan import shared_jobs_threshold
from secret_sprawl.scanner.min_confidence import add_min_confidence
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.exports.csv import metrics_csv
from secret_sprawl.tracker.exports.html import metrics_html
from secret_sprawl.tracker.exports.json import metrics_json
from secret_sprawl.tracker.exports.openmetrics import metrics_openmetrics
from secret_sprawl.tracker.inventory import inventory_metrics
from secret_sprawl.tracker.metrics import GROUP_BY, Metrics, compute_metrics
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session

FORMATS = ("table", "json", "csv", "openmetrics", "html")
_DAY = 86_400


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "metrics", parents=[common], help="MTTR, SLA compliance and exposure, for leadership",
        description="Remediation metrics: MTTR (mean, median, p90 nearest-rank, min, max) over secrets "
                    "revoked or rotated, share within the SLA, open secrets by age, breached, exposure.",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--group-by", choices=GROUP_BY)
    parser.add_argument("--since", type=utc_time, metavar="DATE", help="count remediations from this date")
    parser.add_argument("--as-of", type=utc_time, metavar="DATE",
                        help="compute as of this time (default now)")
    add_min_confidence(parser, "count secrets")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        policy = SlaPolicy.from_config(config)
    except ValueError as exc:
        raise UsageError(f"bad [sla] config: {exc}") from None
    generated_at = utcnow()
    engine = open_database(database_url(args.db))
    with Session(engine) as session:
        metrics = compute_metrics(session, policy, as_of=args.as_of or generated_at, since=args.since,
                                  group_by=args.group_by, min_confidence=args.min_confidence)
        ci = inventory_metrics(session, jobs_threshold=shared_jobs_threshold(config))
    metrics = replace(metrics, ci_inventory=ci)
    text = _render(metrics, args.format, generated_at)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _render(metrics: Metrics, fmt: str, generated_at: datetime) -> str:
    if fmt == "json":
        return metrics_json(metrics, generated_at=generated_at)
    if fmt == "csv":
        return metrics_csv(metrics)
    if fmt == "openmetrics":
        return metrics_openmetrics(metrics)
    if fmt == "html":
        return metrics_html(metrics, generated_at=generated_at)
    return _table(metrics)


def _table(metrics: Metrics) -> str:
    share = "n/a" if metrics.within_sla_share is None else f"{metrics.within_sla_share:.1%}"
    lines = [
        f"As of {metrics.as_of.isoformat()}  (SLA {metrics.sla_days:g} days, warning at "
        f"{metrics.warn_ratio:.0%}; secrets at {metrics.min_confidence} confidence or higher)",
        f"MTTR over {metrics.mttr_count} revoked/rotated secret(s): mean {_days(metrics.mttr_mean_seconds)}, "
        f"median {_days(metrics.mttr_median_seconds)}, p90 {_days(metrics.mttr_p90_seconds)}, "
        f"min {_days(metrics.mttr_min_seconds)}, max {_days(metrics.mttr_max_seconds)}",
        f"Remediated within SLA: {share}",
        f"Open: {metrics.open_count} ({metrics.approaching_count} approaching, {metrics.breached_count} "
        f"breached), exposure {metrics.exposure_secret_days:.1f} secret-days",
        "Open by age (days): " + ", ".join(f"{b}: {n}" for b, n in metrics.age_buckets.items()),
    ]
    if metrics.inactive_at_discovery_count:
        lines.append(f"Inactive at discovery (not in MTTR): {metrics.inactive_at_discovery_count}")
    if metrics.per_month:
        lines.append("MTTR by month of resolution: " + ", ".join(
            f"{m.month} {_days(m.mean_seconds)} (n={m.count})" for m in metrics.per_month))
    if metrics.ci_inventory and metrics.ci_inventory["ci_workloads"]:
        ci = metrics.ci_inventory
        lines.append(
            f"CI workloads: {ci['ci_workloads']}, federated {_share(ci['federated_share'])}, static secrets "
            f"{_share(ci['static_share'])}, shared secret names {ci['shared_secret_names']}")
    for key, group in metrics.groups.items():
        lines.append(f"  {metrics.group_by}={key}: open {group.open_count}, breached {group.breached_count}, "
                     f"MTTR {_days(group.mttr_mean_seconds)} (n={group.mttr_count})")
    return "\n".join(lines) + "\n"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _days(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / _DAY:.2f} d"
