"""CSV exports for spreadsheets: tidy metrics (one row per scope and period, one unit per column) and
secret lists. Cells a spreadsheet would run as formulas are neutralised.

Metrics rows: the whole tracker to date (``dimension`` = ``all``), then one row per group when the
report is grouped, then one row per calendar month of the trend (``period`` = ``YYYY-MM``: the
state at the month's end, ``as_of``, and the remediations of that month, from ``since``). Empty
cell: no value (e.g. no MTTR when nothing was remediated).

=============================  ===================================================================
column                         meaning (unit)
=============================  ===================================================================
as_of                          the instant the row describes (ISO 8601, UTC)
since                          remediations counted from this instant (empty: all history)
period                         ``all`` or the calendar month ``YYYY-MM`` (UTC)
dimension                      ``all`` or the grouping: target, org, provider, category, owner, month
group                          the group (``all`` for the whole tracker)
sla_clock                      ``exposed`` or ``detected``: when the SLA window starts
secrets                        secrets exposed by ``as_of`` (count)
open                           open secrets (count)
approaching                    open secrets in the warning part of their SLA (count)
breached                       open secrets past their SLA deadline (count)
open_with_owner                open secrets with an owner (count)
exposure_secret_days           sum of the days since exposure of the open secrets (secret-days)
open_age_0_7 ... open_age_over_27  open secrets by days since exposure (count per bucket)
remediated                     secrets revoked or rotated: the MTTR population (count)
mttr_{mean,median,p90,min,max}_days  time exposed: exposure to remediation (days)
after_detection_{mean,median,p90}_days  time to remediate after detection (days)
within_sla_ratio               remediated within the SLA, over remediated (ratio 0-1)
resolved_late                  remediated after the SLA deadline (count)
remediated_by_sprawl           revoked through ``sprawl revoke`` (count)
mttr_by_sprawl_median_days     their median time exposed (days)
remediated_by_people           every other remediation (count)
mttr_by_people_median_days     their median time exposed (days)
owner_assigned                 secrets first assigned an owner in the window (count)
time_to_owner_{median,p90}_days  detection to first assignment (days)
resolved                       every resolution in the window, whatever the reason (count)
revoked ... used_in_tests      resolutions by reason, the triage outcomes (count)
inactive_at_discovery          resolved secrets already dead when found, not in MTTR (count)
=============================  ===================================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from secret_sprawl.tracker.exports.records import SECRET_FIELDS, iso, secret_record
from secret_sprawl.tracker.metrics import AGE_BUCKETS, Metrics
from secret_sprawl.tracker.models.core import RESOLVED_STATUSES
from secret_sprawl.tracker.queries import SecretRow
from secret_sprawl.tracker.safe_text import csv_row

_DAY = 86_400
_BUCKET_COLUMNS = {bucket: "open_age_" + bucket.replace("-", "_").replace(">", "over_")
                   for bucket in AGE_BUCKETS}
_REASON_COLUMNS = {reason: reason.replace("-", "_") for reason in RESOLVED_STATUSES}


def metrics_csv(metrics: Metrics) -> str:
    rows = [_row(metrics, "all", "all", "all")]
    rows += [_row(group, metrics.group_by or "", key, "all") for key, group in metrics.groups.items()]
    rows += [_row(month, "all", "all", month.as_of.strftime("%Y-%m")) for month in metrics.monthly]
    return _write(list(rows[0]), rows)


def secrets_csv(rows: Iterable[SecretRow]) -> str:
    return _write(list(SECRET_FIELDS), [secret_record(row) for row in rows])


def _row(m: Metrics, dimension: str, group: str, period: str) -> dict[str, Any]:
    sprawl, people = m.by_method["sprawl"], m.by_method["people"]
    return {
        "as_of": iso(m.as_of), "since": iso(m.since) or "", "period": period, "dimension": dimension,
        "group": group, "sla_clock": m.sla_clock, "secrets": m.secrets_count, "open": m.open_count,
        "approaching": m.approaching_count, "breached": m.breached_count,
        "open_with_owner": m.open_with_owner_count, "exposure_secret_days": round(m.exposure_secret_days, 4),
        **{_BUCKET_COLUMNS[bucket]: count for bucket, count in m.age_buckets.items()},
        "remediated": m.mttr_count,
        "mttr_mean_days": _days(m.mttr_mean_seconds), "mttr_median_days": _days(m.mttr_median_seconds),
        "mttr_p90_days": _days(m.mttr_p90_seconds), "mttr_min_days": _days(m.mttr_min_seconds),
        "mttr_max_days": _days(m.mttr_max_seconds),
        "after_detection_mean_days": _days(m.after_detection.mean_seconds),
        "after_detection_median_days": _days(m.after_detection.median_seconds),
        "after_detection_p90_days": _days(m.after_detection.p90_seconds),
        "within_sla_ratio": "" if m.within_sla_share is None else round(m.within_sla_share, 4),
        "resolved_late": m.resolved_late_count,
        "remediated_by_sprawl": sprawl.count, "mttr_by_sprawl_median_days": _days(sprawl.median_seconds),
        "remediated_by_people": people.count, "mttr_by_people_median_days": _days(people.median_seconds),
        "owner_assigned": m.time_to_owner.count,
        "time_to_owner_median_days": _days(m.time_to_owner.median_seconds),
        "time_to_owner_p90_days": _days(m.time_to_owner.p90_seconds),
        "resolved": m.resolved_count,
        **{column: m.resolved_by_reason.get(reason, 0) for reason, column in _REASON_COLUMNS.items()},
        "inactive_at_discovery": m.inactive_at_discovery_count,
    }


def _days(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / _DAY, 6)


def _write(fields: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(row) for row in rows)
    return buffer.getvalue()
