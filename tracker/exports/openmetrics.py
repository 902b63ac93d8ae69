"""OpenMetrics text exposition of the metrics, for Prometheus scraping.

Every family has ``# TYPE`` and ``# HELP``; durations carry ``# UNIT seconds`` and the ``_seconds``
suffix; label values are escaped (backslash, double quote, newline); the exposition ends with
``# EOF``. Metrics without a value (e.g. MTTR with nothing remediated) have no sample. With a
group-by, each family also carries one sample per group, labelled with the grouping
(``exposure_month`` for ``month``).

All families are gauges, on purpose: every number is computed as of a chosen instant
(``--as-of`` may go back in time) and reopening a secret lowers the remediated count, so none is
monotonic as a counter must be. It also keeps the text valid for both parsers: OpenMetrics names a
counter's family without ``_total`` while ``promtool check metrics`` (Prometheus text format) lints
that very form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from secret_sprawl.tracker.metrics import Metrics

CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
_DAY = 86_400


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    kind: str
    help: str
    value: Callable[[Metrics], float | int | None]
    unit: str = ""


_FAMILIES = (
    _Family("sprawl_secrets", "gauge", "Secrets known to the tracker and exposed by the report time.",
            lambda m: m.secrets_count),
    _Family("sprawl_open_secrets", "gauge", "Secrets not yet resolved.", lambda m: m.open_count),
    _Family("sprawl_open_secrets_approaching_sla", "gauge", "Open secrets in the warning part of their SLA.",
            lambda m: m.approaching_count),
    _Family("sprawl_open_secrets_breached_sla", "gauge", "Open secrets past their SLA deadline.",
            lambda m: m.breached_count),
    _Family("sprawl_open_exposure_seconds", "gauge", "Sum of the ages of the open secrets since exposure.",
            lambda m: m.exposure_secret_days * _DAY, "seconds"),
    _Family("sprawl_remediated_secrets", "gauge", "Secrets revoked or rotated (the MTTR count).",
            lambda m: m.mttr_count),
    _Family("sprawl_mttr_mean_seconds", "gauge", "Mean time from exposure to revocation or rotation.",
            lambda m: m.mttr_mean_seconds, "seconds"),
    _Family("sprawl_mttr_median_seconds", "gauge", "Median time from exposure to revocation or rotation.",
            lambda m: m.mttr_median_seconds, "seconds"),
    _Family("sprawl_mttr_p90_seconds", "gauge", "90th percentile (nearest rank) time to remediate.",
            lambda m: m.mttr_p90_seconds, "seconds"),
    _Family("sprawl_mttr_min_seconds", "gauge", "Fastest remediation.",
            lambda m: m.mttr_min_seconds, "seconds"),
    _Family("sprawl_mttr_max_seconds", "gauge", "Slowest remediation.",
            lambda m: m.mttr_max_seconds, "seconds"),
    _Family("sprawl_remediated_within_sla_ratio", "gauge", "Share of remediations done within the SLA.",
            lambda m: m.within_sla_share),
)


def metrics_openmetrics(metrics: Metrics) -> str:
    return "".join(f"{line}\n" for line in _lines(metrics))


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _lines(metrics: Metrics) -> Iterator[str]:
    label = "exposure_month" if metrics.group_by == "month" else metrics.group_by or "group"
    scopes = [("", metrics), *((_labels(label, key), group) for key, group in metrics.groups.items())]
    yield from _header("sprawl_sla_window_seconds", "gauge", "Default SLA window, exposure to revocation.",
                       "seconds")
    yield f"sprawl_sla_window_seconds {_number(metrics.sla_days * _DAY)}"
    for family in _FAMILIES:
        yield from _header(family.name, family.kind, family.help, family.unit)
        for labels, scope in scopes:
            value = family.value(scope)
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                yield f"{family.name}{labels} {_number(value)}"
    yield from _header("sprawl_open_secrets_by_age", "gauge", "Open secrets by days since exposure.")
    for bucket, count in metrics.age_buckets.items():
        yield f"sprawl_open_secrets_by_age{_labels('age_days', bucket)} {count}"
    yield from _header("sprawl_mttr_by_month_seconds", "gauge",
                       "Mean time to remediate per month of resolution.", "seconds")
    for month in metrics.per_month:
        yield f"sprawl_mttr_by_month_seconds{_labels('month', month.month)} {_number(month.mean_seconds)}"
    if metrics.ci_inventory is not None:
        yield from _ci_inventory_lines(metrics.ci_inventory)
    yield "# EOF"


def _ci_inventory_lines(inventory: dict) -> Iterator[str]:
    yield from _header("sprawl_ci_workloads", "gauge", "CI jobs by how they get cloud and API credentials.")
    for state, count in inventory["by_federation"].items():
        yield f"sprawl_ci_workloads{_labels('federation', state)} {count}"
    yield from _header("sprawl_ci_shared_secret_names", "gauge",
                       "Secret names used by workloads in several repositories or many jobs.")
    yield f"sprawl_ci_shared_secret_names {inventory['shared_secret_names']}"


def _header(name: str, kind: str, help_text: str, unit: str = "") -> Iterator[str]:
    yield f"# TYPE {name} {kind}"
    if unit:
        yield f"# UNIT {name} {unit}"
    yield f"# HELP {name} {help_text}"


def _labels(name: str, value: str) -> str:
    return f'{{{name}="{escape_label_value(value)}"}}'


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return repr(float(value))
