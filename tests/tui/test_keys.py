"""Keys people can find: ``?`` lists every binding of the screen in view, the command palette offers
every action and runs it, and the footer shows the best-ranked keys whole at any width."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest
from secret_sprawl.tui.keymap import APP_KEYS, QUEUE_KEYS, TRIAGE_KEYS, Command, bindings
from secret_sprawl.tui.palette import entries
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.help import HelpScreen
from secret_sprawl.tui.screens.modals import ConfirmModal
from secret_sprawl.tui.screens.queue import QueueScreen
from secret_sprawl.tui.widgets.key_footer import FooterItem, KeyFooter, fit
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.widgets import Input, Static
from tui_text import shown

SIZE = (160, 48)


def help_text(app) -> str:
    return "\n".join(shown(static) for static in app.screen.query(".help-section").results(Static))


def active(screen) -> dict[str, tuple[str, str]]:
    """Key display -> (label, help) of every non-system binding active on ``screen``."""
    return {screen.app.get_key_display(b): (b.description or b.action, b.tooltip)
            for _, b, _, _ in screen.active_bindings.values() if not b.system}


async def test_question_mark_lists_every_binding_of_the_queue(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bound = active(app.screen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {(row.key, row.label, row.help) for row in app.screen.rows}
        assert rows == {(key, label, text) for key, (label, text) in bound.items()}
        # Every entry of the queue's, the triage and the app's tables is there, hidden ones included.
        listed = {(row.label, row.help) for row in app.screen.rows}
        for command in (*QUEUE_KEYS, *TRIAGE_KEYS, *APP_KEYS):
            assert (command.label, command.help) in listed, command
        shown = help_text(app)
        assert "Select every secret the filter shows" in shown and "Reverse the sort order" in shown
        assert app.screen.rows[0].section == "This screen"
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_question_mark_on_the_detail_lists_the_detail_keys(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("question_mark")
        labels = {row.label for row in app.screen.rows}
        assert {"Back", "Revoked", "Owner", "Help", "Palette"} <= labels
        assert not labels & {"All", "Filter", "Sort"}  # the queue's own keys do not apply here
        await pilot.press("question_mark")  # ? closes it too
        assert isinstance(app.screen, DetailScreen)


async def test_palette_offers_every_action_of_the_screen_and_runs_it(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = {name for name, _, _ in entries(app.screen)}
        expected = {command.label for command in (*QUEUE_KEYS, *TRIAGE_KEYS, *APP_KEYS)} - {"Palette"}
        assert names == expected
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"accept risk")
        for _ in range(40):  # the palette searches in the background
            await asyncio.sleep(0.05)
            await pilot.pause()
            if app.screen.query_one("CommandList").option_count:
                break
        await pilot.press("enter")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # the same dialog as the key "a"
        assert app.screen.query_one("#note", Input)
        await pilot.press("escape")


def test_fit_keeps_the_top_of_the_ranking_whole():
    items = [FooterItem("a", "a", "Alpha", 2), FooterItem("b", "b", "Bravo", 0),
             FooterItem("c", "c", "Charlie", 1), FooterItem("d", "d", "D", 3)]
    assert [item.key for item in fit(items, 200)] == ["b", "c", "a", "d"]
    # " b Bravo " (9) + gap + " c Charlie " (11) = 21; " a Alpha " needs 10 more, "d" would fit but
    # comes after it in rank: the footer never skips a more important key for a less important one.
    assert [item.key for item in fit(items, 30)] == ["b", "c"]
    assert fit(items, 5) == []


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_footer_shows_whole_keys_in_rank_order_at_every_width(make_app, settle, width):
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        shown = footer.shown()
        line = str(footer.render())
        assert len(line) <= width
        for item in shown:
            assert f" {item.display} {item.label} " in line  # whole, never cut mid-word
        ranked = sorted(footer.items, key=lambda item: item.rank)
        assert shown == ranked[:len(shown)]
        assert [item.label for item in shown[:4]] == ["Help", "Palette", "Filter", "Select"]
        if width == 200:
            assert len(shown) > len(fit(footer.items, 120)) > len(fit(footer.items, 80))


class IdentifyingDetail(DetailScreen):
    """What another lane does to add an action: one table entry and the method it names."""

    KEYMAP = (Command("I", "identify", "Identify", "Ask the provider who owns this key", rank=9),)
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)
    identified = 0

    def action_identify(self) -> None:
        self.identified += 1


async def test_one_table_entry_reaches_the_key_the_footer_the_help_and_the_palette(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(IdentifyingDetail(1))
        await settle(pilot)
        screen = app.screen
        assert "Identify" in [item.label for item in screen.query_one(KeyFooter).shown()]
        assert "Identify" in {name for name, _, _ in entries(screen)}
        await pilot.press("I")
        assert screen.identified == 1
        await pilot.press("question_mark")
        assert ("I", "Identify", "Ask the provider who owns this key") in {
            (row.key, row.label, row.help) for row in app.screen.rows}


async def test_a_click_on_a_footer_key_presses_it(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click(KeyFooter, offset=(2, 0))  # " ? Help " comes first
        assert isinstance(app.screen, HelpScreen)
