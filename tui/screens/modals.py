"""Modal dialogs: confirm a status change (with optional time and note) and ask for one line of text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from secret_sprawl.tracker.models.columns import parse_utc
from secret_sprawl.tui.keymap import Command, bindings
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the user confirmed: when it happened (None = now) and the note they wrote."""

    at: datetime | None
    note: str | None


class ConfirmModal(ModalScreen[Confirmation | None]):
    """Confirm a status change, asking only what it needs: when it happened (``ask_time``) and a
    note (``note``: "none", "optional" or "required"). With nothing to ask, Enter confirms."""

    KEYMAP = (Command("escape", "cancel", "Cancel", "Close without changing anything", rank=0),)
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(self, title: str, message: str, *, ask_time: bool = False, note: str = "none") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._ask_time = ask_time
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Label(self._message)
            if self._ask_time:
                yield Input(placeholder="when: blank = now, or YYYY-MM-DD [HH:MM] (UTC)", id="when")
            if self._note != "none":
                yield Input(placeholder=f"note ({self._note})", id="note")
            yield Label("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Confirm", variant="primary", id="confirm")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def _confirm(self) -> None:
        at: datetime | None = None
        if self._ask_time:
            when = self.query_one("#when", Input).value
            if when.strip():
                try:
                    at = parse_utc(when)
                except ValueError as exc:
                    self._error(str(exc))
                    return
        note = self.query_one("#note", Input).value.strip() if self._note != "none" else ""
        if self._note == "required" and not note:
            self._error("a note is required: say why the risk is accepted")
            return
        self.dismiss(Confirmation(at=at, note=note or None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_mount(self) -> None:
        if not self.query(Input):
            self.query_one("#confirm", Button).focus()

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Label).update(message)


class PromptModal(ModalScreen[str | None]):
    """Ask for one non-empty line of text (an owner, a note)."""

    KEYMAP = ConfirmModal.KEYMAP
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(self, title: str, placeholder: str, *, value: str = "") -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Input(value=self._value, placeholder=self._placeholder, id="text")
            yield Label("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("OK", variant="primary", id="confirm")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def _confirm(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.query_one("#dialog-error", Label).update("this cannot be empty")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
