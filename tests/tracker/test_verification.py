"""Applying verification verdicts: automatic revocation, inactive at discovery, disproved revocation."""

from datetime import UTC, datetime, timedelta

import pytest
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.models.schedule import Verification
from secret_sprawl.tracker.verification import apply_verdict
from sqlmodel import Session, select

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
OPENAI = {"provider": "openai", "endpoint": "https://api.openai.com/v1/models"}


@pytest.fixture
def engine(db_url):
    """The shared ``db_url`` fixture: SQLite, and PostgreSQL when SPRAWL_TEST_POSTGRES_URL is set."""
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def new_secret(engine, *, status="open") -> int:
    with Session(engine) as session:
        secret = Secret(fingerprint="ab" * 32, rule_id="openai-api-key", provider="openai", category="ai",
                        lifetime="long-lived", redacted="sk-p…Xz (51 chars)", status=status,
                        exposed_at=T0 - timedelta(days=3))
        session.add(secret)
        session.commit()
        return secret.id


def check(engine, secret_id, state, at, status):
    with Session(engine) as session:
        outcome = apply_verdict(session, secret_id, state=state, at=at, http_status=status, by="t", **OPENAI)
        session.commit()
        return outcome


def kinds(engine, secret_id):
    with Session(engine) as session:
        query = select(Event).where(Event.secret_id == secret_id).order_by(Event.id)
        return [event.kind for event in session.exec(query)]


def test_live_then_invalid_revokes_at_check_time(engine):
    secret_id = new_secret(engine)
    assert check(engine, secret_id, "live", T0, 200).transition is None
    revoked_at = T0 + timedelta(days=2)
    outcome = check(engine, secret_id, "invalid", revoked_at, 401)
    assert outcome.transition == "revocation-detected" and outcome.previous_state == "live"
    with Session(engine) as session:
        secret = session.get(Secret, secret_id)
        assert (secret.status, secret.resolved_at) == ("revoked", revoked_at)
        assert secret.verification_state == "invalid" and secret.verification_status_code == 401
        assert not secret.inactive_at_discovery
        event = session.exec(select(Event).where(Event.kind == "revocation-detected")).one()
        assert event.detail["http_status"] == 401 and event.detail["provider"] == "openai"
        assert event.detail["endpoint"] == OPENAI["endpoint"]
        assert len(session.exec(select(Verification)).all()) == 2
        assert first_break(session) is None
    assert kinds(engine, secret_id) == ["verified", "verified", "revocation-detected"]


def test_unknown_between_live_and_invalid_still_counts_as_last_live(engine):
    secret_id = new_secret(engine)
    check(engine, secret_id, "live", T0, 200)
    check(engine, secret_id, "unknown", T0 + timedelta(hours=1), 503)
    outcome = check(engine, secret_id, "invalid", T0 + timedelta(hours=2), 401)
    assert outcome.transition == "revocation-detected"


def test_invalid_at_first_check_is_inactive_at_discovery(engine):
    secret_id = new_secret(engine)
    outcome = check(engine, secret_id, "invalid", T0, 401)
    assert outcome.transition == "inactive-at-discovery"
    with Session(engine) as session:
        secret = session.get(Secret, secret_id)
        assert secret.inactive_at_discovery and secret.status == "revoked" and secret.resolved_at == T0


def test_human_revoked_but_live_is_reopened(engine):
    secret_id = new_secret(engine, status="revoked")
    outcome = check(engine, secret_id, "live", T0, 200)
    assert outcome.transition == "revocation-disproved"
    with Session(engine) as session:
        secret = session.get(Secret, secret_id)
        assert secret.status == "open" and secret.resolved_at is None
        event = session.exec(select(Event).where(Event.kind == "revocation-disproved")).one()
        assert "still accepts" in event.detail["warning"] and event.old_value == "revoked"


def test_inactive_at_discovery_that_turns_out_live_is_reopened(engine):
    secret_id = new_secret(engine)
    check(engine, secret_id, "invalid", T0, 401)
    assert check(engine, secret_id, "live", T0 + timedelta(days=1), 200).transition == "revocation-disproved"
    with Session(engine) as session:
        secret = session.get(Secret, secret_id)
        assert secret.status == "open" and not secret.inactive_at_discovery


def test_unknown_changes_no_status(engine):
    secret_id = new_secret(engine)
    assert check(engine, secret_id, "unknown", T0, 429).transition is None
    with Session(engine) as session:
        secret = session.get(Secret, secret_id)
        assert secret.status == "open" and secret.verification_state == "unknown"


def test_rejects_unknown_state(engine):
    secret_id = new_secret(engine)
    with Session(engine) as session, pytest.raises(ValueError):
        apply_verdict(session, secret_id, state="maybe", at=T0, http_status=None, by="t", **OPENAI)
