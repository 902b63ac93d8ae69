"""Verification end to end: scan + record + ``after_scan``, then ``sprawl verify`` re-reading the secrets."""

import argparse
import json

import git
import pytest
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.scanner.cli import main
from secret_sprawl.scanner.pipeline import Runner
from secret_sprawl.scanner.sources.remote import default_cache_dir
from secret_sprawl.scanner.targets import ScanOptions, scan_target
from secret_sprawl.scanner.verify.scan_hook import after_scan
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.recording import Recorder
from sqlmodel import Session, select

from tests.scanner.fake_providers import FakeProviders, fake_openai_key


@pytest.fixture
def providers():
    with FakeProviders() as official, FakeProviders() as attacker:
        official.keys.update(live=fake_openai_key(), revoked=fake_openai_key())
        yield official, attacker


@pytest.fixture
def setup(tmp_path, providers):
    official, attacker = providers
    app = tmp_path / "app"
    app.mkdir()
    # The scanned content points the SDK at an attacker's server, right next to the key.
    (app / ".env").write_text(f"OPENAI_BASE_URL={attacker.url_for('openai')}\n"
                              f"OPENAI_API_KEY={official.keys['live']}\n")
    (app / "old.py").write_text(f'client = OpenAI(api_key="{official.keys["revoked"]}")\n')
    config = tmp_path / "sprawl.toml"
    config.write_text("[verify]\nbackoff = 0.001\n")
    return app, f"sqlite:///{tmp_path / 'tracker.db'}", str(config)


def scan_and_record(target, db_url):
    db = open_database(db_url)
    recorder = Recorder(db, actor="test")
    with Runner() as runner:
        result = scan_target(str(target), ScanOptions(), runner)
    recorder.record(result)
    return db, recorder.finish().id, [result]


def secret_by_value(db, value):
    with Session(db) as session:
        return session.exec(select(Secret).where(Secret.fingerprint == fingerprint(value))).one()


def test_scan_verify_never_sends_to_a_url_found_in_the_content(setup, providers):
    official, attacker = providers
    app, db_url, config = setup
    db, scan_id, results = scan_and_record(app, db_url)
    args = argparse.Namespace(verify=True, notify=None, config=config,
                              endpoint=[f"openai={official.url_for('openai')}"])
    after_scan(args, db, scan_id, results)
    assert attacker.requests == []
    assert len(official.requests) == 2
    live, dead = secret_by_value(db, official.keys["live"]), secret_by_value(db, official.keys["revoked"])
    assert (live.verification_state, live.verification_status_code, live.status) == ("live", 200, "open")
    assert dead.inactive_at_discovery and dead.status == "revoked"


def test_sprawl_verify_rereads_and_detects_revocation(setup, providers, capsys):
    official, attacker = providers
    app, db_url, config = setup
    db, _, _ = scan_and_record(app, db_url)
    argv = ["verify", "--all-open", "--db", db_url, "--config", config,
            "--endpoint", f"openai={official.url_for('openai')}"]
    assert main(argv) == 1  # a live secret
    key = official.keys["live"]
    assert secret_by_value(db, key).verification_state == "live"
    official.keys["revoked"], official.keys["live"] = key, "nothing-is-live"  # revoked at the provider
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "revocation-detected" in out and key not in out
    secret = secret_by_value(db, key)
    assert secret.status == "revoked" and secret.resolved_at == secret.verified_at
    with Session(db) as session:
        event = session.exec(select(Event).where(Event.kind == "revocation-detected")).one()
        assert event.detail["endpoint"].startswith(official.url_for("openai"))
    assert attacker.requests == []


def test_sprawl_verify_says_when_the_secret_cannot_be_read(setup, providers, capsys):
    official, _ = providers
    app, db_url, config = setup
    db, _, _ = scan_and_record(app, db_url)
    secret_id = secret_by_value(db, official.keys["live"]).id
    (app / ".env").write_text("OPENAI_API_KEY=rotated-elsewhere\n")
    code = main(["verify", str(secret_id), "--db", db_url, "--config", config,
                 "--endpoint", f"openai={official.url_for('openai')}"])
    assert code == 0 and official.requests == []
    out = capsys.readouterr().out
    assert "cannot read the secret any more" in out and "no longer contains this secret" in out


def test_sprawl_verify_reads_a_deleted_file_from_git_history(tmp_path, providers, capsys):
    official, _ = providers
    repo_dir = tmp_path / "repo"
    repo = git.Repo.init(repo_dir)
    (repo_dir / "settings.py").write_text(f'OPENAI_API_KEY = "{official.keys["live"]}"\n')
    repo.index.add(["settings.py"])
    repo.index.commit("add settings", author=git.Actor("dev", "dev@example.com"))
    repo.index.remove(["settings.py"], working_tree=True)
    repo.index.commit("remove the key", author=git.Actor("dev", "dev@example.com"))
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    scan_and_record(repo_dir, db_url)
    endpoint = f"openai={official.url_for('openai')}"
    code = main(["verify", "--all-open", "--db", db_url, "--endpoint", endpoint])
    assert code == 1 and len(official.requests) == 1
    assert " live " in capsys.readouterr().out


def test_sprawl_verify_json_is_structured(setup, providers, capsys):
    official, _ = providers
    app, db_url, config = setup
    db, _, _ = scan_and_record(app, db_url)
    live = secret_by_value(db, official.keys["live"]).id
    argv = ["verify", "--all-open", "--format", "json", "--db", db_url, "--config", config,
            "--endpoint", f"openai={official.url_for('openai')}"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    answer = json.loads(out)
    by_id = {item["secret_id"]: item for item in answer["checked"]}
    item = by_id[live]
    assert (item["state"], item["http_status"], item["transition"]) == ("live", 200, None)
    assert answer["skipped"] == [] and official.keys["live"] not in out


def test_verify_needs_ids_or_all_open(tmp_path, capsys):
    assert main(["verify", "--db", f"sqlite:///{tmp_path / 't.db'}"]) == 2
    assert "--all-open" in capsys.readouterr().err


def test_sprawl_verify_reads_a_remote_target_from_its_cached_mirror(tmp_path, providers, monkeypatch, capsys):
    official, _ = providers
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo_dir = tmp_path / "upstream"
    repo = git.Repo.init(repo_dir)
    (repo_dir / "agent.py").write_text(f'OPENAI_API_KEY = "{official.keys["live"]}"\n')
    repo.index.add(["agent.py"])
    repo.index.commit("agent", author=git.Actor("dev", "dev@example.com"))
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    db = open_database(db_url)
    recorder = Recorder(db, actor="test")
    with Runner() as runner:
        result = scan_target(f"file://{repo_dir}", ScanOptions(cache_dir=default_cache_dir()), runner)
    assert result.kind == "remote" and result.findings
    recorder.record(result)
    recorder.finish()
    endpoint = f"openai={official.url_for('openai')}"
    assert main(["verify", "--all-open", "--db", db_url, "--endpoint", endpoint]) == 1
    assert " live " in capsys.readouterr().out
