"""Record what a scan found: one transaction per target, deduplicated by fingerprint.

``Recorder.record(result)`` upserts the target, creates the scan row on first use, adds new
secrets (``detected`` event) and new occurrences (``new-occurrence`` event for a known secret),
refreshes the ones seen again, keeps ``places`` / ``targets_count`` / ``in_head`` of every touched
secret exact, and writes ``removed-from-head`` when a secret that was at HEAD in this target is no
longer there (its status is untouched: it is still in history and still valid). Everything for a
target commits at once, so a crash or Ctrl-C leaves the tracker as it was before that target.
Every finding is recorded whatever its confidence: each occurrence keeps its finding's confidence
and reasons, and a touched secret's confidence and suggested resolution are recomputed from all its
occurrences (``tracker.confidence``).

What counts as "no longer at HEAD": for git targets, an occurrence the scan reports with
``in_head=False`` (history scans still report removed secrets; an incremental scan that does not
see a place says nothing about it). For directory targets, whose scans always cover everything, an
occurrence the scan did not see any more. Posture findings (CI checks: a message, no secret value)
are not secrets and are not recorded here.

Only ``Finding.fingerprint`` and ``Finding.redacted`` are stored, never ``Finding.secret``. Target names
and error messages go through the URL credential scrubber on the way in, whoever built them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from secret_sprawl.detectors.types import Confidence, Finding, TargetResult
from secret_sprawl.detectors.urls import scrub_text
from secret_sprawl.tracker.audit import EventData, append_events, lock_chain
from secret_sprawl.tracker.confidence import USED_IN_TESTS, best, in_test_path, rank_of, secret_confidence
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.interrupted import mark_interrupted, this_process
from secret_sprawl.tracker.inventory import store_workloads
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import SCAN_STATUSES, Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.notifications import announce_new_secrets
from sqlalchemy import Engine, case, distinct, func, insert, select, update
from sqlmodel import Session

_CHUNK = 2000  # ids per IN (...) list, well under every driver's parameter limit

_Place = tuple[int, str, int, str]  # secret_id, path, line, commit
_Known = dict[str, tuple[int, datetime]]  # fingerprint -> (secret id, exposed_at)


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What recording one target changed."""

    target: str
    scan_id: int
    findings: int
    new_secrets: int
    new_occurrences: int
    removed_from_head: int


class Recorder:
    """Records the targets of one scan; ``finish`` closes the scan row."""

    def __init__(self, engine: Engine, *, trigger: str = "cli", actor: str) -> None:
        self._engine = writer(engine)
        self._trigger = trigger
        self._actor = actor
        self._started_at = utcnow()
        self.scan_id: int | None = None

    def record(self, result: TargetResult) -> RecordOutcome:
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            scan = self._scan(session)
            outcome = _record_target(session, scan, result, self._actor)
        self.scan_id = scan.id
        return outcome

    def finish(self, status: str | None = None) -> Scan:
        """Close the scan: ``completed``, ``completed-with-errors`` if any error, or ``status``."""
        if status is not None and status not in SCAN_STATUSES:
            raise ValueError(f"unknown scan status {status!r}")
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            scan = self._scan(session)
            scan.status = status or ("completed-with-errors" if scan.errors else "completed")
            scan.finished_at = utcnow()
        self.scan_id = scan.id
        return scan

    def _scan(self, session: Session) -> Scan:
        if self.scan_id is not None:
            scan = session.get(Scan, self.scan_id)
            if scan is None:
                raise LookupError(f"scan {self.scan_id} vanished from the tracker")
            return scan
        mark_interrupted(session)
        host, pid = this_process()
        scan = Scan(started_at=self._started_at, trigger=self._trigger, actor=self._actor, host=host, pid=pid)
        session.add(scan)
        session.flush()
        return scan


def last_refs(engine: Engine, target: str) -> dict[str, str] | None:
    """Refs of the target's last completed scan (for ``--incremental``), or None if never scanned."""
    with Session(engine) as session:
        return session.execute(select(Target.last_refs).where(Target.name == target)).scalar()


def _record_target(session: Session, scan: Scan, result: TargetResult, actor: str) -> RecordOutcome:
    result = replace(result, target=scrub_text(result.target))
    lock_chain(session)
    now = utcnow()
    scan_id = _id(scan.id)
    target = _upsert_target(session, result)
    target_id = _id(target.id)
    findings = [f for f in result.findings if f.fingerprint and not f.message]
    by_fingerprint: dict[str, list[Finding]] = {}
    for finding in findings:
        by_fingerprint.setdefault(finding.fingerprint, []).append(finding)

    known = _known_secrets(session, by_fingerprint)
    new_ids = _insert_secrets(session, by_fingerprint, known, now)
    _refresh_known_secrets(session, by_fingerprint, known, now)
    ids = {**{fp: row[0] for fp, row in known.items()}, **new_ids}

    places = _places(findings, ids)
    existing = _target_occurrences(session, target_id)
    was_in_head = {key[0] for key, (_, in_head) in existing.items() if in_head}
    new_places = _write_occurrences(session, places, existing, target_id, scan_id)
    if result.kind == "directory" and result.complete:
        _mark_unseen_out_of_head(session, existing, places)
    now_in_head = {key[0] for key, (_, in_head) in existing.items() if in_head}
    now_in_head |= {key[0] for key, finding in places.items() if finding.provenance.in_head}
    removed = sorted(was_in_head - now_in_head)

    touched = set(ids.values()) | set(removed)
    _refresh_aggregates(session, touched)
    new_secret_ids = set(new_ids.values())
    announce_new_secrets(session, new_secret_ids, trigger=scan.trigger, now=now)  # the outbox, same commit
    first_places = Counter(key[0] for key in new_places if key[0] in new_secret_ids)
    append_events(session, _events(
        actor, scan_id, result.target, by_fingerprint, new_ids, first_places,
        [(key, places[key]) for key in new_places if key[0] not in new_secret_ids], removed,
    ))

    target.kind = result.kind
    target.last_scan_id = scan_id
    if result.complete and result.refs is not None:
        target.last_refs = dict(result.refs)
    _add_to_scan(scan, result, len(findings), len(new_ids))
    if result.complete:
        store_workloads(session, scan_id=scan_id, target=result.target, workloads=result.workloads)
    session.flush()
    return RecordOutcome(result.target, scan_id, len(findings), len(new_ids), len(new_places), len(removed))


def _add_to_scan(scan: Scan, result: TargetResult, findings: int, new_secrets: int) -> None:
    scan.targets = [*scan.targets, result.target]  # JSON columns: assign, do not mutate in place
    scan.files += result.files
    scan.blobs += result.blobs
    scan.bytes += result.bytes
    scan.findings += findings
    scan.new_secrets += new_secrets
    scan.errors = [*scan.errors, *({"target": scrub_text(e.target), "path": e.path,
                                    "message": scrub_text(e.message)} for e in result.errors)]


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id after flush")
    return value


def _upsert_target(session: Session, result: TargetResult) -> Target:
    target = session.execute(select(Target).where(Target.name == result.target)).scalar_one_or_none()
    if target is None:
        target = Target(name=result.target, kind=result.kind)
        session.add(target)
        session.flush()
    return target


def _known_secrets(session: Session, by_fingerprint: dict[str, list[Finding]]) -> _Known:
    known: _Known = {}
    for chunk in _chunks(list(by_fingerprint)):
        query = select(Secret.fingerprint, Secret.id, Secret.exposed_at).where(Secret.fingerprint.in_(chunk))
        known.update({fp: (secret_id, exposed) for fp, secret_id, exposed in session.execute(query)})
    return known


def _insert_secrets(
    session: Session, by_fingerprint: dict[str, list[Finding]], known: _Known, now: datetime
) -> dict[str, int]:
    rows = []
    for fingerprint, group in by_fingerprint.items():
        if fingerprint in known:
            continue
        first = group[0]
        rows.append({
            "fingerprint": fingerprint, "rule_id": first.rule_id, "provider": first.provider,
            "category": first.category, "lifetime": first.lifetime, "severity": first.severity,
            "redacted": first.redacted, "status": "open", "owner": None,
            "exposed_at": _exposed_at(group, now), "first_seen_at": now, "last_seen_at": now,
            "in_head": False, "places": 0, "targets_count": 0, "verification_state": "unverified",
            "inactive_at_discovery": False, "confidence": best([str(f.confidence) for f in group]),
            "suggested_status": None,
        })
    new_ids: dict[str, int] = {}
    for chunk in _chunks(rows):
        returned = session.execute(insert(Secret.__table__).returning(Secret.fingerprint, Secret.id), chunk)
        new_ids.update({fp: secret_id for fp, secret_id in returned})
    return new_ids


def _refresh_known_secrets(
    session: Session, by_fingerprint: dict[str, list[Finding]], known: _Known, now: datetime
) -> None:
    rows = [
        {"id": secret_id, "last_seen_at": now,
         "exposed_at": min(exposed, _exposed_at(by_fingerprint[fp], now))}
        for fp, (secret_id, exposed) in known.items()
    ]
    if rows:
        session.execute(update(Secret), rows)


def _exposed_at(group: Sequence[Finding], now: datetime) -> datetime:
    """Earliest commit time among the findings; a finding outside git was exposed when first seen."""
    return min((f.provenance.committed_at or now for f in group), default=now)


def _places(findings: Iterable[Finding], ids: dict[str, int]) -> dict[_Place, Finding]:
    """One finding per unique place; a place reported twice is at HEAD if either report says so, and
    keeps the more confident report."""
    places: dict[_Place, Finding] = {}
    for finding in findings:
        source = finding.provenance
        key = (ids[finding.fingerprint], source.path, finding.line, source.commit or "")
        seen = places.get(key)
        if seen is None or _weight(finding) > _weight(seen):
            places[key] = finding
    return places


def _weight(finding: Finding) -> tuple[bool, int]:
    return finding.provenance.in_head, Confidence(finding.confidence).rank


def _target_occurrences(session: Session, target_id: int) -> dict[_Place, tuple[int, bool]]:
    """Every occurrence already recorded in this target: place -> (occurrence id, in_head)."""
    query = select(
        Occurrence.secret_id, Occurrence.path, Occurrence.line, Occurrence.commit, Occurrence.id,
        Occurrence.in_head,
    ).where(Occurrence.target_id == target_id)
    return {(s, p, ln, c): (occ_id, bool(h)) for s, p, ln, c, occ_id, h in session.execute(query)}


def _write_occurrences(
    session: Session, places: dict[_Place, Finding], existing: dict[_Place, tuple[int, bool]],
    target_id: int, scan_id: int,
) -> list[_Place]:
    """Insert new places, refresh known ones; returns the new places."""
    inserts, updates, new_places = [], [], []
    for key, finding in places.items():
        fields = _occurrence_fields(finding)
        if key in existing:
            updates.append({"id": existing[key][0], "last_scan_id": scan_id, **fields})
            existing[key] = (existing[key][0], fields["in_head"])
        else:
            new_places.append(key)
            inserts.append({
                "secret_id": key[0], "target_id": target_id, "path": key[1], "line": key[2],
                "commit": key[3], "first_scan_id": scan_id, "last_scan_id": scan_id, **fields,
            })
    for chunk in _chunks(inserts):
        session.execute(insert(Occurrence.__table__), chunk)
    if updates:
        session.execute(update(Occurrence), updates)
    return new_places


def _occurrence_fields(finding: Finding) -> dict[str, Any]:
    source = finding.provenance
    return {
        "column": finding.column, "location_kind": source.location_kind, "committed_at": source.committed_at,
        "author": source.author, "blob_id": source.blob_id, "in_head": source.in_head,
        "confidence": str(finding.confidence), "reasons": list(finding.reasons),
    }


def _mark_unseen_out_of_head(
    session: Session, existing: dict[_Place, tuple[int, bool]], places: dict[_Place, Finding]
) -> None:
    gone = [key for key, (_, in_head) in existing.items() if in_head and key not in places]
    if gone:
        session.execute(update(Occurrence), [{"id": existing[key][0], "in_head": False} for key in gone])
    for key in gone:
        existing[key] = (existing[key][0], False)


def _refresh_aggregates(session: Session, secret_ids: set[int]) -> None:
    """Recompute places (distinct target+path), targets_count, in_head, confidence and the suggested
    resolution from the occurrences."""
    for chunk in _chunks(sorted(secret_ids)):
        per_place = (
            select(
                Occurrence.secret_id, Occurrence.target_id,
                func.max(case((Occurrence.in_head, 1), else_=0)).label("head"),
                func.max(rank_of(Occurrence.confidence)).label("rank"),
                func.min(in_test_path(Occurrence.reasons)).label("tests"),
            )
            .where(Occurrence.secret_id.in_(chunk))
            .group_by(Occurrence.secret_id, Occurrence.target_id, Occurrence.path)
            .subquery()
        )
        query = select(
            per_place.c.secret_id, func.count(), func.count(distinct(per_place.c.target_id)),
            func.max(per_place.c.head), func.max(per_place.c.rank), func.min(per_place.c.tests),
            Secret.verification_state,
        ).join(Secret, Secret.id == per_place.c.secret_id).group_by(per_place.c.secret_id,
                                                                     Secret.verification_state)
        rows = [
            {"id": secret_id, "places": places, "targets_count": targets, "in_head": bool(head),
             "confidence": secret_confidence(rank, verified),
             "suggested_status": USED_IN_TESTS if tests else None}
            for secret_id, places, targets, head, rank, tests, verified in session.execute(query)
        ]
        if rows:
            session.execute(update(Secret), rows)


def _events(
    actor: str, scan_id: int, target: str, by_fingerprint: dict[str, list[Finding]],
    new_ids: dict[str, int], first_places: Counter[int], new_places: list[tuple[_Place, Finding]],
    removed: list[int],
) -> Iterator[EventData]:
    for fingerprint, secret_id in new_ids.items():
        first = by_fingerprint[fingerprint][0]
        # "occurrences": how many places the secret was first recorded at, so a replay of the events
        # alone can count every occurrence row (each later one has its own new-occurrence event).
        yield EventData(
            kind="detected", actor=actor, secret_id=secret_id, scan_id=scan_id, new_value="open",
            detail={"target": target, **_where(first), "rule_id": first.rule_id,
                    "occurrences": first_places[secret_id]},
        )
    for (secret_id, *_), finding in new_places:
        yield EventData(kind="new-occurrence", actor=actor, secret_id=secret_id, scan_id=scan_id,
                        detail={"target": target, **_where(finding)})
    for secret_id in removed:
        yield EventData(kind="removed-from-head", actor=actor, secret_id=secret_id, scan_id=scan_id,
                        detail={"target": target})


def _where(finding: Finding) -> dict[str, Any]:
    return {"path": finding.provenance.path, "line": finding.line, "commit": finding.provenance.commit}


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
