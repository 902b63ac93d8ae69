"""Scan one target and record it in the tracker: what a queue job does.

The same path as ``sprawl scan`` and scheduled scans take (``scanner.runner.scan_and_record``),
incremental against the target's last completed scan; recorded only once the scan is known not to be
a transient fetch failure, which the queue retries instead.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from secret_sprawl.scanner import runner as core
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.targets import ScanOptions
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import Engine

log = logging.getLogger(__name__)


class TransientScanError(RuntimeError):
    """A remote repository could not be fetched this time (network, host down): the job is retried."""


@dataclass(frozen=True, slots=True)
class Recorded:
    scan_id: int | None
    findings: int
    complete: bool


_runners = threading.local()  # one Runner (compiled rules) per worker thread, reused across jobs


def scan_and_record(engine: Engine, target: str, *, cache_dir: Path, trigger: str, actor: str,
                    rules: tuple[str, ...] = ()) -> Recorded:
    result = core.scan_and_record(target, _runner(rules), ScanOptions(cache_dir=cache_dir),
                                  incremental_from=engine)
    if not result.complete and result.kind == "remote":
        raise TransientScanError("; ".join(error.message for error in result.errors) or "fetch failed")
    started = time.monotonic()
    recorder = Recorder(engine, trigger=trigger, actor=actor)
    recorder.record(result)
    scan = recorder.finish()
    seconds = time.monotonic() - started
    log.info("recorded %s: %d findings in %.3fs", result.target, len(result.findings), seconds)
    return Recorded(scan.id, len(result.findings), result.complete)


def _runner(rules: tuple[str, ...]) -> Runner:
    runner = getattr(_runners, "runner", None)
    if runner is None or runner.rule_files != rules:
        runner = Runner(rules, 1).__enter__()
        _runners.runner = runner
    return runner
