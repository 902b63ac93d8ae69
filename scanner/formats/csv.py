"""One row per finding, with a header; ``context`` is written as a JSON object in one cell and
``reasons`` as the reason words joined by ``;``."""

from __future__ import annotations

import csv
import io
import json

from secret_sprawl.scanner.report import Report

COLUMNS = ("rule_id", "provider", "category", "lifetime", "severity", "confidence", "reasons", "fingerprint",
           "redacted", "target", "path", "line", "column", "cell", "location_kind", "original_kind", "commit",
           "committed_at", "author", "in_head", "blob_id", "shared", "context", "kind", "message", "fix")


def render(report: Report) -> str:
    out = io.StringIO()
    columns = (*COLUMNS, "secret") if report.show_secrets else COLUMNS
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    for record in report.records():
        record["context"] = json.dumps(record["context"]) if record["context"] else ""
        record["reasons"] = ";".join(record["reasons"])
        writer.writerow(record)
    return out.getvalue()
