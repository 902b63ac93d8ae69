"""The queue (default screen): every secret, most urgent first, one page at a time.

All rows are read in a worker thread; filtering and sorting run in another worker over that
in-memory copy, and the table shows one page of ``PAGE_SIZE`` rows, so 100,000 secrets never block
the UI. A refresh re-renders in place: the cursor stays on the same secret (or, if that secret left
the view, on the same line), and the filter and sort are kept. The columns are those the width holds
(``tui/queue_columns.py``: status and owner always). Each secret shows its confidence, its first path
and its redacted preview, and "resolved late" when it was remediated after its SLA deadline; an open
secret the tracker suggests closing as used in tests says so in its status, and ``U`` closes every
such secret at once after one confirmation. ``ctrl+a`` selects every secret the filter shows.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

from rich.text import Text
from secret_sprawl.tracker.confidence import SUGGESTIONS, USED_IN_TESTS
from secret_sprawl.tui import actions
from secret_sprawl.tui.data import (
    SORT_KEYS,
    QueueFilter,
    QueueRow,
    attach_places,
    change_marker,
    load_secrets,
    select_rows,
)
from secret_sprawl.tui.format import fit_parts, plain_cells, plural
from secret_sprawl.tui.keymap import QUEUE_KEYS, bindings
from secret_sprawl.tui.queue_columns import Column, choose
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.modals import Confirmation, ConfirmModal
from secret_sprawl.tui.screens.triage import TriageScreen
from secret_sprawl.tui.widgets.filter_bar import FilterBar
from secret_sprawl.tui.widgets.fitted_table import FittedTable
from secret_sprawl.tui.widgets.key_footer import KeyFooter
from sqlalchemy.exc import SQLAlchemyError
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import get_current_worker

PAGE_SIZE = 200
SCROLLBAR = 2  # cells the vertical scrollbar may take
SELECTED_MARK = Text("●", style="bold magenta")


class QueueScreen(TriageScreen):
    """Secrets by urgency, with a filter bar, sortable columns, paging and a selection for bulk actions."""

    KEYMAP = QUEUE_KEYS
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYMAP)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[QueueRow] = []
        self.view: list[QueueRow] = []
        self.queue_filter = QueueFilter()
        self.sort = "urgency"
        self.descending = False
        self.page = 0
        self.selected: set[int] = set()
        self._page_rows: list[QueueRow] = []
        self._page_cells: list[tuple[object, ...]] = []
        self._generation = itertools.count()
        self._latest = 0
        self._suggested: list[int] = []  # open secrets the tracker suggests closing as used in tests
        self.columns: tuple[Column, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBar(self.queue_filter, id="filters")
        yield FittedTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("loading…", id="queue-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "sprawl"
        self.sub_title = "triage queue"
        self._fit_columns(self.app.size.width)
        self.query_one("#queue", DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        line = self.query_one("#queue", DataTable).cursor_row  # rebuilding the columns resets the cursor
        if self._fit_columns(event.size.width):
            self._render_page(line)
        else:
            self._update_status()

    def _fit_columns(self, width: int) -> bool:
        """Show the columns ``width`` holds; True if they changed."""
        columns = choose(width - SCROLLBAR)
        if columns == self.columns:
            return False
        self.columns = columns
        table = self.query_one("#queue", DataTable)
        table.clear(columns=True)
        for column in columns:
            table.add_column(column.label, key=column.key, width=column.width)
        self._page_rows, self._page_cells = [], []
        return True

    # Loading and filtering (worker threads) ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="queue-load", description="load the queue")
    def _load(self, force: bool) -> None:
        """Paint as soon as the secrets are read; targets and paths for the filter follow."""
        app, worker = self.sprawl, get_current_worker()
        try:
            marker = change_marker(app.engine)
            if not force and marker == self._marker:
                return
            rows = load_secrets(app.engine, app.policy, app.now())
            if worker.is_cancelled:  # a newer load replaced this one while it read
                return
            app.call_from_thread(self._loaded, rows, marker)
            attach_places(app.engine, rows)
        except SQLAlchemyError as exc:
            app.call_from_thread(app.database_trouble, exc)
            return
        if not worker.is_cancelled:
            app.call_from_thread(self._places_attached, rows)

    def _places_attached(self, rows: list[QueueRow]) -> None:
        if self.is_attached and rows is self.rows:
            self.query_one(FilterBar).offer(org=(org for row in rows for org in row.orgs))
            self._recompute(keep_place=True)

    def _loaded(self, rows: list[QueueRow], marker: tuple[object, ...]) -> None:
        if not self.is_attached:
            return  # the app is closing while a read finished
        self.rows, self._marker = rows, marker
        self._suggested = sorted(row.id for row in rows if row.suggestion == USED_IN_TESTS)
        # Organisations, targets and paths come with the places (``_places_attached``): a filter on them
        # waits for those rather than show an empty queue for a moment.
        self.query_one(FilterBar).offer(provider=(row.provider for row in rows),
                                        category=(row.category for row in rows))
        if self.queue_filter.org is None and not self.queue_filter.text.strip():
            self._recompute(keep_place=True)

    def _recompute(self, *, keep_place: bool) -> None:
        """Filter and sort in a worker; only the newest request's result is shown."""
        generation = next(self._generation)
        self._latest = generation
        rows, queue_filter, sort, descending = self.rows, self.queue_filter, self.sort, self.descending

        def select() -> None:
            view = select_rows(rows, queue_filter, sort, descending)
            self.app.call_from_thread(self._show, view, generation, keep_place)

        # A plain callable: @work would put the repr of 100,000 rows in the worker's description.
        self.run_worker(select, thread=True, exclusive=True, group="queue-view", description="filter, sort")

    def _show(self, view: list[QueueRow], generation: int, keep_place: bool) -> None:
        if generation != self._latest or not self.is_attached:
            return  # a newer filter or sort is on its way, or the app is closing
        table = self.query_one("#queue", DataTable)
        cursor_id, line = self.cursor_id(), table.cursor_row
        self.view = view
        self.selected &= {row.id for row in view}
        if keep_place and cursor_id is not None:
            index = next((i for i, row in enumerate(view) if row.id == cursor_id), None)
            if index is not None:
                self.page, line = divmod(index, PAGE_SIZE)
        else:
            self.page, line = 0, 0
        self.page = min(self.page, max(0, (len(view) - 1) // PAGE_SIZE))
        self._render_page(line)

    # Rendering ------------------------------------------------------------------------------------

    def _render_page(self, line: int) -> None:
        table = self.query_one("#queue", DataTable)
        start = self.page * PAGE_SIZE
        rows = self.view[start:start + PAGE_SIZE]
        cells = [self._cells(row) for row in rows]
        with self.app.batch_update():
            if [r.id for r in rows] == [r.id for r in self._page_rows]:
                for row, new, old in zip(rows, cells, self._page_cells, strict=True):
                    for column, value, previous in zip(self.columns, new, old, strict=True):
                        if value != previous:
                            table.update_cell(str(row.id), column.key, value)
            else:
                scroll_y = table.scroll_y
                table.clear()
                for row, values in zip(rows, cells, strict=True):
                    table.add_row(*values, key=str(row.id))
                table.scroll_to(y=scroll_y, animate=False, immediate=True)
            self._page_rows, self._page_cells = rows, cells
            if rows:
                table.move_cursor(row=min(line, len(rows) - 1), animate=False)
        self._update_status()

    def _cells(self, row: QueueRow) -> tuple[object, ...]:
        return plain_cells(
            (SELECTED_MARK if row.id in self.selected else "") if column.key == "sel" else column.cell(row)
            for column in self.columns
        )

    def _update_status(self) -> None:
        pages = max(1, -(-len(self.view) // PAGE_SIZE))
        arrow = "↓" if self.descending else "↑"
        self._mark_sorted_column(arrow)
        parts = [f"{len(self.view):,} of {plural(len(self.rows), 'secret')}"]  # most important first
        if self.selected:
            parts.append(f"{len(self.selected):,} selected")
        if self._suggested:
            parts.append(f"{len(self._suggested):,} suggested as used in tests (U closes them)")
        parts += [f"page {self.page + 1}/{pages}", f"sorted by {self.sort} {arrow}",
                  f"SLA as of {self.sprawl.now():%Y-%m-%d %H:%M} UTC"]
        status = self.query_one("#queue-status", Static)
        status.update(fit_parts(parts, status.content_region.width or self.app.size.width - 2))

    def _mark_sorted_column(self, arrow: str) -> None:
        table = self.query_one("#queue", DataTable)
        sorted_key = "sla" if self.sort == "urgency" else self.sort
        for column in self.columns:
            label = column.label
            table.columns[ColumnKey(column.key)].label = Text(f"{label} {arrow}" if column.key == sorted_key
                                                              else label)
        table.refresh()

    # What actions apply to ------------------------------------------------------------------------

    def cursor_id(self) -> int | None:
        table = self.query_one("#queue", DataTable)
        if not self._page_rows or table.cursor_row < 0:
            return None
        return self._page_rows[min(table.cursor_row, len(self._page_rows) - 1)].id

    def target_ids(self) -> list[int]:
        if self.selected:
            return sorted(self.selected)
        cursor = self.cursor_id()
        return [] if cursor is None else [cursor]

    def written(self) -> None:
        self.selected.clear()
        self.reload()

    # Key and mouse handlers -----------------------------------------------------------------------

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        self.queue_filter = event.queue_filter
        self._recompute(keep_place=False)

    @on(FilterBar.Applied)
    def _filter_applied(self) -> None:
        self.query_one("#queue", DataTable).focus()

    @on(DataTable.RowSelected, "#queue")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(DetailScreen(int(str(event.row_key.value))))

    @on(DataTable.HeaderSelected, "#queue")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key != "sel":
            self.sort_by(key, descending=not self.descending if key == self.sort else False)

    def sort_by(self, key: str, *, descending: bool = False) -> None:
        if key not in SORT_KEYS:
            raise ValueError(f"cannot sort by {key!r}")
        self.sort, self.descending = key, descending
        self._recompute(keep_place=True)

    def action_sort_next(self) -> None:
        order = ("urgency", *(column.key for column in self.columns if column.key != "sel"))
        current = order.index(self.sort) if self.sort in order else 0  # sorted by a column the width hid
        self.sort_by(order[(current + 1) % len(order)])

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort, descending=not self.descending)

    def action_page(self, step: int) -> None:
        pages = max(1, -(-len(self.view) // PAGE_SIZE))
        page = min(max(0, self.page + step), pages - 1)
        if page != self.page:
            self.page = page
            self._render_page(0)

    def action_toggle_select(self) -> None:
        cursor = self.cursor_id()
        if cursor is None:
            return
        self.selected ^= {cursor}
        table = self.query_one("#queue", DataTable)
        index = table.cursor_row
        mark = SELECTED_MARK if cursor in self.selected else ""
        table.update_cell(str(cursor), "sel", mark)
        self._page_cells[index] = (mark, *self._page_cells[index][1:])
        table.action_cursor_down()
        self._update_status()

    def action_select_all(self) -> None:
        """Select every secret the filter shows (on every page)."""
        self.selected = {row.id for row in self.view}
        self._render_page(self.query_one("#queue", DataTable).cursor_row)
        if self.selected:
            self.notify(f"Selected {plural(len(self.selected), 'secret')}; Escape clears the selection.")

    def action_close_suggested(self) -> None:
        """Close every open secret the tracker suggests as used in tests (whatever the filter shows)."""
        ids = self._suggested
        if not ids:
            self.notify("No open secret is suggested as used in tests.", severity="warning")
            return
        more = f" and {len(ids) - 12} more" if len(ids) > 12 else ""
        listed = ", ".join(f"#{i}" for i in ids[:12]) + more
        modal = ConfirmModal(
            "Close test values",
            f"Close {plural(len(ids), 'open secret')} {SUGGESTIONS[USED_IN_TESTS]} as used in tests "
            f"({listed})? The audit log records it as {self.sprawl.actor}.",
        )

        def done(confirmation: Confirmation | None) -> None:
            if confirmation is not None:
                self._write(lambda: actions.accept_suggestions(self.sprawl.engine, ids, by=self.sprawl.actor),
                            f"Used in tests: {plural(len(ids), 'secret')}")

        self.app.push_screen(modal, done)

    def action_escape(self) -> None:
        """Leave the filter bar for the table; in the table, clear the selection."""
        table = self.query_one("#queue", DataTable)
        if not table.has_focus:
            table.focus()
        elif self.selected:
            self.selected.clear()
            self._render_page(table.cursor_row)

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text").focus()
