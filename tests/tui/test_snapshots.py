"""Snapshots of every screen at 80x24 and 160x48 on the seeded database as of AS_OF (fixed clock, fixed
data, so the pictures only change when the UI does).

Regenerate after an intended visual change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs under ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input
from textual.worker import WorkerState

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
# Keys pressed once the queue is loaded, to reach each screen.
SCREENS = {
    "queue": (),
    "detail": ("enter",),
    "dashboard": ("2",),
    "schedules": ("3",),
    "help": ("question_mark",),
    "resolve": ("x",),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, make_app, settle, screen, size):
    async def reach(pilot) -> None:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a steady cursor: a blinking one is caught on or off at random
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=reach)


async def steady(pilot, *, tries: int = 400) -> None:
    """Until no worker is loading, no table waits to size its columns (a DataTable does that on its
    next idle event) and three pictures of the screen 50 ms apart are the same: on a busy machine a
    screen's loading worker may start after the previous check, and the sizing comes late."""
    before, same = pilot.app.export_screenshot(), 0
    for _ in range(tries):
        await pilot.pause(0.05)
        now = pilot.app.export_screenshot()
        busy = any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in pilot.app.workers)
        pending = any(table._require_update_dimensions or table._new_rows
                      for table in pilot.app.screen.query(DataTable))
        same = same + 1 if now == before and not busy and not pending else 0
        if same >= 2:
            return
        before = now
