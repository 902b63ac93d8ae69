"""The action table: every key of the TUI, one ``Command`` per action, grouped by where it applies.

A ``Command`` is the key, the Textual action it runs, a short label (footer, help screen, palette),
one sentence of help (help screen and palette) and its rank in the footer (lowest first; ``None``
keeps it out of the footer, still in the help screen and the palette). A screen declares
``KEYMAP = (...)`` and ``BINDINGS = bindings(KEYMAP)``; the footer (``widgets/key_footer.py``), the
help screen (``?``) and the command palette (``palette.py``) all read those bindings, so adding an
action is one entry here (plus the ``action_*`` method it names, when the action is new).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class Command:
    key: str
    action: str
    label: str
    help: str
    rank: int | None = None
    key_display: str | None = None
    priority: bool = False  # runs even when an input has focus (Textual's priority binding)

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.rank is not None,
                       key_display=self.key_display, priority=self.priority, tooltip=self.help)


def bindings(commands: Iterable[Command]) -> list[Binding]:
    return [command.binding() for command in commands]


UNRANKED = 1000  # bindings outside the table (Textual's own, a dialog's) come after every ranked one


def command_for(node: DOMNode, binding: Binding) -> Command | None:
    """The table entry a binding active on ``node`` came from (``KEYMAP`` along the node's classes)."""
    for cls in type(node).__mro__:
        for command in vars(cls).get("KEYMAP", ()):
            if command.action == binding.action and command.label == binding.description:
                return command
    return None


def rank_of(node: DOMNode, binding: Binding) -> int:
    """Where a binding active on ``node`` stands in the footer's order (lowest first)."""
    command = command_for(node, binding)
    return UNRANKED if command is None or command.rank is None else command.rank


APP_KEYS = (
    Command("question_mark", "help", "Help", "List every key of this screen", rank=0, key_display="?"),
    Command("ctrl+p", "command_palette", "Palette", "Search every action by name", rank=1,
            key_display="^p", priority=True),
    Command("1", "switch_mode('queue')", "Queue", "The triage queue, most urgent first", rank=60),
    Command("2", "switch_mode('dashboard')", "Dashboard", "MTTR, SLA and open secrets for leadership",
            rank=61),
    Command("3", "switch_mode('schedules')", "Schedules", "Scheduled scans and their last result", rank=62),
    Command("r", "reload", "Refresh", "Read the tracker again now", rank=70),
    Command("q", "quit", "Quit", "Leave sprawl tui", rank=55),
)

TRIAGE_KEYS = (
    Command("x", "resolve('revoked')", "Revoked", "Mark as revoked at the provider (asks when)", rank=10),
    Command("t", "resolve('rotated')", "Rotated", "Mark as rotated (asks when)", rank=11),
    Command("f", "resolve('false-positive')", "False pos.", "Mark as a false positive", rank=12),
    Command("a", "resolve('accepted-risk')", "Accept risk", "Accept the risk (asks for a note)", rank=14),
    Command("u", "resolve('used-in-tests')", "In tests", "Mark as a value used only in tests", rank=15),
    Command("o", "assign", "Owner", "Assign an owner (team or person)", rank=13),
    Command("n", "note", "Note", "Add a note to the audit trail", rank=30),
    Command("e", "reopen", "Reopen", "Reopen a resolved secret (the SLA keeps its start)", rank=31),
    Command("v", "verify", "Verify", "Ask the provider whether the key is live now", rank=32),
)

QUEUE_KEYS = (
    Command("slash", "focus_filter", "Filter", "Type a filter; Enter applies it and returns to the table",
            rank=3, key_display="/"),
    Command("space", "toggle_select", "Select", "Select or unselect the secret under the cursor", rank=4),
    Command("ctrl+a", "select_all", "All", "Select every secret the filter shows", rank=5, key_display="^a"),
    Command("escape", "escape", "Unselect", "Leave the filter, or clear the selection"),
    Command("s", "sort_next", "Sort", "Sort by the next column", rank=40),
    Command("S", "sort_reverse", "Reverse", "Reverse the sort order"),
    Command("right_square_bracket", "page(1)", "Next page", "Show the next page of secrets", rank=50,
            key_display="]"),
    Command("left_square_bracket", "page(-1)", "Prev page", "Show the previous page of secrets", rank=51,
            key_display="["),
    Command("U", "close_suggested", "Close test values",
            "Close every open secret the tracker suggests as used in tests", rank=45),
)

DETAIL_KEYS = (
    Command("escape", "back", "Back", "Back to the queue", rank=3),
)
