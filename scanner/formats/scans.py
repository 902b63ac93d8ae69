"""``sprawl scans list`` formats: one line per scan, or JSON."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from datetime import UTC, datetime

from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tracker.scan_history import ScanRow


def json(scans: Sequence[ScanRow]) -> str:
    return _json.dumps([{
        "id": s.id, "targets": s.targets, "started_at": _iso(s.started_at),
        "finished_at": _iso(s.finished_at),
        "duration_s": None if s.duration_s is None else round(s.duration_s, 3), "status": s.status,
        "result": s.result, "trigger": s.trigger, "findings": s.findings, "new_secrets": s.new_secrets,
        "errors": s.errors,
    } for s in scans], indent=2) + "\n"


def table(scans: Sequence[ScanRow]) -> str:
    if not scans:
        return "no scans\n"
    lines = [f"{'ID':>6}  {'STARTED':20}  {'DURATION':>9}  {'STATUS':21}  {'RESULT':8}  {'FOUND':>6}  "
             f"{'NEW':>5}  {'ERRORS':>6}  {'TRIGGER':16}  TARGETS"]
    for s in scans:
        targets = s.targets[0] if len(s.targets) == 1 else f"{len(s.targets)} targets" if s.targets else "-"
        if len(s.targets) > 1:
            targets += f": {s.targets[0]}, …"
        lines.append(f"{s.id:>6}  {_stamp(s.started_at):20}  {_duration(s.duration_s):>9}  "
                     f"{s.status:21}  "
                     f"{s.result or '-':8}  {s.findings:>6}  {s.new_secrets:>5}  {s.errors:>6}  "
                     f"{s.trigger:16}  {targets}")
    return "".join(terminal(line) + "\n" for line in lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _stamp(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if value is not None else "-"
