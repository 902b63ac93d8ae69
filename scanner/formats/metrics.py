"""``sprawl metrics`` formats: a terminal summary and the exports (JSON, CSV, OpenMetrics, HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from secret_sprawl.tracker.exports.csv import metrics_csv
from secret_sprawl.tracker.exports.html import metrics_html
from secret_sprawl.tracker.exports.json import metrics_json
from secret_sprawl.tracker.exports.openmetrics import metrics_openmetrics
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tracker.safe_text import terminal

_DAY = 86_400


@dataclass(frozen=True, slots=True)
class MetricsView:
    metrics: Metrics
    generated_at: datetime


def json(view: MetricsView) -> str:
    return metrics_json(view.metrics, generated_at=view.generated_at)


def csv(view: MetricsView) -> str:
    return metrics_csv(view.metrics)


def openmetrics(view: MetricsView) -> str:
    return metrics_openmetrics(view.metrics)


def html(view: MetricsView) -> str:
    return metrics_html(view.metrics, generated_at=view.generated_at)


def table(view: MetricsView) -> str:
    metrics = view.metrics
    share = "n/a" if metrics.within_sla_share is None else f"{metrics.within_sla_share:.1%}"
    after, sprawl, people, owner = (metrics.after_detection, metrics.by_method["sprawl"],
                                    metrics.by_method["people"], metrics.time_to_owner)
    reasons = metrics.resolved_by_reason
    lines = [
        f"As of {metrics.as_of.isoformat()}  (SLA {metrics.sla_days:g} days from {metrics.sla_clock}, "
        f"warning at {metrics.warn_ratio:.0%}; secrets at {metrics.min_confidence} confidence or higher)",
        f"MTTR over {metrics.mttr_count} revoked/rotated secret(s) (time exposed): mean "
        f"{_days(metrics.mttr_mean_seconds)}, median {_days(metrics.mttr_median_seconds)}, p90 "
        f"{_days(metrics.mttr_p90_seconds)}, min {_days(metrics.mttr_min_seconds)}, max "
        f"{_days(metrics.mttr_max_seconds)}",
        f"Time to remediate after detection: median {_days(after.median_seconds)}, "
        f"p90 {_days(after.p90_seconds)}",
        f"By how remediated: through sprawl {sprawl.count} (median {_days(sprawl.median_seconds)}), "
        f"by people {people.count} (median {_days(people.median_seconds)})",
        f"Remediated within SLA: {share}, resolved late: {metrics.resolved_late_count}",
        f"Time to owner (detection to first assignment) over {owner.count}: median "
        f"{_days(owner.median_seconds)}, p90 {_days(owner.p90_seconds)}; open secrets with an owner: "
        f"{_share(metrics.owner_known_share)} ({metrics.open_with_owner_count} of {metrics.open_count})",
        "Closed as: " + ", ".join(f"{reason} {count}" for reason, count in reasons.items()),
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
        lines.append(f"  {metrics.group_by}={terminal(str(key))}: open {group.open_count}, "
                     f"breached {group.breached_count}, MTTR {_days(group.mttr_mean_seconds)} "
                     f"(n={group.mttr_count})")
    return "\n".join(lines) + "\n"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _days(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / _DAY:.2f} d"
