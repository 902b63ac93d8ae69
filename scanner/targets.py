"""Scan one target (a directory, a file, a local git repository, a remote URL, the index) into a
TargetResult, through the source that claims it (``sources/registry.py``).

The session given to sources runs their items through the shared Runner (one running tally and
progress bar for the whole run) and finishes each result: CI posture of the target's CI files, and
``complete=False`` when the target could not be read at all (a target-level error) or lacked objects.
A target that fails gives its own error; the other targets go on.
"""

from __future__ import annotations

from collections.abc import Iterable

from secret_sprawl.detectors.types import Finding, ScanError, TargetResult
from secret_sprawl.scanner.inventory_scan import scan_ci_files
from secret_sprawl.scanner.pipeline import Progress, Runner, Tally
from secret_sprawl.scanner.sources.base import Blob, Item
from secret_sprawl.scanner.sources.interface import TARGET_LEVEL, ScanOptions
from secret_sprawl.scanner.sources.registry import source_for

__all__ = ["ScanOptions", "scan_target"]


def scan_target(spec: str, options: ScanOptions, runner: Runner, progress: Progress | None = None,
                tally: Tally | None = None) -> TargetResult:
    session = _Session(runner, options, tally if tally is not None else Tally(), progress)
    return source_for(spec, options).scan(spec, session)


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
