"""Webhook notifications against a real local HTTP server: content, once-only, dead webhooks."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from secret_sprawl.scanner.notify import Webhook, deliver, pending_notices, webhook_url
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.schedule.job import run_schedule
from secret_sprawl.scanner.targets import ScanOptions, scan_target
from secret_sprawl.tracker.config import validate_config
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.schedules import add_schedule
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session, select

from tests.scanner.fake_providers import fake_openai_key


class Hook:
    """Records JSON bodies; answers ``statuses`` in turn, then 200."""

    def __init__(self, statuses=()):
        self.bodies: list[dict] = []
        self.raw: list[bytes] = []
        self.statuses = list(statuses)
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                hook.raw.append(raw)
                hook.bodies.append(json.loads(raw))
                self.send_response(hook.statuses.pop(0) if hook.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/T000/B000/synthetic"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.close()


@pytest.fixture
def scanned(tmp_path):
    key = fake_openai_key()
    app = tmp_path / "app"
    app.mkdir()
    (app / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    db = open_database(db_url)
    recorder = Recorder(db, actor="test")
    with Runner() as runner:
        recorder.record(scan_target(str(app), ScanOptions(), runner))
    return db, db_url, recorder.finish().id, key, app


def notify(db, url, scan_id=None, **webhook):
    with Session(db) as session:
        notices = pending_notices(session, SlaPolicy(), now=utcnow(), scan_id=scan_id)
    return notices, deliver(db, Webhook(url, backoff=0.001, **webhook), notices)


def age(db, days):
    with Session(db) as session:
        secret = session.exec(select(Secret)).one()
        secret.exposed_at = utcnow() - timedelta(days=days)
        session.add(secret)
        session.commit()


def test_new_secret_payload_has_no_plaintext(scanned, hook):
    db, _, scan_id, key, app = scanned
    notices, delivered = notify(db, hook.url, scan_id)
    assert delivered and [n.kind for n in notices] == ["new-secret"]
    (body,) = hook.bodies
    assert key not in hook.raw[0].decode() and key[8:20] not in hook.raw[0].decode()
    assert body["text"].startswith("secret-sprawl: 1 new secret")
    (event,) = body["events"]
    assert event["kind"] == "new-secret" and event["provider"] == "openai"
    assert event["location"] == f"{app}:.env:1" and len(event["fingerprint_prefix"]) == 12
    assert "…" in event["redacted"] and event["age_days"] >= 0


def test_each_state_change_is_sent_once(scanned, hook):
    db, _, scan_id, _, _ = scanned
    notify(db, hook.url, scan_id)
    assert notify(db, hook.url, scan_id) == ([], True)  # same run again: nothing new
    age(db, 22)  # 27-day SLA, warned at 75%
    notices, _ = notify(db, hook.url, scan_id)
    assert [(n.kind, n.state) for n in notices] == [("sla", "approaching")]
    assert notify(db, hook.url, scan_id)[0] == []
    age(db, 30)
    assert [(n.kind, n.state) for n in notify(db, hook.url, scan_id)[0]] == [("sla", "breached")]
    assert notify(db, hook.url, scan_id)[0] == []
    assert len(hook.bodies) == 3


def test_retries_then_delivers(scanned):
    db, _, scan_id, _, _ = scanned
    flaky = Hook(statuses=[503, 429])
    try:
        _, delivered = notify(db, flaky.url, scan_id, retries=3)
        assert delivered and len(flaky.bodies) == 3
    finally:
        flaky.close()


def test_dead_webhook_is_logged_not_raised_and_retried_next_run(scanned, caplog):
    db, _, scan_id, _, _ = scanned
    dead = Hook(statuses=[500] * 10)
    try:
        _, delivered = notify(db, dead.url, scan_id, retries=2)
        assert not delivered and len(dead.bodies) == 3
        assert "not delivered (HTTP 500)" in caplog.text and "synthetic" not in caplog.text
        notices, _ = notify(db, "http://127.0.0.1:9/hook", scan_id, retries=0)
        assert [n.kind for n in notices] == ["new-secret"]  # never delivered, so still pending
    finally:
        dead.close()


def test_failed_scheduled_scan_is_notified(scanned, hook, tmp_path, monkeypatch):
    db, db_url, _, key, _ = scanned
    monkeypatch.setenv("SPRAWL_BROKEN_WEBHOOK", hook.url)
    with Session(db) as session:
        add_schedule(session, "broken", "0 3 * * *", [str(tmp_path / "missing")],
                     notify_url="env:SPRAWL_BROKEN_WEBHOOK", by="t")
        session.commit()
    result = run_schedule("broken", db_url)
    assert result.status == "failed"
    kinds = [event["kind"] for body in hook.bodies for event in body["events"]]
    assert "scan-failed" in kinds
    failed = next(e for b in hook.bodies for e in b["events"] if e["kind"] == "scan-failed")
    assert failed["schedule"] == "broken" and "missing" in failed["error"]
    assert all(key not in raw.decode() for raw in hook.raw)


def test_webhook_references_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SPRAWL_TEST_HOOK", "https://hooks.example.test/services/T0/B0/synthetic")
    monkeypatch.delenv("SPRAWL_UNSET_HOOK", raising=False)
    none = Config()
    assert webhook_url("env:SPRAWL_TEST_HOOK", none) == "https://hooks.example.test/services/T0/B0/synthetic"
    configured = validate_config({"notify": {"url": "env:SPRAWL_TEST_HOOK"}}, "test")
    assert webhook_url(None, configured).endswith("/synthetic")
    assert webhook_url("env:SPRAWL_UNSET_HOOK", none) is None
    assert webhook_url("http://127.0.0.1:9/hook", none) == "http://127.0.0.1:9/hook"
