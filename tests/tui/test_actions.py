"""Triage from the TUI changes the database through tracker.lifecycle and leaves an intact audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tui import actions
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.modals import ConfirmModal, PromptModal
from sqlmodel import Session, select
from textual.widgets import DataTable, Input

SIZE = (160, 40)
ACTOR = "tester"


def secret(engine: sa.Engine, secret_id: int) -> Secret:
    with Session(engine) as session:
        row = session.get(Secret, secret_id)
        assert row is not None
        return row


def events(engine: sa.Engine, secret_id: int, kind: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.exec(select(Event).where(Event.secret_id == secret_id, Event.kind == kind)))


def chain_intact(engine: sa.Engine) -> bool:
    with Session(engine) as session:
        return first_break(session) is None


def table_ids(app) -> list[int]:
    return [int(str(key.value)) for key in app.screen.query_one("#queue", DataTable).rows]


async def test_mark_revoked_at_a_given_time(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "x")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press(*"2026-02-28 10:00", "enter")
        await settle(pilot)
        assert table_ids(app) == [1, 3, 5]  # gone from the open queue
        assert app.screen.cursor_id() == 3  # the cursor stays on the same line
    revoked = secret(engine, 2)
    assert revoked.status == "revoked"
    assert revoked.resolved_at == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    [event] = events(engine, 2, "status-changed")
    assert (event.actor, event.old_value, event.new_value) == (ACTOR, "open", "revoked")
    assert chain_intact(engine)


async def test_bad_time_keeps_the_dialog_open_and_changes_nothing(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        app.screen.query_one("#when", Input).value = "yesterday"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmModal)
        assert "not an ISO 8601 date" in str(app.screen.query_one("#dialog-error").render())
        await pilot.press("escape")
        await settle(pilot)
    assert secret(engine, 1).status == "open"
    assert events(engine, 1, "status-changed") == []


async def test_refusal_from_the_tracker_is_shown_not_applied(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        app.screen.query_one("#when", Input).value = "2025-01-01"  # before the exposure
        await pilot.press("enter")
        await settle(pilot)
        assert any("before the exposure" in n.message for n in app._notifications)
    assert secret(engine, 1).status == "open"


async def test_assign_owner_updates_the_row_in_place(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "o")
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"team-red", "enter")
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        assert table.get_cell("2", "owner") == "team-red"
        assert app.screen.cursor_id() == 2
    assert secret(engine, 2).owner == "team-red"
    [event] = events(engine, 2, "assigned")
    assert (event.actor, event.old_value, event.new_value) == (ACTOR, None, "team-red")
    assert chain_intact(engine)


async def test_accepted_risk_requires_a_note(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "enter")
        assert isinstance(app.screen, ConfirmModal)
        assert "note is required" in str(app.screen.query_one("#dialog-error").render())
        app.screen.query_one("#note", Input).value = "vendor sandbox key, no data behind it"
        await pilot.press("enter")
        await settle(pilot)
    accepted = secret(engine, 1)
    assert accepted.status == "accepted-risk"
    assert accepted.resolution_note == "vendor sandbox key, no data behind it"


async def test_bulk_false_positive_on_a_selection(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "space", "space")  # select #2 and #3 (space moves down)
        assert app.screen.selected == {2, 3}
        await pilot.press("f")
        assert isinstance(app.screen, ConfirmModal)
        assert "Mark 2 secrets as false positive?" in str(app.screen.query("Label")[1].render())
        await pilot.press("enter")
        await settle(pilot)
        assert table_ids(app) == [1, 5]
        assert app.screen.selected == set()
    statuses = [secret(engine, i).status for i in (1, 2, 3, 5)]
    assert statuses == ["open", "false-positive", "false-positive", "open"]
    assert chain_intact(engine)


async def test_note_and_reopen_from_the_detail_screen(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#filter-status").clear()
        await settle(pilot)
        app.screen.query_one("#queue", DataTable).move_cursor(row=table_ids(app).index(4))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.secret_id == 4
        await pilot.press("n")
        app.screen.query_one("#text", Input).value = "key was in a test fixture"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e", "enter")
        await settle(pilot)
        kinds = [event.kind for event in app.screen.detail.events]
        assert kinds[-2:] == ["note", "reopened"]
        assert app.screen.query_one("#events", DataTable).row_count == len(kinds)
    reopened = secret(engine, 4)
    assert (reopened.status, reopened.resolved_at) == ("open", None)
    [note] = events(engine, 4, "note")
    assert (note.actor, note.new_value) == (ACTOR, "key was in a test fixture")


def test_bulk_action_is_all_or_nothing(db):
    engine, _ = db
    with pytest.raises(ValueError, match="already revoked"):
        actions.resolve(engine, [1, 4], "revoked", by=ACTOR)  # #4 is already revoked
    assert secret(engine, 1).status == "open"
    assert events(engine, 1, "status-changed") == []


def test_actions_refuse_bad_input(db):
    engine, _ = db
    with pytest.raises(ValueError, match="must be one of"):
        actions.resolve(engine, [1], "deleted", by=ACTOR)
    with pytest.raises(ValueError, match="needs a note"):
        actions.resolve(engine, [1], "accepted-risk", by=ACTOR, note="  ")
    with pytest.raises(ValueError, match="in the future"):
        actions.resolve(engine, [1], "revoked", by=ACTOR, at=datetime(2999, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="owner"):
        actions.assign(engine, [1], " ", by=ACTOR)
    with pytest.raises(LookupError):
        actions.add_note(engine, [999], "x", by=ACTOR)
    assert secret(engine, 1).status == "open"
    assert secret(engine, 1).owner is None


async def test_verify_now_runs_the_cli_and_reports_its_answer(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
    # The seeded targets are not on disk, so the CLI cannot re-read the value and says so.
    assert any(m.startswith("#1: ") and "not verified" in m for m in messages), messages


def test_verify_failure_is_reported_not_raised(db):
    _, url = db
    outcome = actions.verify(url, 999, by=ACTOR)
    assert not outcome.ok
    assert "999" in outcome.message


def test_verify_passes_the_users_config_on(db, tmp_path):
    _, url = db
    outcome = actions.verify(url, 1, by=ACTOR, options=("--config", str(tmp_path / "missing.toml")))
    assert not outcome.ok
    assert "missing.toml" in outcome.message
