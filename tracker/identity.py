"""Record what a provider says about a secret: who it belongs to, what it can reach, when it expires.

``record_identity`` keeps the latest identity on the secret (the ``identity`` table) and appends an
``identified`` event with the whole answer (never the secret). What it proves changes the secret:

- an expiry makes the lifetime class evidence: ``short-lived`` when the key expires by its SLA
  deadline (``tracker.sla``), ``long-lived`` when it outlives it or the provider says it never expires;
- admin-level reach (a scope the provider's spec calls admin) raises the severity to ``critical``.

``suggest_owner`` maps an identity to an owner through the config's ``[owners]`` table (exact entries
first, then globs in file order); ``assign_suggested`` applies it with ``tracker.lifecycle.assign``.
Like ``tracker.lifecycle``, functions taking a session add rows and events and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

import sqlalchemy as sa
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.lifecycle import assign
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.models.identity import Identity
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import select
from sqlmodel import Session

IDENTIFIED = "identified"
ADMIN_SEVERITY = "critical"
SHORT_LIVED, LONG_LIVED = "short-lived", "long-lived"


@dataclass(frozen=True, slots=True)
class IdentityFacts:
    """A provider's answer about one secret, as the identify client read it."""

    provider: str
    at: datetime
    principal: str = ""
    account: str = ""
    token_type: str = ""
    scopes: Sequence[str] = ()
    admin_scopes: Sequence[str] = ()
    expires_at: datetime | None = None
    never_expires: bool = False
    evidence: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class IdentityOutcome:
    """What recording one identity changed on the secret."""

    secret_id: int
    lifetime: tuple[str, str]  # (before, after)
    severity: tuple[str, str]
    sla_deadline: datetime
    expires_before_deadline: bool | None  # None: no expiry known
    suggested_owner: str | None


def identity_strings(provider: str, principal: str, account: str) -> list[str]:
    """The names an ``[owners]`` entry can match: ``provider:principal``, then ``provider:account``."""
    return [f"{provider}:{who}" for who in dict.fromkeys((principal, account)) if who]


def suggest_owner(owners: Mapping[str, str], provider: str, principal: str, account: str) -> str | None:
    """The owner for an identity: an exact ``[owners]`` entry first, else the first glob that matches."""
    names = identity_strings(provider, principal, account)
    for name in names:
        if name in owners:
            return owners[name]
    for pattern, owner in owners.items():
        if any(fnmatchcase(name, pattern) for name in names):
            return owner
    return None


def record_identity(session: Session, secret_id: int, facts: IdentityFacts, *, by: str, policy: SlaPolicy,
                    owners: Mapping[str, str]) -> IdentityOutcome:
    """Keep ``facts`` as the secret's identity, act on what they prove, and add an ``identified`` event."""
    secret = session.get(Secret, secret_id)
    if secret is None:
        raise LookupError(f"no secret with id {secret_id}")
    deadline = policy.evaluate(secret, facts.at).deadline
    before = (secret.lifetime, secret.severity)
    expires_early = None if facts.expires_at is None else facts.expires_at <= deadline
    if facts.expires_at is not None:
        secret.lifetime = SHORT_LIVED if expires_early else LONG_LIVED
    elif facts.never_expires:
        secret.lifetime = LONG_LIVED
    if facts.admin_scopes:
        secret.severity = ADMIN_SEVERITY
    owner = suggest_owner(owners, facts.provider, facts.principal, facts.account)
    row = identity_of(session, secret_id) or Identity(secret_id=secret_id, provider=facts.provider,
                                                       identified_at=facts.at)
    previous = f"{row.provider}:{row.principal}" if row.id is not None else None
    row.provider, row.principal, row.account, row.token_type = (
        facts.provider, facts.principal, facts.account, facts.token_type)
    row.scopes, row.admin_scopes = list(facts.scopes), list(facts.admin_scopes)
    row.expires_at, row.never_expires, row.identified_at = facts.expires_at, facts.never_expires, facts.at
    row.suggested_owner, row.evidence = owner, [dict(item) for item in facts.evidence]
    session.add(row)
    session.add(secret)
    detail: dict[str, Any] = {
        "principal": facts.principal, "account": facts.account, "scopes": list(facts.scopes),
        "admin_scopes": list(facts.admin_scopes), "token_type": facts.token_type,
        "expires_at": facts.expires_at.isoformat() if facts.expires_at else None,
        "never_expires": facts.never_expires, "evidence": row.evidence, "suggested_owner": owner,
        "expires_before_sla_deadline": expires_early,
    }
    if before[0] != secret.lifetime:
        detail["lifetime"] = f"{before[0]} -> {secret.lifetime}"
    if before[1] != secret.severity:
        detail["severity"] = f"{before[1]} -> {secret.severity}"
    append_event(session, kind=IDENTIFIED, actor=by, secret_id=secret_id, old_value=previous,
                 new_value=f"{facts.provider}:{facts.principal}", detail=detail, at=facts.at)
    return IdentityOutcome(secret_id, (before[0], secret.lifetime), (before[1], secret.severity), deadline,
                           expires_early, owner)


def assign_suggested(session: Session, secret_id: int, *, by: str) -> str | None:
    """Assign the identity's suggested owner to a secret that has no owner yet; the owner assigned, or
    None (no suggestion, or an owner is already set: people's choices are not overwritten)."""
    row = identity_of(session, secret_id)
    secret = session.get(Secret, secret_id)
    if row is None or secret is None or not row.suggested_owner or secret.owner:
        return None
    assign(session, secret_id, row.suggested_owner, by=by)
    return row.suggested_owner


def identity_of(session: Session, secret_id: int) -> Identity | None:
    return session.execute(select(Identity).where(Identity.secret_id == secret_id)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class IdentityView:
    """A secret's identity for display, with where its expiry stands against the SLA deadline."""

    identity: Identity
    owner: str | None
    sla_deadline: datetime
    expires_before_deadline: bool | None


def load_identity(engine: sa.Engine, secret_id: int, policy: SlaPolicy, now: datetime) -> IdentityView | None:
    """The secret's identity (detached from the session), or None when it was never identified."""
    with Session(engine, expire_on_commit=False) as session:
        row, secret = identity_of(session, secret_id), session.get(Secret, secret_id)
        if row is None or secret is None:
            return None
        deadline = policy.evaluate(secret, now).deadline
        session.expunge_all()
    early = None if row.expires_at is None else row.expires_at <= deadline
    return IdentityView(row, secret.owner, deadline, early)
