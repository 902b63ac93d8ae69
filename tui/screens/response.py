"""The "Identify" (``I``) and "Revoke" (``R``) actions of the queue and the detail view, each behind a
confirmation modal that says what will be sent where: Identify asks the provider, read-only, who the
key belongs to; Revoke calls the provider's revocation API (it cannot be undone), then re-checks the
key, and only a key the provider rejects is closed as revoked. The work runs in a worker thread
through ``tui.response``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


class ResponseModal(ModalScreen[bool]):
    """Confirm an action that sends keys to their provider: True to go ahead."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, message: str, confirm: str, *, danger: bool) -> None:
        super().__init__()
        self._title, self._message, self._confirm_label, self._danger = title, message, confirm, danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Label(self._message)
            with Horizontal(id="dialog-buttons"):
                variant = "error" if self._danger else "primary"
                yield Button(self._confirm_label, variant=variant, id="confirm")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ResponseScreen(LiveScreen):
    """Adds Identify and Revoke to a screen that says which secrets it acts on (``target_ids``)."""

    # Outside the keymap (tui/keymap.py) for now, so the footer, help and palette snapshots stay as they are.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("I", "identify", "Identify", show=False),
        Binding("R", "revoke", "Revoke at provider", show=False),
    ]

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def action_identify(self) -> None:
        self._confirm_then(
            "identify", response.identify,
            lambda listed: ResponseModal(
                "Identify at the provider",
                f"{listed}: each key is read again from where it was found and sent, read-only, to its "
                "provider's identity endpoint (official host or your configured endpoint) to learn who it "
                f"belongs to, what it can reach and when it expires. Recorded as {self.sprawl.actor}.",
                "Identify", danger=False))

    def action_revoke(self) -> None:
        self._confirm_then(
            "revoke", response.revoke,
            lambda listed: ResponseModal(
                "Revoke at the provider",
                f"{listed}: sprawl calls each provider's revocation API (this cannot be undone), then "
                "re-checks the key; only a key the provider rejects is closed as revoked. Providers "
                f"without an API get their console steps. Recorded as {self.sprawl.actor}.",
                "Revoke", danger=True))

    def _confirm_then(self, name: str, run: Callable[..., list[response.ResponseOutcome]],
                      modal: Callable[[str], ResponseModal]) -> None:
        ids = self.target_ids()
        if not ids:
            self.notify("No secret under the cursor.", severity="warning")
            return
        more = f" and {len(ids) - 12} more" if len(ids) > 12 else ""
        listed = ", ".join(f"#{i}" for i in ids[:12]) + more

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"{name.capitalize()}: {len(ids)} secret(s)…")
                self.run_worker(lambda: self._respond(run, ids), thread=True, group=name)

        self.app.push_screen(modal(listed), done)

    def _respond(self, run: Callable[..., list[response.ResponseOutcome]], ids: Sequence[int]) -> None:
        app = self.sprawl
        for outcome in run(app.url, ids, by=app.actor, options=app.cli_options):
            self.app.call_from_thread(self.notify, terminal(f"#{outcome.secret_id}: {outcome.message}"),
                                      severity="information" if outcome.ok else "warning", markup=False)
        self.app.call_from_thread(self.reload)
