"""The notification outbox, written side: each notice is added in the transaction of the change it announces.

Kinds: ``new-secret`` (recording a target), ``sla`` approaching/breached (the SLA sweep),
``revocation-detected`` / ``revocation-disproved`` (verification), ``scan-failed`` (a scheduled run that
failed in part or in full). Each notice is one row per destination: ``global`` (the config's webhook,
which hears everything) and ``schedule:<name>`` for each schedule with its own webhook whose targets the
notice is about. A schedule's targets are the ones it lists plus the ones its last run scanned (an
organisation target expands to repositories). (secret, kind, state, destination) is announced once.
``tracker.outbox`` keeps the delivery state; ``scanner.notify`` delivers. Notices carry the redacted
preview, a fingerprint prefix, the location and the age: never a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR
from secret_sprawl.tracker.models.core import Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.models.schedule import Notification, Schedule
from secret_sprawl.tracker.sla import SlaPolicy, SlaState
from sqlalchemy import func, insert, select
from sqlmodel import Session

GLOBAL = "global"
NEW_SECRET, SLA, SCAN_FAILED = "new-secret", "sla", "scan-failed"
FINGERPRINT_PREFIX = 12
_CHUNK = 1000  # rows or ids per statement, well under every driver's parameter limit
SCHEDULE_PREFIX = "schedule:"
REVOCATION_KINDS = ("revocation-detected", "revocation-disproved")  # tracker.verification's transitions
SECRET_KINDS = (NEW_SECRET, SLA, *REVOCATION_KINDS)  # the kinds about one secret


def schedule_destination(name: str) -> str:
    return SCHEDULE_PREFIX + name


def announce_new_secrets(session: Session, secret_ids: Iterable[int], *, trigger: str, now: datetime) -> int:
    """New-secret notices for ``secret_ids`` (just recorded by a scan started by ``trigger``); secrets
    below the default confidence floor (placeholders, fixtures) are not announced."""
    secrets = _secrets(session, secret_ids)
    secrets = [s for s in secrets if Confidence(s.confidence).rank >= DEFAULT_FLOOR.rank]
    if not secrets:
        return 0
    routes = _Routes(session)
    own = trigger.removeprefix(SCHEDULE_PREFIX) if trigger.startswith(SCHEDULE_PREFIX) else None
    places, targets = _first_places(session, [_id(s) for s in secrets]), _targets_of(session, secrets)
    return _add(session, NEW_SECRET, [
        ("open", _id(secret), _secret_detail(secret, places.get(_id(secret), ""), now),
         routes.destinations(targets.get(_id(secret), set()), own))
        for secret in secrets], now)


def announce_revocation(session: Session, secret: Secret, transition: str, *, at: datetime,
                        evidence: dict[str, Any]) -> int:
    """A revocation detected or disproved by a live check of ``secret``."""
    detail = {**_secret_detail(secret, _first_places(session, [_id(secret)]).get(_id(secret), ""), at),
              "endpoint": evidence.get("endpoint", ""), "http_status": evidence.get("http_status")}
    targets = _targets_of(session, [secret]).get(_id(secret), set())
    return _add(session, transition, [(at.isoformat(), _id(secret), detail,
                                        _Routes(session).destinations(targets, None))], at)


def announce_scan_failed(session: Session, schedule: str, *, scan_id: int | None, result: str, error: str,
                         at: datetime, failed: int = 0, targets: int = 0) -> int:
    """A scheduled run that could not scan ``failed`` of its ``targets`` (or stopped with ``error``)."""
    detail = {"schedule": schedule, "scan_id": scan_id, "result": result, "error": error,
              "failed_targets": failed, "targets": targets, "at": at.isoformat()}
    return _add(session, SCAN_FAILED, [(f"{schedule}@{at.isoformat()}", None, detail,
                                        _Routes(session).destinations(set(), schedule))], at)


def sweep_sla(session: Session, policy: SlaPolicy, now: datetime) -> int:
    """Notices for open secrets that entered the SLA's approaching or breached state (once per state)."""
    from secret_sprawl.tracker.queries import list_secrets

    rows = [row for row in list_secrets(session, policy, now=now, status="open")
            if row.sla.state in (SlaState.APPROACHING, SlaState.BREACHED)]
    if not rows:
        return 0
    secrets = [row.secret for row in rows]
    routes, targets = _Routes(session), _targets_of(session, secrets)
    places = _first_places(session, [_id(s) for s in secrets])
    return _add(session, SLA, [
        (str(row.sla.state), _id(row.secret),
         {**_secret_detail(row.secret, places.get(_id(row.secret), ""), now),
          "deadline": row.sla.deadline.isoformat()},
         routes.destinations(targets.get(_id(row.secret), set()), None))
        for row in rows], now)


class _Routes:
    """Which destinations hear about which targets: ``global`` always, each schedule with a webhook
    for its own targets (listed, or scanned by its last run)."""

    def __init__(self, session: Session) -> None:
        schedules = list(session.execute(select(Schedule).where(Schedule.notify_url.is_not(None))).scalars())
        scans = {s.last_scan_id for s in schedules if s.last_scan_id is not None}
        scanned = dict(session.execute(select(Scan.id, Scan.targets).where(Scan.id.in_(scans))).all())
        self._covered = {s.name: set(s.targets) | set(scanned.get(s.last_scan_id) or ()) for s in schedules}

    def destinations(self, targets: set[str], schedule: str | None) -> list[str]:
        return [GLOBAL, *(schedule_destination(name) for name, covered in self._covered.items()
                          if name == schedule or targets & covered)]


# (state, secret_id, detail, destinations) of one notice of some kind
_Notice = tuple[str, int | None, dict[str, Any], list[str]]


def _add(session: Session, kind: str, notices: list[_Notice], at: datetime) -> int:
    """Insert each notice once per destination not announced to before, in one statement per chunk."""
    announced = _announced(session, kind, notices)
    rows = [{"secret_id": secret_id, "kind": kind, "state": state, "destination": destination,
             "detail": detail, "created_at": at, "status": "pending", "attempts": 0}
            for state, secret_id, detail, destinations in notices
            for destination in destinations if (secret_id, state, destination) not in announced]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(Notification), rows[start:start + _CHUNK])
    return len(rows)


def _announced(session: Session, kind: str, notices: list[_Notice]) -> set[tuple[int | None, str, str]]:
    """(secret_id, state, destination) of the notices of ``kind`` already in the outbox for these."""
    ids = sorted({secret_id for _, secret_id, _, _ in notices if secret_id is not None})
    states = sorted({state for state, secret_id, _, _ in notices if secret_id is None})
    columns = select(Notification.secret_id, Notification.state, Notification.destination).where(
        Notification.kind == kind)
    found: set[tuple[int | None, str, str]] = set()
    for chunk in _chunks(ids):
        found.update(session.execute(columns.where(Notification.secret_id.in_(chunk))).all())
    if states:
        found.update(session.execute(columns.where(Notification.secret_id.is_(None),
                                                   Notification.state.in_(states))).all())
    return found


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _secret_detail(secret: Secret, location: str, now: datetime) -> dict[str, Any]:
    return {
        "provider": secret.provider,
        "rule_id": secret.rule_id,
        "redacted": secret.redacted,
        "fingerprint_prefix": secret.fingerprint[:FINGERPRINT_PREFIX],
        "location": location,
        "age_days": round((now - secret.exposed_at).total_seconds() / 86_400, 2),
        "status": secret.status,
        "confidence": secret.confidence,
        "at": now.isoformat(),
    }


def _secrets(session: Session, ids: Iterable[int]) -> list[Secret]:
    query = select(Secret).order_by(Secret.id)
    return [secret for chunk in _chunks(sorted(set(ids)))
            for secret in session.execute(query.where(Secret.id.in_(chunk))).scalars()]


def _first_places(session: Session, ids: list[int]) -> dict[int, str]:
    """``target:path:line`` of each secret's first recorded occurrence."""
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        first = (select(func.min(Occurrence.id)).where(Occurrence.secret_id.in_(chunk))
                 .group_by(Occurrence.secret_id))
        query = (select(Occurrence.secret_id, Target.name, Occurrence.path, Occurrence.line)
                 .join(Target, Target.id == Occurrence.target_id).where(Occurrence.id.in_(first)))
        found.update({secret_id: f"{name}:{path}:{line}"
                      for secret_id, name, path, line in session.execute(query)})
    return found


def _targets_of(session: Session, secrets: Iterable[Secret]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for chunk in _chunks([_id(s) for s in secrets]):
        query = (select(Occurrence.secret_id, Target.name).join(Target, Target.id == Occurrence.target_id)
                 .where(Occurrence.secret_id.in_(chunk)).distinct())
        for secret_id, name in session.execute(query):
            found.setdefault(secret_id, set()).add(name)
    return found


def _id(secret: Secret) -> int:
    if secret.id is None:
        raise RuntimeError("secret has no id")
    return secret.id
