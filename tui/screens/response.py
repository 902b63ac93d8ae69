"""The "Revoke" action of the queue and the detail view (``R``), behind a confirmation modal that says
what will happen: the provider's API is called (it cannot be undone), then the key is re-checked and
only a rejected key is closed as revoked. The work runs in a worker thread through ``tui.response``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tui import response
from secret_sprawl.tui.screens.live import LiveScreen
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class RevokeModal(ModalScreen[bool]):
    """Confirm a revocation at the provider: True to go ahead."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, ids: Sequence[int], actor: str) -> None:
        super().__init__()
        self._ids = list(ids)
        self._actor = actor

    def compose(self) -> ComposeResult:
        listed = ", ".join(f"#{i}" for i in self._ids[:12]) + (" …" if len(self._ids) > 12 else "")
        with Vertical(id="dialog"):
            yield Label(f"Revoke {len(self._ids)} secret(s) at the provider", id="dialog-title")
            yield Label(f"{listed}: sprawl calls each provider's revocation API (this cannot be undone), "
                        "then re-checks the key; only a key the provider rejects is closed as revoked. "
                        f"Providers without an API get their console steps. Recorded as {self._actor}.")
            with Horizontal(id="dialog-buttons"):
                yield Button("Revoke", variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ResponseScreen(LiveScreen):
    """Adds the Revoke binding to a screen that says which secrets it acts on (``target_ids``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "revoke", "Revoke at provider", show=False),
    ]

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def action_revoke(self) -> None:
        ids = self.target_ids()
        if not ids:
            self.notify("No secret under the cursor.", severity="warning")
            return

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Revoking {len(ids)} secret(s)…")
                self.run_worker(lambda: self._revoke(ids), thread=True, group="revoke")

        self.app.push_screen(RevokeModal(ids, self.sprawl.actor), done)

    def _revoke(self, ids: Sequence[int]) -> None:
        app = self.sprawl
        for outcome in response.revoke(app.url, ids, by=app.actor, options=app.cli_options):
            self.app.call_from_thread(self.notify, terminal(f"#{outcome.secret_id}: {outcome.message}"),
                                      severity="information" if outcome.ok else "warning", markup=False)
        self.app.call_from_thread(self.reload)
