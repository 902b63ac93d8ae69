"""``--baseline FILE``: the fingerprints of a previous JSON report, which the new report leaves out."""

from __future__ import annotations

import json
from pathlib import Path

from secret_sprawl.scanner.errors import InputError


def load_baseline(path: str) -> frozenset[str]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"baseline {path} is not a JSON report: {exc}") from exc
    findings = document.get("findings") if isinstance(document, dict) else None
    valid = isinstance(findings, list) and all(isinstance(f, dict) and f.get("fingerprint") for f in findings)
    if not valid:
        raise InputError(f"baseline {path} is not a sprawl JSON report (no findings with fingerprints)")
    return frozenset(str(f["fingerprint"]) for f in findings)
