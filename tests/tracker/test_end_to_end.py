"""``sprawl scan`` into the tracker, then resolve and report: exact times, and no plaintext anywhere.

The demo repository has commits with known dates; the tracker must take each secret's exposure
from its introducing commit, and metrics must follow from the resolution times we give, to the
second. A scan killed in the middle of its transaction must leave the database as it was.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Secret
from sqlalchemy import MetaData, select
from sqlmodel import Session

from fixtures.build_demo_repo import DemoRepo, build_demo_repo
from tests.pause_in_record import kill_at_pause
from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import fingerprint_of

DAY = 86_400


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return build_demo_repo(tmp_path_factory.mktemp("tracker-demo") / "repo")


def _exposures(demo: DemoRepo) -> dict[str, object]:
    earliest: dict[str, object] = {}
    for planted in demo.planted:
        fp = fingerprint_of(planted.secret)
        earliest[fp] = min(earliest.get(fp, planted.committed_at), planted.committed_at)
    return earliest


def test_scan_resolve_and_report_to_the_second(demo, db_url, tmp_path):
    scan = sprawl("scan", demo.path, "--db", db_url, "--format", "json", "--output", tmp_path / "scan.json")
    assert scan.code == 1, scan.err
    expected = _exposures(demo)
    engine = open_database(db_url)
    with Session(engine) as session:
        secrets = {s.fingerprint: s for s in session.execute(select(Secret)).scalars()}
    engine.dispose()
    assert {fp: secrets[fp].exposed_at for fp in expected} == expected
    exposures = {fp: secret.exposed_at for fp, secret in secrets.items()}  # planted + any extra finding

    # Resolve two secrets at known offsets from their exposure; a third as a false positive.
    ordered = sorted(expected, key=lambda fp: (expected[fp], fp))
    fast, slow, wrong = ordered[0], ordered[1], ordered[2]
    resolutions = {fast: timedelta(days=3, hours=4, seconds=5), slow: timedelta(days=40)}
    for fp, after in resolutions.items():
        when = (expected[fp] + after).isoformat()
        done = sprawl("secrets", "resolve", fp[:12], "--reason", "revoked", "--at", when, "--by", "sec",
                      "--db", db_url)
        assert done.code == 0, done.err
    wrong_at = (expected[wrong] + timedelta(days=1)).isoformat()
    assert sprawl("secrets", "resolve", wrong[:12], "--reason", "false-positive", "--at", wrong_at,
                  "--db", db_url).code == 0

    as_of = max(max(expected.values()) + timedelta(days=21), expected[slow] + resolutions[slow])
    report = sprawl("metrics", "--db", db_url, "--format", "json", "--as-of", as_of.isoformat())
    summary = json.loads(report.out)["summary"]
    fast_s, slow_s = resolutions[fast].total_seconds(), resolutions[slow].total_seconds()
    assert summary["mttr_count"] == 2
    assert summary["mttr_mean_seconds"] == (fast_s + slow_s) / 2
    assert summary["mttr_median_seconds"] == (fast_s + slow_s) / 2
    assert summary["mttr_p90_seconds"] == slow_s
    assert (summary["mttr_min_seconds"], summary["mttr_max_seconds"]) == (fast_s, slow_s)
    assert summary["within_sla_share"] == 0.5

    still_open = [fp for fp in exposures if fp not in (fast, slow, wrong)]
    open_ages = [(as_of - exposures[fp]).total_seconds() / DAY for fp in still_open]
    assert summary["open_count"] == len(open_ages)
    assert summary["breached_count"] == sum(age > 27 for age in open_ages)
    assert summary["open_age_>27"] == sum(age > 27 for age in open_ages)
    assert summary["open_age_0-7"] + summary["open_age_7-14"] + summary["open_age_14-21"] + \
        summary["open_age_21-27"] == sum(age <= 27 for age in open_ages)
    assert summary["exposure_secret_days"] == pytest.approx(sum(open_ages), abs=1e-6)

    listing = json.loads(sprawl("secrets", "list", "--db", db_url, "--format", "json", "--status", "open",
                                "--as-of", as_of.isoformat()).out)
    for row in listing:
        age = (as_of - exposures[row["fingerprint"]]).total_seconds() / DAY
        state = "breached" if age > 27 else "approaching" if age >= 20.25 else "within"
        assert row["sla_state"] == state and row["days_left"] == round(27 - age, 3)


def test_no_planted_secret_reaches_the_database_or_any_export(demo, tmp_path):
    db_file = tmp_path / "tracker.db"
    url = f"sqlite:///{db_file}"
    scanned = sprawl("scan", demo.path, "--db", url, "--format", "json", "--output", tmp_path / "s.json")
    assert scanned.code == 1
    first = sprawl("secrets", "list", "--db", url, "--format", "json")
    assert sprawl("secrets", "resolve", str(json.loads(first.out)[0]["id"]), "--reason", "revoked",
                  "--db", url).code == 0
    outputs = [first.out, sprawl("secrets", "list", "--db", url, "--format", "csv").out,
               sprawl("secrets", "list", "--db", url).out, sprawl("secrets", "show", "1", "--db", url).out]
    for fmt in ("json", "csv", "openmetrics", "html", "table"):
        outputs.append(sprawl("metrics", "--db", url, "--format", fmt, "--group-by", "provider").out)
    assert sprawl("audit", "export", "--db", url, "--output", tmp_path / "audit.jsonl").code == 0
    outputs.append((tmp_path / "audit.jsonl").read_text(encoding="utf-8"))
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("tracker.db*"))
    assert len(raw) > 10_000
    for planted in demo.planted:
        assert planted.secret.encode() not in raw, planted.name
        for text in outputs:
            assert planted.secret not in text, planted.name


def _snapshot(url: str) -> dict[str, list[tuple]]:
    engine = open_database(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        state = {name: sorted(map(tuple, connection.execute(table.select())), key=repr)
                 for name, table in metadata.tables.items()}
    engine.dispose()
    return state


def test_a_scan_killed_mid_transaction_leaves_the_tracker_unchanged(demo, db_url, tmp_path):
    scanned = sprawl("scan", demo.path, "--db", db_url, "--format", "json", "--output", tmp_path / "a.json")
    assert scanned.code == 1
    before = _snapshot(db_url)
    args = ["scan", str(demo.path), "--db", db_url, "--format", "json", "--output", str(tmp_path / "b.json")]
    assert kill_at_pause(args), "the scan never reached the record transaction"
    assert _snapshot(db_url) == before
