"""The scheduled job: one run of one schedule, as a normal tracked scan, in this process.

``run_schedule(name, db_url, config_path)`` is the importable function APScheduler stores by
reference; it takes plain strings only, never a secret: the database URL is stored with its password
masked (``stored_url``) and the daemon process maps it back to the real one.

Each target is scanned incrementally against its last completed scan and recorded with trigger
``schedule:<name>``; a target that fails is recorded as a failed target on the scan and the others
go on. With ``verify`` every secret that may still be live is re-verified; with a webhook, new
secrets, SLA changes, revocations and a failed run are notified. The run's result is kept on the
schedule (``sprawl schedule list``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.types import TargetResult
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.notify import Webhook, scan_failed_notice, send_updates, sla_policy, webhook_url
from secret_sprawl.scanner.orgs.expand import OrgOptions, expand_each
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.runner import scan_and_record
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
from secret_sprawl.tracker.config import load_config
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.schedules import find_schedule, record_run
from sqlalchemy import Engine, make_url
from sqlmodel import Session

log = logging.getLogger(__name__)


# Masked URL (as stored in the job store) -> the real URL, for databases this process opened.
_REAL_URLS: dict[str, str] = {}


def stored_url(db_url: str) -> str:
    """``db_url`` with any password masked, remembered so jobs run by this process can open it."""
    masked = make_url(db_url).render_as_string(hide_password=True)
    _REAL_URLS[masked] = db_url
    return masked


@dataclass(frozen=True, slots=True)
class RunResult:
    status: str  # completed | completed-with-errors | failed
    scan_id: int | None
    error: str | None


def real_url(db_url: str) -> str:
    """The real URL behind a masked one this process stored (else ``db_url`` itself)."""
    return _REAL_URLS.get(db_url, db_url)


def run_schedule(name: str, db_url: str, config_path: str | None = None) -> RunResult:
    """Run schedule ``name`` once; never raises (a failure is recorded and notified instead)."""
    db = open_database(real_url(db_url))
    try:
        return _run(name, db, config_path)
    finally:
        db.dispose()


def _run(name: str, db: Engine, config_path: str | None) -> RunResult:
    with Session(db) as session:
        schedule = find_schedule(session, name)
        if schedule is None:
            log.warning("schedule %s no longer exists; nothing run", name)
            return RunResult("failed", None, "no such schedule")
        targets, verify, own_url = list(schedule.targets), schedule.verify, schedule.notify_url
        org = OrgOptions.from_settings(schedule.options)
    started = utcnow()
    config = Config()
    recorder = Recorder(db, trigger=f"schedule:{name}", actor=f"schedule:{name}")
    try:
        config = load_config(config_path, scanned=targets)
        results, failures = _scan(recorder, db, targets, fingerprint_key(config), org)
        status = "failed" if len(failures) == len(targets) else "completed-with-errors" if failures else None
        scan = recorder.finish(status)
        error = "; ".join(failures) or None
        checked = _verify(db, config, results, scan.id, actor=f"schedule:{name}") if verify else []
        result = RunResult(scan.status, scan.id, error)
    except Exception as exc:  # the daemon must outlive any one run
        log.exception("scheduled scan %s failed", name)
        checked, result = [], RunResult("failed", recorder.scan_id, f"{type(exc).__name__}: {exc}")
        _close_failed(recorder)
    with Session(writer(db)) as session:
        record_run(session, name, at=started, scan_id=result.scan_id, status=result.status,
                   error=result.error)
        session.commit()
    url = webhook_url(own_url, config)
    if url:
        _notify(db, url, config, name, result, checked)
    return result


def _scan(recorder: Recorder, db: Engine, targets: list[str], key: bytes | None,
          org: OrgOptions) -> tuple[list[TargetResult], list[str]]:
    results: list[TargetResult] = []
    failures: list[str] = []
    expanded = expand_each(targets, org, on_error=lambda _, message: failures.append(message))
    with Runner() as runner:
        for target in expanded:  # one failing target never stops the others
            result = scan_and_record(target, runner, recorder=recorder, incremental_from=db, keep_going=True,
                                     fingerprint_key=key)
            results.append(result)
            if not result.complete:
                failures.append(f"{target}: {'; '.join(e.message for e in result.errors) or 'failed'}")
    return results, failures


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


def _notify(db: Engine, url: str, config: Config, name: str, result: RunResult,
            checked: list[Checked]) -> None:
    try:
        now = utcnow()
        failed = [scan_failed_notice(name, result.scan_id, result.error, now)] if result.error else []
        send_updates(db, Webhook(url), sla_policy(config), now=now, scan_id=result.scan_id,
                     checked=checked, extra=failed)
    except Exception:  # a notification problem never fails the run
        log.exception("notifications for scheduled scan %s failed", name)
