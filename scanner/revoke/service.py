"""Revoke planned secrets: carry out the calls, re-check with the verifier, record the outcome.

The glue shared by ``sprawl revoke``, the TUI's Revoke action and the ``[revoke] automatic`` policy
after a scan. A plaintext value lives only in the plan's ``request`` while the calls and the re-check
need it; the tracker gets call logs, the provider's answers and the verdict, never the value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import httpx
from secret_sprawl.scanner.revoke.executor import Call, Credentials, Executor, Limits, Outcome, http_client
from secret_sprawl.scanner.revoke.plan import API, Planned
from secret_sprawl.scanner.verify.client import CannotSign, Verdict, Verifier, VerifyRequest, aws_key_pair
from secret_sprawl.scanner.verify.settings import VerifySettings
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.revocation import (
    confirm_revoked,
    record_calls,
    revocation_failed,
    revocation_unconfirmed,
)
from secret_sprawl.tracker.verification import VerdictState
from sqlalchemy import Engine
from sqlmodel import Session

REVOKED, UNCONFIRMED, FAILED = "revoked", "unconfirmed", "failed"


@dataclass(frozen=True, slots=True)
class Revoked:
    """What happened: ``status`` revoked / unconfirmed / failed, or the plan's manual / skipped."""

    planned: Planned
    status: str
    message: str
    http_status: int | None = None
    calls: tuple[Call, ...] = ()
    recheck: Verdict | None = None


@dataclass(frozen=True, slots=True)
class Recheck:
    """How hard to re-check: the provider may take a moment to reject a revoked key."""

    attempts: int = 3
    delay: float = 2.0


def revoke(db: Engine, planned: Sequence[Planned], verifier: Verifier, settings: VerifySettings, *,
           env: Mapping[str, str], by: str, recheck: Recheck = Recheck(), scan_id: int | None = None,
           transport: httpx.BaseTransport | None = None,
           sleep: Callable[[float], None] = time.sleep) -> list[Revoked]:
    """Carry out every API plan (its calls recorded as soon as they are made), re-check the accepted ones
    together with the verifier, then record each outcome in one transaction per secret."""
    limits = Limits(timeout=settings.timeout, retries=settings.retries, backoff=settings.backoff)
    calls = [item for item in planned if item.kind == API and item.request is not None]
    outcomes: dict[int, Outcome] = {}
    with http_client(limits, transport) as client:
        for item in calls:
            executor = Executor(item.base, _credentials(item, env), limits, client, sleep=sleep)
            outcomes[item.secret_id] = outcome = executor.run(item.steps)
            _record_calls(db, item, outcome.calls, by=by, scan_id=scan_id)
    accepted = [(item.secret_id, item.request) for item in calls if outcomes[item.secret_id].ok]
    checks = _recheck(verifier, accepted, recheck, sleep)
    done: list[Revoked] = []
    for item in planned:
        if item.secret_id not in outcomes:
            done.append(Revoked(item, item.kind, item.reason))
            continue
        outcome = outcomes[item.secret_id]
        result = _result(item, outcome, checks.get(item.secret_id, []))
        try:
            _record(db, result, result.calls[len(outcome.calls):], by=by, scan_id=scan_id)
        except (LookupError, ValueError) as exc:  # changed by someone else since the plan
            result = replace(result, message=f"{result.message}; not recorded: {exc}")
        done.append(result)
    return done


def summary(results: Sequence[Revoked]) -> str:
    """One line: how many of each outcome."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to revoke"


def _recheck(verifier: Verifier, items: Sequence[tuple[int, VerifyRequest]], recheck: Recheck,
             sleep: Callable[[float], None]) -> dict[int, list[Verdict]]:
    """Every re-check made per secret, the last one deciding: all pending keys at once, until the provider
    rejects each key or the attempts run out."""
    pending = dict(items)
    checks: dict[int, list[Verdict]] = {secret_id: [] for secret_id in pending}
    for attempt in range(recheck.attempts):
        if not pending:
            break
        if attempt:
            sleep(recheck.delay)
        ids = list(pending)
        for secret_id, verdict in zip(ids, verifier.run([pending[i] for i in ids]), strict=True):
            checks[secret_id].append(verdict)
            if verdict.state == VerdictState.INVALID:
                del pending[secret_id]
    return checks


def _result(item: Planned, outcome: Outcome, checks: Sequence[Verdict]) -> Revoked:
    if not outcome.ok:
        return Revoked(item, FAILED, outcome.message, outcome.http_status, outcome.calls)
    verdict = checks[-1]
    status = REVOKED if verdict.state == VerdictState.INVALID else UNCONFIRMED
    message = outcome.message if status == REVOKED else (
        f"{outcome.message}; but the re-check says {verdict.state} ({verdict.detail}): still open")
    # The earlier re-checks are calls too; the last is recorded as the verification itself.
    earlier = tuple(Call("re-check", "verify", c.endpoint, c.http_status, f"{c.state}: {c.detail}")
                    for c in checks[:-1])
    return Revoked(item, status, message, outcome.http_status, outcome.calls + earlier, verdict)


def _rows(item: Planned, calls: Sequence[Call]) -> list[dict[str, object]]:
    return [{"step": c.step, "method": c.method, "url": c.url, "http_status": c.http_status, "note": c.note,
             "mode": item.mode} for c in calls]


def _record_calls(db: Engine, item: Planned, calls: Sequence[Call], *, by: str, scan_id: int | None) -> None:
    with Session(writer(db)) as session:
        record_calls(session, item.secret_id, _rows(item, calls), by=by, scan_id=scan_id)
        session.commit()


def _record(db: Engine, result: Revoked, earlier: Sequence[Call], *, by: str, scan_id: int | None) -> None:
    """The outcome and the re-checks before the last in one transaction (the calls are recorded already)."""
    item = result.planned
    with Session(writer(db)) as session:
        record_calls(session, item.secret_id, _rows(item, earlier), by=by, scan_id=scan_id)
        if result.status == FAILED:
            revocation_failed(session, item.secret_id, reason=result.message, http_status=result.http_status,
                              by=by, scan_id=scan_id)
        else:
            verdict = result.recheck
            assert verdict is not None
            evidence = {"provider": verdict.provider, "endpoint": verdict.endpoint,
                        "http_status": verdict.http_status, "detail": verdict.detail}
            if result.status == REVOKED:
                confirm_revoked(session, item.secret_id, at=verdict.at, answer=result.message,
                                recheck=evidence, by=by, scan_id=scan_id)
            else:
                revocation_unconfirmed(session, item.secret_id, state=verdict.state, at=verdict.at,
                                       answer=result.message, recheck=evidence, by=by, scan_id=scan_id)
        session.commit()


def _credentials(item: Planned, env: Mapping[str, str]) -> Credentials:
    request = item.request
    assert request is not None
    admin = tuple(env.get(name, "") for name in item.admin_env)
    if item.provider != "aws":
        return Credentials(request.secret, admin=admin)
    try:
        key_id, secret_key = aws_key_pair(request.secret, request.paired_secret)
    except CannotSign:  # the signed step then says the pair is missing
        return Credentials(request.secret, admin=admin)
    return Credentials(request.secret, aws_key_id=key_id, aws_secret_key=secret_key, admin=admin)
