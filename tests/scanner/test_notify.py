"""The notification outbox against real local webhooks: written with the change, delivered once it is
accepted, backed off while refused, visible, retried and dropped; payload text, plurals and shapes."""

import json
from datetime import timedelta

import pytest
from secret_sprawl.scanner.cli import main
from secret_sprawl.scanner.notice_payload import Notice, counted, payload, summary
from secret_sprawl.scanner.notify import deliver_pending, webhook_url
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.schedule.job import run_schedule
from secret_sprawl.scanner.targets import ScanOptions, scan_target
from secret_sprawl.tracker.config import validate_config
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.models.schedule import Notification
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.schedules import add_schedule
from sqlmodel import Session, select

from tests.scanner.fake_providers import fake_openai_key
from tests.scanner.local_webhook import Hook


@pytest.fixture
def hook():
    with Hook() as server:
        yield server


@pytest.fixture
def scanned(tmp_path, db_url):  # SQLite, and PostgreSQL when configured
    key = fake_openai_key()
    app = tmp_path / "app"
    app.mkdir()
    (app / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    db = open_database(db_url)
    recorder = Recorder(db, actor="test")
    with Runner() as runner:
        recorder.record(scan_target(str(app), ScanOptions(), runner))
    return db, db_url, recorder.finish().id, key, app


def rows(db, **where):
    with Session(db) as session:
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return session.exec(query).all()


def age(db, days):
    with Session(db) as session:
        secret = session.exec(select(Secret)).one()
        secret.exposed_at = utcnow() - timedelta(days=days)
        session.add(secret)
        session.commit()


def config(**notify):
    return validate_config({"notify": notify}, "test") if notify else Config()


def test_recording_writes_the_notice_in_the_outbox_before_any_delivery(scanned):
    db, _, _, key, app = scanned
    (row,) = rows(db)
    assert (row.kind, row.state, row.destination) == ("new-secret", "open", "global")
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.detail["location"] == f"{app}:.env:1" and key not in json.dumps(row.detail)


def test_new_secret_payload_is_redacted_link_free_and_counted(scanned, hook):
    db, _, _, key, app = scanned
    report = deliver_pending(db, Config(), explicit_url=hook.url)
    assert report.delivered == {"global": 1} and report.ok
    (body,) = hook.accepted
    raw = hook.raw[0].decode()
    assert key not in raw and key[8:20] not in raw
    assert body["text"].startswith("secret-sprawl: 1 new secret\n")
    assert f"`{app}:.env:1`" in body["text"]  # a code span: never turned into a link
    (event,) = body["events"]
    assert event["kind"] == "new-secret" and event["provider"] == "openai"
    assert event["location"] == f"{app}:.env:1" and len(event["fingerprint_prefix"]) == 12
    assert "…" in event["redacted"] and event["age_days"] >= 0
    assert deliver_pending(db, Config(), explicit_url=hook.url).delivered == {}  # delivered: never again
    assert len(hook.accepted) == 1 and rows(db)[0].status == "delivered"


def test_each_state_change_is_sent_once(scanned, hook):
    db, *_ = scanned
    deliver_pending(db, Config(), explicit_url=hook.url)
    age(db, 22)  # 27-day SLA, warned at 75%
    deliver_pending(db, Config(), explicit_url=hook.url)
    deliver_pending(db, Config(), explicit_url=hook.url)
    age(db, 30)
    deliver_pending(db, Config(), explicit_url=hook.url)
    deliver_pending(db, Config(), explicit_url=hook.url)
    assert [(e["kind"], e["state"]) for e in hook.events()] == [
        ("new-secret", "open"), ("sla", "approaching"), ("sla", "breached")]
    assert hook.accepted[2]["text"].startswith("secret-sprawl: 1 SLA breach\n")


def test_a_webhook_down_for_one_delivery_gets_the_notice_on_the_next_exactly_once(scanned, caplog):
    db, *_ = scanned
    settings = config(retry_seconds=60.0)
    with Hook(down=True) as hook:
        now = utcnow()
        report = deliver_pending(db, settings, explicit_url=hook.url, now=now)
        assert report.refused == {"global": "HTTP 503"} and hook.accepted == [] and len(hook.refused) == 1
        assert "webhook on 127.0.0.1 refused 1 notice for global" in caplog.text
        assert "synthetic" not in caplog.text  # the URL is a credential: the host only
        (row,) = rows(db)
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 503")
        assert row.next_attempt_at == now + timedelta(seconds=60)
        hook.down = False
        deliver_pending(db, settings, explicit_url=hook.url, now=now + timedelta(seconds=30))
        assert hook.accepted == [] and len(hook.refused) == 1  # backing off: not due yet
        report = deliver_pending(db, settings, explicit_url=hook.url, now=now + timedelta(seconds=61))
        assert report.delivered == {"global": 1}
        deliver_pending(db, settings, explicit_url=hook.url, now=now + timedelta(hours=1))
        assert [e["kind"] for e in hook.events()] == ["new-secret"]  # once, after acceptance
        (row,) = rows(db)
        assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)


def test_backoff_doubles_then_fails_visibly_and_can_be_retried_or_dropped(scanned, capsys):
    db, db_url, *_ = scanned
    settings = config(retry_seconds=10.0, max_attempts=3)
    dead = "http://127.0.0.1:9/hook/T000/B000/synthetic"  # nothing listens on the discard port
    now = utcnow()
    deliver_pending(db, settings, explicit_url=dead, now=now)
    assert rows(db)[0].next_attempt_at == now + timedelta(seconds=10)
    deliver_pending(db, settings, explicit_url=dead, now=now + timedelta(seconds=10))
    assert rows(db)[0].next_attempt_at == now + timedelta(seconds=30)  # 10 s, then 20 s
    deliver_pending(db, settings, explicit_url=dead, now=now + timedelta(seconds=30))
    (row,) = rows(db)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "ConnectError")
    assert main(["notifications", "list", "--state", "failed", "--format", "json", "--db", db_url]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["id"] == row.id and listed["last_error"] == "ConnectError" and listed["attempts"] == 3
    assert main(["notifications", "list", "--state", "pending", "--db", db_url]) == 0
    assert "no notices" in capsys.readouterr().out
    assert main(["notifications", "list", "--db", db_url]) == 0
    assert "last error: ConnectError" in capsys.readouterr().out
    assert main(["notifications", "retry", str(row.id), "--db", db_url]) == 0
    with Hook() as hook:
        assert main(["notifications", "deliver", "--notify", hook.url, "--db", db_url]) == 0
        assert [e["kind"] for e in hook.events()] == ["new-secret"]
    assert main(["notifications", "drop", str(row.id), "--db", db_url]) == 2  # delivered already
    assert main(["notifications", "retry", "999", "--db", db_url]) == 2


def test_a_dropped_notice_is_never_sent(scanned, hook):
    db, db_url, *_ = scanned
    (row,) = rows(db)
    assert main(["notifications", "drop", str(row.id), "--db", db_url]) == 0
    assert deliver_pending(db, Config(), explicit_url=hook.url).delivered == {}
    assert hook.raw == [] and rows(db)[0].status == "dropped"


def test_notices_wait_when_no_webhook_is_configured(scanned, hook, capsys):
    db, db_url, *_ = scanned
    assert main(["notifications", "deliver", "--db", db_url]) == 0
    assert "global: notices wait" in capsys.readouterr().err
    assert rows(db)[0].status == "pending"
    assert main(["notifications", "deliver", "--notify", hook.url, "--db", db_url]) == 0
    assert "global: 1 delivered" in capsys.readouterr().out


def test_failed_scheduled_scan_is_notified(scanned, hook, tmp_path, monkeypatch):
    db, db_url, _, key, _ = scanned
    monkeypatch.setenv("SPRAWL_BROKEN_WEBHOOK", hook.url)
    with Session(db) as session:
        add_schedule(session, "broken", "0 3 * * *", [str(tmp_path / "missing")],
                     notify_url="env:SPRAWL_BROKEN_WEBHOOK", by="t")
        session.commit()
    run = run_schedule("broken", db_url)
    assert run.result == "failed"
    (failed,) = hook.events("scan-failed")
    assert failed["schedule"] == "broken" and "missing" in failed["error"] and failed["result"] == "failed"
    assert hook.events("new-secret") == []  # the secret is not in this schedule's targets
    assert all(key not in raw.decode() for raw in hook.raw)


def test_plural_forms():
    def notices(*kinds):
        return [Notice(i, kind, state, i, {}) for i, (kind, state) in enumerate(kinds)]

    assert counted(1, "new secret", "new secrets") == "1 new secret"
    assert summary(notices(("new-secret", "open"))) == "1 new secret"
    assert summary(notices(("new-secret", "open"), ("new-secret", "open"), *[("sla", "breached")] * 3)) == \
        "2 new secrets, 3 SLA breaches"
    assert summary(notices(("sla", "approaching"), ("revocation-detected", "x"), ("scan-failed", "s@t"))) == \
        "1 SLA deadline approaching, 1 revocation detected, 1 failed scheduled run"


def test_shapes_and_markup_from_a_scanned_path_is_escaped():
    hostile = Notice(1, "new-secret", "open", 7, {
        "provider": "openai", "redacted": "sk-p…vq", "fingerprint_prefix": "0123456789ab",
        "location": "/repo:<!channel> <https://evil.example|click>.env:1", "age_days": 1.0})
    slack = payload([hostile], "slack")
    assert "<!channel>" not in slack["text"] and "<https://" not in slack["text"]
    assert "&lt;!channel&gt;" in slack["text"] and slack["events"][0]["secret_id"] == 7
    teams = payload([hostile], "teams")
    card = teams["attachments"][0]
    assert teams["type"] == "message" and card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and "1 new secret" in card["content"]["body"][0]["text"]
    generic = payload([hostile], "json")
    assert "text" not in generic and generic["summary"] == "1 new secret" and generic["events"][0]["id"] == 1


def test_a_webhook_gets_the_shape_configured_for_it(scanned, monkeypatch):
    db, *_ = scanned
    with Hook() as teams:
        monkeypatch.setenv("SPRAWL_TEAMS_HOOK", teams.url)
        settings = config(url="env:SPRAWL_TEAMS_HOOK", shapes={"env:SPRAWL_TEAMS_HOOK": "teams"})
        assert deliver_pending(db, settings).delivered == {"global": 1}
        (body,) = teams.accepted
        assert body["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_webhook_references_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SPRAWL_TEST_HOOK", "https://hooks.example.test/services/T0/B0/synthetic")
    monkeypatch.delenv("SPRAWL_UNSET_HOOK", raising=False)
    none = Config()
    assert webhook_url("env:SPRAWL_TEST_HOOK", none) == "https://hooks.example.test/services/T0/B0/synthetic"
    configured = validate_config({"notify": {"url": "env:SPRAWL_TEST_HOOK"}}, "test")
    assert webhook_url(None, configured).endswith("/synthetic")
    assert webhook_url("env:SPRAWL_UNSET_HOOK", none) is None
    assert webhook_url("http://127.0.0.1:9/hook", none) == "http://127.0.0.1:9/hook"


def test_a_revocation_disproved_is_in_the_outbox_with_the_status_change(scanned, hook):
    from secret_sprawl.tracker.verification import apply_verdict

    db, *_ = scanned
    deliver_pending(db, Config(), explicit_url=hook.url)
    with Session(db) as session:
        secret = session.exec(select(Secret)).one()
        secret.status, secret.resolved_at = "revoked", utcnow()
        session.add(secret)
        apply_verdict(session, secret.id, state="live", at=utcnow(), provider="openai",
                      endpoint="https://api.openai.com/v1/models", http_status=200, by="test")
        assert not rows(db, kind="revocation-disproved")  # not committed yet: nothing announced
        session.commit()
    (row,) = rows(db, kind="revocation-disproved")
    assert row.detail["http_status"] == 200 and row.status == "pending"
    deliver_pending(db, Config(), explicit_url=hook.url)
    assert hook.accepted[-1]["text"].startswith("secret-sprawl: 1 revocation disproved\n")
