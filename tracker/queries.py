"""Read-side queries over the tracker: filtered secret lists with SLA state, occurrences, timelines.

Shared by the CLI and the TUI so both show the same thing. ``places`` on a secret counts distinct
(target, path) pairs; a secret is *shared* when that is more than one. Lists keep secrets at
``min_confidence`` or above (default medium, see ``tracker.confidence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, at_least, suggested_resolution
from secret_sprawl.tracker.models.core import Event, Occurrence, Secret, Target
from secret_sprawl.tracker.sla import SlaPolicy, SlaStatus
from sqlalchemy import select
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class SecretRow:
    secret: Secret
    sla: SlaStatus

    @property
    def shared(self) -> bool:
        return self.secret.places > 1

    @property
    def suggestion(self) -> str | None:
        """The resolution the tracker suggests (``used-in-tests``), while the secret is open."""
        s = self.secret
        return suggested_resolution(s.status, s.suggested_status, s.verification_state)


@dataclass(frozen=True, slots=True)
class Place:
    occurrence: Occurrence
    target: str


def list_secrets(
    session: Session,
    policy: SlaPolicy,
    *,
    now: datetime,
    status: str | None = None,
    sla: str | None = None,
    provider: str | None = None,
    target: str | None = None,
    min_confidence: Confidence = DEFAULT_FLOOR,
) -> list[SecretRow]:
    """Secrets exposed by ``now`` that match every filter, oldest exposure first, with their SLA status.

    The SLA status is as of ``now``, like the metrics: a secret resolved after ``now`` counts as open.
    """
    query = (
        select(Secret).where(Secret.exposed_at <= now, at_least(Secret.confidence, min_confidence))
        .order_by(Secret.exposed_at, Secret.id)
    )
    if status is not None:
        query = query.where(Secret.status == status)
    if provider is not None:
        query = query.where(Secret.provider == provider)
    if target is not None:
        in_target = (
            select(Occurrence.secret_id).join(Target, Target.id == Occurrence.target_id)
            .where(Target.name == target)
        )
        query = query.where(Secret.id.in_(in_target))
    rows = [SecretRow(secret, _status_at(policy, secret, now)) for secret in session.execute(query).scalars()]
    return [row for row in rows if sla is None or row.sla.state == sla]


def _status_at(policy: SlaPolicy, secret: Secret, now: datetime) -> SlaStatus:
    resolved_at = secret.resolved_at if secret.resolved_at is not None and secret.resolved_at <= now else None
    return policy.status(secret.exposed_at, secret.category, secret.lifetime, now=now,
                         resolved_at=resolved_at)


def places(session: Session, secret_id: int) -> list[Place]:
    """Where a secret was seen, by target, path and line."""
    query = (
        select(Occurrence, Target.name)
        .join(Target, Target.id == Occurrence.target_id)
        .where(Occurrence.secret_id == secret_id)
        .order_by(Target.name, Occurrence.path, Occurrence.line, Occurrence.id)
    )
    return [Place(occurrence, name) for occurrence, name in session.execute(query)]


def timeline(session: Session, secret_id: int) -> list[Event]:
    """The secret's audit events in the order they were recorded."""
    query = select(Event).where(Event.secret_id == secret_id).order_by(Event.id)
    return list(session.execute(query).scalars())
