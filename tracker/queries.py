"""Read-side queries over the tracker: the secrets as of an instant, places, timelines, verifications.

The only read path for the CLI, the TUI and the notifications, so ``--as-of``, filters and counts mean
one thing everywhere. As of ``now`` a secret exists once exposed (``exposed_at <= now``) and is *open*
unless it has a ``resolved_at`` at or before ``now`` (its current status otherwise): the definition
the metrics use. ``places`` on a secret counts distinct (target, path) pairs; a secret is *shared*
when that is more than one. Lists keep secrets at ``min_confidence`` or above (default medium, see
``tracker.confidence``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, at_least, suggested_resolution
from secret_sprawl.tracker.models.core import Event, Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.models.schedule import Verification
from secret_sprawl.tracker.sla import SlaPolicy, SlaState, SlaStatus
from sqlalchemy import Connection, func, select
from sqlmodel import Session

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class SecretRow:
    secret: Secret
    sla: SlaStatus  # as of the query's ``now``

    @property
    def shared(self) -> bool:
        return self.secret.places > 1

    @property
    def suggestion(self) -> str | None:
        """The resolution the tracker suggests (``used-in-tests``), while the secret is open."""
        s = self.secret
        return suggested_resolution(s.status, s.suggested_status, s.verification_state)

    @property
    def status(self) -> str:
        """The status as of the query's ``now``: open until resolved at or before it."""
        return self.secret.status if self.sla.state == SlaState.RESOLVED else "open"

    @property
    def resolved_at(self) -> datetime | None:
        """When it was resolved, if at or before the query's ``now``."""
        return self.secret.resolved_at if self.sla.state == SlaState.RESOLVED else None


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

    ``status`` and ``sla`` are as of ``now``, like the metrics: a secret resolved after ``now`` is open.
    """
    query = (
        select(Secret).where(Secret.exposed_at <= now, at_least(Secret.confidence, min_confidence))
        .order_by(Secret.exposed_at, Secret.id)
    )
    if provider is not None:
        query = query.where(Secret.provider == provider)
    if target is not None:
        in_target = (
            select(Occurrence.secret_id).join(Target, Target.id == Occurrence.target_id)
            .where(Target.name == target)
        )
        query = query.where(Secret.id.in_(in_target))
    rows = [SecretRow(secret, _status_at(policy, secret, now)) for secret in session.execute(query).scalars()]
    return [row for row in rows if (sla is None or row.sla.state == sla)
            and (status is None or row.status == status)]


SECRET_GROUPS = ("org", "target")


@dataclass(frozen=True, slots=True)
class SecretGroups:
    """Listed secrets per organisation (``host/org``, as the metrics group them) or per target, by name;
    a secret seen in several is listed in each."""

    by: str
    groups: dict[str, list[SecretRow]]


def group_secrets(session: Session, rows: Sequence[SecretRow], by: str) -> SecretGroups:
    """``rows`` (in their order) under each organisation or target they were seen in."""
    from secret_sprawl.tracker.metrics import organisation

    if by not in SECRET_GROUPS:
        raise ValueError(f"group by one of {', '.join(SECRET_GROUPS)}")
    name = organisation if by == "org" else str
    places: dict[int, set[str]] = {}
    seen = select(Occurrence.secret_id, Target.name).join(Target, Target.id == Occurrence.target_id)
    for secret_id, target in session.execute(seen.distinct()):
        places.setdefault(secret_id, set()).add(name(target))
    groups: dict[str, list[SecretRow]] = {}
    for row in rows:
        for key in sorted(places.get(int(row.secret.id or 0), {"(no place)"})):
            groups.setdefault(key, []).append(row)
    return SecretGroups(by, dict(sorted(groups.items())))


def _status_at(policy: SlaPolicy, secret: Secret, now: datetime) -> SlaStatus:
    resolved_at = secret.resolved_at if secret.resolved_at is not None and secret.resolved_at <= now else None
    return policy.status(secret.exposed_at, secret.category, secret.lifetime, now=now,
                         resolved_at=resolved_at, detected_at=secret.first_seen_at)


def secrets_by_id(session: Session, ids: Iterable[int]) -> list[Secret]:
    """The secrets with these ids, in the order given (unknown ids are left out)."""
    return [s for s in (session.get(Secret, i) for i in ids) if s is not None]


def ids_by_fingerprint(session: Session, fingerprints: Iterable[str]) -> dict[str, int]:
    """Tracker ids of the recorded fingerprints among ``fingerprints``."""
    query = select(Secret.fingerprint, Secret.id).where(Secret.fingerprint.in_(list(fingerprints)))
    return {fingerprint: int(secret_id) for fingerprint, secret_id in session.execute(query)}


def may_be_live_ids(session: Session, claimed_dead: Sequence[str]) -> list[int]:
    """Every open secret, and those marked ``claimed_dead`` that no check has yet proven invalid."""
    not_proven_dead = Secret.status.in_(claimed_dead) & (Secret.verification_state != "invalid")
    query = select(Secret.id).where((Secret.status == "open") | not_proven_dead).order_by(Secret.id)
    return [int(i) for i in session.execute(query).scalars()]


def places(session: Session, secret_id: int, *, newest_first: bool = False) -> list[Place]:
    """Where a secret was seen, by target, path and line (or most recently scanned first)."""
    query = (
        select(Occurrence, Target.name)
        .join(Target, Target.id == Occurrence.target_id)
        .where(Occurrence.secret_id == secret_id)
    )
    query = query.order_by(*((Occurrence.last_scan_id.desc(), Occurrence.id.desc()) if newest_first else
                             (Target.name, Occurrence.path, Occurrence.line, Occurrence.id)))
    return [Place(occurrence, name) for occurrence, name in session.execute(query)]


def first_place(session: Session, secret_id: int) -> str:
    """``target:path:line`` of the first recorded occurrence, or ""."""
    place = session.execute(
        select(Target.name, Occurrence.path, Occurrence.line)
        .join(Target, Target.id == Occurrence.target_id)
        .where(Occurrence.secret_id == secret_id)
        .order_by(Occurrence.id)
        .limit(1)
    ).first()
    return f"{place[0]}:{place[1]}:{place[2]}" if place else ""


def occurrence_words(session: Session) -> Iterator[tuple[int, str, str]]:
    """(secret id, target name, path) of every occurrence, in the order they were recorded."""
    query = (select(Occurrence.secret_id, Target.name, Occurrence.path)
             .join(Target, Target.id == Occurrence.target_id).order_by(Occurrence.id))
    yield from session.execute(query)


def timeline(session: Session, secret_id: int) -> list[Event]:
    """The secret's audit events in the order they were recorded."""
    query = select(Event).where(Event.secret_id == secret_id).order_by(Event.id)
    return list(session.execute(query).scalars())


def verifications(session: Session, secret_id: int) -> list[Verification]:
    """The secret's live checks, oldest first."""
    query = select(Verification).where(Verification.secret_id == secret_id)
    return list(session.execute(query.order_by(Verification.at, Verification.id)).scalars())


def open_over_time(
    session: Session, now: datetime, *, months: int, min_confidence: Confidence = DEFAULT_FLOOR
) -> list[tuple[str, int]]:
    """(YYYY-MM, secrets open) at the end of each of the last ``months`` months (the current: at ``now``),
    over secrets at ``min_confidence`` or above."""
    spans = session.execute(select(Secret.exposed_at, Secret.resolved_at)
                            .where(at_least(Secret.confidence, min_confidence))).all()
    return open_counts(spans, now, months=months)


def open_counts(
    spans: Sequence[tuple[datetime, datetime | None]], now: datetime, *, months: int
) -> list[tuple[str, int]]:
    """Open count at each month end given (exposed_at, resolved_at) pairs: open at ``t`` when exposed
    at or before ``t`` and not resolved at or before ``t``."""
    exposed = sorted(start for start, _ in spans)
    resolved = sorted(end for _, end in spans if end is not None)
    points = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(now.year * 12 + now.month - 1 - back, 12)
        label = f"{year:04d}-{month + 1:02d}"
        next_year, next_month = divmod(year * 12 + month + 1, 12)
        instant = min(now, datetime(next_year, next_month + 1, 1, tzinfo=now.tzinfo) - _TICK)
        points.append((label, bisect_right(exposed, instant) - bisect_right(resolved, instant)))
    return points


def change_marker(connection: Connection) -> tuple[Any, ...]:
    """A cheap value (one indexed aggregate per table) that changes whenever what a view shows may have."""
    probes = (
        select(func.max(Event.id)).scalar_subquery(),
        select(func.count(Secret.id)).scalar_subquery(),
        select(func.max(Secret.last_seen_at)).scalar_subquery(),
        select(func.max(Occurrence.id)).scalar_subquery(),
        select(func.max(Scan.id)).scalar_subquery(),
    )
    return tuple(connection.execute(select(*probes)).one())
