"""``sprawl secrets list`` formats: a terminal table (one secret per line when piped), JSON and CSV.

With ``--group-by`` the subject is a ``SecretGroups``: the table gets one section per group and the
JSON one object per group (``{"group_by": "org", "groups": [{"name", "count", "secrets"}]}``).
"""

from __future__ import annotations

import io
import json as jsonlib
from collections.abc import Sequence

from rich.table import Table
from secret_sprawl.scanner.formats.text import console
from secret_sprawl.tracker.exports.csv import secrets_csv
from secret_sprawl.tracker.exports.json import secrets_json
from secret_sprawl.tracker.queries import SecretGroups, SecretRow
from secret_sprawl.tracker.safe_text import markup, terminal
from secret_sprawl.tracker.sla import SlaState

_PIPE_WIDTH = 400
_STYLE = {SlaState.BREACHED: "red", SlaState.APPROACHING: "yellow"}


def json(rows: Sequence[SecretRow] | SecretGroups) -> str:
    if not isinstance(rows, SecretGroups):
        return secrets_json(rows)
    groups = [{"name": name, "count": len(members), "secrets": jsonlib.loads(secrets_json(members))}
              for name, members in rows.groups.items()]
    return jsonlib.dumps({"group_by": rows.by, "groups": groups}, indent=2) + "\n"


def csv(rows: Sequence[SecretRow]) -> str:
    return secrets_csv(rows)


def table(rows: Sequence[SecretRow] | SecretGroups) -> str:
    if not isinstance(rows, SecretGroups):
        return _grid(rows) + f"{len(rows)} secret(s)\n"
    sections = [f"{rows.by} {terminal(name)}: {len(members)} secret(s)\n{_grid(members)}"
                for name, members in rows.groups.items()]
    total = len({row.secret.id for members in rows.groups.values() for row in members})
    return "\n".join(sections) + f"{total} secret(s) in {len(rows.groups)} group(s)\n"


def _grid(rows: Sequence[SecretRow]) -> str:
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
            str(secret.id), f"[{style}]{sla.state}[/]" if style else sla.state, left, markup(secret.provider),
            markup(secret.rule_id), secret.lifetime, secret.confidence,
            f"{secret.places} shared" if row.shared else str(secret.places),
            row.status, row.suggestion or "-", markup(secret.owner or "-"),
            secret.exposed_at.strftime("%Y-%m-%d %H:%M"), markup(secret.redacted),
        )
    out = io.StringIO()
    console(out, pipe_width=_PIPE_WIDTH, highlight=False).print(grid)  # piped: one secret per line
    return out.getvalue()
