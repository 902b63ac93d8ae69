"""One finding per line as a JSON object (the same records as the json format's ``findings``)."""

from __future__ import annotations

import json

from secret_sprawl.scanner.report import Report


def render(report: Report) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in report.records())
