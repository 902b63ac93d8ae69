"""Shared text helpers for the formats: a CSV document and a rich table rendered to a string."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def console(out: io.StringIO, *, pipe_width: int = 160, **options: object) -> Console:
    """A console writing to ``out``: styled on a terminal, else plain and ``pipe_width`` wide."""
    tty = sys.stdout.isatty()
    return Console(file=out, force_terminal=tty, width=None if tty else pipe_width, **options)


def rich_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], *, empty: str) -> str:
    out = io.StringIO()
    table = Table(title=title)
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console(out).print(table if rows else empty)
    return out.getvalue()
