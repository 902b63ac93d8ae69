"""What a webhook receives: one message per delivery with a counted summary, one line per notice and
the structured ``events``, in the shape its receiver wants (``slack``, ``teams`` or ``json``).

Only the redacted preview, a fingerprint prefix, the location and the age name a secret. The text is
link-free: Slack's control characters (``& < >``) are escaped, so nothing a scanned repository put in a
path becomes a mention or a link, and locations are code spans, which Slack and Teams never turn into
links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_LINES = 50  # lines of text in one message; every notice is still in ``events``

# (kind, state or "") -> (one, many); the order is the order of the summary.
_NOUNS: dict[tuple[str, str], tuple[str, str]] = {
    ("new-secret", ""): ("new secret", "new secrets"),
    ("sla", "breached"): ("SLA breach", "SLA breaches"),
    ("sla", "approaching"): ("SLA deadline approaching", "SLA deadlines approaching"),
    ("revocation-detected", ""): ("revocation detected", "revocations detected"),
    ("revocation-disproved", ""): ("revocation disproved", "revocations disproved"),
    ("scan-failed", ""): ("failed scheduled run", "failed scheduled runs"),
}
_HEADS = {"new-secret": "New secret", "revocation-detected": "Revocation detected",
          "revocation-disproved": "Revocation disproved (the key works again)"}


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice as delivered: its outbox id, what happened, and the fields it carries."""

    id: int
    kind: str
    state: str
    secret_id: int | None
    detail: dict[str, Any]


def counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def summary(notices: Sequence[Notice]) -> str:
    """``2 new secrets, 3 SLA breaches``: each kind counted, in a fixed order."""
    counts = Counter(_noun_key(n) for n in notices)
    return ", ".join(counted(counts[key], *nouns) for key, nouns in _NOUNS.items() if counts[key])


def line(notice: Notice) -> str:
    """One notice as one link-free line of text."""
    d = notice.detail
    if notice.kind == "scan-failed":
        missed = (f"; {d['failed_targets']} of {counted(d['targets'], 'target', 'targets')} not scanned"
                  if d.get("targets") else "")
        return (f"Scheduled run {_code(d.get('schedule', ''))}: {d.get('result', 'failed')}{missed} "
                f"(scan {d.get('scan_id')}): {_escape(d.get('error', ''))}")
    head = f"SLA {notice.state}" if notice.kind == "sla" else _HEADS.get(notice.kind, notice.kind)
    return (f"{head}: {_escape(d.get('provider', ''))} {_code(d.get('redacted', ''))} "
            f"[{d.get('fingerprint_prefix', '')}] at {_code(d.get('location', ''))}, "
            f"exposed {float(d.get('age_days', 0)):.1f} days")


def events(notices: Sequence[Notice]) -> list[dict[str, Any]]:
    return [{"id": n.id, "kind": n.kind, "state": n.state, "secret_id": n.secret_id, **n.detail}
            for n in notices]


def payload(notices: Sequence[Notice], shape: str) -> dict[str, Any]:
    """The JSON body for one webhook of ``shape``."""
    title = f"secret-sprawl: {summary(notices)}"
    lines = [line(n) for n in notices[:MAX_LINES]]
    if len(notices) > MAX_LINES:
        lines.append(f"… and {len(notices) - MAX_LINES} more (see the events)")
    if shape == "teams":
        return _teams(title, lines)
    if shape == "json":
        return {"source": "secret-sprawl", "summary": summary(notices), "events": events(notices)}
    return {"text": "\n".join([title, *(f"• {text}" for text in lines)]), "source": "secret-sprawl",
            "events": events(notices)}


def _teams(title: str, lines: list[str]) -> dict[str, Any]:
    """A Microsoft Teams message with one Adaptive Card (Teams workflows and connectors accept it)."""
    card = {
        "type": "AdaptiveCard", "version": "1.4",
        "body": [{"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                 *({"type": "TextBlock", "text": f"- {text}", "wrap": True} for text in lines)],
    }
    return {"type": "message", "summary": title,
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


def _noun_key(notice: Notice) -> tuple[str, str]:
    return (notice.kind, notice.state if notice.kind == "sla" else "")


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: object) -> str:
    return "`" + _escape(text).replace("`", "'") + "`"
