"""The help screen (``?``): every key active on the screen it was opened from, read from its bindings.

Nothing here is written by hand: the rows are the screen's active bindings (``Screen.active_bindings``:
the focused widget's, the screen's and the app's), labelled and explained by the action table
(``tui/keymap.py``) through each binding's description and tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import ClassVar

from rich.table import Table
from secret_sprawl.tui.format import plain_cells
from secret_sprawl.tui.keymap import Command, bindings, rank_of
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


@dataclass(frozen=True, slots=True)
class HelpRow:
    section: str  # "This screen", "Everywhere", or the focused widget's kind
    key: str
    label: str
    help: str


def _table(section: str, rows: list[HelpRow]) -> Table:
    table = Table(title=section, title_justify="left", title_style="bold", box=None, expand=True,
                  padding=(0, 1), show_header=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for row in rows:
        table.add_row(*plain_cells((row.key, row.label, row.help)))
    return table


def help_rows(screen: Screen) -> list[HelpRow]:
    """One row per active binding of ``screen``: its own first, then the app's, then the focused
    widget's; within each, in the footer's order."""
    ranked: list[tuple[int, int, int, HelpRow]] = []
    for order, (node, binding, _, _) in enumerate(screen.active_bindings.values()):
        if binding.system:
            continue
        rank = rank_of(node, binding)
        if isinstance(node, Screen):
            group, section = 0, "This screen"
        elif isinstance(node, App):
            group, section = 1, "Everywhere"
        else:
            group, section = 2, f"In the focused {_widget_kind(node)}"
        label = binding.description or binding.action
        row = HelpRow(section, screen.app.get_key_display(binding), label, binding.tooltip)
        ranked.append((group, rank, order, row))
    return [row for *_, row in sorted(ranked, key=lambda item: item[:3])]


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below, one table per section; Escape, ``q`` or ``?`` closes it."""

    KEYMAP = (
        Command("escape", "close", "Close", "Close this help", rank=0),
        Command("q", "close", "Close", "Close this help"),
        Command("question_mark", "close", "Close", "Close this help", key_display="?"),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.rows = help_rows(below)
        self.title_text = f"Keys: {below.sub_title or type(below).__name__}"

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(self.title_text, id="help-title")
            with VerticalScroll(id="help-keys"):
                for section, rows in groupby(self.rows, key=attrgetter("section")):
                    yield Static(_table(section, list(rows)), classes="help-section")
            yield Label("Escape closes · ctrl+p searches every action by name", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _widget_kind(node: object) -> str:
    """The Textual widget ``node`` is (``DataTable``), not our subclass of it (``FittedTable``)."""
    return next((kind.__name__ for kind in type(node).__mro__ if kind.__module__.startswith("textual.")),
                type(node).__name__)
