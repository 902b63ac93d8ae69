"""``scan_and_record``: scan one target and record it in the tracker, the core every runner calls.

``sprawl scan``, scheduled scans (``scanner/schedule/job.py``) and, next, queue workers call it once
per target with their own ``Runner`` (worker processes and compiled rules) and ``Recorder`` (one
scan row, one transaction per target). It never prints and never exits: reporting is the caller's.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from secret_sprawl.detectors.types import ScanError, TargetResult
from secret_sprawl.scanner.pipeline import Progress, Runner, Tally
from secret_sprawl.scanner.sources.remote import strip_credentials
from secret_sprawl.scanner.targets import ScanOptions, scan_target

if TYPE_CHECKING:  # the tracker stack is imported only when a scan is recorded (fast --no-record start)
    from secret_sprawl.tracker.recording import Recorder
    from sqlalchemy import Engine

log = logging.getLogger(__name__)


def scan_and_record(
    target: str,
    runner: Runner,
    options: ScanOptions | None = None,
    *,
    recorder: Recorder | None = None,
    incremental_from: Engine | None = None,
    keep_going: bool = False,
    progress: Progress | None = None,
    tally: Tally | None = None,
) -> TargetResult:
    """Scan ``target`` (a path or git URL) and record the result with ``recorder`` (None: not recorded).

    - ``options``: what to read (history, ``since``, staged, cache dir); default everything.
    - ``incremental_from``: a tracker database; only objects not reachable from the refs of the target's
      last completed scan there are read (``--incremental``; schedules and workers always pass it).
    - ``keep_going``: a target that raises is returned (and recorded) as a failed result naming the
      error, so one bad target never stops a run of many; else the error propagates (the CLI's choice).
    - ``progress``/``tally``: running totals, as ``Runner.run`` takes them.

    Returns the target's result: findings (with their plaintext, in memory only), counts and errors;
    ``result.complete`` is False when the target could not be read in full.
    """
    options = options or ScanOptions()
    if incremental_from is not None:
        from secret_sprawl.tracker.recording import last_refs

        refs = last_refs(incremental_from, strip_credentials(target)) or {}
        options = replace(options, exclude=tuple(sorted(set(refs.values()))))
    try:
        result = scan_target(target, options, runner, progress, tally)
    except Exception as exc:
        if not keep_going:
            raise
        name = strip_credentials(target)
        log.exception("scan of %s failed", name)
        result = TargetResult(target=name, kind="directory", complete=False,
                              errors=[ScanError(name, "", f"{type(exc).__name__}: {exc}")])
    if recorder is not None:
        recorder.record(result)
    return result
