"""``sprawl verify`` formats: one line per secret for people, or a JSON document for programs (the TUI)."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from dataclasses import dataclass

from secret_sprawl.scanner.verify.service import Checked
from secret_sprawl.tracker.verification import REVOCATION_DISPROVED


@dataclass(frozen=True, slots=True)
class VerifyView:
    checked: Sequence[Checked]
    skipped: Sequence[tuple[int, str, str]]  # (secret id, redacted, why it was not verified)


def json(view: VerifyView) -> str:
    checked = [{"secret_id": c.secret_id, "redacted": c.redacted, "state": c.verdict.state,
                "http_status": c.verdict.http_status, "provider": c.verdict.provider,
                "endpoint": c.verdict.endpoint, "detail": c.verdict.detail, "at": c.verdict.at.isoformat(),
                "transition": c.outcome.transition} for c in view.checked]
    skipped = [{"secret_id": i, "redacted": redacted, "reason": why} for i, redacted, why in view.skipped]
    return _json.dumps({"checked": checked, "skipped": skipped}, indent=2) + "\n"


def text(view: VerifyView) -> str:
    lines = [_line(item) for item in view.checked]
    lines += [f"{i:>6}  {redacted:<28}  not verified: {reason}" for i, redacted, reason in view.skipped]
    return "".join(line + "\n" for line in lines)


def _line(item: Checked) -> str:
    verdict = item.verdict
    status = f"HTTP {verdict.http_status}" if verdict.http_status else "no answer"
    text = (f"{item.secret_id:>6}  {item.redacted:<28}  {verdict.state:<8} {status:<9} "
            f"{verdict.provider}: {verdict.detail}")
    if item.outcome.transition == REVOCATION_DISPROVED:
        text += "\n        WARNING: marked revoked but the provider still accepts it: reopened"
    elif item.outcome.transition:
        text += f"\n        -> {item.outcome.transition}: status revoked at {verdict.at.isoformat()}"
    return text
