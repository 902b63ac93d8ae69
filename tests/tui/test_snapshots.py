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
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=reach)
