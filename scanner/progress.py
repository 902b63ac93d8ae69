"""A live progress line on a terminal (files, MB, MB/s, findings so far); nothing when piped."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from secret_sprawl.scanner.pipeline import Tally
from secret_sprawl.tracker.safe_text import markup

if TYPE_CHECKING:
    from rich.progress import Progress


class ScanProgress:
    """Use as a context manager; call ``target(name)`` per target and pass ``update`` to the runner."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task = None
        self._started = time.monotonic()

    def __enter__(self) -> ScanProgress:
        if self.enabled:  # rich is imported only here: a piped or scheduled scan never draws
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("scanning", stats="")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def target(self, name: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=f"scanning {markup(name)}")

    def update(self, tally: Tally) -> None:
        if self._progress is None or self._task is None:
            return
        elapsed = max(time.monotonic() - self._started, 1e-6)
        megabytes = tally.bytes / 1e6
        stats = (f"{tally.files} files, {tally.blobs} blobs, {megabytes:.1f} MB, "
                 f"{megabytes / elapsed:.1f} MB/s, {tally.findings} findings")
        self._progress.update(self._task, stats=stats)
