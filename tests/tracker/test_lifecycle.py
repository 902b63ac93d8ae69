"""Lifecycle changes: resolve, reopen, assign, notes; each leaves one audit event and checks its input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import select
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result


@pytest.fixture
def secret_id(engine) -> int:
    value = fake_secret()
    Recorder(engine, actor="scanner").record(
        result("repo-a", [finding(value, committed_at=at("2025-01-01"))])
    )
    with Session(engine) as session:
        return session.execute(
            select(Secret.id).where(Secret.fingerprint == fingerprint_of(value))
        ).scalar_one()


def _events(engine, secret_id: int) -> list[Event]:
    with Session(engine) as session:
        return list(
            session.execute(select(Event).where(Event.secret_id == secret_id).order_by(Event.id)).scalars()
        )


def test_resolve_then_reopen(engine, secret_id):
    with Session(writer(engine)) as session:
        secret = lifecycle.resolve(
            session, secret_id, "revoked", at=at("2025-01-20T08:00:00"), note="rotated in console", by="alice"
        )
        session.commit()
        assert (secret.status, secret.resolved_at, secret.resolution_note) == (
            "revoked",
            at("2025-01-20T08:00:00"),
            "rotated in console",
        )
    with Session(writer(engine)) as session:
        secret = lifecycle.reopen(session, secret_id, by="bob", note="still works")
        session.commit()
        assert (secret.status, secret.resolved_at, secret.resolution_note) == ("open", None, None)
    changed, reopened = _events(engine, secret_id)[1:]
    assert (changed.kind, changed.old_value, changed.new_value, changed.actor) == (
        "status-changed",
        "open",
        "revoked",
        "alice",
    )
    assert changed.detail["resolved_at"] == "2025-01-20T08:00:00+00:00"
    assert (reopened.kind, reopened.old_value, reopened.new_value, reopened.actor) == (
        "reopened",
        "revoked",
        "open",
        "bob",
    )


def test_assign_and_note(engine, secret_id):
    with Session(writer(engine)) as session:
        lifecycle.assign(session, secret_id, "platform-team", by="alice")
        lifecycle.assign(session, secret_id, "carol", by="alice")
        lifecycle.add_note(session, secret_id, "owner asked for a day", by="carol")
        session.commit()
    events = _events(engine, secret_id)
    assert [(e.kind, e.old_value, e.new_value) for e in events[1:]] == [
        ("assigned", None, "platform-team"),
        ("assigned", "platform-team", "carol"),
        ("note", None, "owner asked for a day"),
    ]
    with Session(engine) as session:
        assert session.get(Secret, secret_id).owner == "carol"
        assert first_break(session) is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reason": "accepted-risk"}, "needs a note"),
        ({"reason": "deleted"}, "reason must be one of"),
        ({"reason": "revoked", "at": at("2024-12-31")}, "before the exposure"),
        ({"reason": "revoked", "at": utcnow() + timedelta(hours=1)}, "in the future"),
    ],
)
def test_resolve_rejects_bad_requests_without_writing(engine, secret_id, kwargs, message):
    with Session(writer(engine)) as session, pytest.raises(ValueError, match=message):
        lifecycle.resolve(session, secret_id, by="alice", **kwargs)
    assert [e.kind for e in _events(engine, secret_id)] == ["detected"]


def test_reopen_an_open_secret_is_refused(engine, secret_id):
    with Session(writer(engine)) as session, pytest.raises(ValueError, match="already open"):
        lifecycle.reopen(session, secret_id, by="alice")


def test_find_secret_by_id_or_fingerprint_prefix(engine, secret_id):
    with Session(engine) as session:
        fingerprint = session.get(Secret, secret_id).fingerprint
        assert lifecycle.find_secret(session, str(secret_id)).id == secret_id
        assert lifecycle.find_secret(session, fingerprint[:10].upper()).id == secret_id
        with pytest.raises(LookupError):
            lifecycle.find_secret(session, "999999")
        with pytest.raises(LookupError):  # beyond an SQL INTEGER: a fingerprint prefix, not an id
            lifecycle.find_secret(session, "12345678901234")
        with pytest.raises(LookupError):
            lifecycle.find_secret(session, "abc")  # too short to be a prefix
        with pytest.raises(LookupError):
            lifecycle.find_secret(session, "zz" * 5)  # not hex
