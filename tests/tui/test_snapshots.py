"""Snapshots of the queue, the detail and the dashboard at 160x40 on the seeded database as of AS_OF.

Regenerate after an intended visual change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs under ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

SIZE = (160, 40)


def test_queue(snap_compare, make_app, settle):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_detail(snap_compare, make_app, settle):
    async def open_detail(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_detail)


def test_dashboard(snap_compare, make_app, settle):
    async def open_dashboard(pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_dashboard)
