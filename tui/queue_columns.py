"""The queue's columns: what each shows, how wide it is, and which ones a given width keeps.

Every column has a rank; a narrow terminal keeps the best-ranked columns that fit and leaves the rest
to the detail screen. Selection mark, id, SLA, status and owner always stay (at 80 columns too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from secret_sprawl.tui.data import QueueRow
from secret_sprawl.tui.format import (
    confidence_text,
    day,
    days_text,
    queue_sla_text,
    shorten,
    status_text,
    verification_text,
)

CELL_PADDING = 2  # DataTable pads each cell by one on both sides
REQUIRED = frozenset({"sel", "id", "sla", "status", "owner"})


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # also the sort key in tui.data.SORT_KEYS ("sel" is not sortable)
    label: str
    width: int
    rank: int  # lower is kept first when the width is short
    cell: Callable[[QueueRow], Text | str]


def _short(attribute: str, width: int) -> Callable[[QueueRow], str]:
    return lambda row: shorten(getattr(row, attribute) or "", width)


# In the order they appear, left to right.
COLUMNS = (
    Column("sel", " ", 1, 0, lambda row: ""),  # the selection mark is drawn by the queue
    Column("id", "ID", 5, 1, lambda row: str(row.id)),
    Column("sla", "SLA", 13, 2, lambda row: queue_sla_text(row.sla_state, row.late)),
    Column("days", "Days", 8, 5, lambda row: days_text(row.sla_state, row.days_left)),
    Column("provider", "Provider", 11, 6, _short("provider", 11)),
    Column("rule", "Rule", 18, 10, _short("rule_id", 18)),
    Column("confidence", "Conf.", 6, 9, lambda row: confidence_text(row.confidence)),
    Column("lifetime", "Lifetime", 10, 16, lambda row: row.lifetime),
    Column("shared", "Shared", 6, 14, lambda row: str(row.places)),
    Column("status", "Status", 14, 3, lambda row: status_text(row.status, row.suggestion)),
    Column("owner", "Owner", 11, 4, _short("owner", 11)),
    Column("verified", "Verified", 10, 13, lambda row: verification_text(row.verification_state)),
    Column("exposed", "Exposed", 10, 15, lambda row: day(row.exposed_at)),
    Column("preview", "Preview", 18, 8, _short("redacted", 18)),
    Column("path", "Path", 19, 7, _short("path", 19)),
    Column("org", "Org", 16, 11, lambda row: shorten(row.orgs[0] if row.orgs else "", 16)),
    Column("target", "Target", 16, 12, _short("target", 16)),
)
BY_KEY = {column.key: column for column in COLUMNS}
SORTABLE = tuple(column.key for column in COLUMNS if column.key != "sel")


def choose(width: int) -> tuple[Column, ...]:
    """The columns shown in ``width`` cells: the required ones, then by rank while they fit, in
    left-to-right order."""
    kept = {column.key for column in COLUMNS if column.key in REQUIRED}
    used = sum(BY_KEY[key].width + CELL_PADDING for key in kept)
    for column in sorted(COLUMNS, key=lambda column: column.rank):
        if column.key in kept:
            continue
        if used + column.width + CELL_PADDING <= width:
            kept.add(column.key)
            used += column.width + CELL_PADDING
    return tuple(column for column in COLUMNS if column.key in kept)
