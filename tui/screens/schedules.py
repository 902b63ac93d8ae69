"""Schedules: each scheduled scan with its cron, targets, next run and last run's result."""

from __future__ import annotations

from rich.text import Text
from secret_sprawl.tui.format import moment, plain_cells, plural, shorten
from secret_sprawl.tui.loaders import ScheduleRow, load_schedules
from secret_sprawl.tui.screens.live import LiveScreen
from secret_sprawl.tui.widgets.key_footer import KeyFooter
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

# The result second, so no width hides it.
COLUMNS = ("Name", "Last result", "Cron (UTC)", "Targets", "Verify", "Next run", "Last run", "Scan")
RESULT_STYLES = {"completed": "green", "completed-with-errors": "dark_orange", "failed": "bold red"}


class SchedulesScreen(LiveScreen):
    """Read-only list of schedules; they are managed with ``sprawl schedule``."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="schedules", cursor_type="row", zebra_stripes=True)
        yield Static("", id="schedules-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "sprawl"
        self.sub_title = "schedules"
        self.query_one("#schedules", DataTable).add_columns(*COLUMNS)

    def read(self) -> list[ScheduleRow]:
        return load_schedules(self.sprawl.engine, self.sprawl.now())

    def show(self, rows: list[ScheduleRow]) -> None:
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
