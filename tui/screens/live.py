"""A screen that shows database content and keeps it current without blocking the UI.

``read`` runs in a worker thread and ``show`` on the UI thread. ``reload`` always re-reads;
``refresh_if_changed`` (the app's timer, or a return to the screen) re-reads only when the tracker's
change marker moved since the last read. The marker is taken before the data, so a change that
lands during a read is picked up by the next check, never lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from secret_sprawl.tui.data import change_marker
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from secret_sprawl.tui.app import SprawlApp


class LiveScreen(Screen):
    """Base of every screen that reads the tracker."""

    def __init__(self) -> None:
        super().__init__()
        self._marker: tuple[object, ...] | None = None

    @property
    def sprawl(self) -> SprawlApp:
        return cast("SprawlApp", self.app)

    def read(self) -> Any:
        """Everything the screen shows, read from the database (called in a worker thread)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Put what ``read`` returned on screen (called on the UI thread)."""
        raise NotImplementedError

    def reload(self) -> None:
        """Re-read now (after a change made here, or on the refresh key)."""
        self._load(force=True)

    def refresh_if_changed(self) -> None:
        self._load(force=False)

    def on_screen_resume(self) -> None:
        """Shown for the first time or again: read if anything changed meanwhile."""
        self.refresh_if_changed()

    @work(thread=True, exclusive=True, group="live-load", description="read the tracker")
    def _load(self, force: bool) -> None:
        app, worker = self.sprawl, get_current_worker()
        try:
            marker = change_marker(app.engine)
            if not force and marker == self._marker:
                return
            data = self.read()
        except SQLAlchemyError as exc:
            app.call_from_thread(app.database_trouble, exc)
            return
        if not worker.is_cancelled:  # a newer read replaced this one
            app.call_from_thread(self._shown, data, marker)

    def _shown(self, data: Any, marker: tuple[object, ...]) -> None:
        if not self.is_attached:
            return  # the app is closing while a read finished
        self._marker = marker
        self.show(data)
