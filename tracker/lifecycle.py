"""Changes people make to a secret: resolve, reopen, assign, annotate, accept the tracker's suggested
resolution; each one is an audit event.

The functions take an open ``Session``, change the row, append the event through
``tracker.audit`` and do NOT commit: the caller commits (so a change and its event are atomic).
Invalid requests raise ``ValueError`` with a message meant for the user; an unknown secret raises
``LookupError``.
"""

from __future__ import annotations

import re
from datetime import datetime

from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.confidence import SUGGESTIONS, suggested_resolution
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import RESOLVED_STATUSES, Event, Secret
from sqlalchemy import select
from sqlmodel import Session

MIN_PREFIX = 6  # shortest fingerprint prefix accepted as an id
MAX_ID = 2**31 - 1  # ids are SQL INTEGER: PostgreSQL refuses a larger literal
_HEX = re.compile(r"^[0-9a-f]+$")


def find_secret(session: Session, ident: str) -> Secret:
    """The secret with numeric id ``ident``, else the single one whose fingerprint starts with it."""
    ident = ident.strip().lower()
    if ident.isdigit() and int(ident) <= MAX_ID:  # a longer all-digit string is a fingerprint prefix
        secret = session.get(Secret, int(ident))
        if secret is not None:
            return secret
    if len(ident) < MIN_PREFIX or not _HEX.match(ident):
        raise LookupError(f"no secret with id {ident!r} (fingerprint prefixes need {MIN_PREFIX}+ hex digits)")
    matches = session.execute(
        select(Secret).where(Secret.fingerprint.startswith(ident, autoescape=True)).limit(2)
    ).scalars().all()
    if not matches:
        raise LookupError(f"no secret whose fingerprint starts with {ident!r}")
    if len(matches) > 1:
        raise LookupError(f"fingerprint prefix {ident!r} is ambiguous; give more digits")
    return matches[0]


def resolve(
    session: Session, secret_id: int, reason: str, *, at: datetime | None = None,
    note: str | None = None, by: str,
) -> Secret:
    """Close a secret as ``reason`` at ``at`` (default now); event ``status-changed`` old -> new."""
    if reason not in RESOLVED_STATUSES:
        raise ValueError(f"reason must be one of {', '.join(RESOLVED_STATUSES)}")
    if reason == "accepted-risk" and not (note and note.strip()):
        raise ValueError("accepted-risk needs a note saying why the risk is accepted")
    secret = _get(session, secret_id)
    now = utcnow()
    at = at or now
    if at.tzinfo is None:
        raise ValueError("the resolution time needs a timezone (e.g. 2025-01-31T12:00:00Z)")
    if at > now:
        raise ValueError("the resolution time is in the future")
    if at < secret.exposed_at:
        raise ValueError(f"the resolution time is before the exposure ({secret.exposed_at.isoformat()})")
    if secret.status == reason:
        raise ValueError(f"secret {secret_id} is already {reason}")
    old = secret.status
    secret.status = reason
    secret.resolved_at = at
    secret.resolution_note = note
    session.add(secret)
    append_event(session, kind="status-changed", actor=by, secret_id=secret_id, old_value=old,
                 new_value=reason, detail={"resolved_at": at.isoformat(), "note": note})
    return secret


def accept_suggestion(session: Session, secret_id: int, *, by: str, note: str | None = None) -> Secret:
    """Close a secret as the tracker suggests (``used-in-tests`` for one seen only in test paths).

    Refused with ValueError when the secret has no suggestion now (it was closed, proved live, or
    seen outside tests since the person looked); the event's note says the suggestion was accepted.
    """
    secret = _get(session, secret_id)
    suggestion = suggested_resolution(secret.status, secret.suggested_status, secret.verification_state)
    if suggestion is None:
        raise ValueError(f"secret {secret_id} has no suggested resolution any more")
    why = f"accepted the tracker's suggestion ({suggestion}: {SUGGESTIONS[suggestion]})"
    return resolve(session, secret_id, suggestion, note=f"{why}; {note}" if note else why, by=by)


def reopen(session: Session, secret_id: int, *, by: str, note: str | None = None) -> Secret:
    """Set a resolved secret back to ``open`` (clears resolved_at and the note); event ``reopened``."""
    secret = _get(session, secret_id)
    if secret.status == "open":
        raise ValueError(f"secret {secret_id} is already open")
    old = secret.status
    secret.status = "open"
    secret.resolved_at = None
    secret.resolution_note = None
    session.add(secret)
    append_event(session, kind="reopened", actor=by, secret_id=secret_id, old_value=old, new_value="open",
                 detail={"note": note} if note else None)
    return secret


def assign(session: Session, secret_id: int, owner: str, *, by: str) -> Secret:
    """Make ``owner`` responsible for revoking the secret; event ``assigned`` old -> new owner."""
    owner = owner.strip()
    if not owner:
        raise ValueError("owner must not be empty")
    secret = _get(session, secret_id)
    old = secret.owner
    secret.owner = owner
    session.add(secret)
    append_event(session, kind="assigned", actor=by, secret_id=secret_id, old_value=old, new_value=owner)
    return secret


def add_note(session: Session, secret_id: int, note: str, *, by: str) -> Event:
    """Attach a free-text note to the secret's timeline; event ``note``."""
    if not note.strip():
        raise ValueError("note must not be empty")
    _get(session, secret_id)
    return append_event(session, kind="note", actor=by, secret_id=secret_id, new_value=note)


def _get(session: Session, secret_id: int) -> Secret:
    secret = session.get(Secret, secret_id)
    if secret is None:
        raise LookupError(f"no secret with id {secret_id}")
    return secret
