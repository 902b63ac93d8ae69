"""Webhook notifications: new secrets, SLA state entered, revocations detected, failed scheduled scans.

One POST per run carries a Slack-compatible ``text`` plus structured ``events``. A notice names a
secret only by its redacted preview, fingerprint prefix, location and age: never the value. Each
state change is sent once: a delivered notice is remembered in the tracker's ``notification`` table
and skipped afterwards (an undelivered one is tried again next run). Delivery retries with backoff;
a dead webhook is logged (host only: webhook URLs are credentials too) and never fails the scan.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from secret_sprawl.scanner.verify.service import Checked
from secret_sprawl.tracker import notifications, queries
from secret_sprawl.tracker.config import ConfigError
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.sla import SlaPolicy, SlaState
from secret_sprawl.tracker.verification import REVOCATION_DETECTED
from sqlalchemy import Engine
from sqlmodel import Session

log = logging.getLogger(__name__)
FINGERPRINT_PREFIX = 12
_LABELS = {"new-secret": "New secret", "sla": "SLA", REVOCATION_DETECTED: "Revocation detected",
           "scan-failed": "Scheduled scan failed"}


@dataclass(frozen=True, slots=True)
class Notice:
    """One state change to announce; (secret_id, kind, state) is its once-only key."""

    kind: str  # new-secret | sla | revocation-detected | scan-failed
    state: str
    secret_id: int | None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> notifications.NoticeKey:
        return (self.secret_id, self.kind, self.state)

    def line(self) -> str:
        f = self.fields
        if self.kind == "scan-failed":
            return f"{_LABELS[self.kind]}: {f['schedule']} (scan {f.get('scan_id')}): {f['error']}"
        head = f"{_LABELS[self.kind]}{' ' + self.state if self.kind == 'sla' else ''}"
        return (f"{head}: {f['provider']} {f['redacted']} [{f['fingerprint_prefix']}] at {f['location']}, "
                f"exposed {f['age_days']:.1f} days")


class Webhook:
    """POST JSON to one URL with bounded retries; ``post`` says whether it was delivered."""

    def __init__(self, url: str, *, retries: int = 3, backoff: float = 1.0, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self._transport = transport

    def post(self, payload: dict[str, Any]) -> bool:
        host = urlsplit(self.url).hostname or "?"
        problem = ""
        with httpx.Client(transport=self._transport, timeout=self.timeout, trust_env=True) as client:
            for attempt in range(self.retries + 1):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    response = client.post(self.url, json=payload)
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                    continue
                if response.is_success:
                    return True
                problem = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    break
        log.warning("webhook on %s not delivered (%s); will retry on the next run", host, problem)
        return False


def pending_notices(
    session: Session, policy: SlaPolicy, *, now: datetime, scan_id: int | None = None,
    checked: Sequence[Checked] = (),
) -> list[Notice]:
    """Notices for this run not delivered before: new secrets of ``scan_id``, SLA states, revocations."""
    notices: list[Notice] = []
    if scan_id is not None:
        notices += [_about(session, secret, "new-secret", "open", now)
                    for secret in notifications.new_in_scan(session, scan_id)]
    for row in queries.list_secrets(session, policy, now=now, status="open"):
        if row.sla.state in (SlaState.APPROACHING, SlaState.BREACHED):
            notices.append(_about(session, row.secret, "sla", row.sla.state, now))
    revoked = [item for item in checked if item.outcome.transition == REVOCATION_DETECTED]
    secrets = {s.id: s for s in queries.secrets_by_id(session, [item.secret_id for item in revoked])}
    for item in (item for item in revoked if item.secret_id in secrets):
        verdict = item.verdict
        notice = _about(session, secrets[item.secret_id], REVOCATION_DETECTED, verdict.at.isoformat(), now)
        notice.fields.update(endpoint=verdict.endpoint, http_status=verdict.http_status)
        notices.append(notice)
    return [n for n in notices if not notifications.delivered(session, n.key)]


def sla_policy(config: dict[str, Any]) -> SlaPolicy:
    """The config's ``[sla]`` policy (a malformed table is a ``ConfigError``)."""
    try:
        return SlaPolicy.from_config(config)
    except ValueError as exc:
        raise ConfigError(f"config: {exc}") from exc


def webhook_url(explicit: str | None, config: dict[str, Any]) -> str | None:
    """``--notify URL`` when given, else the config's ``[notify] url``; either may be ``env:NAME``,
    read from the environment now (an unset variable is logged and means no notification)."""
    table = config.get("notify", {})
    value = explicit or (table.get("url") if isinstance(table, dict) else None)
    if not value or not value.startswith("env:"):
        return value
    resolved = os.environ.get(value.removeprefix("env:"))
    if not resolved:
        log.warning("webhook %s is not set in the environment: no notification sent", value)
    return resolved or None


def scan_failed_notice(schedule: str, scan_id: int | None, error: str, at: datetime) -> Notice:
    return Notice("scan-failed", f"{schedule}@{at.isoformat()}", None,
                  {"schedule": schedule, "scan_id": scan_id, "error": error, "at": at.isoformat()})


def deliver(db: Engine, webhook: Webhook, notices: Iterable[Notice]) -> bool:
    """Send the notices in one message and remember them once delivered; False if not delivered."""
    notices = list(notices)
    if not notices:
        return True
    summary = ", ".join(f"{sum(n.kind == k for n in notices)} {_LABELS[k].lower()}"
                        for k in _LABELS if any(n.kind == k for n in notices))
    payload = {
        "text": "\n".join([f"secret-sprawl: {summary}", *(f"• {n.line()}" for n in notices)]),
        "source": "secret-sprawl",
        "events": [{"kind": n.kind, "state": n.state, "secret_id": n.secret_id, **n.fields} for n in notices],
    }
    if not webhook.post(payload):
        return False
    notifications.remember_delivered(db, (n.key for n in notices))
    return True


def send_updates(
    db: Engine, webhook: Webhook, policy: SlaPolicy, *, now: datetime, scan_id: int | None = None,
    checked: Sequence[Checked] = (), extra: Sequence[Notice] = (),
) -> bool:
    """Deliver everything not yet delivered (see ``pending_notices``) plus ``extra`` in one message."""
    with Session(db) as session:
        notices = pending_notices(session, policy, now=now, scan_id=scan_id, checked=checked)
    return deliver(db, webhook, [*notices, *extra])


def _about(session: Session, secret: Secret, kind: str, state: str, now: datetime) -> Notice:
    fields = {
        "provider": secret.provider,
        "rule_id": secret.rule_id,
        "redacted": secret.redacted,
        "fingerprint_prefix": secret.fingerprint[:FINGERPRINT_PREFIX],
        "location": queries.first_place(session, int(secret.id or 0)),
        "age_days": round((now - secret.exposed_at).total_seconds() / 86_400, 2),
        "status": secret.status,
    }
    return Notice(kind, state, secret.id, fields)
