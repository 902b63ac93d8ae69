"""The TUI's read side: queue order and SLA annotation, filters, sorting, the change marker, trends."""

from __future__ import annotations

import pytest
import tui_seed as seed
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.data import (
    QueueFilter,
    attach_places,
    change_marker,
    load_secrets,
    select_rows,
)
from sqlmodel import Session


@pytest.fixture
def rows(db):
    engine, _ = db
    rows = load_secrets(engine, SlaPolicy(), seed.AS_OF)
    attach_places(engine, rows)
    return rows


def ids(rows) -> list[int]:
    return [row.id for row in rows]


def test_open_queue_is_most_urgent_first(rows):
    view = select_rows(rows, QueueFilter())
    assert ids(view) == [1, 2, 3, 5]
    assert [row.sla_state for row in view] == ["breached", "approaching", "within", "within"]
    assert view[0].days_left < 0 < view[1].days_left < view[2].days_left < view[3].days_left


def test_all_statuses_put_resolved_last(rows):
    view = select_rows(rows, QueueFilter(status=None))
    assert ids(view)[:4] == [1, 2, 3, 5]
    assert sorted(ids(view)[4:]) == [4, 6]
    assert {row.sla_state for row in view[4:]} == {"resolved"}


def test_secrets_alone_paint_the_queue_then_places_complete_it(db):
    engine, _ = db
    rows = load_secrets(engine, SlaPolicy(), seed.AS_OF)
    assert ids(select_rows(rows, QueueFilter())) == [1, 2, 3, 5]
    assert {row.target for row in rows} == {""}
    assert select_rows(rows, QueueFilter(text="values.yaml")) == []
    attach_places(engine, rows)
    assert ids(select_rows(rows, QueueFilter(text="values.yaml"))) == [1]


def test_each_row_knows_its_first_target(rows):
    by_id = {row.id: row for row in rows}
    assert by_id[1].target == "github.com/acme/agents"
    assert by_id[4].target == "github.com/acme/infra"
    assert by_id[1].places == 2


@pytest.mark.parametrize(
    ("queue_filter", "expected"),
    [
        (QueueFilter(text="ML-PLATFORM"), [3]),  # owner, case-insensitive
        (QueueFilter(text="values.yaml"), [1]),  # a path of the second occurrence
        (QueueFilter(text="acme/infra", status=None), [1, 4, 6]),  # a target name
        (QueueFilter(text="anthropic"), [2]),  # provider / rule
        (QueueFilter(sla_state="within"), [3, 5]),
        (QueueFilter(provider="github"), [5]),
        (QueueFilter(category="cloud"), []),
        (QueueFilter(category="cloud", status=None), [4, 6]),
        (QueueFilter(status="revoked"), [4]),
        (QueueFilter(text="no-such-thing"), []),
    ],
)
def test_filters(rows, queue_filter, expected):
    assert sorted(ids(select_rows(rows, queue_filter))) == sorted(expected)


def test_sort_by_column_and_direction(rows):
    assert ids(select_rows(rows, QueueFilter(), "provider")) == [2, 5, 3, 1]
    assert ids(select_rows(rows, QueueFilter(), "provider", descending=True)) == [1, 3, 5, 2]
    assert ids(select_rows(rows, QueueFilter(), "owner")) [0] == 3  # assigned first, unassigned last
    assert ids(select_rows(rows, QueueFilter(), "urgency", descending=True)) == [5, 3, 2, 1]


def test_change_marker_moves_with_any_audited_change(db):
    engine, _ = db
    before = change_marker(engine)
    assert change_marker(engine) == before
    with Session(engine) as session:
        lifecycle.add_note(session, 2, "looking into it", by="someone-else")
        session.commit()
    assert change_marker(engine) != before
