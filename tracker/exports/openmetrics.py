"""OpenMetrics exposition of the metrics through ``prometheus_client``, for Prometheus to scrape.

:class:`SprawlCollector` turns a :class:`Metrics` (and, when serving, the scheduler's health) into
metric families; :func:`metrics_openmetrics` renders one report as OpenMetrics text, and
``sprawl metrics serve`` exposes a registry holding a collector that recomputes on every scrape.

Label sets are bounded: the age bucket (five values), the resolution reason (five), how a secret
was remediated (two), the queue state (two), the schedule name (the configured schedules) and, with a
group-by, its groups. There is no month or week label: a trend by month lives in the CSV and JSON
exports, and Prometheus keeps its own history of every gauge.

All families are gauges, on purpose: every number is computed as of a chosen instant (``--as-of``
may go back in time) and reopening a secret lowers the remediated count, so none is monotonic as a
counter must be. Durations are in seconds (``# UNIT seconds``), timestamps in seconds since the epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.openmetrics.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tracker.scheduler_health import SchedulerHealth

CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
UNBOUNDED_GROUPS = frozenset({"month"})  # one label value per month: grows without bound
_DAY = 86_400


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    help: str
    value: Callable[[Metrics], float | int | None]
    unit: str = ""


_FAMILIES = (
    _Family("sprawl_secrets", "Secrets known to the tracker and exposed by the report time.",
            lambda m: m.secrets_count),
    _Family("sprawl_open_secrets", "Secrets not yet resolved.", lambda m: m.open_count),
    _Family("sprawl_open_secrets_approaching_sla", "Open secrets in the warning part of their SLA.",
            lambda m: m.approaching_count),
    _Family("sprawl_open_secrets_breached_sla", "Open secrets past their SLA deadline.",
            lambda m: m.breached_count),
    _Family("sprawl_open_secrets_with_owner", "Open secrets with an owner.",
            lambda m: m.open_with_owner_count),
    _Family("sprawl_open_secrets_owner_known_ratio", "Share of the open secrets with an owner.",
            lambda m: m.owner_known_share),
    _Family("sprawl_open_exposure_seconds", "Sum of the ages of the open secrets since exposure.",
            lambda m: m.exposure_secret_days * _DAY, "seconds"),
    _Family("sprawl_remediated_secrets", "Secrets revoked or rotated (the MTTR count).",
            lambda m: m.mttr_count),
    _Family("sprawl_mttr_mean_seconds", "Mean time exposed: exposure to revocation or rotation.",
            lambda m: m.mttr_mean_seconds, "seconds"),
    _Family("sprawl_mttr_median_seconds", "Median time exposed: exposure to revocation or rotation.",
            lambda m: m.mttr_median_seconds, "seconds"),
    _Family("sprawl_mttr_p90_seconds", "90th percentile (nearest rank) time exposed.",
            lambda m: m.mttr_p90_seconds, "seconds"),
    _Family("sprawl_mttr_min_seconds", "Fastest remediation, from exposure.",
            lambda m: m.mttr_min_seconds, "seconds"),
    _Family("sprawl_mttr_max_seconds", "Slowest remediation, from exposure.",
            lambda m: m.mttr_max_seconds, "seconds"),
    _Family("sprawl_remediation_after_detection_median_seconds",
            "Median time to remediate after detection by sprawl.",
            lambda m: m.after_detection.median_seconds, "seconds"),
    _Family("sprawl_remediation_after_detection_p90_seconds",
            "90th percentile (nearest rank) time to remediate after detection.",
            lambda m: m.after_detection.p90_seconds, "seconds"),
    _Family("sprawl_remediated_within_sla_ratio", "Share of remediations done within the SLA.",
            lambda m: m.within_sla_share),
    _Family("sprawl_remediated_late_secrets", "Remediations done after the SLA deadline (resolved late).",
            lambda m: m.resolved_late_count),
    _Family("sprawl_owner_assigned_secrets", "Secrets assigned an owner (the time-to-owner count).",
            lambda m: m.time_to_owner.count),
    _Family("sprawl_time_to_owner_median_seconds", "Median time from detection to first owner assignment.",
            lambda m: m.time_to_owner.median_seconds, "seconds"),
    _Family("sprawl_time_to_owner_p90_seconds", "90th percentile time from detection to first assignment.",
            lambda m: m.time_to_owner.p90_seconds, "seconds"),
)


class SprawlCollector(Collector):
    """Metric families for ``prometheus_client``: from ``produce()`` at each collection, so a served
    registry recomputes on every scrape. ``sprawl_up`` is 0 (and alone) when ``produce()`` returned
    None: the tracker could not be read for this scrape."""

    def __init__(self, produce: Callable[[], tuple[Metrics, SchedulerHealth | None] | None]) -> None:
        self._produce = produce

    def collect(self) -> Iterator[Metric]:
        produced = self._produce()
        yield GaugeMetricFamily("sprawl_up", "1 when the tracker answered this collection, else 0.",
                                value=0 if produced is None else 1)
        if produced is None:
            return
        metrics, health = produced
        yield from metric_families(metrics)
        if health is not None:
            yield from health_families(health)


def metrics_openmetrics(metrics: Metrics, health: SchedulerHealth | None = None) -> str:
    """One report as OpenMetrics text (ends with ``# EOF``)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SprawlCollector(lambda: (metrics, health)))
    return generate_latest(registry).decode("utf-8")


def check_groups(group_by: str | None) -> None:
    """ValueError for a grouping whose label values grow without bound."""
    if group_by in UNBOUNDED_GROUPS:
        raise ValueError(f"OpenMetrics has no --group-by {group_by}: its label would get a new value every "
                         f"{group_by}; use the csv or json export for the trend")


def metric_families(metrics: Metrics) -> Iterator[Metric]:
    check_groups(metrics.group_by)
    label = metrics.group_by or "group"
    scopes = [({}, metrics), *(({label: key}, group) for key, group in metrics.groups.items())]
    window = GaugeMetricFamily("sprawl_sla_window_seconds", "Default SLA window.", unit="seconds")
    window.add_sample("sprawl_sla_window_seconds", {"clock": metrics.sla_clock}, metrics.sla_days * _DAY)
    yield window
    for family in _FAMILIES:
        gauge = GaugeMetricFamily(family.name, family.help, unit=family.unit)
        for labels, scope in scopes:
            value = family.value(scope)
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                gauge.add_sample(family.name, labels, float(value))
        yield gauge
    yield _labelled("sprawl_open_secrets_by_age", "Open secrets by days since exposure.", "age_days",
                    metrics.age_buckets)
    yield _labelled("sprawl_resolved_secrets", "Resolutions by reason (triage outcomes included).",
                    "reason", metrics.resolved_by_reason)
    yield _labelled("sprawl_remediated_by_method_secrets",
                    "Remediations by how they were done: through sprawl revoke, or by people.", "method",
                    {method: stats.count for method, stats in metrics.by_method.items()})
    median = GaugeMetricFamily("sprawl_mttr_by_method_median_seconds",
                               "Median time exposed, by how the secret was remediated.", labels=["method"],
                               unit="seconds")
    for method, stats in metrics.by_method.items():
        if stats.median_seconds is not None:
            median.add_metric([method], stats.median_seconds)
    yield median
    if metrics.ci_inventory is not None:
        yield _labelled("sprawl_ci_workloads", "CI jobs by how they get cloud and API credentials.",
                        "federation", metrics.ci_inventory["by_federation"])
        yield GaugeMetricFamily("sprawl_ci_shared_secret_names",
                                "Secret names used by workloads in several repositories or many jobs.",
                                value=metrics.ci_inventory["shared_secret_names"])


def health_families(health: SchedulerHealth) -> Iterator[Metric]:
    last_run = GaugeMetricFamily("sprawl_schedule_last_run_timestamp_seconds",
                                 "When each schedule last started a run.", labels=["schedule"],
                                 unit="seconds")
    last_ok = GaugeMetricFamily("sprawl_schedule_last_success_timestamp_seconds",
                                "When each schedule's last successful (completed) run finished.",
                                labels=["schedule"], unit="seconds")
    for schedule in health.schedules:
        if schedule.last_run_at is not None:
            last_run.add_metric([schedule.name], schedule.last_run_at.timestamp())
        if schedule.last_success_at is not None:
            last_ok.add_metric([schedule.name], schedule.last_success_at.timestamp())
    yield from (last_run, last_ok)
    if health.queue is not None:
        yield _labelled("sprawl_queue_jobs", "Scan jobs waiting (todo) or running (doing) in the queue.",
                        "state", health.queue)


def _labelled(name: str, help_text: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_text, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family
