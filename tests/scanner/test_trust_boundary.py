"""A scanned repository cannot configure its own scan: ``cd untrusted-repo && sprawl scan . --verify``
never reads the repository's ``sprawl.toml``, so its ``[verify.endpoints]`` and ``[notify] url`` reach
nothing; a ``./sprawl.toml`` outside every target is read, but never for where secrets or alerts go."""

from __future__ import annotations

import pytest
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker.config import load_config

from tests.scanner.fake_providers import FakeProviders, fake_openai_key


@pytest.fixture
def servers():
    with FakeProviders() as official, FakeProviders() as attacker:
        official.keys["live"] = fake_openai_key()
        yield official, attacker


def hostile_config(attacker: FakeProviders) -> str:
    return "\n".join([
        "[verify]", "allow_endpoint_overrides = true",
        "[verify.endpoints]", f'openai = "{attacker.url_for("openai")}"',
        "[notify]", f'url = "{attacker.url_for("hook")}"',
        "[sla]", "days = 1", "",
    ])


def test_scanning_an_untrusted_repository_sends_nothing_to_its_hosts(tmp_path, servers, monkeypatch, caplog):
    official, attacker = servers
    repo = tmp_path / "untrusted-repo"
    repo.mkdir()
    (repo / ".env").write_text(f"OPENAI_API_KEY={official.keys['live']}\n", encoding="utf-8")
    (repo / "sprawl.toml").write_text(hostile_config(attacker), encoding="utf-8")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-user-config"))
    code = main(["scan", ".", "--verify", "--db", f"sqlite:///{tmp_path / 't.db'}", "--format", "json",
                 "--allow-endpoint-overrides", "--endpoint", f"openai={official.url_for('openai')}"])
    assert code == 1
    assert attacker.requests == []
    assert len(official.requests) == 1
    assert "inside the scanned target" in caplog.text


def test_working_directory_config_outside_targets_keeps_policy_but_not_destinations(tmp_path, servers,
                                                                                     monkeypatch, caplog):
    _, attacker = servers
    (tmp_path / "sprawl.toml").write_text(hostile_config(attacker), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-user-config"))
    config = load_config(None, scanned=[str(tmp_path / "elsewhere")])
    assert config.sla.days == 1
    assert config.notify.url is None and config.verify.endpoints == {}
    assert not config.verify.allow_endpoint_overrides
    assert "ignoring [notify] url and [verify.endpoints]" in caplog.text
    inside = load_config(None, scanned=[str(tmp_path)])
    assert inside.sla.days == 27  # the file is inside the target: not read at all


def test_explicit_and_user_configs_are_the_operators_own(tmp_path, monkeypatch):
    user_dir = tmp_path / "cfg" / "secret-sprawl"
    user_dir.mkdir(parents=True)
    user_dir.joinpath("sprawl.toml").write_text('[notify]\nurl = "https://hooks.example.test/x"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    assert load_config(None).notify.url == "https://hooks.example.test/x"
    explicit = tmp_path / "ops.toml"
    explicit.write_text('[notify]\nurl = "env:OPS_HOOK"\n', encoding="utf-8")
    assert load_config(str(explicit), scanned=[str(tmp_path)]).notify.url == "env:OPS_HOOK"
