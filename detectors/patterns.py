"""The catalog's regexes, compiled from the cache: a worker's start costs milliseconds, not half a second.

The ``regex`` module compiles a pattern in two steps: a pure-Python parser and optimiser turns the
text into a list of opcodes (most of the time, about 1 ms a pattern, 0.5 s for the catalog), then a
C call builds the pattern object from that list. The lists of every catalog pattern are recorded once
(while the whole catalog is compiled), stored in the cache (``detectors.cache``, keyed by the
patterns' text and the ``regex`` version) and handed straight to the C step by later processes.

That C step is internal to ``regex``: anything unexpected (a module built differently, a damaged
entry, a pattern the table lacks) falls back to ``regex.compile``, so the cache can make a start
faster and never change what a pattern matches.
"""

from __future__ import annotations

import marshal
import threading
from collections.abc import Sequence
from typing import Any

import regex
from secret_sprawl.detectors import cache

_LOCK = threading.Lock()


class Patterns:
    """Compiles the patterns of one catalog, from the cached opcode table when there is one."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = tuple(dict.fromkeys(patterns))
        self._entry = "regex-" + cache.key(regex.__version__, str(int(regex.DEFAULT_VERSION)),
                                           *self._patterns) + ".marshal"
        self._table: dict[str, tuple[Any, ...]] | None = None

    def compile(self, pattern: str) -> regex.Pattern:
        arguments = self._load().get(pattern)
        if arguments is not None:
            try:
                return _core().compile(*arguments)
            except Exception:  # any failure of the internal step: compile normally
                pass
        return regex.compile(pattern)

    def _load(self) -> dict[str, tuple[Any, ...]]:
        if self._table is None:
            self._table = _read(cache.read(self._entry)) or self._record()
        return self._table

    def _record(self) -> dict[str, tuple[Any, ...]]:
        """Compile every pattern, keeping the arguments of each C step; store them in the cache."""
        core = _core()
        if core is None:
            return {}
        recorder = _Recorder(core)
        with _LOCK:
            regex._main._regex = recorder  # type: ignore[attr-defined]
            try:
                for pattern in self._patterns:
                    regex.compile(pattern, cache_pattern=False)
            except regex.error:
                return {}  # an invalid pattern is the catalog's to report, on its own compile
            finally:
                regex._main._regex = core  # type: ignore[attr-defined]
        table = {pattern: _plain(arguments) for pattern, arguments in recorder.calls.items()}
        try:
            cache.write(self._entry, marshal.dumps(table))
        except ValueError:  # something in an opcode table is not plain data: do without the cache
            return {}
        return table


class _Recorder:
    """Stands in for regex's C module while the catalog compiles, noting each ``compile`` call."""

    def __init__(self, core: Any) -> None:
        self._core = core
        self.calls: dict[str, tuple[Any, ...]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._core, name)

    def compile(self, pattern: Any, *arguments: Any) -> Any:
        if isinstance(pattern, str):
            self.calls[pattern] = (pattern, *arguments)
        return self._core.compile(pattern, *arguments)


def _core() -> Any:
    main = getattr(regex, "_main", None)
    core = getattr(main, "_regex", None)
    return core if callable(getattr(core, "compile", None)) else None


def _read(data: bytes | None) -> dict[str, tuple[Any, ...]] | None:
    if data is None:
        return None
    try:
        table = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return table if isinstance(table, dict) else None


def _plain(value: Any) -> Any:
    """Enum flags and opcodes as plain ints (marshal stores only plain data)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes | float):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value
