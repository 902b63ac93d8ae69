"""The audit log's hash chain: intact after normal use, and tampering is pinned to the right event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from secret_sprawl.tracker.audit import (
    GENESIS,
    EventData,
    append_event,
    append_events,
    event_hash,
    first_break,
)
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.models.core import Event
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tests.tracker.tracker_factory import run_in_threads


def _append(engine, count: int, actor: str = "tester") -> list[int]:
    with Session(writer(engine)) as session:
        ids = [
            append_event(session, kind="note", actor=actor, new_value=f"note {n}").id for n in range(count)
        ]
        session.commit()
    return ids


def test_chain_links_each_event_to_the_previous_one(engine):
    ids = _append(engine, 3)
    with Session(engine) as session:
        events = [session.get(Event, event_id) for event_id in ids]
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        first = events[0]
        assert first.hash == event_hash(GENESIS, first.at, "tester", "note", None, None, None, "note 0", None)
        assert first_break(session) is None


def test_batch_append_continues_the_same_chain(engine):
    _append(engine, 1)
    with Session(writer(engine)) as session:
        batch = [
            EventData(kind="detected", actor="scanner", detail={"n": n, "path": "a/b.env"}) for n in range(5)
        ]
        assert append_events(session, batch) == 5
        session.commit()
    _append(engine, 1)
    with Session(engine) as session:
        assert first_break(session) is None


@pytest.mark.parametrize("column, value", [("new_value", "note 9"), ("actor", "mallory"), ("at", None)])
def test_editing_an_event_row_is_detected_at_that_event(engine, column, value):
    ids = _append(engine, 5)
    target = ids[2]
    new = datetime(2020, 1, 1, tzinfo=UTC) if column == "at" else value
    with engine.begin() as connection:  # bypass the application, as an attacker with SQL access would
        connection.execute(update(Event).where(Event.id == target).values({column: new}))
    with Session(engine) as session:
        broken = first_break(session)
        assert broken is not None and broken.event_id == target
        assert "hash" in broken.reason


def test_recomputing_the_hash_of_an_edited_row_breaks_the_next_link(engine):
    ids = _append(engine, 4)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE event SET new_value = 'rewritten', hash = :h WHERE id = :id"),
            {"h": "e" * 64, "id": ids[1]},
        )
    with Session(engine) as session:
        assert first_break(session).event_id == ids[1]  # its own content no longer matches "e"*64
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT prev_hash, at, actor FROM event WHERE id = :id"), {"id": ids[1]}
        ).one()
    with Session(engine) as session:
        forged = session.get(Event, ids[1])
        good = event_hash(
            forged.prev_hash, forged.at, forged.actor, "note", None, None, None, "rewritten", None
        )
    assert row.prev_hash == forged.prev_hash
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET hash = :h WHERE id = :id"), {"h": good, "id": ids[1]})
    with Session(engine) as session:
        # A consistent row, but the next event points at the old hash.
        assert first_break(session).event_id == ids[2]


def test_deleting_an_event_is_detected_at_the_next_one(engine):
    ids = _append(engine, 4)
    with engine.begin() as connection:
        connection.execute(delete(Event).where(Event.id == ids[1]))
    with Session(engine) as session:
        assert first_break(session).event_id == ids[2]


def test_the_chain_cannot_fork(engine):
    _append(engine, 1)
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(Event(actor="x", kind="note", prev_hash=GENESIS, hash="f" * 64))
        session.commit()


def test_concurrent_writers_keep_one_chain(engine):
    def worker(name: str) -> None:
        for _ in range(15):
            _append(engine, 1, actor=name)

    assert run_in_threads(worker, [f"w{n}" for n in range(3)]) == []
    with Session(engine) as session:
        assert first_break(session) is None
        assert session.execute(select(func.count()).select_from(Event)).scalar() == 45
