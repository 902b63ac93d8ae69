"""Modal dialogs: confirm a status change (with optional time and note) and ask for one line of text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from secret_sprawl.tracker.models.columns import parse_utc
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the user confirmed: when it happened (None = now) and the note they wrote."""

    at: datetime | None
    note: str | None


class ConfirmModal(ModalScreen[Confirmation | None]):
    """Confirm a status change; optionally ask when it happened and for a (possibly required) note."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, message: str, *, ask_time: bool, note_required: bool) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._ask_time = ask_time
        self._note_required = note_required

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Label(self._message)
            if self._ask_time:
                yield Input(placeholder="when: blank = now, or YYYY-MM-DD [HH:MM] (UTC)", id="when")
            note_hint = "note (required)" if self._note_required else "note (optional)"
            yield Input(placeholder=note_hint, id="note")
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
        note = self.query_one("#note", Input).value.strip()
        if self._note_required and not note:
            self._error("a note is required: say why the risk is accepted")
            return
        self.dismiss(Confirmation(at=at, note=note or None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Label).update(message)


class PromptModal(ModalScreen[str | None]):
    """Ask for one non-empty line of text (an owner, a note)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

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
