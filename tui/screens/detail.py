"""Detail of one secret: redacted value and fingerprint, SLA, confidence and the tracker's suggested
resolution, where to revoke it, every occurrence (with its confidence and reasons), the audit
timeline and the live-verification history. The triage bindings act on this secret."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from secret_sprawl.tracker.confidence import SUGGESTIONS, suggested_resolution
from secret_sprawl.tracker.models import Secret
from secret_sprawl.tui.data import resolved_late
from secret_sprawl.tui.format import (
    LATE_STYLE,
    RESOLVED_LATE,
    confidence_text,
    days_text,
    moment,
    plain_cells,
    plural,
    sla_text,
    verification_text,
)
from secret_sprawl.tui.keymap import DETAIL_KEYS, bindings
from secret_sprawl.tui.loaders import SecretDetail, load_detail
from secret_sprawl.tui.screens.triage import TriageScreen
from secret_sprawl.tui.widgets.fitted_table import FittedTable
from secret_sprawl.tui.widgets.identity import IdentityPanel
from secret_sprawl.tui.widgets.key_footer import KeyFooter
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Label, Static

TABLES = {
    "occurrences": ("Target", "Path:line", "Commit", "Committed", "Author", "Where", "Kind", "Confidence"),
    "events": ("At", "Actor", "Event", "Change", "Detail"),
    "verifications": ("At", "State", "HTTP", "Endpoint", "Detail"),
}


class DetailScreen(TriageScreen):
    """Everything known about one secret; Escape goes back to the queue."""

    KEYMAP = DETAIL_KEYS
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(self, secret_id: int) -> None:
        super().__init__()
        self.secret_id = secret_id
        self.detail: SecretDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static("loading…", id="summary")
            yield Static("", id="remediation")
            yield IdentityPanel(self.secret_id, id="identity")
            for name, columns in TABLES.items():
                yield Label(name.capitalize(), classes="section")
                table: DataTable = FittedTable(id=name, cursor_type="row", show_cursor=False)
                table.add_columns(*columns)
                yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "sprawl"
        self.sub_title = f"secret #{self.secret_id}"

    def target_ids(self) -> list[int]:
        return [self.secret_id]

    def action_back(self) -> None:
        self.app.pop_screen()

    def read(self) -> SecretDetail | None:
        app = self.sprawl
        try:
            return load_detail(app.engine, app.policy, self.secret_id, app.now())
        except LookupError:
            return None  # deleted since the queue showed it

    def show(self, detail: SecretDetail | None) -> None:
        if detail is None:
            self.notify(f"Secret #{self.secret_id} is no longer in the tracker.", severity="error")
            return
        self.detail = detail
        self.query_one("#summary", Static).update(_summary(detail))
        self.query_one("#remediation", Static).update(Text.assemble(("Revoke: ", "bold"), detail.remediation))
        self.query_one(IdentityPanel).refresh_identity()
        self._fill("occurrences", [
            (
                place.target,
                f"{place.occurrence.path}:{place.occurrence.line}",
                place.occurrence.commit[:10],
                moment(place.occurrence.committed_at),
                place.occurrence.author or "",
                "HEAD" if place.occurrence.in_head else "history only",
                place.occurrence.location_kind,
                _confidence(place.occurrence.confidence, place.occurrence.reasons),
            )
            for place in detail.places
        ])
        self._fill("events", [
            (
                moment(event.at),
                event.actor,
                event.kind,
                _change(event.old_value, event.new_value),
                _detail_text(event.detail),
            )
            for event in detail.events
        ])
        self._fill("verifications", [
            (moment(check.at), verification_text(check.state), str(check.http_status or ""), check.endpoint,
             check.detail)
            for check in detail.verifications
        ])

    def _fill(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        table = self.query_one(f"#{name}", DataTable)
        table.clear()
        table.add_rows(plain_cells(row) for row in rows)


def _summary(detail: SecretDetail) -> Table:
    secret, sla = detail.secret, detail.sla
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_column(style="bold")
    grid.add_column()
    sla_cell = Text.assemble(_sla_state(detail), "  ", days_text(sla.state, sla.days_left),
                             f"  (deadline {moment(sla.deadline)}, {sla.window_days:g}-day window)")
    rows = (
        ("Secret", secret.redacted, "Status", secret.status),
        ("Fingerprint", secret.fingerprint, "Owner", secret.owner or "—"),
        ("Rule", secret.rule_id, "Provider", secret.provider),
        ("Category", secret.category, "Lifetime", secret.lifetime),
        ("Severity", secret.severity, "Shared",
         f"{plural(secret.places, 'place')} in {plural(secret.targets_count, 'target')}"),
        ("Exposed", moment(secret.exposed_at), "Resolved", moment(secret.resolved_at) or "—"),
        ("SLA", sla_cell, "Verified", Text.assemble(verification_text(secret.verification_state),
                                                      f"  {moment(secret.verified_at)}")),
        ("Confidence", confidence_text(secret.confidence), "Suggested", _suggestion(secret)),
    )
    for row in rows:
        grid.add_row(*plain_cells(row))
    if secret.resolution_note:
        grid.add_row(*plain_cells(("Note", secret.resolution_note, "", "")))
    return grid


def _sla_state(detail: SecretDetail) -> Text:
    """The SLA state; for a secret resolved after its deadline, "resolved late" and by how much."""
    sla = detail.sla
    if resolved_late(sla):
        return Text(f"{RESOLVED_LATE}, {-sla.days_left:.0f}d after the deadline", style=LATE_STYLE)
    return sla_text(sla.state)


def _suggestion(secret: Secret) -> str:
    suggestion = suggested_resolution(secret.status, secret.suggested_status, secret.verification_state)
    return f"{suggestion} ({SUGGESTIONS[suggestion]}; press u)" if suggestion else "—"


def _confidence(level: str, reasons: list[str] | None) -> Text:
    text = confidence_text(level)
    if reasons:
        text.append(f": {', '.join(reasons)}", style="dim")
    return text


def _change(old: str | None, new: str | None) -> str:
    """``old → new`` for a change, just the value for something set the first time (owner, note)."""
    if old is None:
        return new or ""
    return f"{old} → {new or '∅'}"


def _detail_text(detail: dict[str, Any] | None) -> str:
    """The event's details as ``key: value`` pairs, leaving out empty ones."""
    if not detail:
        return ""
    return "; ".join(f"{key}: {value}" for key, value in sorted(detail.items()) if value not in (None, ""))
