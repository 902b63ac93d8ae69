"""How values look in the TUI: SLA state colours, days left or overdue, "resolved late", confidence, a
status with the tracker's suggestion, dates, shortened text, counted nouns, a line of parts that fits,
and data shown as plain text (never parsed as markup, control characters escaped: see
``tracker/safe_text.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from secret_sprawl.tracker.safe_text import terminal

SLA_STYLES = {
    "breached": "bold red",
    "approaching": "bold dark_orange",
    "within": "green",
    "resolved": "dim",
}
RESOLVED_LATE = "resolved late"
LATE_STYLE = "dark_orange"
VERIFICATION_STYLES = {"live": "bold red", "invalid": "green", "unknown": "yellow", "unverified": "dim"}
CONFIDENCE_STYLES = {"high": "bold", "medium": "", "low": "dim"}
SUGGESTION_LABELS = {"used-in-tests": "tests?"}  # short enough to follow the status in the queue


def plain(text: str) -> Text:
    """Data as a Text: Rich and Textual never read ``[bold]`` or ``[/x]`` in it as markup."""
    return Text(terminal(text))


def plain_cells(cells: Iterable[object]) -> tuple[object, ...]:
    """A table row with every string cell made :func:`plain` (other renderables kept)."""
    return tuple(plain(cell) if isinstance(cell, str) else cell for cell in cells)


def sla_text(state: str) -> Text:
    return Text(state, style=SLA_STYLES.get(state, ""))


def queue_sla_text(state: str, late: bool) -> Text:
    """The SLA state, or ``resolved late`` for a secret remediated after its deadline."""
    return Text(RESOLVED_LATE, style=LATE_STYLE) if late else sla_text(state)


def days_text(state: str, days_left: float) -> Text:
    """``12d left`` or ``3d over``; nothing for a resolved secret."""
    if state == "resolved":
        return Text("")
    if days_left < 0:
        return Text(f"{-days_left:.0f}d over", style=SLA_STYLES["breached"])
    return Text(f"{days_left:.0f}d left", style=SLA_STYLES.get(state, ""))


def confidence_text(level: str) -> Text:
    return Text(level, style=CONFIDENCE_STYLES.get(level, ""))


def status_text(status: str, suggestion: str | None) -> Text:
    """``open`` or, when the tracker suggests a resolution, ``open → tests?``."""
    if suggestion is None:
        return Text(status)
    label = SUGGESTION_LABELS.get(suggestion, suggestion)
    return Text.assemble(status, (f" → {label}", "italic dark_orange"))


def verification_text(state: str) -> Text:
    return Text(state, style=VERIFICATION_STYLES.get(state, ""))


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, keeping its end (the informative part of a path)."""
    return text if len(text) <= width else "…" + text[-(width - 1):]


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 secret``, ``2 secrets``, ``0 secrets`` (``nouns`` for an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def fit_parts(parts: list[str], width: int, separator: str = " · ") -> str:
    """The parts (most important first) that fit in ``width`` cells, each whole, joined."""
    kept: list[str] = []
    for part in parts:
        if len(separator.join([*kept, part])) <= width:
            kept.append(part)
    return separator.join(kept)


def duration(seconds: float | None) -> str:
    """A duration in days with one decimal, or a dash when there is none."""
    return "—" if seconds is None else f"{seconds / 86400:.1f} d"
