"""Identify tracked secrets and record the answers: re-read each value (as ``sprawl verify`` does), ask
its provider, hand the tracker the identity only, and apply the ``[owners]`` table when asked to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secret_sprawl.detectors.engine import Engine as RuleEngine
from secret_sprawl.detectors.identity import IdentityCatalog
from secret_sprawl.detectors.verification import VerifierCatalog
from secret_sprawl.scanner.identify.client import IDENTIFIED, Identifier, Identity
from secret_sprawl.scanner.verify.service import Item, reread_items
from secret_sprawl.tracker import queries
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.identity import IdentityFacts, IdentityOutcome, assign_suggested, record_identity
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import Engine
from sqlmodel import Session

Skipped = tuple[int, str, str]  # secret id, redacted, why it was not identified


@dataclass(frozen=True, slots=True)
class Identified:
    """One secret asked about: the provider's answer and, when identified, what recording it changed."""

    secret_id: int
    redacted: str
    identity: Identity
    outcome: IdentityOutcome | None = None
    assigned: str | None = None  # the owner assigned from [owners] (with --assign)
    owner: str | None = None  # the secret's owner after this run


def open_ids(db: Engine) -> list[int]:
    """Every open secret."""
    with Session(db) as session:
        return queries.may_be_live_ids(session, ())


def identify_items(db: Engine, rules: RuleEngine, identities: IdentityCatalog, verifiers: VerifierCatalog,
                   ids: Sequence[int], fingerprint_key: bytes | None) -> tuple[list[Item], list[Skipped]]:
    """Requests for the identifiable ones among ``ids``, each value read afresh from its blob."""
    with Session(db) as session:
        secrets = queries.secrets_by_id(session, ids)
    wanted = [int(s.id or 0) for s in secrets if identities.spec_for(s.provider, s.rule_id) is not None]
    skipped = [(int(s.id or 0), s.redacted, f"no identity calls for {s.rule_id}") for s in secrets
               if identities.spec_for(s.provider, s.rule_id) is None]
    items, unreadable = reread_items(db, rules, verifiers, wanted, fingerprint_key)
    return items, skipped + unreadable


def identify_and_record(
    db: Engine, identifier: Identifier, items: Sequence[Item], *, by: str, policy: SlaPolicy,
    owners: Mapping[str, str], assign_owners: bool,
) -> list[Identified]:
    """Ask the providers, then record every identity (and, with ``assign_owners``, the owners) at once."""
    answers = identifier.run([request for _, request in items])
    done: list[Identified] = []
    with Session(writer(db)) as session:
        secrets = {s.id: s for s in queries.secrets_by_id(session, [i for i, _ in items])}
        for (secret_id, _), identity in zip(items, answers, strict=True):
            secret = secrets[secret_id]
            if identity.state != IDENTIFIED:
                done.append(Identified(secret_id, secret.redacted, identity, owner=secret.owner))
                continue
            outcome = record_identity(session, secret_id, facts(identity), by=by, policy=policy,
                                      owners=owners)
            assigned = assign_suggested(session, secret_id, by=by) if assign_owners else None
            done.append(Identified(secret_id, secret.redacted, identity, outcome, assigned, secret.owner))
        session.commit()
    return done


def facts(identity: Identity) -> IdentityFacts:
    """The tracker's view of an identity: the fields and the evidence (one entry per call), as plain data."""
    evidence = [{"call": e.call, "endpoint": e.endpoint, "http_status": e.http_status, "at": e.at.isoformat(),
                 **({"note": e.note} if e.note else {})} for e in identity.evidence]
    return IdentityFacts(
        provider=identity.provider, at=identity.evidence[-1].at, principal=identity.principal,
        account=identity.account, token_type=identity.token_type, scopes=identity.scopes,
        admin_scopes=identity.admin_scopes, expires_at=identity.expires_at,
        never_expires=identity.never_expires, evidence=evidence,
    )
