"""Recording identities: owners from [owners] (exact, then globs), lifetime evidence against the SLA
deadline, admin reach, re-identification, and assigning the suggested owner without overriding people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from secret_sprawl.tracker.config_schema import Config, config_problem
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.identity import (
    IdentityFacts,
    assign_suggested,
    identity_of,
    load_identity,
    record_identity,
    suggest_owner,
)
from secret_sprawl.tracker.lifecycle import assign
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import select
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result

EXPOSED = at("2025-01-01")
POLICY = SlaPolicy(days=27)  # deadline 2025-01-28
OWNERS = {"github:octo-*": "platform-team", "github:octo-deployer": "deploy-team", "aws:123456789012": "ops",
          "huggingface:*": "ml-team"}


@pytest.fixture
def secret_id(engine) -> int:
    value = fake_secret()
    Recorder(engine, actor="scanner").record(result("repo-a", [finding(value, committed_at=EXPOSED)]))
    with Session(engine) as session:
        query = select(Secret.id).where(Secret.fingerprint == fingerprint_of(value))
        return session.execute(query).scalar_one()


def record(engine, secret_id: int, **fields) -> tuple:
    evidence = ({"call": "user", "endpoint": "https://x/user", "http_status": 200},)
    facts = IdentityFacts(**{"provider": "github", "at": at("2025-01-10"), "principal": "octo-deployer",
                             "evidence": evidence, **fields})
    with Session(writer(engine)) as session:
        outcome = record_identity(session, secret_id, facts, by="alice", policy=POLICY, owners=OWNERS)
        session.commit()
    with Session(engine) as session:
        return outcome, session.get(Secret, secret_id)


@pytest.mark.parametrize(("provider", "principal", "account", "owner"), [
    ("github", "octo-deployer", "", "deploy-team"),  # the exact entry beats an earlier glob
    ("github", "octo-cat", "", "platform-team"),  # glob
    ("github", "someone", "", None),
    ("aws", "arn:aws:iam::123456789012:user/x", "123456789012", "ops"),  # matched by account
    ("huggingface", "alice", "", "ml-team"),
    ("gitlab", "octo-deployer", "", None),  # the provider is part of the identity
])
def test_suggest_owner(provider, principal, account, owner):
    assert suggest_owner(OWNERS, provider, principal, account) == owner


def test_owners_table_is_validated():
    assert Config.model_validate({"owners": {"github:a*": "team"}}).owners.root == {"github:a*": "team"}
    for bad, message in [({"octo": "team"}, "provider:principal"), ({"github:a": ""}, "must not be empty"),
                         ({"github:a": 3}, "valid string")]:
        with pytest.raises(ValidationError) as error:
            Config.model_validate({"owners": bad})
        assert message in config_problem(error.value)


def test_an_expiry_before_the_sla_deadline_makes_it_short_lived(engine, secret_id):
    outcome, secret = record(engine, secret_id, expires_at=at("2025-01-20"))
    assert (secret.lifetime, outcome.expires_before_deadline) == ("short-lived", True)
    assert outcome.sla_deadline == EXPOSED + timedelta(days=27)
    with Session(engine) as session:
        event = session.execute(select(Event).where(Event.kind == "identified")).scalar_one()
    assert event.detail["lifetime"] == "long-lived -> short-lived"
    assert event.detail["expires_at"] == "2025-01-20T00:00:00+00:00"
    assert event.detail["expires_before_sla_deadline"] is True and event.actor == "alice"


def test_an_expiry_after_the_deadline_or_none_at_all_is_long_lived(engine, secret_id):
    outcome, secret = record(engine, secret_id, expires_at=at("2026-01-01"))
    assert (secret.lifetime, outcome.expires_before_deadline) == ("long-lived", False)
    outcome, secret = record(engine, secret_id, never_expires=True)
    assert (secret.lifetime, outcome.expires_before_deadline) == ("long-lived", None)


def test_admin_reach_raises_severity_and_re_identification_replaces_the_identity(engine, secret_id):
    outcome, secret = record(engine, secret_id, scopes=("repo", "admin:org"), admin_scopes=("admin:org",))
    assert outcome.severity == ("high", "critical") and secret.severity == "critical"
    record(engine, secret_id, principal="octo-cat", scopes=("repo",))
    with Session(engine) as session:
        row = identity_of(session, secret_id)
        query = select(Event).where(Event.kind == "identified").order_by(Event.id)
        events = session.execute(query).scalars().all()
    assert (row.principal, row.scopes, row.suggested_owner) == ("octo-cat", ["repo"], "platform-team")
    assert [(e.old_value, e.new_value) for e in events] == [
        (None, "github:octo-deployer"), ("github:octo-deployer", "github:octo-cat")]
    view = load_identity(engine, secret_id, POLICY, at("2025-01-11"))
    assert view is not None and view.identity.principal == "octo-cat" and view.expires_before_deadline is None


def test_the_suggested_owner_is_assigned_once_and_never_over_a_person(engine, secret_id):
    record(engine, secret_id)
    with Session(writer(engine)) as session:
        assert assign_suggested(session, secret_id, by="alice") == "deploy-team"
        assert assign_suggested(session, secret_id, by="alice") is None  # it has an owner now
        assign(session, secret_id, "bob", by="bob")
        assert assign_suggested(session, secret_id, by="alice") is None
        session.commit()
    with Session(engine) as session:
        assigned = session.execute(select(Event.new_value).where(Event.kind == "assigned")).scalars().all()
    assert assigned == ["deploy-team", "bob"]


def test_never_identified_has_no_identity(engine, secret_id):
    assert load_identity(engine, secret_id, POLICY, at("2025-01-11")) is None
    with Session(writer(engine)) as session, pytest.raises(LookupError):
        record_identity(session, 999_999, IdentityFacts("github", at("2025-01-10")), by="a", policy=POLICY,
                        owners={})
