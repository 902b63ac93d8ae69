"""The HTML report's content: axes and units on every chart, the SLA line, small-sample notes, the
exposure explanation, leadership figures, breakdowns, and tracker text escaped (markup, controls)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from secret_sprawl.tracker.exports.html import BREAKDOWNS, metrics_html
from secret_sprawl.tracker.exports.svg import ticks
from secret_sprawl.tracker.metrics import compute_report
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.sla import SlaClock, SlaPolicy
from sqlmodel import Session

from tests.tracker.report_data import HOSTILE, plant


@pytest.fixture
def page(engine) -> str:
    now = utcnow()  # taken when the test starts
    plant(engine, now - timedelta(minutes=1), count=24)
    with Session(engine) as session:
        metrics = compute_report(session, SlaPolicy(clock=SlaClock.DETECTED),
                                 as_of=now + timedelta(minutes=5), breakdowns=BREAKDOWNS)
    return metrics_html(metrics, generated_at=now)


def test_every_chart_has_axes_with_units(page):
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 4
    for chart in charts:
        assert 'class="axis"' in chart and 'class="axis-title"' in chart
        assert re.search(r'class="axis-title"[^>]*>(secrets|days|open secrets|secrets closed)<', chart)
    trend = next(chart for chart in charts if "month of resolution" in chart)
    assert re.search(r'class="sla-label"[^>]*>SLA 27 days<', trend) and 'class="sla"' in trend
    backlog = next(chart for chart in charts if "week ending" in chart)
    assert ">open<" in backlog and ">SLA breached<" in backlog  # the legend


def test_leadership_sections_and_notes(page):
    for heading in ("Open backlog per week", "Time to remediate by month", "Triage outcomes",
                    "By owner or team", "By provider", "By repository", "Breached secrets (",
                    "What the numbers mean"):
        assert heading in page, heading
    assert "Revoked through sprawl" in page and "Remediated by people" in page and "Time to owner" in page
    assert re.search(r"MTTR median.*?· based on [1-4] secrets?<", page, re.S)  # small groups say so
    assert "three secrets open for ten days each are 30 secret-days" in page
    assert "of when it was first detected by sprawl" in page  # the clock in use


def test_tracker_text_is_escaped(page):
    assert "<script" not in page and "\x1b" not in page and "\u202e" not in page
    assert "team&quot;&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J\\u202e" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no external resources"
    assert HOSTILE not in page


def test_small_samples_say_how_many(engine):
    now = utcnow()
    plant(engine, now - timedelta(minutes=1), count=3)
    with Session(engine) as session:
        metrics = compute_report(session, SlaPolicy(), as_of=now + timedelta(minutes=5))
    assert metrics.mttr_count < 5
    page = metrics_html(metrics, generated_at=now)
    assert f"based on {metrics.mttr_count} secret" in page


def test_axis_ticks_are_round():
    assert ticks(21, whole=True) == [0, 10, 20, 30]
    assert ticks(10, whole=True) == [0, 5, 10]
    assert ticks(2, whole=True) == [0, 1, 2]
    assert ticks(0, whole=True) == [0, 1]
    assert ticks(27) == [0, 10, 20, 30]
    assert ticks(0.3) == pytest.approx([0, 0.1, 0.2, 0.3])
