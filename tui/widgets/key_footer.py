"""The footer: the screen's most important keys that fit the width, whole, in the action table's order.

Textual's own footer lays every binding side by side and the terminal cuts the line wherever it ends.
This one ranks the active bindings by their ``Command.rank`` (``tui/keymap.py``; bindings from
elsewhere come last), keeps as many whole ``key label`` items as the width holds and drops the rest
(``?`` lists them all). A click on an item presses its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from secret_sprawl.tui.keymap import rank_of
from textual import events
from textual.screen import Screen
from textual.widget import Widget

GAP = 1  # cells between two items


@dataclass(frozen=True, slots=True)
class FooterItem:
    key: str  # what a click presses
    display: str  # how the key is written
    label: str
    rank: int
    enabled: bool = True

    @property
    def width(self) -> int:
        return len(self.display) + 1 + len(self.label) + 2  # " key label "


def fit(items: list[FooterItem], width: int) -> list[FooterItem]:
    """The best-ranked items that fit in ``width`` cells, each one whole; the first that does not fit
    ends the line, so what is shown is always the top of the ranking."""
    kept: list[FooterItem] = []
    used = 0
    for item in sorted(items, key=lambda item: item.rank):
        needed = item.width + (GAP if kept else 0)
        if used + needed > width:
            break
        kept.append(item)
        used += needed
    return kept


class KeyFooter(Widget):
    """One line of the screen's keys, most important first, nothing cut."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--label"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--label {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[FooterItem] = []
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of what is on screen

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        items: dict[str, FooterItem] = {}
        for node, binding, enabled, _ in screen.active_bindings.values():
            if not binding.show or binding.action in items:
                continue
            items[binding.action] = FooterItem(binding.key, self.app.get_key_display(binding),
                                               binding.description, rank_of(node, binding), enabled)
        self.items = list(items.values())
        self.refresh()

    def shown(self) -> list[FooterItem]:
        return fit(self.items, self.size.width)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        label_style = self.get_component_rich_style("key-footer--label")
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for item in self.shown():
            if text:
                text.append(" " * GAP)
            start = len(text)
            dim = Style(dim=not item.enabled)
            text.append(f" {item.display} ", style=key_style + dim)
            text.append(f"{item.label} ", style=label_style + dim)
            self._spans.append((start, len(text), item.key))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
