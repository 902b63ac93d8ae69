"""The command palette's sprawl commands: every action of the action table bound on the screen it was
opened from.

Built from the same bindings as the footer and the help screen: each active binding that is an entry
of the action table (``tui/keymap.py``) becomes a command named by its label, explained by its help
and its key, and running exactly what the key runs (on the screen or app that binds it). Textual's
generic keys (focus, copy, cursor movement) are left to the keys themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from secret_sprawl.tui.keymap import command_for
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

Entry = tuple[str, str, Callable[[], object]]  # (name, help, run)


def entries(screen: Screen) -> list[Entry]:
    """(name, help, run) for every action bound on ``screen`` or the app, one per action."""
    found: dict[str, Entry] = {}
    for node, binding, enabled, _ in screen.active_bindings.values():
        if binding.system or not enabled or command_for(node, binding) is None:
            continue
        if binding.action in ("command_palette", "app.command_palette"):
            continue  # the palette is open already
        name = binding.description or binding.action
        key = screen.app.get_key_display(binding)
        found.setdefault(binding.action,
                         (name, f"{binding.tooltip} ({key})", partial(node.run_action, binding.action)))
    return list(found.values())


class SprawlCommands(Provider):
    """The palette's source of sprawl actions for the current screen."""

    async def discover(self) -> Hits:
        for name, help_text, run in entries(self.screen):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in entries(self.screen):
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)
