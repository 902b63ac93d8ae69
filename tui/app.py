"""The Textual application: shared state (database, SLA policy, actor, clock), the three modes, and
the live refresh (every ``--refresh`` seconds, reload the screen in view if the database changed).

Screens live in ``tui/screens`` and read or write only through ``tui.data``, ``tui.loaders`` and
``tui.actions``; the app itself only switches between the queue, the dashboard and the schedules,
opens the help screen (``?``) and the command palette (``ctrl+p``, with ``tui.palette``). Every key is
an entry of the action table (``tui/keymap.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import ClassVar

import sqlalchemy as sa
from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.keymap import APP_KEYS, bindings
from secret_sprawl.tui.palette import SprawlCommands
from secret_sprawl.tui.screens.dashboard import DashboardScreen
from secret_sprawl.tui.screens.help import HelpScreen
from secret_sprawl.tui.screens.live import LiveScreen
from secret_sprawl.tui.screens.queue import QueueScreen
from secret_sprawl.tui.screens.schedules import SchedulesScreen
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen


class SprawlApp(App[None]):
    """``sprawl tui``: triage the tracked secrets."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "sprawl"
    COMMANDS = App.COMMANDS | {SprawlCommands}
    # Layout classes on every screen by terminal width (see styles/app.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-medium"),
                                                               (150, "-wide")]
    MODES: ClassVar[dict[str, type]] = {
        "queue": QueueScreen,
        "dashboard": DashboardScreen,
        "schedules": SchedulesScreen,
    }
    DEFAULT_MODE = "queue"
    KEYMAP = APP_KEYS
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(
        self,
        engine: sa.Engine,
        *,
        url: str,
        policy: SlaPolicy,
        actor: str,
        as_of: datetime | None = None,
        refresh: float = 10.0,
        cli_options: Sequence[str] = (),
    ) -> None:
        """``cli_options`` (the user's ``--config`` / ``--rules``) are passed on to ``sprawl verify``."""
        super().__init__()
        self.engine = engine
        self.url = url
        self.policy = policy
        self.actor = actor
        self.as_of = as_of
        self.refresh_seconds = refresh
        self.cli_options = tuple(cli_options)

    def on_mount(self) -> None:
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self._check_for_changes)

    def _check_for_changes(self) -> None:
        """Every ``--refresh`` seconds: the screen in view re-reads if another process changed the data.

        The timer may tick while the app is closing, when no screen is left on the stack."""
        stack = self.screen_stack
        if stack and isinstance(stack[-1], LiveScreen):
            stack[-1].refresh_if_changed()

    def now(self) -> datetime:
        """The instant the SLA is measured at: ``--as-of`` if given, else the clock."""
        return self.as_of or datetime.now(UTC)

    def database_trouble(self, error: Exception) -> None:
        """A read failed (database locked, gone, unreachable): say so and keep the last data on screen."""
        message = terminal(f"{type(error).__name__}: {error}".splitlines()[0])
        self.notify(message, title="Database not readable", severity="error", timeout=8, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, screenshot...) except those sprawl has its own key for."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_reload(self) -> None:
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()
