"""The scan history (``sprawl scans list``): each scan with its targets, time, duration, status and counts.

``result`` is the run-result vocabulary (``tracker.run_result.classify``) for finished scans, from what
the scan row keeps: its findings (at any confidence) and the targets that could not be read at all (an
error naming the target with no path); a running or interrupted scan has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from secret_sprawl.tracker.models.core import Scan, ScanStatus
from secret_sprawl.tracker.run_result import RunResult, classify
from sqlalchemy import Text, cast, select
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class ScanRow:
    id: int
    targets: list[str]
    started_at: datetime
    finished_at: datetime | None
    status: str
    result: RunResult | None
    trigger: str
    findings: int
    new_secrets: int
    errors: int

    @property
    def duration_s(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


def list_scans(session: Session, *, target: str | None = None, limit: int = 50) -> list[ScanRow]:
    """The newest ``limit`` scans (of ``target`` when given: a scan that recorded it), newest first."""
    query = select(Scan).order_by(Scan.started_at.desc(), Scan.id.desc())
    if target is not None:
        # ``targets`` is a JSON list kept as text: match the name as JSON writes it, then exactly here.
        as_text = cast(Scan.__table__.c.targets, Text)
        query = query.where(as_text.contains(json.dumps(target), autoescape=True))
    rows: list[ScanRow] = []
    for batch in _batches(session, query, limit):
        rows += [_row(scan) for scan in batch if target is None or target in (scan.targets or [])]
        if len(rows) >= limit:
            break
    return rows[:limit]


def _batches(session: Session, query, limit: int):
    offset, size = 0, max(limit, 100)
    while True:
        batch = list(session.execute(query.offset(offset).limit(size)).scalars())
        if not batch:
            return
        yield batch
        offset += size


def _row(scan: Scan) -> ScanRow:
    errors = scan.errors or []
    return ScanRow(int(scan.id or 0), list(scan.targets or []), scan.started_at, scan.finished_at,
                   scan.status, _result(scan, errors), scan.trigger, scan.findings, scan.new_secrets,
                   len(errors))


def _result(scan: Scan, errors: list[dict]) -> RunResult | None:
    if scan.status in (ScanStatus.RUNNING, ScanStatus.INTERRUPTED):
        return None
    unreadable = {e.get("target") for e in errors if not e.get("path")}  # the target itself, not a file
    failed = [target in unreadable for target in scan.targets or []]
    if scan.status == ScanStatus.FAILED and not any(failed):
        failed = [True]  # it stopped before recording its targets
    return classify(failed, scan.findings)
