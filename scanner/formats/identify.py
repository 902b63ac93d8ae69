"""``sprawl identify`` formats: a table for people, or a JSON document for programs (the TUI)."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from secret_sprawl.scanner.identify.service import Identified, Skipped
from secret_sprawl.tracker.safe_text import terminal


@dataclass(frozen=True, slots=True)
class IdentifyView:
    identified: Sequence[Identified]
    skipped: Sequence[Skipped]


def json(view: IdentifyView) -> str:
    rows = [_record(item) for item in view.identified]
    skipped = [{"secret_id": i, "redacted": redacted, "reason": why} for i, redacted, why in view.skipped]
    return _json.dumps({"identified": rows, "skipped": skipped}, indent=2) + "\n"


def table(view: IdentifyView) -> str:
    lines = []
    for item in view.identified:
        lines.append(terminal(_line(item)))
        lines += [terminal(f"        {extra}") for extra in _extras(item)]
    lines += [terminal(f"{i:>6}  {redacted:<28}  not identified: {reason}")
              for i, redacted, reason in view.skipped]
    return "".join(line + "\n" for line in lines)


def _record(item: Identified) -> dict[str, Any]:
    identity, outcome = item.identity, item.outcome
    return {
        "secret_id": item.secret_id, "redacted": item.redacted, "state": identity.state,
        "provider": identity.provider, "detail": identity.detail, "principal": identity.principal,
        "account": identity.account, "token_type": identity.token_type, "scopes": list(identity.scopes),
        "admin_scopes": list(identity.admin_scopes), "expires_at": _iso(identity.expires_at),
        "never_expires": identity.never_expires, "retry_after": identity.retry_after,
        "evidence": [{"call": e.call, "endpoint": e.endpoint, "http_status": e.http_status,
                      "at": e.at.isoformat(), "note": e.note} for e in identity.evidence],
        "lifetime": outcome.lifetime[1] if outcome else None,
        "severity": outcome.severity[1] if outcome else None,
        "sla_deadline": _iso(outcome.sla_deadline) if outcome else None,
        "expires_before_sla_deadline": outcome.expires_before_deadline if outcome else None,
        "suggested_owner": outcome.suggested_owner if outcome else None,
        "assigned": item.assigned, "owner": item.owner,
    }


def _line(item: Identified) -> str:
    identity = item.identity
    head = f"{item.secret_id:>6}  {item.redacted:<28}  {identity.state:<16} {identity.provider}"
    if identity.state != "identified":
        return f"{head}: {identity.detail}"
    who = identity.principal or "?"
    return f"{head}: {who}" + (f" ({identity.account})" if identity.account else "")


def _extras(item: Identified) -> list[str]:
    identity, outcome = item.identity, item.outcome
    if outcome is None:
        return []
    extras = [f"token: {identity.token_type}"]
    if identity.scopes:
        extras.append("reach: " + ", ".join(identity.scopes))
    if identity.admin_scopes:
        admin = ", ".join(identity.admin_scopes)
        extras.append(f"ADMIN-LEVEL REACH ({admin}): severity {outcome.severity[1]}")
    if identity.expires_at is not None:
        when = "BEFORE" if outcome.expires_before_deadline else "after"
        extras.append(f"expires {identity.expires_at.isoformat()}, {when} its SLA deadline "
                      f"{outcome.sla_deadline.isoformat()} ({outcome.lifetime[1]})")
    elif identity.never_expires:
        extras.append("never expires, says the provider (long-lived)")
    if item.assigned:
        extras.append(f"owner assigned: {item.assigned}")
    elif outcome.suggested_owner and outcome.suggested_owner != item.owner:
        extras.append(f"suggested owner: {outcome.suggested_owner}"
                      + (f" (kept {item.owner})" if item.owner else " (--assign to assign)"))
    if identity.detail:
        extras.append(identity.detail)
    return extras


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
