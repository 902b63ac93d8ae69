"""A titled horizontal bar chart whose bars are proportional to the counts at whatever width it gets.

A Rich renderable: it learns its width when drawn, gives labels and counts the room they need (a
label longer than half the width is shortened) and the rest to the longest bar, so two counts
in the ratio 1:3 draw bars in the ratio 1:3 at 80 columns as at 200.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from secret_sprawl.tui.format import plain, shorten

BAR = "█"


def bar_lengths(counts: list[int], room: int) -> list[int]:
    """Bar lengths in cells for ``counts`` when the largest gets ``room`` cells (a non-zero count gets
    at least one cell)."""
    peak = max(counts, default=0)
    if peak <= 0 or room <= 0:
        return [0 for _ in counts]
    return [max(1, round(room * count / peak)) if count > 0 else 0 for count in counts]


class Bars:
    def __init__(self, title: str, counts: dict[str, int], *, style: str = "cyan") -> None:
        self.title = title
        self.counts = counts
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield Text(self.title, style="italic", justify="center", no_wrap=True, overflow="ellipsis")
        if not self.counts:
            yield Text("none")
            return
        label_width = min(max(len(label) for label in self.counts), max(4, width // 2))
        count_width = max(len(str(count)) for count in self.counts.values())
        room = width - label_width - count_width - 2
        lengths = bar_lengths(list(self.counts.values()), room)
        for (label, count), length in zip(self.counts.items(), lengths, strict=True):
            line = plain(shorten(label, label_width).ljust(label_width))
            line.stylize("bold")
            line.append(" " + BAR * length, style=self.style)
            line.append(" " * (room - length + 1) + str(count).rjust(count_width))
            yield line
