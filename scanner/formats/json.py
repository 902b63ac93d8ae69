"""One JSON document: tool, version, the scan's counts and errors, and every finding."""

from __future__ import annotations

import json

from secret_sprawl.scanner import __version__
from secret_sprawl.scanner.report import Report


def document(report: Report) -> dict:
    return {
        "tool": "secret-sprawl",
        "version": __version__,
        "scan": {
            "targets": [
                {"target": r.target, "kind": r.kind, "complete": r.complete, "files": r.files,
                 "blobs": r.blobs, "bytes": r.bytes, "missing_objects": r.missing_objects,
                 "not_scanned": {reason: skipped.count for reason, skipped in sorted(r.not_scanned.items())},
                 "not_scanned_examples": {reason: skipped.examples
                                          for reason, skipped in sorted(r.not_scanned.items())}}
                for r in report.results
            ],
            "not_scanned": report.not_scanned(),
            "files": sum(r.files for r in report.results),
            "blobs": sum(r.blobs for r in report.results),
            "bytes": sum(r.bytes for r in report.results),
            "duration_s": round(report.duration_s, 3),
            "errors": [{"target": e.target, "path": e.path, "message": e.message} for e in report.errors],
            **report.summary(),
        },
        "findings": report.records(),
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
