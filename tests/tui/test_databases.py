"""The TUI's reads and writes on every supported database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime

import tui_seed as seed
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.models import Secret
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui import actions
from secret_sprawl.tui.data import QueueFilter, attach_places, change_marker, load_secrets, select_rows
from secret_sprawl.tui.loaders import load_dashboard, load_detail, load_schedules
from sqlmodel import Session


def test_queue_detail_dashboard_and_actions(db_url):
    engine = seed.build(db_url)
    try:
        rows = load_secrets(engine, SlaPolicy(), seed.AS_OF)
        attach_places(engine, rows)
        assert [row.id for row in select_rows(rows, QueueFilter())] == [1, 2, 3, 5]
        assert [row.id for row in select_rows(rows, QueueFilter(text="values.yaml"))] == [1]
        detail = load_detail(engine, SlaPolicy(), 1, seed.AS_OF)
        assert [place.target for place in detail.places] == list(seed.TARGETS)
        assert load_dashboard(engine, SlaPolicy(), seed.AS_OF).metrics.open_count == 4
        assert [row.schedule.name for row in load_schedules(engine, seed.AS_OF)] == ["nightly"]

        marker = change_marker(engine)
        at = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
        actions.resolve(engine, [2, 3], "revoked", by="tester", at=at)
        actions.assign(engine, [5], "sre", by="tester")
        assert change_marker(engine) != marker
        with Session(engine) as session:
            assert [session.get(Secret, i).status for i in (2, 3)] == ["revoked", "revoked"]
            assert session.get(Secret, 2).resolved_at == at
            assert session.get(Secret, 5).owner == "sre"
            assert first_break(session) is None
    finally:
        engine.dispose()
