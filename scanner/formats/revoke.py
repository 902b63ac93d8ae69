"""``sprawl revoke`` formats: a table for people (with the manual steps where no API exists), or JSON."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from dataclasses import dataclass

from secret_sprawl.scanner.revoke.plan import API, MANUAL, Planned
from secret_sprawl.scanner.revoke.service import Revoked
from secret_sprawl.tracker.safe_text import terminal


@dataclass(frozen=True, slots=True)
class RevokeView:
    """Either a dry run's plans or the results of a real run."""

    plans: Sequence[Planned] = ()
    results: Sequence[Revoked] = ()
    dry_run: bool = False


def json(view: RevokeView) -> str:
    if view.dry_run:
        rows = [{**_plan(p), "status": "dry-run", "calls": p.describe()} for p in view.plans]
    else:
        rows = [{**_plan(r.planned), "status": r.status, "message": r.message, "http_status": r.http_status,
                 "calls": [{"step": c.step, "method": c.method, "url": c.url, "http_status": c.http_status,
                            "note": c.note} for c in r.calls],
                 "recheck": None if r.recheck is None else {
                     "state": r.recheck.state, "http_status": r.recheck.http_status,
                     "endpoint": r.recheck.endpoint, "detail": r.recheck.detail,
                     "at": r.recheck.at.isoformat()}} for r in view.results]
    return _json.dumps({"dry_run": view.dry_run, "secrets": rows}, indent=2) + "\n"


def table(view: RevokeView) -> str:
    lines: list[str] = []
    if view.dry_run:
        for plan in view.plans:
            lines.append(_head(plan, "would revoke" if plan.kind == API else plan.kind))
            lines += [f"        {call}" for call in plan.describe()]
            if plan.kind == MANUAL:
                lines += _manual(plan)
            elif plan.kind != API:
                lines.append(f"        {plan.reason}")
        lines.append("dry run: nothing was sent and nothing changed")
    else:
        for result in view.results:
            lines.append(_head(result.planned, result.status))
            if result.planned.kind == MANUAL:
                lines += _manual(result.planned)
            else:
                lines.append(f"        {result.message}")
            if result.recheck is not None:
                lines.append(f"        re-check: {result.recheck.state} at {result.recheck.at.isoformat()}")
    return "".join(terminal(line) + "\n" for line in lines)


def _head(plan: Planned, status: str) -> str:
    return f"{plan.secret_id:>6}  {plan.redacted:<28}  {plan.provider:<10} {status}"


def _manual(plan: Planned) -> list[str]:
    lines = [f"        revoke it by hand: {plan.reason}"]
    if plan.console:
        lines.append(f"        console: {plan.console}")
    return lines


def _plan(plan: Planned) -> dict:
    return {"secret_id": plan.secret_id, "redacted": plan.redacted, "provider": plan.provider,
            "rule_id": plan.rule_id, "plan": plan.kind, "mode": plan.mode, "reason": plan.reason,
            "console": plan.console}
