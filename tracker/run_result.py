"""One vocabulary for the result of a run (a scan, a scheduled run, one target of it).

``ok``: everything was scanned, nothing found; ``findings``: secrets were found (at the floor asked
for); ``partial``: some targets could not be scanned and nothing was found in the others; ``failed``:
no target could be scanned. The daemon log, ``sprawl schedule list``, the webhooks, ``sprawl scans
list`` and the exit codes of ``scan`` and ``schedule run-now`` all speak it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class RunResult(StrEnum):
    OK = "ok"
    FINDINGS = "findings"
    PARTIAL = "partial"
    FAILED = "failed"


RUN_RESULTS = tuple(RunResult)


def classify(failed: Sequence[bool], findings: int) -> RunResult:
    """The result of a run from whether each target failed and how many findings were shown: findings
    first (as the exit code of ``scan`` always had it), then failed (no target scanned), partial, ok."""
    if findings:
        return RunResult.FINDINGS
    if failed and all(failed):
        return RunResult.FAILED
    return RunResult.PARTIAL if any(failed) else RunResult.OK
