"""Leadership metrics: the SLA clock, time exposed vs after detection, resolved late, MTTR by how the
secret was remediated (the ``revoked-by-sprawl`` event), time to owner (the first ``assigned`` event),
the share of open secrets with an owner, triage outcomes, the weekly backlog and the breached list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.metrics import compute_metrics, compute_report, month_spans
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaClock, SlaPolicy, SlaState
from sqlalchemy import select, update
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, fingerprint_of, result

DAY = 86_400
LAG = timedelta(minutes=5)  # the report's as_of is this long after "now": after every event written


@pytest.fixture
def now():
    """The test's "now", taken when it starts (a module constant would age while other tests run)."""
    return utcnow().replace(microsecond=0)


# name: (days exposed before now, days detected before now, resolution, days resolved before now, owner)
PLAN = {
    "sprawl": (40, 10, "revoked", 6, None),  # revoked through sprawl, 34 days exposed, 4 after detection
    "people": (30, 29, "revoked", 10, None),  # 20 days exposed, 19 after detection
    "rotated": (12, 12, "rotated", 2, None),  # 10 days
    "fp": (5, 5, "false-positive", 4, None),
    "tests": (5, 5, "used-in-tests", 4, None),
    "risk": (5, 5, "accepted-risk", 4, None),
    "old": (400, 2, None, None, "platform-team"),  # years of history, found two days ago
    "fresh": (3, 3, None, None, None),
    "late": (35, 30, None, None, None),  # breached under either clock
}


@pytest.fixture
def ids(engine, now) -> dict[str, int]:
    values = {name: fake_secret() for name in PLAN}
    recorder = Recorder(engine, actor="scanner")
    recorder.record(result("github.com/acme/api", [
        finding(values[name], path=f"{name}.env", committed_at=now - timedelta(days=plan[0]))
        for name, plan in PLAN.items()
    ]))
    recorder.finish()
    with Session(writer(engine)) as session:
        found = {name: session.execute(select(Secret.id).where(Secret.fingerprint == fingerprint_of(v)))
                 .scalar_one() for name, v in values.items()}
        for name, (_, detected, reason, resolved, owner) in PLAN.items():
            session.execute(update(Secret).where(Secret.id == found[name])
                            .values(first_seen_at=now - timedelta(days=detected)))
            if reason:
                note = "why" if reason == "accepted-risk" else None
                resolved_at = now - timedelta(days=resolved)
                lifecycle.resolve(session, found[name], reason, at=resolved_at, by="alice", note=note)
                if name == "sprawl":  # what the revoke lane writes once the provider confirms it
                    append_event(session, kind="revoked-by-sprawl", actor="alice", secret_id=found[name],
                                 detail={"provider": "github", "answer": "401"}, at=resolved_at)
            if owner:
                lifecycle.assign(session, found[name], owner, by="alice")  # assigned "now"
        # Assigned a day after its detection, then reassigned: only the first assignment counts.
        append_event(session, kind="assigned", actor="alice", secret_id=found["late"], new_value="ml",
                     at=now - timedelta(days=29))
        lifecycle.assign(session, found["late"], "sre", by="alice")
        session.commit()
    return found


def metrics(engine, now, clock: SlaClock = SlaClock.EXPOSED, **kwargs):
    with Session(engine) as session:
        return compute_report(session, SlaPolicy(clock=clock), as_of=now + LAG, **kwargs)


def test_time_exposed_and_time_after_detection(engine, ids, now):
    m = metrics(engine, now)
    assert m.mttr_count == 3
    assert (m.mttr_min_seconds, m.mttr_median_seconds, m.mttr_max_seconds) == (10 * DAY, 20 * DAY, 34 * DAY)
    assert m.after_detection.count == 3
    assert m.after_detection.mean_seconds == pytest.approx((4 + 19 + 10) / 3 * DAY)
    assert m.after_detection.p90_seconds == 19 * DAY


def test_mttr_by_how_remediated(engine, ids, now):
    m = metrics(engine, now)
    assert m.by_method["sprawl"].count == 1 and m.by_method["sprawl"].mean_seconds == 34 * DAY
    assert m.by_method["people"].count == 2
    assert m.by_method["people"].median_seconds == 15 * DAY


def test_a_reopened_secret_is_no_longer_revoked_by_sprawl(engine, ids, now):
    with Session(writer(engine)) as session:
        lifecycle.reopen(session, ids["sprawl"], by="alice")
        lifecycle.resolve(session, ids["sprawl"], "revoked", at=now - timedelta(days=1), by="bob")
        session.commit()
    m = metrics(engine, now)
    assert m.by_method["sprawl"].count == 0 and m.by_method["people"].count == 3


def test_time_to_owner_and_owner_share(engine, ids, now):
    m = metrics(engine, now)
    assert m.time_to_owner.count == 2  # "late" (first assignment only) and "old" (assigned now)
    # late: detected 30 days ago, first assigned 29 days ago; old: detected 2 days ago, assigned now.
    assert m.time_to_owner.mean_seconds == pytest.approx(1.5 * DAY, abs=60)
    assert m.time_to_owner.p90_seconds == pytest.approx(2 * DAY, abs=60)
    assert m.open_count == 3 and m.open_with_owner_count == 2  # old (platform-team), late (sre)
    assert m.owner_known_share == pytest.approx(2 / 3)
    before = metrics(engine, now, group_by="owner")
    assert set(before.groups) == {"platform-team", "sre", "(unassigned)"}


def test_triage_outcomes(engine, ids, now):
    m = metrics(engine, now)
    assert m.resolved_by_reason == {"revoked": 2, "rotated": 1, "false-positive": 1, "accepted-risk": 1,
                                    "used-in-tests": 1}
    assert m.resolved_count == 6


def test_resolved_late_follows_the_sla(engine, ids, now):
    m = metrics(engine, now)
    assert m.resolved_late_count == 1 and m.within_sla_share == pytest.approx(2 / 3)  # "sprawl": 34 days
    detected = metrics(engine, now, SlaClock.DETECTED)
    assert detected.resolved_late_count == 0 and detected.within_sla_share == 1


def test_the_detected_clock_starts_old_history_within_its_window(engine, ids, now):
    exposed = metrics(engine, now)
    detected = metrics(engine, now, SlaClock.DETECTED)
    assert exposed.breached_count == 2 and detected.breached_count == 1  # "late" stays breached
    assert [b.id for b in exposed.breached] == [ids["old"], ids["late"]]
    assert [b.id for b in detected.breached] == [ids["late"]]
    assert detected.breached[0].days_overdue == pytest.approx(3, abs=0.01)  # 30 - 27 days
    # Exposure is measured from the first commit whatever the clock.
    assert exposed.exposure_secret_days == detected.exposure_secret_days
    assert exposed.exposure_secret_days == pytest.approx(400 + 3 + 35, abs=0.02)
    assert detected.sla_clock == "detected"


def test_breached_list_holds_the_redacted_preview_only(engine, ids, now):
    m = metrics(engine, now)
    with Session(engine) as session:
        secret = session.get(Secret, ids["old"])
        assert m.breached[0].redacted == secret.redacted and "…" in secret.redacted


def test_weekly_backlog_and_monthly_snapshots(engine, ids, now):
    m = metrics(engine, now, weeks=3)
    as_of = now + LAG
    assert [p.at for p in m.backlog_weekly] == [as_of - timedelta(days=14), as_of - timedelta(days=7), as_of]
    # 14 days ago: sprawl (26 days old), people, old, late (21) open; only old past 27 days.
    # 7 days ago: people was resolved, rotated exposed; sprawl (33), old and late (28) breached.
    # Now: old, fresh, late open; old and late breached.
    assert [(p.open_count, p.breached_count) for p in m.backlog_weekly] == [(4, 1), (4, 3), (3, 2)]
    assert len(m.monthly) == 12 and m.monthly[-1].as_of == now + LAG
    assert sum(month.mttr_count for month in m.monthly) == 3


def test_month_spans_cover_calendar_months():
    spans = month_spans(at("2025-03-15T10:00:00"), 3)
    assert [(s.isoformat()[:10], e.isoformat()[:19]) for s, e in spans] == [
        ("2025-01-01", "2025-01-31T23:59:59"), ("2025-02-01", "2025-02-28T23:59:59"),
        ("2025-03-01", "2025-03-15T10:00:00")]


def test_sla_start_is_one_function():
    exposed, detected = at("2020-01-01T00:00:00"), at("2025-01-01T00:00:00")
    assert SlaPolicy().start(exposed, detected) == exposed
    assert SlaPolicy(clock=SlaClock.DETECTED).start(exposed, detected) == detected
    assert SlaPolicy(clock=SlaClock.DETECTED).start(detected, exposed) == detected  # never before exposure
    status = SlaPolicy(clock=SlaClock.DETECTED).status(exposed, "ai", "long-lived", now=detected,
                                                        detected_at=detected)
    assert status.state == SlaState.WITHIN and status.age_days > 1800  # age stays since exposure


def test_config_sets_the_clock():
    policy = SlaPolicy.from_config(Config.model_validate({"sla": {"clock": "detected"}}))
    assert policy.clock == SlaClock.DETECTED
    with pytest.raises(ValueError, match="clock"):
        Config.model_validate({"sla": {"clock": "commit"}})


def test_empty_database_has_no_leadership_numbers(engine, now):
    with Session(engine) as session:
        m = compute_metrics(session, SlaPolicy(), as_of=now)
    assert m.time_to_owner.count == 0 and m.time_to_owner.mean_seconds is None
    assert m.owner_known_share is None and m.by_method["sprawl"].count == 0
