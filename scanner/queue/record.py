"""Scan one target and record it in the tracker: what a queue job does.

This is the same path as ``sprawl scan`` and scheduled scans take (scan_target, then a Recorder),
incremental against the target's last completed scan. MERGE NOTE: the arch lane is extracting one
``scan_and_record`` (scanner/runner.py); once it lands this module should call it instead.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.targets import ScanOptions, scan_target
from secret_sprawl.tracker.recording import Recorder, last_refs
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
    refs = last_refs(engine, str(target)) or {}
    options = ScanOptions(exclude=tuple(sorted(set(refs.values()))), cache_dir=cache_dir)
    result = scan_target(target, options, _runner(rules))
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
