"""Confidence in the queue: a column and a minimum-confidence filter (medium by default), the
``used-in-tests`` suggestion in the status and the detail, and the confirmed bulk action that closes
every suggested secret through tracker.lifecycle (all or nothing, audited)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rich.console import Console
from secret_sprawl.detectors.types import Confidence, Finding, Provenance, TargetResult
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.modals import ConfirmModal
from sqlmodel import Session, select
from textual.widgets import DataTable, Input, Select, Static

from tests.tui.tui_seed import AS_OF

SIZE = (160, 40)
SEEDED_OPEN = [1, 2, 3, 5]  # the seed's open secrets, all at medium or high confidence
EXPOSED = AS_OF - timedelta(days=3)  # the queue shows what was exposed by its as-of instant


def _finding(name: str, path: str, confidence: Confidence, reasons: tuple[str, ...]) -> Finding:
    value = f"synthetic-confidence-{name}"
    return Finding(
        rule_id="generic-api-key", provider="generic", category="generic", lifetime="unknown",
        severity="medium", fingerprint=hashlib.sha256(value.encode()).hexdigest(), redacted=f"syn…{name}",
        provenance=Provenance(target="github.com/acme/agents", path=path, committed_at=EXPOSED),
        line=3, column=5,
        confidence=confidence, reasons=reasons,
    )


FIXTURES = {  # name -> the places a scan records it in
    "test-a": [("tests/test_client.py", Confidence.LOW, ("test-path",))],
    "test-b": [("tests/fixtures/keys.json", Confidence.LOW, ("placeholder-like", "test-path")),
               ("src/conftest.py", Confidence.LOW, ("test-path",))],
    "vendored": [("node_modules/sdk/index.js", Confidence.LOW, ("vendored-path",))],
}


def record(engine: sa.Engine, places: dict[str, list[tuple[str, Confidence, tuple[str, ...]]]]) -> None:
    findings = [_finding(name, *place) for name, where in places.items() for place in where]
    recorder = Recorder(engine, actor="scanner")
    recorder.record(TargetResult(target="github.com/acme/agents", kind="git", findings=findings))
    recorder.finish()


def ids_of(engine: sa.Engine) -> dict[str, int]:
    names = {hashlib.sha256(f"synthetic-confidence-{n}".encode()).hexdigest(): n for n in FIXTURES}
    with Session(engine) as session:
        rows = session.exec(select(Secret.fingerprint, Secret.id).where(Secret.fingerprint.in_(names)))
        return {names[fingerprint]: secret_id for fingerprint, secret_id in rows}


@pytest.fixture
def fixtures(db) -> dict[str, int]:
    engine, _ = db
    record(engine, FIXTURES)
    return ids_of(engine)


def table_ids(app) -> list[int]:
    return [int(str(key.value)) for key in app.screen.query_one("#queue", DataTable).rows]


def cell(app, secret_id: int, column: str) -> str:
    value = app.screen.query_one("#queue", DataTable).get_cell(str(secret_id), column)
    return getattr(value, "plain", value)


def status(engine: sa.Engine, secret_id: int) -> str:
    with Session(engine) as session:
        return session.get(Secret, secret_id).status


async def test_queue_shows_medium_and_up_until_the_filter_says_otherwise(make_app, settle, fixtures):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_ids(app) == SEEDED_OPEN
        assert (cell(app, 1, "confidence"), cell(app, 2, "confidence")) == ("high", "medium")
        status_line = str(app.screen.query_one("#queue-status").render())
        assert "4 of 9 secrets" in status_line
        assert "2 suggested as used in tests (U closes them)" in status_line
        confidence = app.screen.query_one("#filter-confidence", Select)
        confidence.clear()  # "conf: any"
        await settle(pilot)
        assert sorted(table_ids(app)) == sorted(SEEDED_OPEN + list(fixtures.values()))
        test_a, vendored = fixtures["test-a"], fixtures["vendored"]
        assert cell(app, test_a, "confidence") == "low"
        assert cell(app, test_a, "status") == "open → tests?"
        assert cell(app, vendored, "status") == "open"
        confidence.value = "high"
        await settle(pilot)
        assert table_ids(app) == [1]
        app.screen.sort_by("confidence", descending=True)
        confidence.value = "medium"
        await settle(pilot)
        assert table_ids(app)[0] == 1


async def test_close_every_suggested_test_value_in_one_confirmed_action(make_app, settle, db, fixtures):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("U")  # acts on the suggestions even though the filter hides them
        assert isinstance(app.screen, ConfirmModal)
        message = " ".join(str(label.render()) for label in app.screen.query("Label"))
        suggested = sorted((fixtures["test-a"], fixtures["test-b"]))
        assert "Close 2 open secrets" in message and f"#{suggested[0]}, #{suggested[1]}" in message
        assert not app.screen.query(Input)  # used in tests: nothing to ask, Enter confirms
        await pilot.press("enter")
        await settle(pilot)
        assert table_ids(app) == SEEDED_OPEN
    assert {name: status(engine, i) for name, i in fixtures.items()} == {
        "test-a": "used-in-tests", "test-b": "used-in-tests", "vendored": "open"}
    with Session(engine) as session:
        events = session.exec(select(Event).where(Event.secret_id.in_(suggested),
                                                  Event.kind == "status-changed")).all()
        changes = [(e.actor, e.old_value, e.new_value) for e in events]
        assert changes == [("tester", "open", "used-in-tests")] * 2
        assert all(e.detail["note"] == "accepted the tracker's suggestion (used-in-tests: seen only in test "
                   "paths)" for e in events)
        assert first_break(session) is None
    assert all(status(engine, i) == "open" for i in SEEDED_OPEN)


async def test_bulk_close_is_all_or_nothing_when_a_suggestion_went_away(make_app, settle, db, fixtures):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Another scan finds test-b in application code after the queue was read.
        record(engine, {"test-b": [("src/client.py", Confidence.MEDIUM, ())]})
        await pilot.press("U", "enter")
        await settle(pilot)
        assert any(n.title == "Not changed" and "no suggested resolution" in n.message
                   for n in app._notifications)
    assert status(engine, fixtures["test-a"]) == "open" and status(engine, fixtures["test-b"]) == "open"


async def test_cancel_or_nothing_to_close_changes_nothing(make_app, settle, db, fixtures):
    engine, _ = db
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("U", "escape")
        await settle(pilot)
        assert status(engine, fixtures["test-a"]) == "open"
    with Session(engine) as session:
        assert not session.exec(select(Event).where(Event.kind == "status-changed",
                                                    Event.secret_id.in_(fixtures.values()))).all()


async def test_no_suggestion_is_a_warning(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert any("No open secret is suggested" in n.message for n in app._notifications)


async def test_detail_shows_confidence_reasons_and_the_suggestion(make_app, settle, fixtures):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(DetailScreen(fixtures["test-b"]))
        await settle(pilot)
        console = Console(width=150, file=io.StringIO(), record=True)
        console.print(app.screen.query_one("#summary", Static).content)
        summary = console.export_text()
        assert re.search(r"Confidence +low ", summary)
        assert "Suggested  used-in-tests (seen only in test paths; press u)" in summary
        table = app.screen.query_one("#occurrences", DataTable)
        reasons = {str(table.get_row_at(i)[1]): table.get_row_at(i)[-1].plain for i in range(table.row_count)}
        assert reasons == {"tests/fixtures/keys.json:3": "low: placeholder-like, test-path",
                           "src/conftest.py:3": "low: test-path"}
