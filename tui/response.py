"""Credential response from the TUI: run ``sprawl revoke --yes --format json`` in a subprocess (the TUI may
not import the scanner, which holds the HTTP clients) and turn its structured answer into one line per
secret. The confirmation is the TUI's modal; the command's own events make the audit trail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

REVOKE_TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    secret_id: int
    ok: bool  # the provider confirmed the revocation
    message: str


def revoke(url: str, ids: Sequence[int], *, by: str, options: Sequence[str] = ()) -> list[ResponseOutcome]:
    """Run ``sprawl revoke IDS --yes --format json --db URL --by ACTOR [OPTIONS]``; one outcome per id
    (or one failure for all when the command itself failed)."""
    command = [sys.executable, "-m", "secret_sprawl.scanner.cli", "revoke", *map(str, ids), "--yes",
               "--format", "json", "--db", url, "--by", by, *options]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=REVOKE_TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        why = f"revoke timed out after {REVOKE_TIMEOUT_SECONDS:.0f} s"
        return [ResponseOutcome(i, False, why) for i in ids]
    if done.returncode in (0, 1):  # 1: some secret is still open, which each row explains
        return [_outcome(row) for row in json.loads(done.stdout)["secrets"]]
    if "invalid choice" in done.stderr:
        return [ResponseOutcome(i, False, "revocation is not available in this installation") for i in ids]
    complaints = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    reason = complaints[-1] if complaints else f"exit status {done.returncode}"
    return [ResponseOutcome(i, False, f"revoke failed: {reason}") for i in ids]


def _outcome(row: dict) -> ResponseOutcome:
    status = row["status"]
    if status == "manual":
        text = f"revoke it by hand: {row['reason']}" + (f" ({row['console']})" if row["console"] else "")
    elif status in ("skipped", "closed"):
        text = f"not revoked: {row['reason']}"
    else:
        text = f"{status}: {row['message']}"
    return ResponseOutcome(int(row["secret_id"]), status == "revoked", text)
