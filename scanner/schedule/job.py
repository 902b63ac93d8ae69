"""The scheduled job: one run of one schedule, as a normal tracked scan, in this process.

``run_schedule(name, db_url, config_path)`` is the importable function APScheduler stores by
reference; it takes plain strings only, never a secret: the database URL is stored with its password
masked (``stored_url``) and the daemon process maps it back to the real one.

Each target is scanned incrementally against its last completed scan and recorded with trigger
``schedule:<name>``, with the schedule's options (``RunOptions``); a target that fails is recorded as
a failed target on the scan and the others go on. With ``verify`` every secret that may still be live
is re-verified. The run's result (``tracker.run_result``) and each target's are kept on the schedule
(``sprawl schedule list``) and logged in one line; the notices the run caused are in the outbox
already (recording, verification, the run's result), and the outbox is delivered after the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.types import Confidence, TargetResult
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.notice_payload import counted
from secret_sprawl.scanner.notify import deliver_pending
from secret_sprawl.scanner.orgs.expand import OrgOptions, expand_each
from secret_sprawl.scanner.outcome import target_failed
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.revoke.automatic import revoke_automatically
from secret_sprawl.scanner.runner import scan_and_record
from secret_sprawl.scanner.sources.interface import ScanOptions
from secret_sprawl.scanner.verify.client import Verifier
from secret_sprawl.scanner.verify.service import (
    Checked,
    items_for_fingerprints,
    requests_from_findings,
    reread_items,
    reverify_ids,
    verify_and_record,
)
from secret_sprawl.scanner.verify.settings import VerifySettings
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR
from secret_sprawl.tracker.config import load_config
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.run_result import RunResult, classify
from secret_sprawl.tracker.schedules import find_schedule, record_run
from sqlalchemy import Engine, make_url
from sqlmodel import Session

log = logging.getLogger(__name__)
_SCAN_STATUS = {RunResult.FAILED: "failed", RunResult.PARTIAL: "completed-with-errors",
                RunResult.FINDINGS: "completed-with-errors", RunResult.OK: "completed"}


# Masked URL (as stored in the job store) -> the real URL, for databases this process opened.
_REAL_URLS: dict[str, str] = {}


def stored_url(db_url: str) -> str:
    """``db_url`` with any password masked, remembered so jobs run by this process can open it."""
    masked = make_url(db_url).render_as_string(hide_password=True)
    _REAL_URLS[masked] = db_url
    return masked


@dataclass(frozen=True, slots=True)
class ScheduleRun:
    """What one run of a schedule did: its result in the one vocabulary, its scan, and each target's."""

    result: RunResult
    scan_id: int | None
    error: str | None
    targets: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The ``sprawl scan`` options a schedule runs with (stored with it; ``run-now`` may override them)."""

    cache_dir: str | None = None
    min_confidence: str = str(DEFAULT_FLOOR)
    org: OrgOptions = field(default_factory=OrgOptions)  # organisation targets: API URLs, filters, ...

    @classmethod
    def of(cls, stored: dict[str, Any] | None, overrides: dict[str, Any] | None = None) -> RunOptions:
        merged = {**(stored or {}), **{k: v for k, v in (overrides or {}).items() if v not in (None, [], ())}}
        return cls(cache_dir=merged.get("cache_dir"),
                   min_confidence=str(merged.get("min_confidence") or DEFAULT_FLOOR),
                   org=OrgOptions.from_settings(merged))


def real_url(db_url: str) -> str:
    """The real URL behind a masked one this process stored (else ``db_url`` itself)."""
    return _REAL_URLS.get(db_url, db_url)


def run_schedule(name: str, db_url: str, config_path: str | None = None,
                 overrides: dict[str, Any] | None = None) -> ScheduleRun:
    """Run schedule ``name`` once, then deliver the outbox; never raises (a failure is recorded, logged
    and put in the outbox instead). ``overrides``: options for this run only (``run-now``)."""
    db = open_database(real_url(db_url))
    try:
        run, config = _run(name, db, config_path, overrides)
        _deliver(db, config, name)
        return run
    finally:
        db.dispose()


def _run(name: str, db: Engine, config_path: str | None,
         overrides: dict[str, Any] | None) -> tuple[ScheduleRun, Config]:
    with Session(db) as session:
        schedule = find_schedule(session, name)
        if schedule is None:
            log.warning("schedule %s: failed (it no longer exists; nothing run)", name)
            return ScheduleRun(RunResult.FAILED, None, "no such schedule"), Config()
        targets, verify = list(schedule.targets), schedule.verify
        options = RunOptions.of(schedule.options, overrides)
    started = utcnow()
    config = Config()
    recorder = Recorder(db, trigger=f"schedule:{name}", actor=f"schedule:{name}")
    try:
        config = load_config(config_path, scanned=targets)
        results, items = _scan(recorder, db, targets, fingerprint_key(config), options)
        failed = [item for item in items if item["result"] == RunResult.FAILED]
        error = "; ".join(f"{item['target']}: {item['error']}" for item in failed) or None
        result = classify([item["result"] == RunResult.FAILED for item in items],
                          sum(item["findings"] for item in items))
        scan = recorder.finish(_SCAN_STATUS[result] if failed else None)
        if verify:
            _verify(db, config, results, scan.id, actor=f"schedule:{name}")
        revoke_automatically(db, config, (f for r in results for f in r.findings), scan_id=scan.id,
                             by=f"schedule:{name} ([revoke] automatic)")
        run = ScheduleRun(result, scan.id, error, tuple(items))
    except Exception as exc:  # the daemon must outlive any one run
        log.exception("schedule %s: failed", name)
        run = ScheduleRun(RunResult.FAILED, recorder.scan_id, f"{type(exc).__name__}: {exc}")
        _close_failed(recorder)
    with Session(writer(db)) as session:  # the result, and its scan-failed notice, in one transaction
        record_run(session, name, at=started, scan_id=run.scan_id, result=run.result, error=run.error,
                   targets=list(run.targets))
        session.commit()
    _log_run(name, run, utcnow() - started)
    return run, config


def _scan(recorder: Recorder, db: Engine, targets: list[str], key: bytes | None,
          options: RunOptions) -> tuple[list[TargetResult], list[dict[str, Any]]]:
    """Scan and record each target; each target's result as {target, result, findings, new, error}."""
    results: list[TargetResult] = []
    items: list[dict[str, Any]] = []

    def org_failed(target: str, message: str) -> None:
        items.append(_item(target, RunResult.FAILED, 0, 0, message))

    expanded = expand_each(targets, options.org, on_error=org_failed)
    floor = Confidence(options.min_confidence)
    scan_options = ScanOptions(cache_dir=Path(options.cache_dir)) if options.cache_dir else ScanOptions()
    with Runner() as runner:
        for target in expanded:  # one failing target never stops the others
            result = scan_and_record(target, runner, scan_options, incremental_from=db, keep_going=True,
                                     fingerprint_key=key)
            outcome = recorder.record(result)
            results.append(result)
            shown = sum(1 for f in result.findings if f.confidence.at_least(floor))
            failed = target_failed(result)
            error = ("; ".join(e.message for e in result.errors) or "failed") if failed else None
            items.append(_item(result.target, classify([failed], shown), shown, outcome.new_secrets, error))
    return results, items


def _item(target: str, result: RunResult, findings: int, new: int, error: str | None) -> dict[str, Any]:
    return {"target": target, "result": result, "findings": findings, "new": new, "error": error}


def _log_run(name: str, run: ScheduleRun, took: timedelta) -> None:
    """The one line a run leaves in the log, in the run-result vocabulary."""
    failed = sum(1 for item in run.targets if item["result"] == RunResult.FAILED)
    findings = sum(item["findings"] for item in run.targets)
    new = sum(item["new"] for item in run.targets)
    level = logging.INFO if run.result in (RunResult.OK, RunResult.FINDINGS) else logging.WARNING
    log.log(level, "schedule %s: %s (scan %s, %s, %d failed, %s, %d new, %.1fs)%s", name, run.result,
            run.scan_id, counted(len(run.targets), "target", "targets"), failed,
            counted(findings, "finding", "findings"), new, took.total_seconds(),
            f": {run.error}" if run.error else "")


def _deliver(db: Engine, config: Config, name: str) -> None:
    try:
        deliver_pending(db, config)
    except Exception:  # a notification problem never fails the run
        log.exception("schedule %s: delivering notifications failed", name)


def _close_failed(recorder: Recorder) -> None:
    if recorder.scan_id is None:
        return
    try:
        recorder.finish("failed")
    except Exception:
        log.exception("could not mark scan %s failed", recorder.scan_id)


def _verify(db: Engine, config: Config, results: list[TargetResult], scan_id: int | None, *,
            actor: str) -> list[Checked]:
    """This run's findings from memory, then every other secret that may be live, read afresh."""
    catalog = load_verifiers()
    requests = requests_from_findings((f for r in results for f in r.findings), catalog)
    items = items_for_fingerprints(db, requests)
    covered = {secret_id for secret_id, _ in items}
    others = [secret_id for secret_id in reverify_ids(db) if secret_id not in covered]
    reread, _unreadable = reread_items(db, build_engine(), catalog, others, fingerprint_key(config))
    verifier = Verifier(catalog, VerifySettings.from_config(config))
    return verify_and_record(db, verifier, [*items, *reread], by=actor, scan_id=scan_id)
