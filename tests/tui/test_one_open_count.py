""""Open as of" means one thing: under the same ``--as-of`` the CLI's ``secrets list``, the TUI queue and
the dashboard count the same secrets, also when some were resolved after that instant or exposed after it."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import tui_seed as seed
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.models import Secret
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.data import QueueFilter, load_secrets, select_rows
from secret_sprawl.tui.loaders import load_dashboard
from sqlmodel import Session
from textual.widgets import DataTable, Static
from tui_text import shown

EARLIER = seed.AS_OF - timedelta(days=10)


def counts(engine, url, as_of, capsys) -> tuple[int, int, int]:
    assert main(["secrets", "list", "--db", url, "--status", "open", "--format", "json",
                 "--as-of", as_of.isoformat()]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {(record["status"], record["resolved_at"]) for record in listed} <= {("open", None)}
    cli = len(listed)
    queue = len(select_rows(load_secrets(engine, SlaPolicy(), as_of), QueueFilter()))
    dashboard = load_dashboard(engine, SlaPolicy(), as_of).metrics.open_count
    return cli, queue, dashboard


def test_cli_queue_and_dashboard_count_the_same_open_secrets(db, capsys):
    engine, url = db
    with Session(engine) as session:  # resolved after both instants: still open as of them
        lifecycle.resolve(session, 2, "revoked", by="tester")
        session.commit()
    assert counts(engine, url, seed.AS_OF, capsys) == (4, 4, 4)
    # Ten days earlier some secrets were not exposed yet and some resolved ones were still open.
    earlier = counts(engine, url, EARLIER, capsys)
    assert earlier[0] == earlier[1] == earlier[2]
    assert earlier != (4, 4, 4)


async def test_the_running_queue_and_dashboard_show_the_same_open_count(make_app, settle, db):
    """The screens themselves agree, with a low-confidence secret (counted by neither), one resolved
    after the as-of instant (open then, for both) and one exposed after it (in neither)."""
    engine, _ = db
    with Session(engine) as session:
        lifecycle.resolve(session, 3, "revoked", by="tester", at=seed.AS_OF + timedelta(hours=1))
        session.get(Secret, 5).confidence = "low"
        session.get(Secret, 2).exposed_at = seed.AS_OF + timedelta(days=1)
        session.commit()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        queue_rows = app.screen.query_one("#queue", DataTable).row_count
        assert str(app.screen.query_one("#queue-status").render()).startswith(f"{queue_rows} of ")
        await pilot.press("2")
        await settle(pilot)
        panel = shown(app.screen.query_one("#mttr", Static))
        assert queue_rows == app.screen.data.metrics.open_count == 2  # #1 and #3
    assert re.search(rf"^\W*open\s+{queue_rows}\W*$", panel, re.MULTILINE)
