"""``sprawl metrics serve``: a real server process scraped over 127.0.0.1, parsed with the reference
OpenMetrics parser; figures recomputed at each scrape; scheduler health (last successful run per
schedule, queue depth on PostgreSQL with the procrastinate queue); SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from secret_sprawl.tracker import lifecycle
from secret_sprawl.tracker.audit import append_event
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.schedules import add_schedule
from sqlalchemy import text
from sqlmodel import Session

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import fake_secret, finding, result

# -X faulthandler: a server that does not stop is aborted with its stack in the failure message.
_SPRAWL = [sys.executable, "-X", "faulthandler", "-c",
           "import sys; from secret_sprawl.scanner.cli import main; sys.exit(main())"]
_OPENMETRICS = "application/openmetrics-text; version=1.0.0"


def plant(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        now = utcnow()
        with Session(writer(engine)) as session:
            add_schedule(session, "nightly", "0 3 * * *", ["repo-a"], by="ops")
            add_schedule(session, "never-ok", "0 4 * * *", ["repo-b"], by="ops")
            session.commit()
        nightly = Recorder(engine, trigger="schedule:nightly", actor="schedule:nightly")
        planted = [finding(fake_secret(), path=f"{n}.env", committed_at=now - timedelta(days=40 - n))
                   for n in range(3)]
        nightly.record(result("repo-a", planted))
        nightly.finish()
        failing = Recorder(engine, trigger="schedule:never-ok", actor="schedule:never-ok")
        failing.record(result("repo-b", [], complete=False))
        failing.finish("failed")
        with Session(writer(engine)) as session:
            lifecycle.resolve(session, 1, "revoked", at=now - timedelta(days=1), by="ops")
            append_event(session, kind="revoked-by-sprawl", actor="ops", secret_id=1,
                         at=now - timedelta(days=1))
            lifecycle.assign(session, 2, "platform-team", by="ops")
            session.commit()
        if db_url.startswith("postgresql"):
            from secret_sprawl.scanner.queue.connect import opened
            from secret_sprawl.scanner.queue.tasks import defer_scan

            with opened(db_url):
                defer_scan("repo-waiting", None)
    finally:
        engine.dispose()


def scrape(port: int) -> dict[str, list]:
    with httpx.Client(trust_env=False, timeout=60) as client:  # straight to 127.0.0.1, never a proxy
        response = client.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept": _OPENMETRICS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
    return {family.name: [(dict(s.labels), s.value) for s in family.samples]
            for family in text_string_to_metric_families(response.text)}


def by_schedule(samples: list) -> dict[str, float]:
    return {labels["schedule"]: value for labels, value in samples}


@pytest.fixture
def server(db_url):
    plant(db_url)
    command = [*_SPRAWL, "metrics", "serve", "--port", "0", "--host", "127.0.0.1", "--db", db_url]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NO_COLOR": "1"})
    try:
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/metrics", line)
        assert found, line + (process.stderr.read() if process.poll() is not None else "")
        yield process, int(found.group(1)), db_url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_scrape_the_real_server(server):
    process, port, db_url = server
    families = scrape(port)
    assert families["sprawl_open_secrets"] == [({}, 2.0)]
    assert families["sprawl_remediated_by_method_secrets"] == [({"method": "sprawl"}, 1.0),
                                                               ({"method": "people"}, 0.0)]
    assert families["sprawl_open_secrets_with_owner"] == [({}, 1.0)]
    assert families["sprawl_owner_assigned_secrets"] == [({}, 1.0)]
    runs = by_schedule(families["sprawl_schedule_last_run_timestamp_seconds"])
    ok = by_schedule(families["sprawl_schedule_last_success_timestamp_seconds"])
    assert set(runs) == {"nightly", "never-ok"} and set(ok) == {"nightly"}  # a failed run is no success
    assert abs(ok["nightly"] - time.time()) < 600
    if db_url.startswith("postgresql"):
        assert families["sprawl_queue_jobs"] == [({"state": "todo"}, 1.0), ({"state": "doing"}, 0.0)]
    else:
        assert "sprawl_queue_jobs" not in families  # no procrastinate queue in SQLite
    # Every label set is bounded: no month, week or date label.
    labels = {name for samples in families.values() for sample_labels, _ in samples for name in sample_labels}
    assert labels <= {"method", "reason", "age_days", "clock", "schedule", "state", "federation"}

    # Recomputed at each scrape: resolving the second secret shows at once.
    engine = open_database(db_url)
    try:
        with Session(writer(engine)) as session:
            lifecycle.resolve(session, 2, "rotated", at=utcnow() - timedelta(hours=1), by="ops")
            session.commit()
    finally:
        engine.dispose()
    again = scrape(port)
    assert again["sprawl_open_secrets"] == [({}, 1.0)]
    assert again["sprawl_remediated_by_method_secrets"][1] == ({"method": "people"}, 1.0)

    assert again["sprawl_up"] == [({}, 1.0)]

    # A tracker that cannot be read: the scrape says so (sprawl_up 0), and the server recovers.
    rename_secret_table(db_url, "secret", "secret_gone")
    broken = scrape(port)
    assert broken == {"sprawl_up": [({}, 0.0)]}
    rename_secret_table(db_url, "secret_gone", "secret")
    assert scrape(port)["sprawl_open_secrets"] == [({}, 1.0)]

    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        process.wait()
        raise AssertionError(process.stderr.read()) from None
    assert process.returncode == 0
    errors = process.stderr.read()
    assert "database error:" in errors and "Traceback" not in errors


def rename_secret_table(db_url: str, old: str, new: str) -> None:
    engine = open_database(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    finally:
        engine.dispose()


def test_a_busy_port_is_an_error_not_a_traceback(server):
    _, port, db_url = server
    run = sprawl("metrics", "serve", "--port", str(port), "--db", db_url)
    assert run.code == 2 and f"cannot listen on 127.0.0.1:{port}" in run.err
    assert "Traceback" not in run.err


def test_month_grouping_is_refused_for_openmetrics(tmp_path):
    run = sprawl("metrics", "--format", "openmetrics", "--group-by", "month", "--db",
                 f"sqlite:///{tmp_path / 't.db'}")
    assert run.code == 2 and "csv or json" in run.err


@pytest.mark.parametrize(("args", "message"), [
    (("serve", "--group-by", "month"), "csv or json"),
    (("--port", "9999"), "go with serve"),
    (("sever",), "unknown action 'sever'"),
])
def test_serve_usage_errors(tmp_path, args, message):
    run = sprawl("metrics", *args, "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert run.code == 2 and message in run.err and "Traceback" not in run.err
