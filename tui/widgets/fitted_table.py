"""A DataTable whose header always has its columns' widths.

Textual sizes a DataTable's columns to new rows on its next idle event, without invalidating the
lines it has cached: a header drawn between ``add_rows`` and that event (a busy machine, a screen
filled by a worker) keeps its labels' widths above wider rows until something else changes the
table. CI's snapshots caught it. Each sizing here counts as a change, so every cached line (the
header's too) is drawn again at the new widths.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class FittedTable(DataTable):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # the key of every render cache: nothing drawn before is reused
