"""Apply a live-verification verdict to a secret: history row, state on the secret, audit events.

The provider's answer beats anyone's claim, in both directions:

- last verified ``live`` and now ``invalid`` while open: the secret becomes ``revoked`` with
  ``resolved_at`` = the time of that check and a ``revocation-detected`` event carrying the evidence;
- ``invalid`` at its first definite check: ``inactive_at_discovery`` is set (the key was dead when we
  found it), the secret is closed as ``revoked`` at that time and kept for the audit trail; metrics
  leave it out of MTTR;
- marked ``revoked``/``rotated`` but verifying ``live``: reopened with a ``revocation-disproved`` event;
- ``live``: the secret's confidence becomes ``high`` (``tracker.confidence``).

Like ``tracker.lifecycle``, functions add rows and events and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.confidence import secret_confidence
from secret_sprawl.tracker.models.core import Secret, SecretStatus
from secret_sprawl.tracker.models.schedule import Verification
from secret_sprawl.tracker.notifications import announce_revocation
from sqlalchemy import select
from sqlmodel import Session


class VerdictState(StrEnum):
    """What a provider said about a key: it works, it is refused, or no definite answer."""

    LIVE = "live"
    INVALID = "invalid"
    UNKNOWN = "unknown"


VERDICT_STATES = tuple(VerdictState)
CLAIMED_DEAD = ("revoked", "rotated")
REVOCATION_DETECTED = "revocation-detected"
REVOCATION_DISPROVED = "revocation-disproved"
INACTIVE_AT_DISCOVERY = "inactive-at-discovery"


@dataclass(frozen=True, slots=True)
class VerificationOutcome:
    """What applying one verdict did; ``transition`` is one of the three constants above, or None."""

    secret_id: int
    state: str
    previous_state: str  # the last definite state (live/invalid) before this check, or "unverified"
    transition: str | None


def apply_verdict(
    session: Session,
    secret_id: int,
    *,
    state: str,
    at: datetime,
    provider: str,
    endpoint: str,
    http_status: int | None,
    detail: str = "",
    by: str,
    scan_id: int | None = None,
) -> VerificationOutcome:
    """Record one check of ``secret_id`` and act on what it proves."""
    if state not in VERDICT_STATES:
        raise ValueError(f"verification state must be one of {', '.join(VERDICT_STATES)}")
    secret = session.get(Secret, secret_id)
    if secret is None:
        raise LookupError(f"no secret {secret_id}")
    previous = last_definite_state(session, secret_id)
    session.add(Verification(secret_id=secret_id, at=at, state=state, http_status=http_status,
                             provider=provider, endpoint=endpoint, detail=detail))
    evidence = {"provider": provider, "endpoint": endpoint, "http_status": http_status, "detail": detail}
    append_event(session, kind="verified", actor=by, secret_id=secret_id, scan_id=scan_id,
                 old_value=secret.verification_state, new_value=state, detail=evidence, at=at)
    secret.verification_state = state
    secret.confidence = secret_confidence(Confidence(secret.confidence).rank, state)
    secret.verified_at = at
    secret.verification_status_code = http_status
    transition = _transition(secret, state, previous)
    if transition in (REVOCATION_DETECTED, INACTIVE_AT_DISCOVERY):
        old_status = secret.status
        secret.status, secret.resolved_at = "revoked", at
        secret.inactive_at_discovery = transition == INACTIVE_AT_DISCOVERY
        secret.resolution_note = (
            "invalid at its first live check" if secret.inactive_at_discovery
            else f"revocation detected: {provider} rejected the key (HTTP {http_status})"
        )
        append_event(session, kind=transition, actor=by, secret_id=secret_id, scan_id=scan_id,
                     old_value=old_status, new_value="revoked", detail=evidence, at=at)
    elif transition == REVOCATION_DISPROVED:
        old_status = secret.status
        secret.status, secret.resolved_at, secret.resolution_note = "open", None, None
        secret.inactive_at_discovery = False  # it works now, so it was not dead when found
        append_event(
            session, kind=transition, actor=by, secret_id=secret_id, scan_id=scan_id, old_value=old_status,
            new_value="open", at=at,
            detail={**evidence, "warning": f"marked {old_status} but the provider still accepts the key"},
        )
    session.add(secret)
    session.flush()
    if transition in (REVOCATION_DETECTED, REVOCATION_DISPROVED):  # the outbox, in the same commit
        announce_revocation(session, secret, transition, at=at, evidence=evidence)
    return VerificationOutcome(secret_id, state, previous, transition)


def last_definite_state(session: Session, secret_id: int) -> str:
    """The newest ``live``/``invalid`` verdict recorded for the secret, or ``"unverified"``."""
    query = (
        select(Verification.state)
        .where(Verification.secret_id == secret_id)
        .where(Verification.state.in_((VerdictState.LIVE, VerdictState.INVALID)))
        .order_by(Verification.at.desc(), Verification.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar() or "unverified"


def _transition(secret: Secret, state: str, previous: str) -> str | None:
    if state == VerdictState.LIVE and secret.status in CLAIMED_DEAD:
        return REVOCATION_DISPROVED
    if state == VerdictState.INVALID and secret.status == SecretStatus.OPEN:
        if previous == VerdictState.LIVE:
            return REVOCATION_DETECTED
        if previous == "unverified":
            return INACTIVE_AT_DISCOVERY
    return None
