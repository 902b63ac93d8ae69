"""A small, fixed tracker database for the TUI tests: six synthetic secrets with known SLA states.

Everything has fixed timestamps so snapshots are stable with ``AS_OF``. Fingerprints are hashes of
obviously fake strings; no credential appears anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models import Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.models.schedule import Schedule, Verification
from sqlmodel import Session

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TARGETS = ("github.com/acme/agents", "github.com/acme/infra")


@dataclass(frozen=True)
class Spec:
    provider: str
    rule_id: str
    category: str
    exposed: datetime
    places: tuple[tuple[int, str, int, bool], ...]  # (target index, path, line, in HEAD)
    status: str = "open"
    resolved: datetime | None = None
    owner: str | None = None
    live_check: bool = False  # a live verification answered 200 the night it was found


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


# Ids are 1..6 in this order. As of AS_OF: #1 breached, #2 approaching, #3 and #5 within, #4 and #6 resolved.
SPECS = (
    Spec("openai", "openai-project-key", "ai", _at("2026-01-10T09:00"),
         ((0, "agents/.env", 3, True), (1, "deploy/values.yaml", 12, False)), live_check=True),
    Spec("anthropic", "anthropic-api-key", "ai", _at("2026-02-05T10:30"),
         ((0, "notebooks/eval.ipynb", 7, True),)),
    Spec("huggingface", "huggingface-token", "ai", _at("2026-02-20T08:00"),
         ((0, "train/config.py", 21, True),), owner="ml-platform"),
    Spec("aws", "aws-access-key-id", "cloud", _at("2026-01-02T12:00"), ((1, "terraform/main.tf", 4, False),),
         status="revoked", resolved=_at("2026-01-20T12:00")),
    Spec("github", "github-fine-grained-pat", "scm", _at("2026-02-25T16:45"),
         ((0, ".github/workflows/ci.yml", 30, True),)),
    Spec("gcp", "gcp-service-account-key", "cloud", _at("2025-12-01T07:00"), ((1, "keys/sa.json", 1, False),),
         status="rotated", resolved=_at("2026-01-15T07:00")),
)


def fingerprint(index: int) -> str:
    return hashlib.sha256(f"synthetic-test-secret-{index}".encode()).hexdigest()


def build(url: str) -> sa.Engine:
    """Create the database at ``url`` and fill it with SPECS, their occurrences and audit events."""
    engine = open_database(url)
    with Session(engine) as session:
        scan = Scan(started_at=_at("2026-02-26T02:00"), finished_at=_at("2026-02-26T02:05"),
                    status="completed", targets=list(TARGETS), trigger="schedule:nightly", actor="scheduler")
        session.add(scan)
        targets = [Target(name=name, kind="git", created_at=_at("2025-11-01T00:00")) for name in TARGETS]
        session.add_all(targets)
        session.flush()
        for index, spec in enumerate(SPECS, start=1):
            secret = Secret(
                fingerprint=fingerprint(index), rule_id=spec.rule_id, provider=spec.provider,
                category=spec.category, lifetime="long-lived", redacted=f"fake…{index:02d} (40 chars)",
                status=spec.status, owner=spec.owner, exposed_at=spec.exposed, first_seen_at=scan.started_at,
                last_seen_at=scan.started_at, resolved_at=spec.resolved, places=len(spec.places),
                targets_count=len({place[0] for place in spec.places}),
                in_head=any(place[3] for place in spec.places),
            )
            session.add(secret)
            session.flush()
            for target_index, path, line, in_head in spec.places:
                session.add(Occurrence(
                    secret_id=secret.id, target_id=targets[target_index].id, path=path, line=line,
                    location_kind="source", commit=f"{index:02d}c0ffee{target_index}",
                    committed_at=spec.exposed, author="dev@example.invalid", in_head=in_head,
                    first_scan_id=scan.id, last_scan_id=scan.id,
                ))
            append_event(session, kind="detected", actor="scheduler", secret_id=secret.id, scan_id=scan.id,
                         new_value="open", at=scan.started_at)
            if spec.live_check:
                _live_check(session, secret, scan.id)
            if spec.owner:
                append_event(session, kind="assigned", actor="alice", secret_id=secret.id,
                             new_value=spec.owner, at=_at("2026-02-27T09:00"))
            if spec.resolved:
                append_event(session, kind="status-changed", actor="alice", secret_id=secret.id,
                             old_value="open", new_value=spec.status, at=_at("2026-02-27T10:00"),
                             detail={"resolved_at": spec.resolved.isoformat(), "note": None})
        session.add(Schedule(name="nightly", cron="0 2 * * *", targets=list(TARGETS), verify=True,
                             created_at=_at("2025-11-01T00:00"), last_run_at=scan.started_at,
                             last_scan_id=scan.id, last_status="ok"))
        session.commit()
    return engine


def _live_check(session: Session, secret: Secret, scan_id: int | None) -> None:
    """A verification that found the key live, and a note someone left after it."""
    checked = _at("2026-02-26T02:04")
    session.add(Verification(secret_id=secret.id, at=checked, state="live", http_status=200,
                             provider=secret.provider, endpoint="https://api.example.invalid/v1/models"))
    secret.verification_state, secret.verified_at, secret.verification_status_code = "live", checked, 200
    secret.confidence = "high"  # a key proved live is high (tracker.confidence)
    session.add(secret)
    append_event(session, kind="verified", actor="scheduler", secret_id=secret.id, scan_id=scan_id,
                 old_value="unverified", new_value="live", at=checked,
                 detail={"http_status": 200, "provider": secret.provider})
    append_event(session, kind="note", actor="alice", secret_id=secret.id, at=_at("2026-02-27T08:30"),
                 new_value="paged the agents team")
