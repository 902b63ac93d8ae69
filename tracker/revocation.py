"""Record what a revocation through sprawl did: every call, and the outcome the provider proved.

- confirmed (the re-check says the key is rejected): the secret is resolved as ``revoked`` at the time
  of that check (``tracker.lifecycle.resolve``), the check is recorded (``tracker.verification``) and a
  ``revoked-by-sprawl`` event carries who ran it and the provider's answers, in one transaction;
- unconfirmed (the re-check still sees it live, or has no answer): the check is recorded, the secret
  stays open and a ``revocation-unconfirmed`` event says so;
- failed (a call was refused, rate limited, or could not be made): ``revocation-failed`` says why.

Every HTTP call is a ``revocation-call`` event. Details carry statuses and the providers' messages,
never a credential (the caller scrubs them). Like ``tracker.lifecycle``, functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.lifecycle import resolve
from secret_sprawl.tracker.models.core import Secret, SecretStatus
from secret_sprawl.tracker.verification import VerdictState, apply_verdict
from sqlmodel import Session

REVOKED_BY_SPRAWL = "revoked-by-sprawl"
REVOCATION_UNCONFIRMED = "revocation-unconfirmed"
REVOCATION_FAILED = "revocation-failed"
REVOCATION_CALL = "revocation-call"


def record_calls(session: Session, secret_id: int, calls: Iterable[Mapping[str, Any]], *, by: str,
                 scan_id: int | None = None) -> int:
    """One ``revocation-call`` event per HTTP call (step, method, url, http_status, note)."""
    count = 0
    for call in calls:
        append_event(session, kind=REVOCATION_CALL, actor=by, secret_id=secret_id, scan_id=scan_id,
                     new_value=str(call.get("http_status")), detail=dict(call))
        count += 1
    return count


def confirm_revoked(session: Session, secret_id: int, *, at: datetime, answer: str,
                    recheck: Mapping[str, Any], by: str, scan_id: int | None = None) -> Secret:
    """The re-check at ``at`` proved the key dead: resolve as revoked then, with the evidence."""
    secret = _open_secret(session, secret_id)
    old = secret.status
    resolve(session, secret_id, SecretStatus.REVOKED, at=at, by=by,
            note=f"revoked through sprawl; {recheck.get('provider')} rejects the key since {at.isoformat()}")
    _record_check(session, secret_id, VerdictState.INVALID, at, recheck, by, scan_id)
    append_event(session, kind=REVOKED_BY_SPRAWL, actor=by, secret_id=secret_id, scan_id=scan_id,
                 old_value=old, new_value=SecretStatus.REVOKED, at=at,
                 detail={"answer": answer, "recheck": dict(recheck)})
    return secret


def revocation_unconfirmed(session: Session, secret_id: int, *, state: str, at: datetime, answer: str,
                           recheck: Mapping[str, Any], by: str, scan_id: int | None = None) -> Secret:
    """The calls succeeded but the re-check does not show the key rejected: it stays open."""
    secret = _secret(session, secret_id)
    _record_check(session, secret_id, state, at, recheck, by, scan_id)
    append_event(session, kind=REVOCATION_UNCONFIRMED, actor=by, secret_id=secret_id, scan_id=scan_id,
                 new_value=state, at=at,
                 detail={"answer": answer, "recheck": dict(recheck),
                         "why": f"the provider's re-check says {state}, not rejected; the secret stays open"})
    return secret


def revocation_failed(session: Session, secret_id: int, *, reason: str, http_status: int | None, by: str,
                      scan_id: int | None = None) -> None:
    """A call failed (or could not be made): nothing changed at the provider as far as we know."""
    _secret(session, secret_id)
    append_event(session, kind=REVOCATION_FAILED, actor=by, secret_id=secret_id, scan_id=scan_id,
                 new_value=str(http_status) if http_status else None,
                 detail={"reason": reason, "http_status": http_status})


def _record_check(session: Session, secret_id: int, state: str, at: datetime, recheck: Mapping[str, Any],
                  by: str, scan_id: int | None) -> None:
    apply_verdict(session, secret_id, state=state, at=at, provider=str(recheck.get("provider", "")),
                  endpoint=str(recheck.get("endpoint", "")), http_status=recheck.get("http_status"),
                  detail=str(recheck.get("detail", "")), by=by, scan_id=scan_id)


def _open_secret(session: Session, secret_id: int) -> Secret:
    secret = _secret(session, secret_id)
    if secret.status != SecretStatus.OPEN:
        raise ValueError(f"secret {secret_id} is {secret.status}, not open")
    return secret


def _secret(session: Session, secret_id: int) -> Secret:
    secret = session.get(Secret, secret_id)
    if secret is None:
        raise LookupError(f"no secret with id {secret_id}")
    return secret
