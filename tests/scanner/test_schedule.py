"""The scheduler for real: APScheduler with its job store in a temporary SQLite tracker database."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from secret_sprawl.scanner.schedule.daemon import Daemon, job_id, make_scheduler
from secret_sprawl.scanner.schedule.job import run_schedule, stored_url
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Scan, Secret
from secret_sprawl.tracker.schedules import add_schedule, get_schedule, remove_schedule
from sqlmodel import Session, select

from tests.scanner.fake_providers import fake_openai_key
from tests.scanner.helpers import wait_for

DEADLINE = 20.0


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def target(tmp_path):
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / ".env").write_text(f"OPENAI_API_KEY={fake_openai_key()}\n")
    return str(folder)


def add(db_url, name, cron, targets, **kwargs):
    with Session(open_database(db_url)) as session:
        add_schedule(session, name, cron, targets, by="test", **kwargs)
        session.commit()


def scans(db_url, name):
    with Session(open_database(db_url)) as session:
        return session.exec(select(Scan).where(Scan.trigger == f"schedule:{name}").order_by(Scan.id)).all()



def test_daemon_runs_a_tracked_scan_and_picks_up_new_schedules(db_url, target):
    daemon = Daemon(db_url, sync_interval=0.1)
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        assert wait_for(lambda: daemon.scheduler.running, DEADLINE)
        assert daemon.scheduler.get_jobs() == []
        add(db_url, "nightly", "* * * * * *", [target])  # added while the daemon runs
        assert wait_for(lambda: any(s.finished_at for s in scans(db_url, "nightly")), DEADLINE)
    finally:
        daemon.stop()
        thread.join(DEADLINE)
    assert not thread.is_alive() and not daemon.scheduler.running
    first = scans(db_url, "nightly")[0]
    assert first.status == "completed" and first.actor == "schedule:nightly" and first.targets == [target]
    with Session(open_database(db_url)) as session:
        assert session.exec(select(Secret)).one().provider == "openai"
        schedule = get_schedule(session, "nightly")
        assert schedule.last_status == "findings" and schedule.last_scan_id is not None
        assert schedule.last_results == [{"target": target, "result": "findings", "findings": 1, "new": 1,
                                          "error": None}]


def test_jobs_survive_a_restart(db_url, target):
    add(db_url, "weekly", "0 3 * * 1", [target])
    daemon = Daemon(db_url, sync_interval=60)
    daemon.start()
    daemon.shutdown()
    again = make_scheduler(db_url)
    again.start(paused=True)
    try:
        job = again.get_job(job_id("weekly"))
        assert job is not None and job.args == ("weekly", db_url)
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time > 0
        assert str(job.trigger).startswith("cron[") and "day_of_week='1'" in str(job.trigger)
    finally:
        again.shutdown(wait=False)


def test_removed_schedule_is_removed_from_the_job_store(db_url, target):
    add(db_url, "gone", "0 3 * * *", [target])
    daemon = Daemon(db_url, sync_interval=60)
    daemon.start()
    try:
        assert daemon.scheduler.get_job(job_id("gone")) is not None
        with Session(open_database(db_url)) as session:
            remove_schedule(session, "gone", by="test")
            session.commit()
        assert daemon.sync().removed == ("gone",)
        assert daemon.scheduler.get_job(job_id("gone")) is None
    finally:
        daemon.shutdown()


def test_missed_runs_while_down_run_once(db_url, target):
    minute = (datetime.now(UTC).minute + 30) % 60  # hourly, next regular run about 30 minutes away
    add(db_url, "hourly", f"{minute} * * * *", [target])
    daemon = Daemon(db_url, sync_interval=60)
    daemon.start()
    daemon.shutdown()
    # The daemon was down for three scheduled times: move the stored next run into the past.
    offline = make_scheduler(db_url)
    store = offline._jobstores["default"]
    store.start(offline, "default")
    job = store.lookup_job(job_id("hourly"))
    job._modify(next_run_time=datetime.now(UTC) - timedelta(hours=3, minutes=5))
    store.update_job(job)
    store.shutdown()
    assert scans(db_url, "hourly") == []
    restarted = Daemon(db_url, sync_interval=60)
    restarted.start()
    try:
        assert wait_for(lambda: any(s.finished_at for s in scans(db_url, "hourly")), DEADLINE)
        time.sleep(0.5)  # room for any wrongly repeated run to start
        assert len(scans(db_url, "hourly")) == 1
        job = restarted.scheduler.get_job(job_id("hourly"))
        assert job.next_run_time > datetime.now(UTC)
    finally:
        restarted.shutdown()


def test_one_failing_target_does_not_stop_the_others(db_url, target, tmp_path):
    missing = str(tmp_path / "does-not-exist")
    add(db_url, "mixed", "0 3 * * *", [missing, target])
    result = run_schedule("mixed", db_url)
    assert result.result == "findings" and missing in (result.error or "")  # findings first, as in scan
    (scan,) = scans(db_url, "mixed")
    assert scan.status == "completed-with-errors"
    assert scan.targets == [missing, target] and scan.findings == 1
    assert any(e["target"] == missing for e in scan.errors)
    with Session(open_database(db_url)) as session:
        schedule = get_schedule(session, "mixed")
        assert schedule.last_status == "findings" and missing in schedule.last_error
        assert [(t["target"], t["result"]) for t in schedule.last_results] == [(missing, "failed"),
                                                                               (target, "findings")]


def test_second_run_is_incremental(db_url, tmp_path):
    import git

    repo_dir = tmp_path / "repo"
    repo = git.Repo.init(repo_dir)
    (repo_dir / "config.py").write_text(f'OPENAI_API_KEY = "{fake_openai_key()}"\n')
    repo.index.add(["config.py"])
    repo.index.commit("add config", author=git.Actor("dev", "dev@example.com"))
    add(db_url, "repo", "0 3 * * *", [str(repo_dir)])
    first, second = run_schedule("repo", db_url), run_schedule("repo", db_url)
    one, two = scans(db_url, "repo")
    assert first.result == "findings" and second.result == ("findings" if two.findings else "ok")
    assert one.findings == 1 and one.new_secrets == 1
    assert (two.new_secrets == 0 and two.blobs < one.blobs) or two.findings == 0


def test_job_store_never_holds_the_database_password():
    url = "postgresql+psycopg://sprawl:synthetic-pw@db.example.test/sprawl"
    stored = stored_url(url)
    assert "synthetic-pw" not in stored and stored.startswith("postgresql+psycopg://sprawl:")
    assert stored_url("sqlite:////var/lib/sprawl.db") == "sqlite:////var/lib/sprawl.db"
