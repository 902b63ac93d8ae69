"""Metrics over secrets with known exposure and resolution times, checked to the second."""

from __future__ import annotations

from datetime import timedelta

import pytest
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.metrics import compute_metrics, nearest_rank
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import select, update
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result

AS_OF = at("2025-03-31T12:00:00")
DAY = 86_400

# name: (exposed_at, resolution reason, resolved_at, target, provider)
PLAN = {
    "A": (at("2025-01-01T00:00:00"), "revoked", at("2025-01-11T06:00:00"), "repo-a", "openai"),
    "B": (at("2025-01-10T00:00:00"), "rotated", at("2025-02-14T00:00:00"), "repo-a", "anthropic"),
    "C": (at("2025-02-01T00:00:00"), "revoked", at("2025-02-03T00:00:30"), "repo-b", "openai"),
    "D": (at("2025-02-01T00:00:00"), "false-positive", at("2025-02-02T00:00:00"), "repo-a", "openai"),
    "E": (at("2025-02-01T00:00:00"), "used-in-tests", at("2025-02-02T00:00:00"), "repo-a", "openai"),
    "F": (at("2025-01-15T00:00:00"), "revoked", at("2025-02-10T00:00:00"), "repo-a", "openai"),  # inactive
    "G": (AS_OF - timedelta(days=3), None, None, "repo-a", "openai"),
    "H": (AS_OF - timedelta(days=20.25), None, None, "repo-a", "huggingface"),
    "I": (AS_OF - timedelta(days=27), None, None, "repo-b", "openai"),
    "J": (AS_OF - timedelta(days=27, seconds=1), None, None, "repo-b", "openai"),
    "K": (AS_OF - timedelta(days=40), "revoked", AS_OF + timedelta(days=1), "repo-a", "openai"),  # later
    "L": (AS_OF + timedelta(days=2), None, None, "repo-a", "openai"),  # not exposed yet as of AS_OF
}


@pytest.fixture
def planted(engine) -> dict[str, int]:
    values = {name: fake_secret() for name in PLAN}
    recorder = Recorder(engine, actor="scanner")
    for target in ("repo-a", "repo-b"):
        recorder.record(
            result(
                target,
                [
                    finding(
                        values[name],
                        target=target,
                        path=f"{name}.env",
                        committed_at=exposed,
                        provider=provider,
                    )
                    for name, (exposed, _, _, where, provider) in PLAN.items()
                    if where == target
                ],
            )
        )
    recorder.finish()
    with Session(writer(engine)) as session:
        ids = {
            name: session.execute(
                select(Secret.id).where(Secret.fingerprint == fingerprint_of(v))
            ).scalar_one()
            for name, v in values.items()
        }
        for name, (_, reason, resolved_at, _, _) in PLAN.items():
            if reason:
                lifecycle.resolve(session, ids[name], reason, at=resolved_at, by="alice", note="planned")
        session.execute(update(Secret).where(Secret.id == ids["F"]).values(inactive_at_discovery=True))
        lifecycle.assign(session, ids["G"], "carol", by="alice")
        session.commit()
    return ids


def test_mttr_buckets_and_sla_to_the_second(engine, planted):
    with Session(engine) as session:
        m = compute_metrics(session, SlaPolicy(), as_of=AS_OF)
    a, b, c = 10 * DAY + 6 * 3600, 35 * DAY, 2 * DAY + 30
    assert m.mttr_count == 3
    assert m.mttr_mean_seconds == pytest.approx((a + b + c) / 3, abs=1e-6)
    assert m.mttr_median_seconds == a
    assert m.mttr_p90_seconds == b  # nearest rank: ceil(0.9 * 3) = 3rd of 3
    assert (m.mttr_min_seconds, m.mttr_max_seconds) == (c, b)
    assert m.within_sla_share == pytest.approx(2 / 3)
    assert (m.resolved_count, m.inactive_at_discovery_count, m.secrets_count) == (6, 1, 11)
    assert m.open_count == 5  # G H I J, and K which was resolved only after AS_OF
    assert m.age_buckets == {"0-7": 1, "7-14": 0, "14-21": 1, "21-27": 1, ">27": 2}
    assert (m.approaching_count, m.breached_count) == (2, 2)
    assert m.exposure_secret_days == pytest.approx(3 + 20.25 + 27 + (27 + 1 / DAY) + 40, abs=1e-9)
    assert [(p.month, p.count, p.mean_seconds) for p in m.per_month] == [
        ("2025-01", 1, a),
        ("2025-02", 2, (b + c) / 2),
    ]
    assert m.open_by_provider == {"openai": 4, "huggingface": 1}


def test_since_limits_the_mttr_population(engine, planted):
    with Session(engine) as session:
        m = compute_metrics(session, SlaPolicy(), as_of=AS_OF, since=at("2025-02-01"))
    assert m.mttr_count == 2
    assert m.mttr_median_seconds == (35 * DAY + 2 * DAY + 30) / 2
    assert m.open_count == 5  # the open snapshot is unaffected


def test_group_by_target_provider_owner(engine, planted):
    with Session(engine) as session:
        by_target = compute_metrics(session, SlaPolicy(), as_of=AS_OF, group_by="target")
        by_owner = compute_metrics(session, SlaPolicy(), as_of=AS_OF, group_by="owner")
        by_month = compute_metrics(session, SlaPolicy(), as_of=AS_OF, group_by="month")
    assert set(by_target.groups) == {"repo-a", "repo-b"}
    assert by_target.groups["repo-b"].mttr_count == 1 and by_target.groups["repo-b"].breached_count == 1
    assert by_target.groups["repo-a"].mttr_count == 2
    assert by_owner.groups["carol"].open_count == 1
    assert by_owner.groups["(unassigned)"].open_count == 4
    assert by_month.groups["2025-01"].mttr_count == 2


def test_category_override_changes_breaches(engine, planted):
    with Session(engine) as session:
        strict = compute_metrics(session, SlaPolicy(category_days={"ai": 7}), as_of=AS_OF)
    assert strict.breached_count == 4  # H, I, J, K are all older than 7 days
    assert strict.within_sla_share == pytest.approx(1 / 3)  # only C was revoked within 7 days


def test_empty_database_has_no_mttr(engine):
    with Session(engine) as session:
        m = compute_metrics(session, SlaPolicy(), as_of=AS_OF)
    assert m.mttr_count == 0 and m.mttr_mean_seconds is None and m.within_sla_share is None
    assert m.age_buckets == dict.fromkeys(("0-7", "7-14", "14-21", "21-27", ">27"), 0)


def test_nearest_rank_percentile():
    assert nearest_rank([float(v) for v in range(1, 11)], 90) == 9
    assert nearest_rank([float(v) for v in range(1, 12)], 90) == 10
    assert nearest_rank([5.0], 90) == 5
    with pytest.raises(ValueError):
        nearest_rank([], 90)
