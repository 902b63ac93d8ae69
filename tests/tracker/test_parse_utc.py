"""The one parser of times users type (``--as-of``, ``--at``, the TUI's "revoked at")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from secret_sprawl.tracker.models.columns import parse_utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        (" 2026-03-01 14:30 ", datetime(2026, 3, 1, 14, 30, tzinfo=UTC)),
        ("2026-03-01T14:30:00+02:00", datetime(2026, 3, 1, 12, 30, tzinfo=UTC)),
        ("2026-03-01T14:30Z", datetime(2026, 3, 1, 14, 30, tzinfo=UTC)),
    ],
)
def test_user_times_parse_as_utc(text, expected):
    assert parse_utc(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-13-01"])
def test_what_is_not_a_time_is_refused(text):
    with pytest.raises(ValueError):
        parse_utc(text)
