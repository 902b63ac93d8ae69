"""What a Static widget shows, as plain text (its Rich content rendered at a given width)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static


def shown(static: Static, width: int = 160) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(static.content)
    return console.export_text()
