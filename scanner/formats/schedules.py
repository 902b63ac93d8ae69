"""``sprawl schedule list`` formats: each schedule with one line per target and its last result, or JSON."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from secret_sprawl.scanner.notice_payload import counted
from secret_sprawl.tracker.models.schedule import Schedule
from secret_sprawl.tracker.safe_text import terminal


@dataclass(frozen=True, slots=True)
class ScheduleView:
    schedule: Schedule
    next_run: datetime | None


def json(views: Sequence[ScheduleView]) -> str:
    return _json.dumps([_document(view) for view in views], indent=2) + "\n"


def table(views: Sequence[ScheduleView]) -> str:
    if not views:
        return "no schedules\n"
    lines: list[str] = []
    for view in views:
        s = view.schedule
        flags = " ".join(filter(None, ["verify" if s.verify else "",
                                       f"notify {s.notify_url}" if s.notify_url else "",
                                       *(f"{key.replace('_', '-')} {_option(value)}"
                                         for key, value in sorted((s.options or {}).items()))]))
        last = "never run"
        if s.last_run_at is not None:
            last = f"{_time(s.last_run_at)} {s.last_status} (scan {s.last_scan_id})"
        lines.append(f"{s.name}  [{s.cron}]{'  ' + flags if flags else ''}")
        lines.append(f"    next {_time(view.next_run) or 'never'}  last {last}")
        if s.last_error:
            lines.append(f"    error: {s.last_error}")
        lines.append(f"    targets ({len(s.targets)}):")
        for item in _targets(s):
            counts = (f"  {counted(item['findings'], 'finding', 'findings')}, {item['new']} new"
                      if item["result"] not in ("-", "failed") else "")
            error = f"  {item['error']}" if item.get("error") else ""
            lines.append(f"      {item['result']:<8}  {item['target']}{counts}{error}")
    return "".join(terminal(line) + "\n" for line in lines)


def _document(view: ScheduleView) -> dict[str, Any]:
    s = view.schedule
    return {
        "name": s.name, "cron": s.cron, "verify": s.verify, "notify": s.notify_url,
        "options": s.options or {}, "next_run": _iso(view.next_run),
        "last_run": None if s.last_run_at is None else {
            "at": _iso(s.last_run_at), "result": s.last_status, "scan_id": s.last_scan_id,
            "error": s.last_error},
        "targets": [{**item, "result": None if item["result"] == "-" else item["result"]}
                    for item in _targets(s)],
    }


def _targets(s: Schedule) -> list[dict[str, Any]]:
    """Each target of the schedule with its result in the last run ("-" when it had none); targets the
    last run scanned beyond those listed (an organisation's repositories) follow."""
    last = {item["target"]: item for item in s.last_results or []}
    listed = [last.get(target) or {"target": target, "result": "-", "findings": 0, "new": 0, "error": None}
              for target in s.targets]
    return listed + [item for name, item in last.items() if name not in set(s.targets)]


def _option(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _time(value: datetime | None) -> str | None:
    return f"{value:%Y-%m-%d %H:%M:%S}Z" if value is not None else None
