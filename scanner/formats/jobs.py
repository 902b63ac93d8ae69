"""``sprawl jobs list`` formats: aligned columns (with each unfinished job's last error), or JSON."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from datetime import datetime
from typing import Any


def json(jobs: Sequence[Any]) -> str:
    return _json.dumps([{"id": j.id, "kind": j.kind, "target": j.target, "status": j.status,
                         "worker": j.worker, "attempts": j.attempts, "started": _iso(j.started),
                         "finished": _iso(j.finished), "error": j.error} for j in jobs], indent=2) + "\n"


def table(jobs: Sequence[Any]) -> str:
    lines = [f"{'ID':>6}  {'KIND':6}  {'STATUS':9}  {'WORKER':>6}  {'ATT':>3}  "
             f"{'STARTED':20}  {'FINISHED':20}  TARGET"]
    for j in jobs:
        lines.append(f"{j.id:>6}  {j.kind:6}  {j.status:9}  {j.worker or '-':>6}  {j.attempts:>3}  "
                     f"{_iso(j.started) or '-':20}  {_iso(j.finished) or '-':20}  {j.target}"
                     + (f"\n{'':8}error: {j.error}" if j.error and j.status != "succeeded" else ""))
    return "\n".join(lines) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None
