"""The queue's filter bar: free text over rule/provider/path/owner/preview plus status, SLA, provider,
category, organisation (``host/org`` of targets named ``host/org/repo``) and the lowest confidence
shown (medium by default; "conf: any" shows low too). Enter in the text applies it at once and posts
``Applied`` (the queue then returns to its table). One line wide; two lines on a narrow terminal."""

from __future__ import annotations

from collections.abc import Iterable

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.models.core import SECRET_STATUSES
from secret_sprawl.tracker.sla import SlaState
from secret_sprawl.tui.data import QueueFilter
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Select

# Typing pauses this long before the filter applies, so 100,000 rows are not re-filtered per key.
DEBOUNCE_SECONDS = 0.2


class FilterBar(Horizontal):
    """Posts ``FilterBar.Changed`` with a ``QueueFilter`` whenever any of its fields changes."""

    class Changed(Message):
        def __init__(self, queue_filter: QueueFilter) -> None:
            super().__init__()
            self.queue_filter = queue_filter

    class Applied(Message):
        """Enter in the text field: the filter is applied, typing is done."""

    def __init__(self, initial: QueueFilter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = initial
        self._debounce: Timer | None = None
        self._offered: dict[str, tuple[str, ...]] = {}

    def compose(self) -> ComposeResult:
        yield Input(self._initial.text, placeholder="/ filter: rule, provider, path, owner", id="filter-text",
                    compact=True)
        yield _select("status", SECRET_STATUSES, self._initial.status)
        yield _select("sla", tuple(SlaState), self._initial.sla_state)
        yield _select("provider", (), self._initial.provider)
        yield _select("category", (), self._initial.category)
        yield _select("org", (), self._initial.org)
        yield _confidence_select(self._initial.min_confidence)

    @property
    def value(self) -> QueueFilter:
        return QueueFilter(
            text=self.query_one("#filter-text", Input).value,
            status=_chosen(self.query_one("#filter-status", Select)),
            sla_state=_chosen(self.query_one("#filter-sla", Select)),
            provider=_chosen(self.query_one("#filter-provider", Select)),
            category=_chosen(self.query_one("#filter-category", Select)),
            org=_chosen(self.query_one("#filter-org", Select)),
            min_confidence=_floor(self.query_one("#filter-confidence", Select)),
        )

    def offer(self, **values: Iterable[str]) -> None:
        """Update the choices of the ``provider``, ``category`` and ``org`` selects to the values present
        in the data (``offer(provider=...)``), keeping the current choice."""
        for name, offered in values.items():
            choices = tuple(sorted(set(offered)))
            if choices == self._offered.get(name):
                continue
            self._offered[name] = choices
            select = self.query_one(f"#filter-{name}", Select)
            current = select.value
            with select.prevent(Select.Changed):
                select.set_options((value, value) for value in choices)
                if current in choices:
                    select.value = current
            if isinstance(current, str) and current not in choices:
                self._announce()  # the chosen provider or category is gone: the filter is now "any"

    @on(Input.Changed, "#filter-text")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._announce)

    @on(Input.Submitted, "#filter-text")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._announce()
        self.post_message(self.Applied())

    @on(Select.Changed)
    def _chose(self, event: Select.Changed) -> None:
        event.stop()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Changed(self.value))


def _select(name: str, values: tuple[str, ...], value: str | None) -> Select[str]:
    return Select(
        [(v, v) for v in values],
        prompt=f"{name}: any",
        value=value if value in values else Select.NULL,
        id=f"filter-{name}",
        compact=True,
    )


def _chosen(select: Select[str]) -> str | None:
    value = select.value
    return value if isinstance(value, str) else None


def _confidence_select(floor: Confidence) -> Select[str]:
    """The lowest confidence shown: high or medium, or "any" (low and up: every secret)."""
    return Select(
        [(f"conf ≥ {level}", level.value) for level in Confidence if level is not Confidence.LOW],
        prompt="conf: any",
        value=Select.NULL if floor is Confidence.LOW else floor.value,
        id="filter-confidence",
        compact=True,
    )


def _floor(select: Select[str]) -> Confidence:
    return Confidence(_chosen(select) or Confidence.LOW)
