"""Create, list, remove schedules and record their runs: the one place the CLI and the TUI change them.

A schedule's cron is a five-field crontab expression evaluated in UTC (an optional sixth, leading
field gives seconds). Adding and removing a
schedule are audited events; like ``tracker.lifecycle`` these functions never commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from secret_sprawl.detectors.urls import has_credentials, scrub_text
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.config import ENV_NAME
from secret_sprawl.tracker.models.schedule import Schedule
from secret_sprawl.tracker.notifications import announce_scan_failed
from secret_sprawl.tracker.run_result import RUN_RESULTS, RunResult
from sqlalchemy import select
from sqlmodel import Session

# A schedule's webhook is named by the environment variable that holds it (``env:NAME``), resolved
# when a notification is sent, so the URL (a Slack webhook is a credential) is never at rest here.
ENV_REFERENCE = re.compile(r"env:[A-Za-z_][A-Za-z0-9_]*")


def cron_trigger(cron: str) -> CronTrigger:
    """The trigger for a crontab expression (UTC); ValueError when it is not one."""
    fields = cron.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(cron, timezone=UTC)
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=weekday, timezone=UTC)
    raise ValueError(f"cron must have five fields (minute hour day month weekday), got {cron!r}")


def add_schedule(
    session: Session, name: str, cron: str, targets: list[str], *, verify: bool = False,
    notify_url: str | None = None, options: dict[str, Any] | None = None, by: str,
) -> Schedule:
    """A new schedule; ValueError for a bad name, cron or empty targets, or a name already used, or
    ``options`` that could hold a secret (a URL with credentials, a token where a variable name goes)."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("schedule name must be letters, digits, - or _")
    cron_trigger(cron)
    if not targets:
        raise ValueError("a schedule needs at least one target")
    if find_schedule(session, name) is not None:
        raise ValueError(f"schedule {name!r} already exists")
    if any(has_credentials(target) for target in targets):
        raise ValueError("a target URL carries credentials; use a git credential helper instead "
                         "(schedules are stored in the tracker and must not hold secrets)")
    if notify_url is not None and not ENV_REFERENCE.fullmatch(notify_url):
        raise ValueError("a webhook URL is a credential and the tracker stores none: put it in an "
                         "environment variable and give --notify env:NAME (or [notify] url in the config)")
    options = {key: value for key, value in (options or {}).items() if value not in (None, [], (), {})}
    _check_options(options)
    schedule = Schedule(name=name, cron=cron, targets=list(targets), verify=verify, notify_url=notify_url,
                        options=options or None)
    session.add(schedule)
    session.flush()
    detail = {"cron": cron, "targets": list(targets), "verify": verify, "notify": notify_url,
              **({"options": options} if options else {})}
    append_event(session, kind="schedule-added", actor=by, new_value=name, detail=detail)
    return schedule


def _check_options(options: Mapping[str, Any]) -> None:
    """The tracker stores no secret: API URLs without credentials, token variables by NAME only."""
    for host, url in dict(options.get("api_urls") or {}).items():
        if has_credentials(str(url)):
            raise ValueError(f"the API URL for {host} carries credentials; the tracker stores none "
                             "(give the token through --token-env HOST=VARIABLE)")
    for host, variable in dict(options.get("token_envs") or {}).items():
        if not ENV_NAME.fullmatch(str(variable)):
            raise ValueError(f"--token-env {host}=… must name an environment variable (upper case, e.g. "
                             "GHE_TOKEN), never hold the token itself: schedules are stored in the tracker")


def remove_schedule(session: Session, name: str, *, by: str) -> None:
    """Delete a schedule (LookupError when there is none by that name)."""
    schedule = get_schedule(session, name)
    session.delete(schedule)
    append_event(session, kind="schedule-removed", actor=by, old_value=name)
    session.flush()


def find_schedule(session: Session, name: str) -> Schedule | None:
    return session.execute(select(Schedule).where(Schedule.name == name)).scalar_one_or_none()


def get_schedule(session: Session, name: str) -> Schedule:
    schedule = find_schedule(session, name)
    if schedule is None:
        raise LookupError(f"no schedule named {name!r}")
    return schedule


def list_schedules(session: Session) -> list[Schedule]:
    return list(session.execute(select(Schedule).order_by(Schedule.name)).scalars())


def record_run(
    session: Session, name: str, *, at: datetime, scan_id: int | None, result: RunResult,
    error: str | None = None, targets: list[dict[str, Any]] | None = None,
) -> Schedule:
    """Remember a run's time, scan, result and per-target results on its schedule (``schedule list``);
    a ``partial`` or ``failed`` run also puts a scan-failed notice in the outbox, in the same transaction."""
    if result not in RUN_RESULTS:
        raise ValueError(f"run result must be one of {', '.join(RUN_RESULTS)}")
    schedule = get_schedule(session, name)
    error = scrub_text(error) if error else error
    schedule.last_run_at, schedule.last_scan_id = at, scan_id
    schedule.last_status, schedule.last_error = str(result), error
    schedule.last_results = [{**item, "error": scrub_text(item["error"]) if item.get("error") else None}
                             for item in targets or []]
    session.add(schedule)
    session.flush()
    if result in (RunResult.PARTIAL, RunResult.FAILED) or error:
        failed = sum(1 for item in targets or [] if item["result"] == RunResult.FAILED)
        announce_scan_failed(session, name, scan_id=scan_id, result=str(result), error=error or str(result),
                             at=at, failed=failed, targets=len(targets or []))
    return schedule
