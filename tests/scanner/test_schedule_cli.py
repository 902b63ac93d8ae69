"""``sprawl schedule`` subcommands, the daemon's clean stop on SIGTERM, and a verifying scheduled run."""

import json
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.scanner.cli import main
from secret_sprawl.scanner.schedule.job import run_schedule
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.schedules import get_schedule
from sqlmodel import Session, select

from tests.scanner.fake_providers import FakeProviders, fake_openai_key


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def test_add_list_remove(db_url, tmp_path, capsys):
    app = tmp_path / "app"
    app.mkdir()
    literal = "https://hooks.example.test/services/T0/B0/synthetic-token"
    assert main(["schedule", "add", "leaky-hook", "--cron", "0 2 * * *", str(app), "--notify", literal,
                 "--db", db_url]) == 2  # a webhook URL is a credential: only an env: reference is stored
    assert main(["schedule", "add", "nightly", "--cron", "0 2 * * *", str(app), "--verify",
                 "--notify", "env:SPRAWL_NIGHTLY_WEBHOOK", "--db", db_url]) == 0
    assert "next run" in capsys.readouterr().out
    assert main(["schedule", "add", "nightly", "--cron", "0 2 * * *", str(app), "--db", db_url]) == 2
    assert main(["schedule", "add", "bad", "--cron", "every night", str(app), "--db", db_url]) == 2
    assert main(["schedule", "add", "leaky", "--cron", "0 2 * * *", "https://user:pw@git.example.test/r.git",
                 "--db", db_url]) == 2
    capsys.readouterr()
    assert main(["schedule", "list", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "nightly  [0 2 * * *]" in out and str(app) in out and "never run" in out
    assert "notify env:SPRAWL_NIGHTLY_WEBHOOK" in out
    assert main(["schedule", "remove", "nightly", "--db", db_url]) == 0
    assert main(["schedule", "remove", "nightly", "--db", db_url]) == 2
    with Session(open_database(db_url)) as session:
        kinds = [e.kind for e in session.exec(select(Event).order_by(Event.id))]
        assert kinds == ["schedule-added", "schedule-removed"]
        assert all("synthetic-token" not in str(e.detail) for e in session.exec(select(Event)))
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("tracker.db"))
    assert b"synthetic-token" not in stored


def test_run_now_records_the_result(db_url, tmp_path, capsys):
    app = tmp_path / "app"
    app.mkdir()
    (app / ".env").write_text(f"OPENAI_API_KEY={fake_openai_key()}\n")
    main(["schedule", "add", "once", "--cron", "0 2 * * *", str(app), "--db", db_url])
    assert main(["schedule", "run-now", "once", "--db", db_url]) == 1  # findings: exit 1, as scan
    assert "once: findings (scan 1)" in capsys.readouterr().out
    main(["schedule", "list", "--db", db_url])
    assert "findings (scan 1)" in capsys.readouterr().out
    assert main(["schedule", "run-now", "nope", "--db", db_url]) == 2


def test_daemon_stops_cleanly_on_sigterm(db_url):
    process = subprocess.Popen(
        [sys.executable, "-m", "secret_sprawl.scanner.cli",
        "schedule", "run", "--db", db_url, "--sync-interval", "0.2"],
        stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + 20
        started = False
        while not started and time.monotonic() < deadline:
            try:
                started = "Scheduler started" in lines.get(timeout=0.2)
            except queue.Empty:
                assert process.poll() is None, "daemon exited early"
        assert started
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_scheduled_verify_detects_revocation_and_notifies(db_url, tmp_path, monkeypatch):
    with FakeProviders() as official, FakeProviders() as hook_server:
        key = fake_openai_key()
        official.keys["live"] = key
        app = tmp_path / "app"
        app.mkdir()
        (app / ".env").write_text(f"OPENAI_API_KEY={key}\n")
        config = tmp_path / "sprawl.toml"
        endpoint = official.url_for("openai")
        config.write_text(f'[verify]\nbackoff = 0.001\nallow_endpoint_overrides = true\n'
                          f'[verify.endpoints]\nopenai = "{endpoint}"\n')
        hooked = []
        hook_server.answer = lambda provider, seen: (hooked.append(seen.body) or 200, b"ok")
        monkeypatch.setenv("SPRAWL_WATCH_WEBHOOK", hook_server.url_for("hook"))
        main(["schedule", "add", "watch", "--cron", "0 * * * *", str(app), "--verify",
              "--notify", "env:SPRAWL_WATCH_WEBHOOK", "--db", db_url])
        assert run_schedule("watch", db_url, str(config)).result == "findings"
        official.keys["live"], official.keys["revoked"] = "nothing", key  # revoked at the provider
        assert run_schedule("watch", db_url, str(config)).result == "findings"
    with Session(open_database(db_url)) as session:
        secret = session.exec(select(Secret).where(Secret.fingerprint == fingerprint(key))).one()
        assert secret.status == "revoked" and secret.resolved_at == secret.verified_at
        assert get_schedule(session, "watch").last_status == "findings"
    assert len(hooked) == 2 and all(key not in body.decode() for body in hooked)
    first, second = ([event["kind"] for event in json.loads(body)["events"]] for body in hooked)
    assert first == ["new-secret"] and second == ["revocation-detected"]
