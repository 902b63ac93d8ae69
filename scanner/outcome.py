"""A run's result and its exit code: the one rule ``sprawl scan`` and ``sprawl schedule run-now`` share.

A target failed when it could not be read at all (absent git objects alone are not a failure:
everything present was scanned). Exit codes: ``ok`` 0, ``findings`` 1 (or ``--exit-code N``),
``partial`` and ``failed`` 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from secret_sprawl.detectors.types import TargetResult
from secret_sprawl.scanner.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from secret_sprawl.tracker.run_result import RunResult, classify


def target_failed(result: TargetResult) -> bool:
    return not (result.complete or result.missing_objects)


def run_result(results: Sequence[TargetResult], findings: int) -> RunResult:
    """The result of a run over ``results`` that showed ``findings`` findings."""
    return classify([target_failed(r) for r in results], findings)


def exit_code(result: RunResult, findings_code: int = EXIT_FINDINGS) -> int:
    return {RunResult.OK: EXIT_OK, RunResult.FINDINGS: findings_code}.get(result, EXIT_ERROR)
