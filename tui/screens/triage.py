"""Triage key bindings shared by the queue and the detail screen, and how they run.

A screen subclasses ``TriageScreen``, says which secrets an action applies to (``target_ids``) and
what to do once the database changed (``reload``). Status changes are confirmed in a modal; every
write runs in a worker thread through ``tui.actions`` so the UI never waits on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tui import actions
from secret_sprawl.tui.format import plural
from secret_sprawl.tui.keymap import TRIAGE_KEYS, bindings
from secret_sprawl.tui.screens.modals import Confirmation, ConfirmModal, PromptModal
from secret_sprawl.tui.screens.response import ResponseScreen
from sqlalchemy.exc import SQLAlchemyError
from textual.binding import BindingType


class TriageScreen(ResponseScreen):
    """A screen whose secrets can be triaged with the shared bindings."""

    KEYMAP = TRIAGE_KEYS
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def target_ids(self) -> list[int]:
        """The secrets an action applies to (the selection, else the one under the cursor)."""
        raise NotImplementedError

    def written(self) -> None:
        """Called after one of this screen's actions changed the database."""
        self.reload()

    def action_resolve(self, status: str) -> None:
        ids = self._ids_or_warn()
        if not ids:
            return
        resolution = actions.RESOLUTIONS[status]
        label = resolution.label
        modal = ConfirmModal(
            f"Mark as {label.lower()}",
            f"Mark {_count(ids)} as {label.lower()}? The audit log records it as {self.sprawl.actor}.",
            ask_time=resolution.asks_time,
            note="required" if resolution.needs_note else "none",
        )

        def done(confirmation: Confirmation | None) -> None:
            if confirmation is not None:  # no time given: the app's clock, as the queue shows "open as of"
                self._write(
                    lambda: actions.resolve(self.sprawl.engine, ids, status, by=self.sprawl.actor,
                                            at=confirmation.at or self.sprawl.as_of, note=confirmation.note),
                    f"{label}: {_count(ids)}",
                )

        self.app.push_screen(modal, done)

    def action_reopen(self) -> None:
        ids = self._ids_or_warn()
        if not ids:
            return
        modal = ConfirmModal("Reopen", f"Reopen {_count(ids)}? The SLA clock keeps its exposure date.",
                             note="optional")

        def done(confirmation: Confirmation | None) -> None:
            if confirmation is not None:
                self._write(lambda: actions.reopen(self.sprawl.engine, ids, by=self.sprawl.actor,
                                                   note=confirmation.note), f"Reopened: {_count(ids)}")

        self.app.push_screen(modal, done)

    def action_assign(self) -> None:
        ids = self._ids_or_warn()
        if not ids:
            return

        def done(owner: str | None) -> None:
            if owner:
                self._write(lambda: actions.assign(self.sprawl.engine, ids, owner, by=self.sprawl.actor),
                            f"Assigned {_count(ids)} to {owner}")

        self.app.push_screen(PromptModal(f"Assign {_count(ids)}", "owner (team or person)"), done)

    def action_note(self) -> None:
        ids = self._ids_or_warn()
        if not ids:
            return

        def done(note: str | None) -> None:
            if note:
                self._write(lambda: actions.add_note(self.sprawl.engine, ids, note, by=self.sprawl.actor),
                            f"Note added to {_count(ids)}")

        self.app.push_screen(PromptModal(f"Add a note to {_count(ids)}", "note"), done)

    def action_verify(self) -> None:
        ids = self._ids_or_warn()
        if not ids:
            return
        self.notify(f"Verifying {_count(ids)}…")
        self.run_worker(lambda: self._verify(ids), thread=True, group="verify")

    def _verify(self, ids: Sequence[int]) -> None:
        for secret_id in ids:
            outcome = actions.verify(self.sprawl.url, secret_id, by=self.sprawl.actor,
                                     options=self.sprawl.cli_options)
            severity = "information" if outcome.ok else "error"
            self.app.call_from_thread(self.notify, terminal(f"#{secret_id}: {outcome.message}"),
                                      severity=severity, markup=False)
        self.app.call_from_thread(self.reload)

    def _write(self, change: Callable[[], None], success: str) -> None:
        def work() -> None:
            try:
                change()
            except (LookupError, ValueError, SQLAlchemyError) as exc:
                self.app.call_from_thread(self.notify, terminal(str(exc)), severity="error",
                                          title="Not changed", markup=False)
                return
            self.app.call_from_thread(self.notify, success)
            self.app.call_from_thread(self.written)

        self.run_worker(work, thread=True, group="write")

    def _ids_or_warn(self) -> list[int]:
        ids = self.target_ids()
        if not ids:
            self.notify("No secret under the cursor.", severity="warning")
        return ids


def _count(ids: Sequence[int]) -> str:
    return f"secret #{ids[0]}" if len(ids) == 1 else plural(len(ids), "secret")
