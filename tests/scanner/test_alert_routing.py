"""Alerts for two teams: each schedule's webhook hears about its own targets only, the global webhook
about everything; and a real scheduler run delivers a notice refused once on a later run, once."""

import threading
import time
from datetime import timedelta

import pytest
from secret_sprawl.scanner.schedule.daemon import Daemon
from secret_sprawl.scanner.schedule.job import run_schedule
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.models.core import Secret
from secret_sprawl.tracker.models.schedule import Notification
from secret_sprawl.tracker.schedules import add_schedule
from sqlmodel import Session, select

from tests.scanner.fake_providers import fake_openai_key
from tests.scanner.helpers import wait_for
from tests.scanner.local_webhook import Hook


def leaky_app(root, name):
    app = root / name
    app.mkdir()
    key = fake_openai_key()
    (app / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    return str(app), key


def add(db_url, name, cron, targets, **kwargs):
    with Session(open_database(db_url)) as session:
        add_schedule(session, name, cron, targets, by="test", **kwargs)
        session.commit()


def places(hook, kind=None):
    """The target directory of each secret notice the hook accepted."""
    return sorted(e["location"].split(":")[0] for e in hook.events(kind) if "location" in e)


@pytest.fixture
def hooks(monkeypatch):
    with Hook(name="team-a") as a, Hook(name="team-b") as b, Hook(name="security") as everything:
        monkeypatch.setenv("SPRAWL_TEAM_A_HOOK", a.url)
        monkeypatch.setenv("SPRAWL_TEAM_B_HOOK", b.url)
        monkeypatch.setenv("SPRAWL_GLOBAL_HOOK", everything.url)
        yield a, b, everything


def test_each_schedule_hears_about_its_own_targets_and_the_global_webhook_about_all(tmp_path, hooks):
    a_hook, b_hook, global_hook = hooks
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    config = tmp_path / "sprawl.toml"
    config.write_text('[notify]\nurl = "env:SPRAWL_GLOBAL_HOOK"\n')
    app_a, key_a = leaky_app(tmp_path, "team-a-app")
    app_b, key_b = leaky_app(tmp_path, "team-b-app")
    missing = str(tmp_path / "team-b-gone")
    add(db_url, "team-a", "0 2 * * *", [app_a], notify_url="env:SPRAWL_TEAM_A_HOOK")
    add(db_url, "team-b", "0 3 * * *", [app_b, missing], notify_url="env:SPRAWL_TEAM_B_HOOK")
    run_schedule("team-a", db_url, str(config))
    run_schedule("team-b", db_url, str(config))
    with Session(open_database(db_url)) as session:  # both secrets are past their 27-day SLA now
        for secret in session.exec(select(Secret)):
            secret.exposed_at = utcnow() - timedelta(days=40)
            session.add(secret)
        session.commit()
    run_schedule("team-a", db_url, str(config))  # its run sweeps the SLA states of every secret

    assert places(a_hook, "new-secret") == [app_a] and places(a_hook, "sla") == [app_a]
    assert places(b_hook, "new-secret") == [app_b] and places(b_hook, "sla") == [app_b]
    assert places(global_hook, "new-secret") == places(global_hook, "sla") == [app_a, app_b]
    assert [e["schedule"] for e in b_hook.events("scan-failed")] == ["team-b"]
    assert a_hook.events("scan-failed") == []
    (failed,) = global_hook.events("scan-failed")
    assert failed["result"] == "findings" and failed["failed_targets"] == 1 and missing in failed["error"]
    line = "`team-b`: findings; 1 of 2 targets not scanned"
    assert any(line in body["text"] for body in global_hook.accepted)
    assert any(body["text"].startswith("secret-sprawl: 1 SLA breach") for body in b_hook.accepted)
    for hook in hooks:
        assert all(key_a not in raw.decode() and key_b not in raw.decode() for raw in hook.raw)
    with Session(open_database(db_url)) as session:
        assert {n.status for n in session.exec(select(Notification))} == {"delivered"}


def test_a_real_scheduler_run_delivers_a_notice_refused_on_an_earlier_run_once(tmp_path, monkeypatch):
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    app, key = leaky_app(tmp_path, "app")
    config = tmp_path / "sprawl.toml"
    config.write_text("[notify]\nretry_seconds = 0.2\n")
    with Hook(down=True) as hook:
        monkeypatch.setenv("SPRAWL_NIGHTLY_HOOK", hook.url)
        add(db_url, "nightly", "* * * * * *", [app], notify_url="env:SPRAWL_NIGHTLY_HOOK")  # every second
        daemon = Daemon(db_url, config_path=str(config), sync_interval=0.1)
        thread = threading.Thread(target=daemon.run)
        thread.start()
        try:
            assert wait_for(lambda: hook.refused)  # the first run's delivery: refused
            hook.down = False
            assert wait_for(lambda: hook.accepted)  # a later run delivers it
            time.sleep(2.5)  # more runs: nothing is sent twice
        finally:
            daemon.stop()
            thread.join(20)
    assert not thread.is_alive()
    (event,) = hook.events()
    assert event["kind"] == "new-secret" and event["location"].startswith(app)
    assert all(key not in raw.decode() for raw in hook.raw)
    with Session(open_database(db_url)) as session:
        row = session.exec(select(Notification).where(Notification.destination == "schedule:nightly")).one()
        assert row.status == "delivered" and row.attempts >= 2



def test_notices_for_a_removed_schedule_are_dropped_not_kept_waiting(tmp_path, hooks, capsys):
    from secret_sprawl.scanner.cli import main

    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    app, _ = leaky_app(tmp_path, "app")
    add(db_url, "team-a", "0 2 * * *", [app], notify_url="env:SPRAWL_TEAM_A_HOOK")
    assert main(["scan", app, "--db", db_url, "--format", "json"]) == 1  # a CLI scan of team A's target
    assert main(["schedule", "remove", "team-a", "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["notifications", "deliver", "--db", db_url]) == 0
    with Session(open_database(db_url)) as session:
        query = select(Notification).where(Notification.destination == "schedule:team-a")
        dropped = session.exec(query).one()
    assert (dropped.status, dropped.last_error) == ("dropped", "its schedule was removed")
    assert hooks[0].raw == []
