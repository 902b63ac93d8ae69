"""Export formats: OpenMetrics syntax (checked by a small parser of the format's rules), HTML, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.exports.csv import metrics_csv, secrets_csv
from secret_sprawl.tracker.exports.html import metrics_html
from secret_sprawl.tracker.exports.json import metrics_json, secrets_json
from secret_sprawl.tracker.exports.openmetrics import metrics_openmetrics
from secret_sprawl.tracker.metrics import compute_metrics, compute_report
from secret_sprawl.tracker.queries import list_secrets
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session

from tests.tracker.tracker_factory import at, fake_secret, finding, result

AS_OF = at("2025-06-30T00:00:00")
GENERATED = at("2025-07-01T08:00:00")
NASTY = 'evil"<script>alert(1)</script>\\\n'  # a target name an attacker could choose

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
_SAMPLE = re.compile(rf"^({_NAME})(\{{(?:{_LABEL}(?:,{_LABEL})*)?\}})? (\S+)$")
_TYPES = {"counter", "gauge", "summary", "histogram", "gaugehistogram", "stateset", "info", "unknown"}


def check_openmetrics(text: str) -> dict[str, list[tuple[str, float]]]:
    """Validate OpenMetrics text exposition rules; returns family -> [(labels, value)].

    Also what ``promtool check metrics`` lints: HELP on every family, ``_total`` only on counters.
    """
    assert text.endswith("# EOF\n") and text.count("# EOF") == 1, "must end with exactly one # EOF"
    families: dict[str, dict] = {}
    current: str | None = None
    for line in text[: -len("# EOF\n")].split("\n")[:-1]:
        if line.startswith("#"):
            match = re.match(rf"^# (TYPE|HELP|UNIT) ({_NAME}) ?(.*)$", line)
            assert match, f"bad metadata line {line!r}"
            kind, name, rest = match.groups()
            family = families.setdefault(name, {"samples": []})
            assert current in (None, name) or not family["samples"], f"{name} is interleaved"
            assert kind not in family, f"second {kind} for {name}"
            family[kind] = rest
            if kind == "TYPE":
                assert rest in _TYPES
            if kind == "UNIT":
                assert name.endswith(f"_{rest}"), f"{name} must end with its unit {rest}"
            current = name
            continue
        match = _SAMPLE.match(line)
        assert match, f"bad sample line {line!r}"
        sample, labels, value = match.groups()
        assert current is not None and "TYPE" in families[current], f"sample {sample} before its TYPE"
        kind = families[current]["TYPE"]
        allowed = {f"{current}_total", f"{current}_created"} if kind == "counter" else {current}
        assert sample in allowed, f"sample {sample} does not belong to {kind} {current}"
        number = float(value)
        assert not (kind == "counter" and number < 0)
        assert (labels or "") not in [lab for lab, _ in families[current]["samples"]], "duplicate labelset"
        families[current]["samples"].append((labels or "", number))
    for name, family in families.items():
        assert {"TYPE", "HELP"} <= set(family), f"{name} lacks TYPE or HELP"
        assert not name.endswith("_total") or family["TYPE"] == "counter", f"{name}: _total on a non-counter"
        if name.endswith("_seconds"):
            assert family.get("UNIT") == "seconds"
    return {name: family["samples"] for name, family in families.items()}


@pytest.fixture
def metrics(engine):
    values = [fake_secret() for _ in range(4)]
    Recorder(engine, actor="t").record(result(NASTY, [
        finding(values[0], target=NASTY, committed_at=at("2025-05-01"), provider="openai"),
        finding(values[1], target=NASTY, path="b.env", committed_at=at("2025-05-10"), provider="anthropic"),
        finding(values[2], target=NASTY, path="c.env", committed_at=at("2025-06-25"), provider="openai"),
        finding(values[3], target=NASTY, path="d.env", committed_at=at("2025-03-01"), provider="openai"),
    ]))
    with Session(writer(engine)) as session:
        lifecycle.resolve(session, 1, "revoked", at=at("2025-05-04T12:00:00"), by="a")
        lifecycle.resolve(session, 2, "rotated", at=at("2025-06-20"), by="a")
        session.commit()
    with Session(engine) as session:
        yield compute_report(session, SlaPolicy(), as_of=AS_OF, group_by="target"), list_secrets(
            session, SlaPolicy(), now=AS_OF)


def test_openmetrics_follows_the_exposition_format(metrics):
    text = metrics_openmetrics(metrics[0])
    families = check_openmetrics(text)
    escaped = '{target="evil\\"<script>alert(1)</script>\\\\\\n"}'
    assert families["sprawl_secrets"] == [("", 4.0), (escaped, 4.0)]
    assert ("", 3.5 * 86400) in families["sprawl_mttr_min_seconds"]
    assert ("", 2.0) in families["sprawl_open_secrets"]
    assert families["sprawl_open_secrets_by_age"][0] == ('{age_days="0-7"}', 1.0)
    assert families["sprawl_remediated_by_method_secrets"] == [('{method="sprawl"}', 0.0),
                                                               ('{method="people"}', 2.0)]
    assert ('{reason="false-positive"}', 0.0) in families["sprawl_resolved_secrets"]
    assert families["sprawl_sla_window_seconds"] == [('{clock="exposed"}', 27 * 86400)]
    # Bounded label sets: no month or week label anywhere, whatever the data.
    assert not re.search(r"\{[^}]*(month|week)=", text)


def test_openmetrics_refuses_an_unbounded_grouping(engine):
    with Session(engine) as session:
        by_month = compute_metrics(session, SlaPolicy(), as_of=AS_OF, group_by="month")
    with pytest.raises(ValueError, match="month"):
        metrics_openmetrics(by_month)


def test_openmetrics_checker_rejects_broken_text():
    good = "# TYPE a_total counter\n# HELP a_total x\na_total 1\n# EOF\n"
    with pytest.raises(AssertionError):
        check_openmetrics(good)  # the counter's family is "a"; "a_total" as family would need "a_total_total"
    with pytest.raises(AssertionError):
        check_openmetrics("# TYPE a gauge\n# HELP a x\na 1\n")  # no EOF
    with pytest.raises(AssertionError):
        check_openmetrics('# TYPE a gauge\n# HELP a x\na{l="x"y"} 1\n# EOF\n')  # unescaped quote
    with pytest.raises(AssertionError):
        check_openmetrics("# TYPE a_total gauge\n# HELP a_total x\na_total 1\n# EOF\n")  # promtool lint
    with pytest.raises(AssertionError):
        check_openmetrics("# TYPE a_seconds gauge\n# HELP a_seconds x\na_seconds 1\n# EOF\n")  # no UNIT
    check_openmetrics("# TYPE a counter\n# HELP a x\na_total 1\n# EOF\n")


def test_html_is_self_contained_escaped_and_responsive(metrics):
    page = metrics_html(metrics[0], generated_at=GENERATED)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media print" in page and page.count("<svg") == 4
    assert "Generated 2025-07-01 08:00:00 UTC" in page and "revoke within 27 days" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no external resources"
    assert 'class="sla"' in page  # the SLA reference line on the MTTR trend


def test_html_without_data_says_so(engine):
    with Session(engine) as session:
        empty = compute_metrics(session, SlaPolicy(), as_of=AS_OF)
    page = metrics_html(empty, generated_at=GENERATED)
    assert "No remediation yet" in page and "No weekly backlog" in page
    assert "No open secret is past its SLA deadline" in page and "· based on" not in page


def test_json_and_csv_carry_the_same_numbers(metrics):
    report, rows = metrics
    doc = json.loads(metrics_json(report, generated_at=GENERATED))
    assert doc["generated_at"] == "2025-07-01T08:00:00+00:00"
    assert doc["sla"] == {"days": 27.0, "warn_ratio": 0.75, "clock": "exposed"}
    assert doc["summary"]["mttr_count"] == 2 and doc["summary"]["open_age_>27"] == 1
    assert doc["summary"]["by_method"]["people"]["count"] == 2
    assert doc["summary"]["resolved_by_reason"]["revoked"] == 1
    assert list(doc["groups"]) == [NASTY]
    assert [m["month"] for m in doc["monthly"]][-2:] == ["2025-05", "2025-06"]
    assert [b["redacted"] for b in doc["breached"]] == [listed_redacted(rows, "breached")]
    table = list(csv.DictReader(io.StringIO(metrics_csv(report))))
    assert [(r["period"], r["dimension"], r["group"]) for r in table[:2]] == [("all", "all", "all"),
                                                                           ("all", "target", NASTY)]
    assert [r["period"] for r in table[2:]] == [f"2024-{m:02d}" for m in range(7, 13)] + [
        f"2025-{m:02d}" for m in range(1, 7)]
    mean = doc["summary"]["mttr_mean_seconds"]
    assert float(table[0]["mttr_mean_days"]) == pytest.approx(mean / 86400, abs=1e-6) == (3.5 + 41) / 2
    listed = json.loads(secrets_json(rows))
    assert [r["sla_state"] for r in listed] == ["breached", "resolved", "resolved", "within"]
    assert [r["id"] for r in csv.DictReader(io.StringIO(secrets_csv(rows)))] == [str(r["id"]) for r in listed]
    assert listed[0]["days_left"] == round(27 - (AS_OF - at("2025-03-01")) / timedelta(days=1), 3)


def listed_redacted(rows, state: str) -> str:
    return next(row.secret.redacted for row in rows if row.sla.state == state)


def test_csv_is_tidy(metrics):
    report, _ = metrics
    text = metrics_csv(report)
    table = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:5] == ["as_of", "since", "period", "dimension", "group"]
    assert not [name for name in header if name.endswith("_seconds") or name.endswith("_share")]
    assert all(name.endswith("_days") for name in header if "mttr" in name or "after_detection" in name
               or "time_to_owner" in name)
    for row in table:
        assert all("=" not in value for value in row.values()), "no packed key=value cells"
        assert row["as_of"].endswith("+00:00")
    june = next(row for row in table if row["period"] == "2025-06")
    # June: the rotation of 2025-06-20 (41 days exposed); its as_of is the month's end (the report's)
    assert (june["since"], june["as_of"]) == ("2025-06-01T00:00:00+00:00", "2025-06-30T00:00:00+00:00")
    assert (june["remediated"], float(june["mttr_median_days"])) == ("1", 41.0)
    assert june["resolved_late"] == "1" and june["within_sla_ratio"] == "0.0"
    april = next(row for row in table if row["period"] == "2025-04")
    assert april["mttr_mean_days"] == "" and april["open"] == "1"  # only the March secret was open
    assert table[0]["within_sla_ratio"] == "0.5" and table[0]["rotated"] == "1"
