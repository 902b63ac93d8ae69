"""The contract every source of a scan fulfils: one target specification in, one TargetResult out.

A source decides whether it handles a target (``claims``) and scans it (``scan``) through the
``Session`` it is given: the session runs items (``FileRef``/``GitRef``/``Blob``/``ScanError``, see
``base.py``) through the engine, counts them into the result, and finishes the result (CI posture,
completeness). A source never opens worker processes, never writes output and never records.

To add a source: write one module with a class that has ``name``, ``claims`` and ``scan``, and add
one line for it to ``SOURCES`` in ``registry.py`` (order matters: the first source that claims a
target scans it). An organisation enumerator is a source too: it claims ``github://ORG``-style
specifications and scans each repository it finds (for instance with ``history.scan_repository`` on a
mirror), merging their results into the one it returns, or returns a target-level error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from platformdirs import user_cache_dir
from secret_sprawl.detectors.types import Finding, ScanError, TargetResult
from secret_sprawl.scanner.sources.base import Blob, Item

DEFAULT_NETWORK_TIMEOUT = 60.0
TARGET_LEVEL = ""  # ScanError.path for a problem with the whole target


def finding_key(finding: Finding) -> tuple[str, str, str]:
    """One secret at one path: what two reads of the same place (history and work tree) share."""
    return finding.provenance.path, finding.rule_id, finding.fingerprint


def failed(target: str, kind: str, message: str) -> TargetResult:
    """The result of a target that could not be read at all."""
    return TargetResult(target=target, kind=kind, errors=[ScanError(target, TARGET_LEVEL, message)],
                        complete=False)


def default_cache_dir() -> Path:
    return Path(user_cache_dir("secret-sprawl")) / "repos"


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What to read from each target (the same for every target of one run)."""

    history: bool = True
    since: str | None = None  # a revision: scan only objects not reachable from it
    exclude: tuple[str, ...] = ()  # commits already scanned (the refs of the last completed scan)
    staged: bool = False
    cache_dir: Path = field(default_factory=default_cache_dir)
    network_timeout: float = DEFAULT_NETWORK_TIMEOUT  # seconds without progress before a fetch gives up
    fetch_missing: bool = False  # partial clones: fetch the absent blobs (one batch) before scanning


class Session(Protocol):
    """What a source may ask of the scan that runs it."""

    options: ScanOptions

    def run(self, items: Iterable[Item], result: TargetResult) -> list[Finding]:
        """Scan ``items``: their errors go to ``result`` with the counts; the findings are returned."""
        ...

    def scan_blob(self, blob: Blob) -> list[Finding]:
        """Findings in one blob, scanned here and now (small extra reads such as HEAD's version)."""
        ...

    def finish(self, result: TargetResult, ci_files: Iterable[tuple[str, str]] = ()) -> TargetResult:
        """Add the CI posture of ``ci_files`` (path, text) and settle ``result.complete``."""
        ...


class Source(Protocol):
    """One kind of target: a directory, a repository's history, a remote mirror, the index..."""

    name: str  # short and stable, e.g. "directory"; used in messages

    def claims(self, spec: str, options: ScanOptions) -> bool:
        """True when this source scans ``spec`` (as typed by the user) under ``options``."""
        ...

    def scan(self, spec: str, session: Session) -> TargetResult:
        """Scan the target; a target that cannot be read gives a result with a target-level error."""
        ...
