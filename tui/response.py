"""Credential response from the TUI: run ``sprawl identify`` and ``sprawl revoke --yes`` with
``--format json`` in a subprocess (the TUI may not import the scanner, which holds the HTTP clients) and
turn each structured answer into one line per secret. The confirmation is the TUI's modal; the
commands' own events make the audit trail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    secret_id: int
    ok: bool  # identified, or the provider confirmed the revocation
    message: str


def revoke(url: str, ids: Sequence[int], *, by: str, options: Sequence[str] = ()) -> list[ResponseOutcome]:
    """Run ``sprawl revoke IDS --yes --format json --db URL --by ACTOR [OPTIONS]``; one outcome per id
    (or one failure for each when the command itself failed)."""
    answer = _run("revoke", ["--yes"], url, ids, by, options)
    if isinstance(answer, list):
        return answer
    return [_revoked(row) for row in answer["secrets"]]


def identify(url: str, ids: Sequence[int], *, by: str, options: Sequence[str] = ()) -> list[ResponseOutcome]:
    """Run ``sprawl identify IDS --format json --db URL --by ACTOR [OPTIONS]``: who each key belongs to."""
    answer = _run("identify", [], url, ids, by, options)
    if isinstance(answer, list):
        return answer
    return [*map(_identified, answer["identified"]),
            *(ResponseOutcome(int(r["secret_id"]), False, f"not identified: {r['reason']}")
              for r in answer["skipped"])]


def _run(command: str, flags: list[str], url: str, ids: Sequence[int], by: str,
         options: Sequence[str]) -> dict[str, Any] | list[ResponseOutcome]:
    """The command's JSON answer (its exit 0 or 1 are both answers), else a failure for each id."""
    argv = [sys.executable, "-m", "secret_sprawl.scanner.cli", command, *map(str, ids), *flags,
            "--format", "json", "--db", url, "--by", by, *options]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        why = f"{command} timed out after {TIMEOUT_SECONDS:.0f} s"
        return [ResponseOutcome(i, False, why) for i in ids]
    if done.returncode in (0, 1):
        return json.loads(done.stdout)
    if "invalid choice" in done.stderr:
        return [ResponseOutcome(i, False, f"{command} is not available in this installation") for i in ids]
    complaints = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    reason = complaints[-1] if complaints else f"exit status {done.returncode}"
    return [ResponseOutcome(i, False, f"{command} failed: {reason}") for i in ids]


def _revoked(row: dict[str, Any]) -> ResponseOutcome:
    status = row["status"]
    if status == "manual":
        text = f"revoke it by hand: {row['reason']}" + (f" ({row['console']})" if row["console"] else "")
    elif status in ("skipped", "closed"):
        text = f"not revoked: {row['reason']}"
    else:
        text = f"{status}: {row['message']}"
    return ResponseOutcome(int(row["secret_id"]), status == "revoked", text)


def _identified(row: dict[str, Any]) -> ResponseOutcome:
    if row["state"] != "identified":
        return ResponseOutcome(int(row["secret_id"]), False, f"{row['state']}: {row['detail']}")
    who = (row["principal"] or "?") + (f" ({row['account']})" if row["account"] else "")
    owner = f"; suggested owner {row['suggested_owner']}" if row.get("suggested_owner") else ""
    return ResponseOutcome(int(row["secret_id"]), True, f"identified: {who}{owner}")
