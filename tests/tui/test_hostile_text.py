"""Data that looks like markup or terminal control (a note ``[/x]``, a path ``[bold red]``, an owner with
ESC) is shown literally in the TUI: no MarkupError, no style, no raw control character."""

from __future__ import annotations

from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.models.core import Occurrence
from secret_sprawl.tui.screens.detail import DetailScreen
from sqlmodel import Session, select
from textual.widgets import DataTable

SIZE = (160, 40)
NOTE = "closed [/x] by [link=https://evil.example]ops[/link]"
OWNER = "team\x1b]0;pwned\x07[bold red]x"
PATH = "[bold red]danger[/bold red]\u202e.env"


def plant(engine) -> None:
    with Session(engine) as session:
        lifecycle.add_note(session, 1, NOTE, by="tester")
        lifecycle.resolve(session, 1, "accepted-risk", note=NOTE, by="tester")
        lifecycle.reopen(session, 1, by="tester")
        lifecycle.assign(session, 1, OWNER, by="tester")
        occurrence = session.exec(select(Occurrence).where(Occurrence.secret_id == 1)).first()
        occurrence.path = PATH
        session.add(occurrence)
        session.commit()


def texts(table: DataTable) -> list[str]:
    rows = (table.get_row_at(row) for row in range(table.row_count))
    return [getattr(cell, "plain", str(cell)) for row in rows for cell in row]


async def test_markup_and_controls_in_data_are_shown_literally(db, make_app, settle):
    engine, _url = db
    plant(engine)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        owner = app.screen.query_one("#queue", DataTable).get_cell("1", "owner")
        assert owner.plain.endswith("bold red]x") and not owner.spans  # literal, unstyled
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.secret_id == 1
        places = texts(app.screen.query_one("#occurrences", DataTable))
        assert any(cell.startswith("[bold red]danger[/bold red]\\u202e.env") for cell in places)
        events = " ".join(texts(app.screen.query_one("#events", DataTable)))
        assert "[/x]" in events and "[link=https://evil.example]" in events
        assert "\x1b" not in events and "\\x1b]0;pwned\\x07" in events
        summary = app.screen.query_one("#summary").render()
        await pilot.pause()
    assert summary is not None  # rendered without a MarkupError
