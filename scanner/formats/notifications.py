"""``sprawl notifications list`` formats: one line per notice (with its last error), or JSON."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from datetime import UTC, datetime

from secret_sprawl.tracker.models.schedule import Notification
from secret_sprawl.tracker.safe_text import terminal


def json(notices: Sequence[Notification]) -> str:
    return _json.dumps([{
        "id": n.id, "kind": n.kind, "state": n.state, "secret_id": n.secret_id, "destination": n.destination,
        "status": n.status, "attempts": n.attempts, "created_at": _iso(n.created_at),
        "next_attempt_at": _iso(n.next_attempt_at), "delivered_at": _iso(n.delivered_at),
        "last_error": n.last_error, "detail": n.detail,
    } for n in notices], indent=2) + "\n"


def table(notices: Sequence[Notification]) -> str:
    if not notices:
        return "no notices\n"
    lines = [f"{'ID':>6}  {'STATUS':9}  {'ATT':>3}  {'CREATED':20}  {'NEXT ATTEMPT':20}  "
             f"{'DESTINATION':24}  NOTICE"]
    for n in notices:
        error = f"\n{'':8}last error: {n.last_error}" if n.last_error and n.status != "delivered" else ""
        lines.append(f"{n.id:>6}  {n.status:9}  {n.attempts:>3}  {_stamp(n.created_at):20}  "
                     f"{_stamp(n.next_attempt_at):20}  {n.destination:24}  {_what(n)}{error}")
    return "".join(terminal(line, keep_newlines=True) + "\n" for line in lines)


def _what(n: Notification) -> str:
    d = n.detail
    if n.kind == "scan-failed":
        return f"scan-failed {d.get('schedule', '')} ({d.get('result', '')})"
    state = f" {n.state}" if n.kind == "sla" else ""
    return f"{n.kind}{state} #{n.secret_id} {d.get('provider', '')} {d.get('redacted', '')}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _stamp(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if value is not None else "-"
