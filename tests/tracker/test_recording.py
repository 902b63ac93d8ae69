"""Recording scan results: dedupe, shared counts, re-scan idempotence, HEAD tracking, scan rows."""

from __future__ import annotations

from secret_sprawl.detectors.types import Finding, Provenance, ScanError
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.models.core import Event, Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.recording import Recorder, last_refs
from sqlalchemy import func, select
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result, run_in_threads


def _secret(session: Session, value: str) -> Secret:
    return session.execute(select(Secret).where(Secret.fingerprint == fingerprint_of(value))).scalar_one()


def _kinds(session: Session, secret_id: int) -> list[str]:
    return list(
        session.execute(select(Event.kind).where(Event.secret_id == secret_id).order_by(Event.id)).scalars()
    )


def test_dedupes_by_fingerprint_and_counts_shared_places(engine):
    shared, alone = fake_secret(), fake_secret()
    recorder = Recorder(engine, actor="tester")
    first = recorder.record(
        result(
            "repo-a",
            [
                finding(shared, path="a/.env", committed_at=at("2025-03-01T10:00:00")),
                finding(shared, path="b/config.py", line=7, committed_at=at("2025-02-01T09:30:00")),
                finding(alone, path="a/.env", line=2, committed_at=at("2025-03-01T10:00:00")),
            ],
        )
    )
    second = recorder.record(
        result("repo-b", [finding(shared, target="repo-b", committed_at=at("2025-04-01"))])
    )
    recorder.finish()

    assert (first.new_secrets, first.new_occurrences) == (2, 3)
    assert (second.new_secrets, second.new_occurrences) == (0, 1)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Secret)).scalar() == 2
        s = _secret(session, shared)
        assert (s.places, s.targets_count) == (3, 2)
        assert s.exposed_at == at("2025-02-01T09:30:00")  # earliest commit over all occurrences
        a = _secret(session, alone)
        assert (a.places, a.targets_count) == (1, 1)
        assert _kinds(session, s.id) == ["detected", "new-occurrence"]
        assert first_break(session) is None


def test_rescan_adds_no_duplicates_and_only_new_places(engine):
    value = fake_secret()
    scan = [finding(value, committed_at=at("2025-01-05"))]
    Recorder(engine, actor="t").record(result("repo-a", scan))
    again = Recorder(engine, actor="t")
    outcome = again.record(result("repo-a", scan))
    assert (outcome.new_secrets, outcome.new_occurrences, outcome.removed_from_head) == (0, 0, 0)
    more = again.record(
        result("repo-a", [*scan, finding(value, path="docs/setup.md", line=4, committed_at=at("2025-01-09"))])
    )
    assert more.new_occurrences == 1
    with Session(engine) as session:
        secret = _secret(session, value)
        occurrences = (
            session.execute(select(Occurrence).where(Occurrence.secret_id == secret.id)).scalars().all()
        )
        assert len(occurrences) == 2
        first = next(o for o in occurrences if o.path == "app/.env")
        assert first.first_scan_id == 1 and first.last_scan_id == 2
        assert _kinds(session, secret.id) == ["detected", "new-occurrence"]
        assert secret.places == 2


def test_secret_removed_from_head_stays_open(engine):
    value = fake_secret()
    Recorder(engine, actor="t").record(result("repo-a", [finding(value, committed_at=at("2025-01-05"))]))
    outcome = Recorder(engine, actor="t").record(
        result("repo-a", [finding(value, committed_at=at("2025-01-05"), in_head=False)])
    )
    assert outcome.removed_from_head == 1
    with Session(engine) as session:
        secret = _secret(session, value)
        assert secret.status == "open" and secret.resolved_at is None
        assert secret.in_head is False
        assert _kinds(session, secret.id) == ["detected", "removed-from-head"]
    # Seeing it out of HEAD again is not another removal.
    assert (
        Recorder(engine, actor="t")
        .record(result("repo-a", [finding(value, committed_at=at("2025-01-05"), in_head=False)]))
        .removed_from_head
        == 0
    )


def test_directory_target_treats_unseen_place_as_removed(engine):
    value = fake_secret()
    Recorder(engine, actor="t").record(result("/srv/app", [finding(value, commit=None)], kind="directory"))
    outcome = Recorder(engine, actor="t").record(result("/srv/app", [], kind="directory"))
    assert outcome.removed_from_head == 1
    with Session(engine) as session:
        assert _secret(session, value).in_head is False


def test_incomplete_git_scan_does_not_claim_removal(engine):
    value = fake_secret()
    Recorder(engine, actor="t").record(result("repo-a", [finding(value)]))
    outcome = Recorder(engine, actor="t").record(result("repo-a", [], complete=False))
    assert outcome.removed_from_head == 0


def test_file_outside_git_is_exposed_when_first_seen(engine):
    value = fake_secret()
    recorder = Recorder(engine, actor="t")
    recorder.record(result("/srv/app", [finding(value, commit=None)], kind="directory"))
    with Session(engine) as session:
        secret = _secret(session, value)
        assert secret.exposed_at == secret.first_seen_at
        assert secret.exposed_at.tzinfo is not None


def test_scan_row_counts_errors_and_refs(engine):
    recorder = Recorder(engine, trigger="schedule:nightly", actor="bot")
    recorder.record(result("repo-a", [finding(fake_secret())], refs={"refs/heads/main": "a" * 40}))
    recorder.record(
        result(
            "repo-b",
            [],
            refs={"refs/heads/main": "b" * 40},
            complete=False,
            errors=[ScanError("repo-b", "", "remote unreachable")],
        )
    )
    scan = recorder.finish()
    assert scan.status == "completed-with-errors"
    assert scan.targets == ["repo-a", "repo-b"]
    assert (scan.files, scan.findings, scan.new_secrets) == (6, 1, 1)
    assert scan.errors == [{"target": "repo-b", "path": "", "message": "remote unreachable"}]
    assert scan.finished_at is not None and scan.trigger == "schedule:nightly"
    assert last_refs(engine, "repo-a") == {"refs/heads/main": "a" * 40}
    assert last_refs(engine, "repo-b") is None  # incomplete: nothing to be incremental against
    assert last_refs(engine, "never-scanned") is None


def test_finish_without_targets_and_explicit_failure(engine):
    recorder = Recorder(engine, actor="t")
    assert recorder.finish("failed").status == "failed"
    assert Recorder(engine, actor="t").finish().status == "completed"
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Scan)).scalar() == 2


def test_posture_findings_are_not_secrets(engine):
    posture = Finding(
        rule_id="gha-static-aws-keys",
        provider="github-actions",
        category="ci",
        lifetime="unknown",
        severity="high",
        fingerprint="f" * 64,
        redacted="AWS_SECRET_ACCESS_KEY",
        provenance=Provenance(target="repo-a", path=".github/workflows/ci.yml"),
        line=3,
        column=1,
        message="static AWS keys in CI",
        fix="use OIDC",
    )
    outcome = Recorder(engine, actor="t").record(result("repo-a", [posture]))
    assert outcome.findings == 0
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Secret)).scalar() == 0
        assert session.execute(select(Target.name)).scalars().all() == ["repo-a"]


def test_concurrent_scans_finding_the_same_new_secret(engine):
    value = fake_secret()
    def scan(target: str) -> None:
        Recorder(engine, actor=target).record(result(target, [finding(value, target=target)]))

    assert run_in_threads(scan, [f"repo-{n}" for n in range(3)]) == []
    with Session(engine) as session:
        secret = _secret(session, value)
        assert (secret.places, secret.targets_count) == (3, 3)
        assert _kinds(session, secret.id) == ["detected", "new-occurrence", "new-occurrence"]
        assert first_break(session) is None
