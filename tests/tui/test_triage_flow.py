"""The queue's working loop: Enter in the filter returns to the table, ``ctrl+a`` selects what the
filter shows, each resolution asks only what it needs, "resolved late", the organisation filter,
and counted nouns."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
import sqlalchemy as sa
import tui_seed as seed
from secret_sprawl.detectors.types import Confidence, Finding, Provenance, TargetResult
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.models import Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tui.format import plural
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.modals import ConfirmModal
from sqlmodel import Session
from textual.widgets import DataTable, Input, Select, Static
from tui_text import shown

SIZE = (160, 48)
OTHER_ORG = "gitlab.example.com/beta/tools"


def table_ids(app) -> list[int]:
    return [int(str(key.value)) for key in app.screen.query_one("#queue", DataTable).rows]


def statuses(engine: sa.Engine, ids: list[int]) -> list[str]:
    with Session(engine) as session:
        return [session.get(Secret, i).status for i in ids]


async def test_enter_in_the_filter_applies_it_and_returns_to_the_table(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter-text", Input)
        await pilot.press(*"notebooks", "enter")
        await settle(pilot)
        assert isinstance(app.focused, DataTable)
        assert table_ids(app) == [2]
        await pilot.press("x")  # the next key acts on the table, it does not edit the filter
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        assert app.screen.query_one("#filter-text", Input).value == "notebooks"


async def test_ctrl_a_selects_every_visible_row_and_a_bulk_false_positive_asks_no_time(make_app, settle, db):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#filter-category", Select).value = "ai"
        await settle(pilot)
        assert table_ids(app) == [1, 2, 3]
        await pilot.press("ctrl+a")
        assert app.screen.selected == {1, 2, 3}  # #5 (scm) is filtered out: not selected
        assert "3 selected" in str(app.screen.query_one("#queue-status").render())
        marks = [app.screen.query_one("#queue", DataTable).get_cell(str(i), "sel") for i in (1, 2, 3)]
        assert all(mark.plain == "●" for mark in marks)
        await pilot.press("f")
        assert isinstance(app.screen, ConfirmModal)
        assert not app.screen.query(Input)  # neither a time nor a note
        await pilot.press("enter")
        await settle(pilot)
        assert table_ids(app) == []
    assert statuses(engine, [1, 2, 3, 5]) == ["false-positive"] * 3 + ["open"]
    with Session(engine) as session:
        assert first_break(session) is None


@pytest.mark.parametrize(("key", "time", "note"), [
    ("x", True, False),  # revoked: when
    ("t", True, False),  # rotated: when
    ("a", False, True),  # accepted risk: why
    ("f", False, False),
    ("u", False, False),
])
async def test_each_resolution_asks_only_what_it_needs(make_app, settle, key, time, note):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        assert isinstance(app.screen, ConfirmModal)
        assert bool(app.screen.query("#when")) is time
        assert bool(app.screen.query("#note")) is note
        if note:
            assert app.screen.query_one("#note", Input).placeholder == "note (required)"
        await pilot.press("escape")


async def test_resolved_late_in_the_queue_and_the_detail(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#filter-status", Select).clear()
        await settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        # #6 was rotated 45 days after exposure (27-day SLA), #4 revoked after 18 days.
        assert table.get_cell("6", "sla").plain == "resolved late"
        assert table.get_cell("4", "sla").plain == "resolved"
        table.move_cursor(row=table_ids(app).index(6))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        summary = shown(app.screen.query_one("#summary", Static))
        assert "resolved late, 18d after the deadline" in summary


def _record_in_other_org(engine: sa.Engine) -> None:
    value = "synthetic-other-org"
    finding = Finding(
        rule_id="generic-api-key", provider="generic", category="generic", lifetime="unknown",
        severity="medium", fingerprint=hashlib.sha256(value.encode()).hexdigest(), redacted="syn…org",
        provenance=Provenance(target=OTHER_ORG, path="ci/deploy.sh", committed_at=seed.AS_OF.replace(day=1)),
        line=1, column=1, confidence=Confidence.MEDIUM, reasons=(),
    )
    recorder = Recorder(engine, actor="scanner")
    recorder.record(TargetResult(target=OTHER_ORG, kind="git", findings=[finding]))
    recorder.finish()


async def test_filter_by_organisation(make_app, settle, db):
    engine, _ = db
    _record_in_other_org(engine)
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(pilot)
        assert len(table_ids(app)) == 5
        org = app.screen.query_one("#filter-org", Select)
        assert [value for _, value in org._options if isinstance(value, str)] == [
            "github.com/acme", "gitlab.example.com/beta"]
        org.value = "gitlab.example.com/beta"
        await settle(pilot)
        [other] = table_ids(app)
        assert app.screen.query_one("#queue", DataTable).get_cell(str(other), "org").plain == \
            "…xample.com/beta"
        org.value = "github.com/acme"
        await settle(pilot)
        assert table_ids(app) == [1, 2, 3, 5]
        await pilot.press("r")  # a refresh keeps the organisation chosen and its rows
        await asyncio.sleep(0.1)
        await settle(pilot)
        assert org.value == "github.com/acme" and table_ids(app) == [1, 2, 3, 5]


async def test_counted_nouns_in_the_detail(make_app, settle):
    assert [plural(1, "place"), plural(2, "place")] == ["1 place", "2 places"]
    assert plural(0, "secret") == "0 secrets"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # #2: one place in one target
        await settle(pilot)
        summary = shown(app.screen.query_one("#summary", Static))
        assert "1 place in 1 target" in summary and "places" not in summary
