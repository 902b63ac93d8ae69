"""CSV exports for spreadsheets.

Metrics: one row per scope: ``all``, then ``<group_by>=<key>`` for each group, then
``resolved_month=YYYY-MM`` rows carrying the MTTR trend (other columns empty). Cells a spreadsheet
would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from secret_sprawl.tracker.exports.records import SECRET_FIELDS, secret_record, summary
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tracker.queries import SecretRow
from secret_sprawl.tracker.safe_text import csv_row


def metrics_csv(metrics: Metrics) -> str:
    rows = [{"scope": "all", **summary(metrics)}]
    rows += [{"scope": f"{metrics.group_by}={key}", **summary(group)}
             for key, group in metrics.groups.items()]
    rows += [
        {"scope": f"resolved_month={m.month}", "mttr_count": m.count, "mttr_mean_seconds": m.mean_seconds,
         "mttr_median_seconds": m.median_seconds}
        for m in metrics.per_month
    ]
    return _write(["scope", *summary(metrics)], rows)


def secrets_csv(rows: Iterable[SecretRow]) -> str:
    return _write(list(SECRET_FIELDS), [secret_record(row) for row in rows])


def _write(fields: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(row) for row in rows)
    return buffer.getvalue()
