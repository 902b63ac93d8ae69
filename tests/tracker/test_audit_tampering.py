"""The audit trail checked from outside: the tamperings that a plain hash chain let through are caught
by the keyed chain, the recorded head, or the replay of events against the secret and occurrence rows.
The attacker here has full SQL access and the public hash recipe, but not the audit key."""

from __future__ import annotations

import hashlib
import json

import pytest
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.audit import _canonical, chain_head
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.core import Event, Occurrence, Secret
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import delete, select, text, update
from sqlmodel import Session

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import fake_secret, finding, result


@pytest.fixture
def tracked(engine, db_url):
    """Two secrets (one in two places), a resolution, an owner and a note: a dozen events."""
    one, two = fake_secret(), fake_secret()
    recorder = Recorder(engine, actor="scanner")
    recorder.record(result("repo-a", [finding(one), finding(one, path="b.env"), finding(two, path="c.env")]))
    recorder.record(result("repo-b", [finding(one, target="repo-b")]))
    recorder.finish()
    with Session(writer(engine)) as session:
        lifecycle.assign(session, 1, "platform", by="alice")
        lifecycle.add_note(session, 2, "looking", by="bob")
        lifecycle.resolve(session, 2, "rotated", by="bob")
        session.commit()
    return engine, db_url


def audit(db_url, *args):
    return sprawl("audit", *args, "--db", db_url)


def rehash_from(engine, first_id: int, key: bytes | None = None) -> None:
    """What an attacker without the key does after editing: recompute every later hash with the recipe."""
    with engine.begin() as connection:
        rows = connection.execute(select(Event).order_by(Event.id)).all()
        prev = "0" * 64
        for row in rows:
            if row.id >= first_id:
                canonical = _canonical(prev, row.at, row.actor, row.kind, row.secret_id, row.scan_id,
                                       row.old_value, row.new_value, row.detail)
                digest = hashlib.sha256((key or b"") + canonical).hexdigest()
                change = update(Event).where(Event.id == row.id).values(prev_hash=prev, hash=digest)
                connection.execute(change)
                prev = digest
            else:
                prev = row.hash


def test_untouched_trail_verifies_and_replays(tracked):
    _, db_url = tracked
    assert audit(db_url, "verify").code == 0
    run = audit(db_url, "replay")
    assert run.code == 0 and "all 2 secrets" in run.out


def test_deleting_the_last_rows_is_caught_by_the_recorded_head(tracked):
    engine, db_url = tracked
    head = audit(db_url, "head").out.split()
    with Session(engine) as session:
        assert chain_head(session) == (head[0], int(head[1]))
    assert audit(db_url, "verify", "--expect-head", head[0]).code == 0
    with engine.begin() as connection:
        connection.execute(delete(Event).where(Event.kind == "status-changed"))  # the newest event
    assert audit(db_url, "verify").code == 0  # a shorter chain is still a valid chain...
    run = audit(db_url, "verify", "--expect-head", head[0])
    assert run.code == 1 and "not in the chain" in run.out  # ...but not the one recorded outside


def test_appending_after_the_recorded_head_is_fine(tracked):
    engine, db_url = tracked
    head = audit(db_url, "head").out.split()[0]
    with Session(writer(engine)) as session:
        lifecycle.add_note(session, 1, "later", by="carol")
        session.commit()
    run = audit(db_url, "verify", "--expect-head", head)
    assert run.code == 0 and "1 appended since" in run.out


def test_editing_a_row_and_rehashing_everything_after_it(tracked):
    engine, db_url = tracked
    with engine.begin() as connection:
        connection.execute(update(Event).where(Event.kind == "assigned").values(new_value="mallory"))
    first = _id_of(engine, "assigned")
    rehash_from(engine, first)
    run = audit(db_url, "verify")
    assert run.code == 1 and f"event {first}" in run.out


def test_inserting_a_row_and_rehashing(tracked):
    engine, db_url = tracked
    with engine.begin() as connection:
        last = connection.execute(select(Event).order_by(Event.id.desc())).first()
        connection.execute(Event.__table__.insert().values(
            at=last.at, actor="mallory", kind="note", secret_id=1, new_value="all fine",
            prev_hash="1" * 64, hash="2" * 64))
    rehash_from(engine, 1)
    run = audit(db_url, "verify")
    assert run.code == 1 and "event 1:" in run.out


def test_deleting_a_row_and_rehashing(tracked):
    engine, db_url = tracked
    with engine.begin() as connection:
        connection.execute(delete(Event).where(Event.kind == "note"))
    rehash_from(engine, 1)
    assert audit(db_url, "verify").code == 1


def test_appending_a_forged_event(tracked):
    engine, db_url = tracked
    head, _ = chain_head(Session(engine))
    with engine.begin() as connection:
        last = connection.execute(select(Event).order_by(Event.id.desc())).first()
        canonical = _canonical(head, last.at, "mallory", "reopened", 2, None, "rotated", "open", None)
        connection.execute(Event.__table__.insert().values(
            at=last.at, actor="mallory", kind="reopened", secret_id=2, old_value="rotated", new_value="open",
            prev_hash=head, hash=hashlib.sha256(canonical).hexdigest()))
    run = audit(db_url, "verify")
    assert run.code == 1 and "another audit key" in run.out


def test_changing_a_status_without_an_event_is_caught_by_replay(tracked):
    engine, db_url = tracked
    with engine.begin() as connection:
        connection.execute(update(Secret).where(Secret.id == 1).values(status="false-positive"))
        connection.execute(update(Secret).where(Secret.id == 2).values(owner="nobody"))
    assert audit(db_url, "verify").code == 0  # the events themselves are untouched
    run = audit(db_url, "replay")
    assert run.code == 1
    assert "secret 1: status is 'false-positive' but the events say 'open'" in run.out
    assert "secret 2: owner is 'nobody' but the events say None" in run.out


def test_deleting_occurrences_without_an_event_is_caught_by_replay(tracked):
    engine, db_url = tracked
    with engine.begin() as connection:
        connection.execute(delete(Occurrence).where(Occurrence.target_id == 2))
    run = audit(db_url, "replay")
    assert run.code == 1 and "secret 1: occurrences is 2 but the events say 3" in run.out


def test_a_malformed_row_is_named_not_a_traceback(tracked):
    engine, db_url = tracked
    event_id = _id_of(engine, "note")
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET detail = '{not json' WHERE id = :id"), {"id": event_id})
    run = audit(db_url, "verify")
    assert run.code == 1 and f"event {event_id}: malformed row" in run.out and "Traceback" not in run.err
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's timestamp column holds no malformed time (it even reads 'yesterday' as one)
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET detail = :d, at = 'yesterday' WHERE id = :id"),
                           {"d": json.dumps({"x": 1}), "id": event_id})
    run = audit(db_url, "verify")
    assert run.code == 1 and f"event {event_id}: malformed row" in run.out and "Traceback" not in run.err


def test_another_audit_key_cannot_verify(tracked, monkeypatch):
    _, db_url = tracked
    monkeypatch.setenv("SPRAWL_AUDIT_KEY", "not-the-key")
    run = audit(db_url, "verify")
    assert run.code == 1 and "event 1:" in run.out


def _id_of(engine, kind: str) -> int:
    with Session(engine) as session:
        query = select(Event.id).where(Event.kind == kind).order_by(Event.id)
        return session.execute(query).scalars().first()


def test_an_unkeyed_chain_is_re_signed_by_the_upgrade_and_a_broken_one_is_not(tmp_path):
    from datetime import UTC, datetime

    from secret_sprawl.tracker.db import create_db_engine, open_database, upgrade

    def legacy_chain(url: str, tamper: bool) -> None:
        engine = create_db_engine(url)
        upgrade(engine, "0003")
        prev, at = "0" * 64, datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            for n in range(3):
                digest = hashlib.sha256(_canonical(prev, at, "old", "note", None, None, None, f"n{n}", None))
                stored = "edited" if tamper and n == 1 else f"n{n}"
                connection.execute(Event.__table__.insert().values(
                    at=at, actor="old", kind="note", new_value=stored,
                    prev_hash=prev, hash=digest.hexdigest()))
                prev = digest.hexdigest()
        engine.dispose()

    for tamper, code in ((False, 0), (True, 1)):
        url = f"sqlite:///{tmp_path / f'legacy-{tamper}.db'}"
        legacy_chain(url, tamper)
        open_database(url).dispose()  # upgrades to the newest revision
        assert audit(url, "verify").code == code


def test_the_audit_key_file_is_created_private(tmp_path, monkeypatch):
    from secret_sprawl.tracker.audit_key import ENV, audit_key, key_path

    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    key = audit_key()
    assert len(key) == 64 and audit_key() == key
    assert key_path().stat().st_mode & 0o777 == 0o600
    assert key_path().parent.stat().st_mode & 0o777 == 0o700
