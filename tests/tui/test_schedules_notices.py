"""The schedules screen: the run result column is never cut, and notices webhooks refuse are shown."""

from __future__ import annotations

from datetime import timedelta

import tui_seed as seed
from secret_sprawl.tracker import outbox
from secret_sprawl.tracker.models.schedule import Notification
from secret_sprawl.tracker.notifications import announce_scan_failed
from secret_sprawl.tracker.schedules import get_schedule
from secret_sprawl.tui.screens.schedules import RESULT_WIDTH, SchedulesScreen
from sqlmodel import Session, select
from textual.widgets import DataTable, Static


def _refused_notice(engine) -> int:
    with Session(engine) as session:
        schedule = get_schedule(session, "nightly")
        schedule.last_status = "partial"
        session.add(schedule)
        announce_scan_failed(session, "nightly", scan_id=schedule.last_scan_id, result="partial",
                             error="/srv/gone: no such file or directory", at=seed.AS_OF)
        rows = session.exec(select(Notification)).all()
        outbox.mark_refused(session, rows, "HTTP 503", seed.AS_OF, base_delay=timedelta(minutes=1),
                            max_attempts=1)
        session.commit()
        return rows[0].id


async def test_failing_notices_and_the_whole_result_are_shown(make_app, settle, db):
    engine, _ = db
    notice_id = _refused_notice(engine)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, SchedulesScreen)
        table = app.screen.query_one("#schedules", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        result = table.get_row_at(0)[labels.index("Last result")]
        assert str(result) == "partial"
        (column,) = (c for c in table.columns.values() if str(c.label) == "Last result")
        assert column.get_render_width(table) >= RESULT_WIDTH
        panel = str(app.screen.query_one("#schedules-notices", Static).render())
        assert "Notices not delivered: " in panel and f"#{notice_id} scan-failed" in panel
        assert "failed after 1 attempt (HTTP 503)" in panel


async def test_no_panel_text_when_every_notice_is_delivered(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert str(app.screen.query_one("#schedules-notices", Static).render()) == ""
