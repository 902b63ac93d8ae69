"""Loaders of the detail, schedules and dashboard screens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import tui_seed as seed
from secret_sprawl.tracker.queries import open_counts
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.loaders import load_dashboard, load_detail, load_schedules


def test_detail_has_places_timeline_and_sla(db):
    engine, _ = db
    detail = load_detail(engine, SlaPolicy(), 1, seed.AS_OF)
    assert detail.secret.fingerprint == seed.fingerprint(1)
    assert [(p.target, p.occurrence.path, p.occurrence.in_head) for p in detail.places] == [
        ("github.com/acme/agents", "agents/.env", True),
        ("github.com/acme/infra", "deploy/values.yaml", False),
    ]
    assert [event.kind for event in detail.events] == ["detected", "verified", "note"]
    assert detail.sla.state == "breached"
    assert [(check.state, check.http_status) for check in detail.verifications] == [("live", 200)]
    assert load_detail(engine, SlaPolicy(), 2, seed.AS_OF).verifications == []
    with pytest.raises(LookupError):
        load_detail(engine, SlaPolicy(), 999, seed.AS_OF)


def test_schedules_have_their_next_run(db):
    engine, _ = db
    [row] = load_schedules(engine, seed.AS_OF)
    assert row.schedule.name == "nightly"
    assert row.next_run == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_open_over_time_counts_at_each_month_end():
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    spans = [
        (at("2026-01-05"), None),
        (at("2026-01-20"), at("2026-02-10")),
        (at("2026-02-28"), None),
        (at("2026-03-02"), None),  # after "now": not counted
    ]
    points = open_counts(spans, at("2026-03-01T12:00"), months=3)
    assert points == [("2026-01", 2), ("2026-02", 2), ("2026-03", 2)]


def test_dashboard_combines_metrics_and_the_open_trend(db):
    engine, _ = db
    data = load_dashboard(engine, SlaPolicy(), seed.AS_OF, months=3)
    assert (data.metrics.open_count, data.metrics.breached_count, data.metrics.mttr_count) == (4, 1, 2)
    # End of January only #1 is open (#4 and #6 were resolved in January); #2, #3, #5 come in February.
    assert data.open_over_time == [("2026-01", 1), ("2026-02", 4), ("2026-03", 4)]
