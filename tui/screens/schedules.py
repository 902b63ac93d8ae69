"""Schedules: each scheduled scan with its cron, targets, next run and last run's result, and the
notices that webhooks keep refusing (manage them with ``sprawl notifications``)."""

from __future__ import annotations

from rich.text import Text
from secret_sprawl.tracker import outbox
from secret_sprawl.tracker.models.schedule import Notification
from secret_sprawl.tracker.safe_text import terminal
from secret_sprawl.tui.format import moment, plain_cells, plural, shorten
from secret_sprawl.tui.loaders import ScheduleRow, load_schedules
from secret_sprawl.tui.screens.live import LiveScreen
from secret_sprawl.tui.widgets.fitted_table import FittedTable
from secret_sprawl.tui.widgets.key_footer import KeyFooter
from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

COLUMNS = ("Cron (UTC)", "Targets", "Verify", "Next run", "Last run")
RESULT_COLUMN, RESULT_WIDTH = "Last result", 11  # wide enough for every run result and its header
RESULT_STYLES = {"ok": "green", "findings": "dark_orange", "partial": "dark_orange", "failed": "bold red"}
FAILING_SHOWN = 5


class SchedulesScreen(LiveScreen):
    """Read-only list of schedules; they are managed with ``sprawl schedule``."""

    DEFAULT_CSS = "#schedules-notices { color: $warning; height: auto; max-height: 8; }"

    def compose(self) -> ComposeResult:
        yield Header()
        yield FittedTable(id="schedules", cursor_type="row", zebra_stripes=True)
        yield Static("", id="schedules-notices")
        yield Static("", id="schedules-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "sprawl"
        self.sub_title = "schedules"
        table = self.query_one("#schedules", DataTable)
        table.add_column("Name")
        table.add_column(RESULT_COLUMN, width=RESULT_WIDTH)  # second, so no terminal width hides it
        table.add_columns(*COLUMNS)
        table.add_column("Scan")

    def read(self) -> tuple[list[ScheduleRow], list[Notification]]:
        with Session(self.sprawl.engine, expire_on_commit=False) as session:
            failing = outbox.failing(session, limit=FAILING_SHOWN + 1)
            session.expunge_all()
        return load_schedules(self.sprawl.engine, self.sprawl.now()), failing

    def show(self, data: tuple[list[ScheduleRow], list[Notification]]) -> None:
        rows, failing = data
        table = self.query_one("#schedules", DataTable)
        with self.app.batch_update():
            table.clear()
            for row in rows:
                schedule = row.schedule
                result = schedule.last_status or ""
                table.add_row(*plain_cells((
                    schedule.name,
                    Text(result, style=RESULT_STYLES.get(result, "")),
                    schedule.cron,
                    shorten(", ".join(schedule.targets), 40),
                    "yes" if schedule.verify else "no",
                    moment(row.next_run) or "never",
                    moment(schedule.last_run_at) or "not yet",
                    str(schedule.last_scan_id or ""),
                )), key=schedule.name)
        message = plural(len(rows), "schedule") if rows else "No schedules. Add one with: sprawl schedule add"
        self.query_one("#schedules-status", Static).update(message)
        self.query_one("#schedules-notices", Static).update(Text(failing_text(failing)))


def failing_text(failing: list[Notification]) -> str:
    """A few lines about the notices webhooks refused (empty when there are none)."""
    if not failing:
        return ""
    more = "+" if len(failing) > FAILING_SHOWN else ""
    lines = [f"Notices not delivered: {min(len(failing), FAILING_SHOWN)}{more} "
             "(sprawl notifications list; retry ID / drop ID)"]
    lines += [terminal(f"  #{n.id} {n.kind}{' ' + n.state if n.kind == 'sla' else ''} -> {n.destination}: "
                       f"{n.status} after {n.attempts} attempt{'' if n.attempts == 1 else 's'} "
                       f"({n.last_error or 'no answer'})")
              for n in failing[:FAILING_SHOWN]]
    return "\n".join(lines)
