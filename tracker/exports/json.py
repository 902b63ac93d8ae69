"""JSON exports: the metrics report and secret lists, for BI tools and scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from secret_sprawl.tracker.exports.records import metrics_document, secret_record
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tracker.queries import SecretRow


def metrics_json(metrics: Metrics, *, generated_at: datetime) -> str:
    return json.dumps(metrics_document(metrics, generated_at=generated_at), indent=2) + "\n"


def secrets_json(rows: Iterable[SecretRow]) -> str:
    return json.dumps([secret_record(row) for row in rows], indent=2) + "\n"
