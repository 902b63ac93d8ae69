"""SLA policy: the 27-day window, the 75 % warning, overrides from config, boundaries to the second."""

from __future__ import annotations

from datetime import timedelta

import pytest
from secret_sprawl.tracker.config import ConfigError, validate_config
from secret_sprawl.tracker.sla import SlaPolicy

from tests.tracker.tracker_factory import at

EXPOSED = at("2025-01-01T00:00:00")


@pytest.mark.parametrize(
    "after, state",
    [
        (timedelta(days=20.25) - timedelta(seconds=1), "within"),
        (timedelta(days=20.25), "approaching"),  # day 20.25 = 75 % of 27 days
        (timedelta(days=27), "approaching"),  # the deadline itself is still in time
        (timedelta(days=27, seconds=1), "breached"),
    ],
)
def test_default_policy_boundaries(after, state):
    status = SlaPolicy().status(EXPOSED, "ai", "long-lived", now=EXPOSED + after)
    assert status.state == state
    assert status.deadline == at("2025-01-28T00:00:00")
    assert status.age_days == pytest.approx(after.total_seconds() / 86400, abs=1e-9)
    assert status.days_left == pytest.approx(27 - after.total_seconds() / 86400, abs=1e-9)


def test_resolved_secret_is_measured_at_resolution():
    status = SlaPolicy().status(
        EXPOSED, "ai", "long-lived", now=at("2026-01-01"), resolved_at=at("2025-01-30T00:00:00")
    )
    assert status.state == "resolved"
    assert status.age_days == 29 and status.days_left == -2


def test_config_overrides_category_wins_over_lifetime():
    policy = SlaPolicy.from_config(validate_config(
        {
            "sla": {
                "days": 30,
                "warn_ratio": 0.5,
                "category": {"ai": 7},
                "lifetime": {"short-lived": 2},
            }
        }, "test"
    ))
    assert policy.window_days("ai", "short-lived") == 7  # category wins
    assert policy.window_days("cloud", "short-lived") == 2
    assert policy.window_days("cloud", "long-lived") == 30
    status = policy.status(EXPOSED, "ai", "long-lived", now=EXPOSED + timedelta(days=3.5))
    assert (status.state, status.window_days) == ("approaching", 7)


def test_missing_table_gives_defaults():
    assert SlaPolicy.from_config(validate_config({}, "test")) == SlaPolicy(days=27.0, warn_ratio=0.75)


@pytest.mark.parametrize(
    "table, message",
    [
        ({"days": 0}, r"\[sla\] days: "),
        ({"days": "27"}, r"\[sla\] days: "),
        ({"days": 1e17}, r"\[sla\] days: .*less than or equal to 3650"),
        ({"days": float("nan")}, r"\[sla\] days: must be a finite number"),
        ({"days": float("inf")}, r"\[sla\] days: must be a finite number"),
        ({"warn_ratio": 1.5}, r"\[sla\] warn_ratio"),
        ({"category": {"quantum": 3}}, r"\[sla\] category: unknown category"),
        ({"lifetime": {"short-lived": -1}}, r"\[sla.lifetime\] short-lived"),
        ({"dayz": 3}, r"\[sla\] unknown key 'dayz'"),
    ],
)
def test_bad_config_is_refused_with_the_key_named(table, message):
    with pytest.raises(ConfigError, match=r"config test: " + message):
        validate_config({"sla": table}, "test")
