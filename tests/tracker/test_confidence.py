"""Confidence in the tracker: every finding recorded with its confidence and reasons, a secret's level
from its best place (or a live check), the ``used-in-tests`` suggestion, and the medium floor of lists,
metrics and the CLI (``--min-confidence low`` shows everything)."""

from __future__ import annotations

import json

import pytest
from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.confidence import levels_at_least, suggested_resolution
from secret_sprawl.tracker.db import create_db_engine, open_database, upgrade, writer
from secret_sprawl.tracker.metrics import compute_metrics
from secret_sprawl.tracker.models.core import Occurrence, Secret
from secret_sprawl.tracker.queries import list_secrets
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tracker.verification import apply_verdict
from sqlalchemy import select, text
from sqlmodel import Session

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
AS_OF = at("2025-03-01")
TESTS = ("placeholder-like", "test-path")


def _secret(session: Session, value: str) -> Secret:
    return session.execute(select(Secret).where(Secret.fingerprint == fingerprint_of(value))).scalar_one()


def _record(engine, target: str, findings, kind: str = "git") -> None:
    recorder = Recorder(engine, actor="scanner")
    recorder.record(result(target, findings, kind=kind))
    recorder.finish()


@pytest.fixture
def mixed(engine) -> dict[str, str]:
    """A secret at each level in application code, one only in tests, one in tests and in code."""
    values = {name: fake_secret() for name in ("high", "medium", "low", "tests", "both")}
    when = at("2025-01-10")
    _record(engine, "repo-a", [
        finding(values["high"], path="app/a.py", committed_at=when, confidence=HIGH,
                reasons=("checksum-valid",)),
        finding(values["medium"], path="app/b.py", committed_at=when),
        finding(values["low"], path="app/c.py", committed_at=when, confidence=LOW,
                reasons=("placeholder-like",)),
        finding(values["tests"], path="tests/test_a.py", committed_at=when, confidence=LOW, reasons=TESTS),
        finding(values["tests"], path="tests/fixtures/x.json", committed_at=when, confidence=LOW,
                reasons=("test-path",)),
        finding(values["both"], path="tests/test_b.py", committed_at=when, confidence=LOW, reasons=TESTS),
        finding(values["both"], path="app/d.py", committed_at=when),
    ])
    return values


def test_every_finding_is_recorded_with_its_confidence_and_reasons(engine, mixed):
    with Session(engine) as session:
        levels = {name: _secret(session, value).confidence for name, value in mixed.items()}
        assert levels == {"high": "high", "medium": "medium", "low": "low", "tests": "low", "both": "medium"}
        both = _secret(session, mixed["both"])
        places = {o.path: (o.confidence, o.reasons) for o in session.execute(
            select(Occurrence).where(Occurrence.secret_id == both.id)).scalars()}
        assert places == {"tests/test_b.py": ("low", list(TESTS)), "app/d.py": ("medium", [])}


def test_used_in_tests_is_suggested_only_when_every_place_is_a_test(engine, mixed):
    with Session(engine) as session:
        suggested = {name for name, value in mixed.items() if _secret(session, value).suggested_status}
        assert suggested == {"tests"}
        assert _secret(session, mixed["tests"]).suggested_status == "used-in-tests"
    # The same key turns up in application code of another repository: no longer only a test value.
    _record(engine, "repo-b", [finding(mixed["tests"], target="repo-b", path="src/client.py")])
    with Session(engine) as session:
        secret = _secret(session, mixed["tests"])
        assert (secret.suggested_status, secret.confidence) == (None, "medium")


def test_a_place_reported_twice_keeps_the_more_confident_report(engine):
    value = fake_secret()
    _record(engine, "repo-a", [
        finding(value, path="app.py", confidence=LOW, reasons=("placeholder-like",)),
        finding(value, path="app.py", confidence=HIGH, reasons=("checksum-valid",), rule_id="other-rule"),
    ])
    with Session(engine) as session:
        secret = _secret(session, value)
        occurrence = session.execute(select(Occurrence).where(Occurrence.secret_id == secret.id)).scalar_one()
        assert (secret.confidence, occurrence.confidence, occurrence.reasons) == ("high", "high",
                                                                                  ["checksum-valid"])


def test_a_rescan_refreshes_confidence_from_the_places(engine):
    value = fake_secret()
    _record(engine, "dir", [finding(value, path="app.py", commit=None, confidence=HIGH)], kind="directory")
    _record(engine, "dir", [finding(value, path="app.py", commit=None, confidence=LOW,
                                    reasons=("placeholder-like",))], kind="directory")
    with Session(engine) as session:
        secret = _secret(session, value)
        occurrence = session.execute(select(Occurrence).where(Occurrence.secret_id == secret.id)).scalar_one()
        assert (secret.confidence, occurrence.confidence, occurrence.reasons) == ("low", "low",
                                                                                  ["placeholder-like"])


def test_a_key_proved_live_is_high_even_in_tests(engine, mixed):
    with Session(writer(engine)) as session:
        secret_id = _secret(session, mixed["tests"]).id
        apply_verdict(session, secret_id, state="live", at=at("2025-01-11"), provider="openai",
                      endpoint="https://api.openai.com/v1/models", http_status=200, by="t")
        session.commit()
    _record(engine, "repo-a", [finding(mixed["tests"], path="tests/test_a.py", confidence=LOW,
                                       reasons=TESTS)])
    with Session(engine) as session:
        secret = _secret(session, mixed["tests"])
        assert secret.confidence == "high"
        # Still only in tests, but a live key is not closed as a test value on the tracker's word.
        assert secret.suggested_status == "used-in-tests"
        assert suggested_resolution(secret.status, secret.suggested_status, secret.verification_state) is None


def test_suggestion_is_offered_only_for_open_secrets():
    assert suggested_resolution("open", "used-in-tests", "unverified") == "used-in-tests"
    assert suggested_resolution("open", "used-in-tests", "invalid") == "used-in-tests"
    assert suggested_resolution("revoked", "used-in-tests", "unverified") is None
    assert suggested_resolution("open", None, "unverified") is None
    assert levels_at_least(LOW) == ("high", "medium", "low") and levels_at_least(HIGH) == ("high",)


def test_lists_keep_medium_and_up_unless_asked(engine, mixed):
    def listed(**floor) -> set[str]:
        with Session(engine) as session:
            rows = list_secrets(session, SlaPolicy(), now=AS_OF, **floor)
        by_fingerprint = {fingerprint_of(value): name for name, value in mixed.items()}
        return {by_fingerprint[row.secret.fingerprint] for row in rows}

    assert listed() == {"high", "medium", "both"}
    assert listed(min_confidence=LOW) == set(mixed)
    assert listed(min_confidence=HIGH) == {"high"}


def test_metrics_count_medium_and_up_unless_asked(engine, mixed):
    with Session(writer(engine)) as session:
        low_id = _secret(session, mixed["low"]).id
        lifecycle.resolve(session, low_id, "revoked", at=at("2025-01-12"), by="alice")
        session.commit()
    with Session(engine) as session:
        default = compute_metrics(session, SlaPolicy(), as_of=AS_OF, group_by="provider")
        everything = compute_metrics(session, SlaPolicy(), as_of=AS_OF, min_confidence=LOW)
    assert (default.secrets_count, default.open_count, default.mttr_count) == (3, 3, 0)
    assert default.min_confidence == "medium" and default.groups["openai"].min_confidence == "medium"
    assert (everything.secrets_count, everything.open_count, everything.mttr_count) == (5, 4, 1)


def test_cli_list_show_and_metrics(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = open_database(url)
    values = {name: fake_secret() for name in ("code", "fixture")}
    _record(engine, "repo-a", [
        finding(values["code"], path="app.py", committed_at=at("2025-01-01")),
        finding(values["fixture"], path="tests/test_x.py", line=2, committed_at=at("2025-01-02"),
                confidence=LOW, reasons=TESTS),
    ])
    engine.dispose()

    default = json.loads(sprawl("secrets", "list", "--db", url, "--format", "json").out)
    assert [(r["id"], r["confidence"], r["suggested_resolution"]) for r in default] == [(1, "medium", None)]
    every = json.loads(sprawl("secrets", "list", "--db", url, "--format", "json",
                              "--min-confidence", "low").out)
    assert [(r["id"], r["confidence"], r["suggested_resolution"]) for r in every] == [
        (1, "medium", None), (2, "low", "used-in-tests")]
    table = sprawl("secrets", "list", "--db", url, "--min-confidence", "low").out
    assert "CONFIDENCE" in table and "SUGGESTED" in table and "used-in-tests" in table
    csv_text = sprawl("secrets", "list", "--db", url, "--format", "csv", "--min-confidence", "low").out
    assert "confidence" in csv_text.splitlines()[0] and ",low," in csv_text

    shown = sprawl("secrets", "show", "2", "--db", url).out
    assert "confidence   low" in shown and "suggested    used-in-tests" in shown
    assert "tests/test_x.py:2 (env-file, low: placeholder-like, test-path)" in shown

    assert "1 secret(s)" in sprawl("secrets", "list", "--db", url).out
    bad = sprawl("secrets", "list", "--db", url, "--min-confidence", "sure")
    assert bad.code == 2 and "not a confidence level" in bad.err

    metrics = json.loads(sprawl("metrics", "--db", url, "--format", "json", "--as-of", "2025-02-01").out)
    low = json.loads(sprawl("metrics", "--db", url, "--format", "json", "--as-of", "2025-02-01",
                            "--min-confidence", "low").out)
    assert (metrics["min_confidence"], metrics["summary"]["open_count"]) == ("medium", 1)
    assert (low["min_confidence"], low["summary"]["open_count"]) == ("low", 2)
    assert "medium confidence or higher" in sprawl("metrics", "--db", url).out


def test_rows_from_before_confidence_upgrade_as_medium(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0006")  # the revision before confidence
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO secret (fingerprint, rule_id, provider, category, lifetime, severity, redacted,"
            " status, exposed_at, first_seen_at, last_seen_at, in_head, places, targets_count,"
            " verification_state, inactive_at_discovery) VALUES (:fp, 'openai-api-key', 'openai', 'ai',"
            " 'long-lived', 'high', 'sk-…(51 chars)', 'open', :t, :t, :t, 1, 1, 1, 'unverified', 0)"
        ), {"fp": "b" * 64, "t": "2025-01-01 00:00:00+00:00"})
    engine.dispose()
    engine = open_database(url)
    with Session(engine) as session:
        secret = session.execute(select(Secret)).scalar_one()
        assert (secret.confidence, secret.suggested_status) == ("medium", None)
    engine.dispose()


def test_accepting_the_suggestion_closes_as_used_in_tests_and_says_so(engine, mixed):
    with Session(writer(engine)) as session:
        tests_id, medium_id = _secret(session, mixed["tests"]).id, _secret(session, mixed["medium"]).id
        with pytest.raises(ValueError, match="no suggested resolution"):
            lifecycle.accept_suggestion(session, medium_id, by="alice")
        secret = lifecycle.accept_suggestion(session, tests_id, by="alice", note="checked")
        assert secret.status == "used-in-tests"
        why = "accepted the tracker's suggestion (used-in-tests: seen only in test paths)"
        assert secret.resolution_note == f"{why}; checked"
        session.commit()
    with Session(writer(engine)) as session, pytest.raises(ValueError, match="no suggested resolution"):
        lifecycle.accept_suggestion(session, tests_id, by="alice")  # closed: nothing to suggest any more
