"""``sprawl secrets list`` formats: a terminal table (one secret per line when piped), JSON and CSV."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.table import Table
from secret_sprawl.scanner.formats.text import console
from secret_sprawl.tracker.exports.csv import secrets_csv
from secret_sprawl.tracker.exports.json import secrets_json
from secret_sprawl.tracker.queries import SecretRow
from secret_sprawl.tracker.sla import SlaState

_PIPE_WIDTH = 400
_STYLE = {SlaState.BREACHED: "red", SlaState.APPROACHING: "yellow"}


def json(rows: Sequence[SecretRow]) -> str:
    return secrets_json(rows)


def csv(rows: Sequence[SecretRow]) -> str:
    return secrets_csv(rows)


def table(rows: Sequence[SecretRow]) -> str:
    grid = Table(box=None, header_style="bold")
    for heading in ("ID", "SLA", "DAYS LEFT", "PROVIDER", "RULE", "LIFETIME", "CONFIDENCE", "PLACES",
                    "STATUS", "SUGGESTED", "OWNER", "EXPOSED", "SECRET"):
        grid.add_column(heading, no_wrap=True)
    for row in rows:
        secret, sla = row.secret, row.sla
        left = "-" if sla.state == SlaState.RESOLVED else (
            f"{sla.days_left:.1f}" if sla.days_left >= 0 else f"{-sla.days_left:.1f} overdue")
        style = _STYLE.get(sla.state, "")
        grid.add_row(
            str(secret.id), f"[{style}]{sla.state}[/]" if style else sla.state, left, secret.provider,
            secret.rule_id, secret.lifetime, secret.confidence,
            f"{secret.places} shared" if row.shared else str(secret.places),
            row.status, row.suggestion or "-", secret.owner or "-",
            secret.exposed_at.strftime("%Y-%m-%d %H:%M"), secret.redacted,
        )
    out = io.StringIO()
    console(out, pipe_width=_PIPE_WIDTH, highlight=False).print(grid)  # piped: one secret per line
    return out.getvalue() + f"{len(rows)} secret(s)\n"
