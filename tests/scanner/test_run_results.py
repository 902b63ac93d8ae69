"""One run-result vocabulary: the daemon's log line, ``schedule list`` (table and JSON, per target), the
webhook and the exit code of ``schedule run-now`` (the rule ``scan`` uses) agree for every result;
the daemon's log stays quiet; missed and coalesced runs are logged; ``scans list`` shows the history."""

import json
import logging
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from secret_sprawl.scanner.cli import main
from secret_sprawl.scanner.schedule.daemon import Daemon, job_id, make_scheduler, missed_since
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.schedules import get_schedule
from sqlmodel import Session

from tests.scanner.fake_providers import fake_openai_key
from tests.scanner.helpers import wait_for
from tests.scanner.local_webhook import Hook


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def folders(tmp_path):
    leaky, clean = tmp_path / "leaky", tmp_path / "clean"
    leaky.mkdir()
    clean.mkdir()
    (leaky / ".env").write_text(f"OPENAI_API_KEY={fake_openai_key()}\n")
    (clean / "README.md").write_text("nothing to see\n")
    return {"leaky": str(leaky), "clean": str(clean), "missing": str(tmp_path / "missing")}


CASES = [  # targets, result, exit code, each target's result
    (["clean"], "ok", 0, ["ok"]),
    (["leaky", "clean"], "findings", 1, ["findings", "ok"]),
    (["clean", "missing"], "partial", 2, ["ok", "failed"]),
    (["missing"], "failed", 2, ["failed"]),
]


@pytest.mark.parametrize(("names", "result", "code", "per_target"), CASES, ids=[c[1] for c in CASES])
def test_log_list_webhook_and_exit_code_agree(db_url, folders, monkeypatch, caplog, capsys,
                                              names, result, code, per_target):
    targets = [folders[name] for name in names]
    caplog.set_level(logging.INFO)
    with Hook() as hook:
        monkeypatch.setenv("SPRAWL_RUN_HOOK", hook.url)
        assert main(["schedule", "add", "run", "--cron", "0 2 * * *", *targets,
                     "--notify", "env:SPRAWL_RUN_HOOK", "--db", db_url]) == 0
        assert main(["schedule", "run-now", "run", "--db", db_url]) == code
        assert f"schedule run: {result} (scan 1)" in capsys.readouterr().out
        failed_events = hook.events("scan-failed")
    assert f"schedule run: {result} (scan 1," in caplog.text
    assert "executed successfully" not in caplog.text
    assert main(["schedule", "list", "--format", "json", "--db", db_url]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["last_run"]["result"] == result
    assert [(t["target"], t["result"]) for t in listed["targets"]] == list(zip(targets, per_target,
                                                                               strict=True))
    assert main(["schedule", "list", "--db", db_url]) == 0
    table = capsys.readouterr().out
    assert f" {result} (scan 1)" in table
    for target, target_result in zip(targets, per_target, strict=True):
        assert f"      {target_result:<8}  {target}" in table
    assert [e["result"] for e in failed_events] == ([result] if "failed" in per_target else [])
    assert main(["scan", *targets, "--no-record", "--format", "json"]) == code  # the same rule as scan
    capsys.readouterr()


def test_run_now_takes_the_schedule_options_and_overrides_them_for_one_run(db_url, tmp_path, capsys):
    app = tmp_path / "app" / "tests" / "fixtures"
    app.mkdir(parents=True)
    (app / ".env").write_text(f"OPENAI_API_KEY={fake_openai_key()}\n")  # a test fixture: low confidence
    cache = tmp_path / "cache"
    assert main(["schedule", "add", "fixtures", "--cron", "0 2 * * *", str(tmp_path / "app"),
                 "--min-confidence", "high", "--cache-dir", str(cache), "--exclude", "acme/legacy-*",
                 "--db", db_url]) == 0
    with Session(open_database(db_url)) as session:
        assert get_schedule(session, "fixtures").options == {
            "cache_dir": str(cache), "exclude": ["acme/legacy-*"], "min_confidence": "high"}
    assert main(["schedule", "run-now", "fixtures", "--db", db_url]) == 0  # below the schedule's floor
    assert "fixtures: ok" in capsys.readouterr().out
    assert main(["schedule", "run-now", "fixtures", "--min-confidence", "low", "--db", db_url]) == 1
    assert "fixtures: findings" in capsys.readouterr().out
    with Session(open_database(db_url)) as session:
        assert get_schedule(session, "fixtures").options["min_confidence"] == "high"  # that run only
    assert main(["schedule", "list", "--db", db_url]) == 0
    assert "min-confidence high" in capsys.readouterr().out


def test_run_now_mirrors_remote_targets_into_the_schedules_cache_dir(db_url, tmp_path):
    import git

    origin = tmp_path / "origin"
    repo = git.Repo.init(origin)
    (origin / "config.py").write_text(f'OPENAI_API_KEY = "{fake_openai_key()}"\n')
    repo.index.add(["config.py"])
    repo.index.commit("add config", author=git.Actor("dev", "dev@example.com"))
    repo.close()
    cache = tmp_path / "cache"
    assert main(["schedule", "add", "remote", "--cron", "0 2 * * *", origin.as_uri(), "--db", db_url]) == 0
    assert main(["schedule", "run-now", "remote", "--cache-dir", str(cache), "--db", db_url]) == 1
    assert any(cache.iterdir())  # mirrored where this run was told, nowhere else


def test_scans_list(db_url, folders, capsys):
    main(["scan", folders["leaky"], "--db", db_url, "--format", "json"])
    main(["scan", folders["clean"], folders["missing"], "--db", db_url, "--format", "json"])
    capsys.readouterr()
    assert main(["scans", "list", "--format", "json", "--db", db_url]) == 0
    newest, oldest = json.loads(capsys.readouterr().out)
    assert (oldest["targets"], oldest["result"], oldest["findings"], oldest["new_secrets"]) == (
        [folders["leaky"]], "findings", 1, 1)
    assert (newest["result"], newest["errors"], newest["status"]) == ("partial", 1, "completed-with-errors")
    assert oldest["duration_s"] >= 0 and oldest["trigger"] == "cli"
    assert main(["scans", "list", "--target", folders["clean"], "--format", "json", "--db", db_url]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == [newest["id"]]
    assert main(["scans", "list", "--limit", "1", "--db", db_url]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 and "partial" in table[1] and "2 targets" in table[1]
    assert main(["scans", "list", "--limit", "0", "--db", db_url]) == 2


def test_the_daemon_log_is_quiet_and_speaks_the_vocabulary(db_url, folders, tmp_path):
    import git

    repo_dir = tmp_path / "repo"
    repo = git.Repo.init(repo_dir)
    (repo_dir / "config.py").write_text(f'OPENAI_API_KEY = "{fake_openai_key()}"\n')
    repo.index.add(["config.py"])
    repo.index.commit("add config", author=git.Actor("dev", "dev@example.com"))
    repo.close()
    sprawl = [sys.executable, "-m", "secret_sprawl.scanner.cli"]
    for name, target in (("repo", str(repo_dir)), ("gone", folders["missing"])):
        subprocess.run([*sprawl, "schedule", "add", name, "--cron", "* * * * * *", target, "--db", db_url],
                       check=True, capture_output=True)
    daemon = subprocess.Popen([*sprawl, "schedule", "run", "--db", db_url, "--sync-interval", "0.2"],
                              stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(daemon.stderr), daemon=True)
    reader.start()
    try:  # until the repository was scanned twice (the second time incrementally) and "gone" failed
        wanted = ("schedule repo: ok (scan", "schedule gone: failed (scan")
        assert wait_for(lambda: all(any(text in line for line in list(lines)) for text in wanted), timeout=90)
    finally:
        daemon.send_signal(signal.SIGINT)
        daemon.wait(timeout=30)
        reader.join(10)
    log = "".join(lines)
    assert "schedule repo: findings (scan" in log and "schedule repo: ok (scan" in log  # then incremental
    assert "WARNING secret_sprawl.scanner.schedule.job: schedule gone: failed (scan" in log
    for noise in ("alembic", "Context impl", "executed successfully", "Running job", "__del__",
                  "Exception ignored", "HTTP Request"):
        assert noise not in log, noise


def test_missed_and_coalesced_runs_are_logged(db_url, folders, caplog):
    caplog.set_level(logging.INFO)
    minute = (datetime.now(UTC).minute + 30) % 60  # hourly, next regular run about 30 minutes away
    assert main(["schedule", "add", "hourly", "--cron", f"{minute} * * * *", folders["clean"],
                 "--db", db_url]) == 0
    assert main(["schedule", "run-now", "hourly", "--db", db_url]) == 0
    with Session(open_database(db_url)) as session:  # its last run was four hours ago
        schedule = get_schedule(session, "hourly")
        schedule.last_run_at -= timedelta(hours=4)
        session.add(schedule)
        session.commit()
    first = Daemon(db_url, sync_interval=60)
    first.start()
    first.shutdown()
    _move_next_run(db_url, "hourly", timedelta(hours=3, minutes=5))
    daemon = Daemon(db_url, sync_interval=60)
    daemon.start()
    try:
        assert wait_for(lambda: "coalesced into the run due at" in caplog.text)
    finally:
        daemon.shutdown()
    assert "schedule hourly: 3 missed runs" in caplog.text  # 3.5, 2.5 and 1.5 hours ago
    missed = missed_since("0 * * * *", datetime(2026, 1, 1, 1, 30, tzinfo=UTC),
                          datetime(2026, 1, 1, 5, tzinfo=UTC))
    assert [m.hour for m in missed] == [2, 3, 4]


def test_a_run_missed_past_the_grace_time_is_logged(db_url, folders, caplog):
    caplog.set_level(logging.INFO)
    main(["schedule", "add", "hourly", "--cron", "0 * * * *", folders["clean"], "--db", db_url])
    first = Daemon(db_url, sync_interval=60, misfire_grace_time=1)  # the job keeps its grace time
    first.start()
    first.shutdown()
    _move_next_run(db_url, "hourly", timedelta(minutes=30))
    daemon = Daemon(db_url, sync_interval=60, misfire_grace_time=1)
    daemon.start()
    try:
        assert wait_for(lambda: "schedule hourly: missed the run due at" in caplog.text)
    finally:
        daemon.shutdown()


def _move_next_run(db_url, name, back):
    offline = make_scheduler(db_url)
    store = offline._jobstores["default"]
    store.start(offline, "default")
    job = store.lookup_job(job_id(name))
    job._modify(next_run_time=datetime.now(UTC) - back)
    store.update_job(job)
    store.shutdown()



def test_scans_list_matches_a_target_exactly(db_url, tmp_path, capsys):
    names = ("team_a%", "teamXa%", 'quote"d')
    for name in names:
        (tmp_path / name).mkdir()
        assert main(["scan", str(tmp_path / name), "--db", db_url, "--format", "json"]) == 0
    capsys.readouterr()
    for name in names:
        target = str(tmp_path / name)
        assert main(["scans", "list", "--target", target, "--format", "json", "--db", db_url]) == 0
        assert [s["targets"] for s in json.loads(capsys.readouterr().out)] == [[str(tmp_path / name)]]
