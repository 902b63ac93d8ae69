"""Driving the queue with Pilot: open, filter, sort, page, select, open the detail, live refresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import tui_seed as seed
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tui.screens import queue as queue_module
from secret_sprawl.tui.screens.dashboard import DashboardScreen
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.queue import QueueScreen
from secret_sprawl.tui.screens.schedules import SchedulesScreen
from sqlmodel import Session
from textual.widgets import DataTable, Input, Select

SIZE = (160, 40)


def table_ids(app) -> list[int]:
    table = app.screen.query_one("#queue", DataTable)
    return [int(str(key.value)) for key in table.rows]


def cell(app, secret_id: int, column: str) -> str:
    value = app.screen.query_one("#queue", DataTable).get_cell(str(secret_id), column)
    return getattr(value, "plain", value)


def cursor_id(app) -> int | None:
    return app.screen.cursor_id()


async def test_opens_on_the_urgent_queue(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert table_ids(app) == [1, 2, 3, 5]
        assert cell(app, 1, "sla") == "breached"
        assert cell(app, 1, "days") == "23d over"
        assert cell(app, 2, "sla") == "approaching"
        assert cell(app, 3, "owner") == "ml-platform"
        assert cell(app, 1, "path") == "agents/.env"
        assert cell(app, 1, "preview") == "fake…01 (40 chars)"
        assert cursor_id(app) == 1
        status = str(app.screen.query_one("#queue-status").render())
        assert "4 of 6 secrets" in status


async def test_filter_text_and_selects(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter-text", Input)
        await pilot.press(*"yaml", "enter")
        await settle(pilot)
        assert table_ids(app) == [1]
        await pilot.press("escape")  # back to the table
        assert isinstance(app.focused, DataTable)
        app.screen.query_one("#filter-text", Input).value = ""
        app.screen.query_one("#filter-status", Select).clear()  # any status
        app.screen.query_one("#filter-category", Select).value = "cloud"
        await asyncio.sleep(0.3)  # the text filter is debounced
        await settle(pilot)
        assert sorted(table_ids(app)) == [4, 6]
        assert cell(app, 4, "sla") == "resolved"


async def test_sort_by_key_and_header(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # urgency -> id
        await settle(pilot)
        assert table_ids(app) == [1, 2, 3, 5]
        await pilot.press("S")
        await settle(pilot)
        assert table_ids(app) == [5, 3, 2, 1]
        table = app.screen.query_one("#queue", DataTable)
        # Click the "Provider" header: after the selection (1), ID (5), SLA (11) and Days (8) columns,
        # each padded by one cell on both sides.
        provider_header = (3 + 7 + 13 + 10 + 2, 0)
        await pilot.click("#queue", offset=provider_header)
        await settle(pilot)
        assert (app.screen.sort, app.screen.descending) == ("provider", False)
        assert table_ids(app) == [2, 5, 3, 1]
        labels = {str(key.value): column.label.plain for key, column in table.columns.items()}
        assert (labels["provider"], labels["sla"]) == ("Provider ↑", "SLA")
        await pilot.click("#queue", offset=provider_header)
        await settle(pilot)
        assert table_ids(app) == [1, 3, 5, 2]


async def test_pages(make_app, settle, monkeypatch):
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_ids(app) == [1, 2, 3]
        await pilot.press("right_square_bracket")
        assert table_ids(app) == [5]
        assert "page 2/2" in str(app.screen.query_one("#queue-status").render())
        await pilot.press("right_square_bracket")  # no page 3
        assert table_ids(app) == [5]
        await pilot.press("left_square_bracket")
        assert table_ids(app) == [1, 2, 3]


async def test_enter_opens_detail_and_escape_returns(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.secret_id == 2
        assert app.screen.detail is not None and app.screen.detail.secret.provider == "anthropic"
        remediation = str(app.screen.query_one("#remediation").render())
        assert "console.anthropic.com" in remediation
        assert app.screen.query_one("#occurrences", DataTable).row_count == 1
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        assert cursor_id(app) == 2


async def test_modes_switch_to_dashboard_and_schedules(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        data = app.screen.data
        assert data is not None
        assert (data.metrics.open_count, data.metrics.breached_count, data.metrics.mttr_count) == (4, 1, 2)
        assert data.open_over_time[-1] == ("2026-03", 4)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, SchedulesScreen)
        assert app.screen.query_one("#schedules", DataTable).row_count == 1
        await pilot.press("1")
        assert isinstance(app.screen, QueueScreen)


async def test_refresh_key_shows_other_writers_and_keeps_the_cursor(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        assert cursor_id(app) == 3
        with Session(engine) as session:  # another process, e.g. the CLI
            lifecycle.assign(session, 5, "sre", by="someone-else")
            session.commit()
        await pilot.press("r")
        await settle(pilot)
        assert cell(app, 5, "owner") == "sre"
        assert cursor_id(app) == 3


async def test_auto_refresh_keeps_filter_and_cursor(make_app, settle, db):
    engine, _ = db
    app = make_app(refresh=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#filter-sla", Select).value = "within"
        await settle(pilot)
        await pilot.press("down")
        assert table_ids(app) == [3, 5] and cursor_id(app) == 5
        with Session(engine) as session:
            lifecycle.resolve(session, 3, "false-positive", by="someone-else", at=seed.AS_OF)
            session.commit()
        for _ in range(50):
            await asyncio.sleep(0.05)
            await settle(pilot)
            if table_ids(app) == [5]:
                break
        assert table_ids(app) == [5]
        assert cursor_id(app) == 5
        assert app.screen.queue_filter.sla_state == "within"


async def test_unreadable_database_is_reported_and_the_last_rows_stay(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with engine.begin() as connection:  # the schema disappears under the running UI
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("ALTER TABLE secret RENAME TO secret_elsewhere")
        await pilot.press("r")
        await settle(pilot)
        assert any(n.title == "Database not readable" for n in app._notifications)
        assert table_ids(app) == [1, 2, 3, 5]
        assert app.is_running


def test_a_refresh_tick_with_no_screen_on_the_stack_does_nothing(make_app):
    """The refresh timer can fire while the app closes, its screens already gone (seen in CI)."""
    app = make_app(refresh=0.1)
    assert not app.screen_stack
    app._check_for_changes()


async def test_dashboard_follows_other_writers_on_its_own(make_app, settle, db):
    engine, _ = db
    app = make_app(refresh=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.data.metrics.open_count == 4
        with Session(engine) as session:
            lifecycle.resolve(session, 2, "rotated", by="someone-else", at=datetime(2026, 2, 28, tzinfo=UTC))
            session.commit()
        for _ in range(50):
            await asyncio.sleep(0.05)
            await settle(pilot)
            if app.screen.data.metrics.open_count == 3:
                break
        assert app.screen.data.metrics.open_count == 3
