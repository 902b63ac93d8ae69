"""Layouts by width: the queue keeps status and owner at 80 columns and gains columns as it widens,
the dashboard's bars keep the ratio of their counts at any width, the schedules' result stays whole."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from secret_sprawl.tui.queue_columns import COLUMNS, REQUIRED, choose
from secret_sprawl.tui.widgets.bars import BAR, Bars, bar_lengths
from textual.widgets import DataTable, Static
from tui_text import shown


def column_keys(app) -> list[str]:
    return [str(key.value) for key in app.screen.query_one("#queue", DataTable).columns]


def test_choose_keeps_the_required_columns_and_adds_by_rank():
    narrow, medium, wide = choose(78), choose(118), choose(400)
    assert {column.key for column in narrow} >= REQUIRED
    assert {c.key for c in narrow} < {c.key for c in medium} < {c.key for c in wide}
    assert wide == COLUMNS  # everything, in the table's order
    for chosen, width in ((narrow, 78), (medium, 118)):
        assert sum(column.width + 2 for column in chosen) <= width
        assert [c.key for c in chosen] == [c.key for c in COLUMNS if c in chosen]  # order kept
    assert {"path", "preview"} <= {c.key for c in medium}


async def test_queue_at_80x24_keeps_status_and_owner(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = column_keys(app)
        assert {"sla", "status", "owner"} <= set(keys)
        table = app.screen.query_one("#queue", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no sideways scrolling
        assert table.get_cell("3", "owner").plain == "ml-platform"
        assert table.row_count == 4
        status = str(app.screen.query_one("#queue-status").render())
        assert status.startswith("4 of 6 secrets") and len(status) <= 80
        await pilot.press("down", "down")
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert app.screen.cursor_id() == 3  # the cursor stays on its secret
        wider = column_keys(app)
        assert set(keys) < set(wider) and {"path", "preview", "rule", "confidence"} <= set(wider)
        assert table.get_cell("1", "path").plain == "agents/.env"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert column_keys(app) == keys


def test_bar_lengths_are_proportional():
    assert bar_lengths([1, 3, 0], 30) == [10, 30, 0]
    assert bar_lengths([1, 1000], 10) == [1, 10]  # a count above zero is never an empty bar
    assert bar_lengths([], 10) == [] and bar_lengths([0, 0], 10) == [0, 0]


@pytest.mark.parametrize("width", [30, 40, 80])
def test_bars_keep_the_ratio_at_every_width(width):
    console = Console(width=width, file=io.StringIO(), record=True)
    counts = {"openai": 3, "anthropic": 1, "a-very-long-provider-name": 2}
    console.print(Bars("Open secrets by provider", counts))
    lines = console.export_text().splitlines()
    bars = {line.split()[0]: line.count(BAR) for line in lines[1:]}
    assert all(len(line) <= width for line in lines)
    assert abs(bars["openai"] - 3 * bars["anthropic"]) <= 2  # 3:1, give or take the rounding
    long_name = next(label for label in bars if label.startswith(("…", "a-very")))  # shortened when narrow
    assert bars["openai"] > bars[long_name] > bars["anthropic"]


async def test_dashboard_at_80x24_draws_unequal_bars(make_app, settle, db):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        lines = shown(app.screen.query_one("#ages", Static), width=36).splitlines()[1:]
        assert {line.split()[0]: line.count(BAR) for line in lines}["14-21"] == 0
        assert app.screen.data.open_by_org == {"github.com/acme": 4}


async def test_schedules_result_is_whole_at_80_columns(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#schedules", DataTable)
        result = table.get_cell_at((0, 1))
        assert result.plain == "ok"
        offset = sum(column.get_render_width(table) for column in list(table.columns.values())[:2])
        assert offset <= 80  # the whole result column is on screen without scrolling
        assert str(app.screen.query_one("#schedules-status").render()) == "1 schedule"
