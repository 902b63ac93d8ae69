"""Write side of the TUI: triage actions, each a call into ``tracker.lifecycle`` in one transaction.

The TUI never writes rows itself, so its audit events are exactly those the CLI writes. A bulk
action is all-or-nothing: one transaction for the whole selection. "Verify now" runs
``sprawl verify --format json`` in a subprocess (the TUI may not import the scanner) and reads its
structured answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.db import writer
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Resolution:
    """A status a triage action sets, and the only things its dialog asks for: when it happened for a
    revoked or rotated key (its MTTR is measured to it), why for an accepted risk (the tracker
    refuses it without a note); nothing else (a note can always be added with ``n``)."""

    label: str
    asks_time: bool = False
    needs_note: bool = False


RESOLUTIONS = {
    "revoked": Resolution("Revoked", asks_time=True),
    "rotated": Resolution("Rotated", asks_time=True),
    "false-positive": Resolution("False positive"),
    "accepted-risk": Resolution("Accepted risk", needs_note=True),
    "used-in-tests": Resolution("Used in tests"),
}

VERIFY_TIMEOUT_SECONDS = 60.0


def resolve(
    engine: sa.Engine,
    ids: Sequence[int],
    status: str,
    *,
    by: str,
    at: datetime | None = None,
    note: str | None = None,
) -> None:
    """Mark every secret in ``ids`` as ``status`` (a key of RESOLUTIONS) at ``at`` (default now).

    The tracker refuses what it must (unknown status, missing note, a time in the future or before
    the exposure, a secret already in that status) with ValueError; then nothing is changed.
    """
    with Session(writer(engine)) as session:
        for secret_id in ids:
            lifecycle.resolve(session, secret_id, status, at=at, note=note or None, by=by)
        session.commit()


def accept_suggestions(engine: sa.Engine, ids: Sequence[int], *, by: str, note: str | None = None) -> None:
    """Close every secret in ``ids`` as the tracker suggests (``used-in-tests``), all or nothing: if one
    has no suggestion any more (closed, proved live, seen outside tests), ValueError and no change."""
    with Session(writer(engine)) as session:
        for secret_id in ids:
            lifecycle.accept_suggestion(session, secret_id, by=by, note=note or None)
        session.commit()


def reopen(engine: sa.Engine, ids: Sequence[int], *, by: str, note: str | None = None) -> None:
    with Session(writer(engine)) as session:
        for secret_id in ids:
            lifecycle.reopen(session, secret_id, by=by, note=note or None)
        session.commit()


def assign(engine: sa.Engine, ids: Sequence[int], owner: str, *, by: str) -> None:
    with Session(writer(engine)) as session:
        for secret_id in ids:
            lifecycle.assign(session, secret_id, owner, by=by)
        session.commit()


def add_note(engine: sa.Engine, ids: Sequence[int], note: str, *, by: str) -> None:
    with Session(writer(engine)) as session:
        for secret_id in ids:
            lifecycle.add_note(session, secret_id, note, by=by)
        session.commit()


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    secret_id: int
    ok: bool
    message: str


def verify(url: str, secret_id: int, *, by: str, options: Sequence[str] = ()) -> VerifyOutcome:
    """Run ``sprawl verify ID --format json --db URL --by ACTOR [OPTIONS]`` and summarise its answer.

    ``options`` are the user's own ``--config`` and ``--rules``, so verification reads the same files.
    """
    command = [sys.executable, "-m", "secret_sprawl.scanner.cli", "verify", str(secret_id),
               "--format", "json", "--db", url, "--by", by, *options]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=VERIFY_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return VerifyOutcome(secret_id, False, f"verify timed out after {VERIFY_TIMEOUT_SECONDS:.0f} s")
    if done.returncode in (0, 1):  # 1 means the key is live: a verdict, not a failure
        answer = json.loads(done.stdout)
        for item in answer["checked"]:
            status = f"HTTP {item['http_status']}" if item["http_status"] else "no answer"
            moved = f"; {item['transition']}" if item["transition"] else ""
            return VerifyOutcome(secret_id, True,
                                 f"{item['state']} ({status}) {item['provider']}: {item['detail']}{moved}")
        for item in answer["skipped"]:
            return VerifyOutcome(secret_id, True, f"{item['redacted']} not verified: {item['reason']}")
    if "invalid choice" in done.stderr or "ModuleNotFoundError" in done.stderr:
        return VerifyOutcome(secret_id, False, "live verification is not available in this installation")
    complaints = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    reason = complaints[-1] if complaints else f"exit status {done.returncode}"
    return VerifyOutcome(secret_id, False, f"verify failed: {reason}")
