""""Open as of" means one thing: under the same ``--as-of`` the CLI's ``secrets list``, the TUI queue and
the dashboard count the same secrets, also when some were resolved after that instant or exposed after it."""

from __future__ import annotations

import json
from datetime import timedelta

import tui_seed as seed
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.data import QueueFilter, load_secrets, select_rows
from secret_sprawl.tui.loaders import load_dashboard
from sqlmodel import Session

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
