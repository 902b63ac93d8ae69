"""Snapshots of every screen at 80x24 and 160x48 on the seeded database as of AS_OF (fixed clock, fixed
data, so the pictures only change when the UI does).

Regenerate after an intended visual change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs under ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

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


async def steady(pilot, *, tries: int = 100) -> None:
    """Until two pictures of the screen 50 ms apart are the same: a table sizes its columns on a later
    refresh than the one that drew its rows, later still on a busy machine."""
    before = pilot.app.export_screenshot()
    for _ in range(tries):
        await pilot.pause(0.05)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now
