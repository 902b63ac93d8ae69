"""Scan one target (a directory, a file, a local git repository, a remote URL, the index) into a
TargetResult, through the source that claims it (``sources/registry.py``).

The session given to sources runs their items through the shared Runner (one running tally and
progress bar for the whole run) and finishes each result: CI posture of the target's CI files, and
``complete=False`` when the target could not be read at all (a target-level error) or lacked objects.
A target that fails gives its own error; the other targets go on. Worker processes are started only
before the first target that is not small (a few files, a small repository): forking them costs more
than scanning a small input in this process.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from secret_sprawl.detectors.types import Finding, NotScanned, ScanError, TargetResult
from secret_sprawl.scanner.inventory_scan import scan_ci_files
from secret_sprawl.scanner.pipeline import Progress, Runner, Tally
from secret_sprawl.scanner.sources.base import Blob, Item, Skipped, path_text
from secret_sprawl.scanner.sources.gitproc import GitFailure, is_repository
from secret_sprawl.scanner.sources.interface import TARGET_LEVEL, ScanOptions, failed
from secret_sprawl.scanner.sources.registry import source_for
from secret_sprawl.scanner.sources.remote import RemoteSource

SMALL_BYTES = 4 * 1024 * 1024  # on disk; git objects count ten times (they are compressed)
SMALL_ENTRIES = 1000

__all__ = ["ScanOptions", "scan_target"]


def scan_target(spec: str, options: ScanOptions, runner: Runner, progress: Progress | None = None,
                tally: Tally | None = None) -> TargetResult:
    session = _Session(runner, options, tally if tally is not None else Tally(), progress)
    source = source_for(spec, options)
    if not is_small(spec, options, source):
        runner.start_workers()
    try:
        return source.scan(spec, session)
    except (GitFailure, OSError) as exc:  # whatever a source did not foresee fails this target only
        return failed(path_text(spec), source.name, f"cannot scan: {exc}")


def is_small(spec: str, options: ScanOptions, source: object) -> bool:
    """A local target with few files and bytes (a remote one is never small: its size is unknown)."""
    if isinstance(source, RemoteSource):
        return False
    path = Path(spec)
    budget = [SMALL_BYTES, SMALL_ENTRIES]
    if options.history and is_repository(path):
        objects = path / ".git" / "objects" if (path / ".git").is_dir() else path / "objects"
        if not _within(objects, budget, weight=10):
            return False
    return _within(path, budget, weight=1)


def _within(root: Path, budget: list[int], *, weight: int) -> bool:
    """Spend ``budget`` (bytes, entries) on what is under ``root``; False as soon as it runs out."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            if not os.path.isdir(folder):
                budget[0] -= os.stat(folder).st_size * weight
                return budget[0] >= 0
            with os.scandir(folder) as listing:
                for entry in listing:
                    budget[1] -= 1
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != ".git":
                            stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        budget[0] -= entry.stat(follow_symlinks=False).st_size * weight
                    if budget[0] < 0 or budget[1] < 0:
                        return False
        except OSError:
            continue
    return True


class _Session:
    """What sources use to scan (``interface.Session``): the runner, the running tally, the progress bar."""

    def __init__(self, runner: Runner, options: ScanOptions, tally: Tally, progress: Progress | None) -> None:
        self.runner, self.options, self.tally, self.progress = runner, options, tally, progress

    def run(self, items: Iterable[Item], result: TargetResult) -> list[Finding]:
        findings: list[Finding] = []
        before = (self.tally.files, self.tally.blobs, self.tally.bytes)
        for out in self.runner.run(items, self.tally, self.progress):
            if isinstance(out, ScanError):
                result.errors.append(out)
            elif isinstance(out, Skipped):
                result.not_scanned.setdefault(out.reason, NotScanned()).add(out.path)
            else:
                findings.append(out)
        result.files += self.tally.files - before[0]
        result.blobs += self.tally.blobs - before[1]
        result.bytes += self.tally.bytes - before[2]
        return findings

    def scan_blob(self, blob: Blob) -> list[Finding]:
        return self.runner.scanner.scan(blob).findings

    def finish(self, result: TargetResult, ci_files: Iterable[tuple[str, str]] = ()) -> TargetResult:
        """Add CI posture findings and workloads; a CI file already warned about gets no second warning."""
        ci = scan_ci_files(result.target, ci_files)
        warned = {error.path for error in result.errors}
        result.findings.extend(ci.findings)
        result.errors.extend(error for error in ci.errors if error.path not in warned)
        result.workloads.extend(ci.workloads)
        result.complete = result.complete and not any(error.path == TARGET_LEVEL for error in result.errors)
        return result
