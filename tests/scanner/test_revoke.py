"""``sprawl revoke`` end to end: scan and record real files, revoke through a stateful fake of each
provider on 127.0.0.1 (``--endpoint``), re-check with the real verifier, read the tracker back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker.audit import first_break
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.metrics import compute_metrics
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.models.schedule import Verification
from secret_sprawl.tracker.sla import SlaPolicy
from sqlmodel import Session, select

from tests.scanner import fake_revocation as fr
from tests.scanner.fake_revocation import FakeRevocationAPI
from tests.synthetic import random_body

CONFIG = "[verify]\nbackoff = 0.001\n[revoke]\nrecheck_attempts = 2\nrecheck_delay = 0\n"


@dataclass
class World:
    api: FakeRevocationAPI
    app: Path
    db_url: str
    config: Path
    tmp: Path

    def scan(self, *extra: str) -> int:
        return main(["scan", str(self.app), "--no-history", "--db", self.db_url, "--config", str(self.config),
                     "--format", "json", "--jobs", "1", *extra])

    def secret(self, value: str) -> Secret:
        with Session(open_database(self.db_url)) as session:
            return session.exec(select(Secret).where(Secret.fingerprint == fingerprint(value))).one()

    def events(self, secret_id: int) -> list[Event]:
        with Session(open_database(self.db_url)) as session:
            return list(session.exec(select(Event).where(Event.secret_id == secret_id).order_by(Event.id)))

    def revoke(self, value: str, *flags: str, provider: str) -> int:
        return main(["revoke", str(self.secret(value).id), "--db", self.db_url, "--config", str(self.config),
                     "--allow-endpoint-overrides", "--endpoint", f"{provider}={self.api.url_for(provider)}",
                     "--by", "alice", "--format", "json", *flags])

    def database_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.tmp.glob("tracker.db*"))


def make_world(tmp_path: Path, db_url: str):
    app = tmp_path / "app"
    app.mkdir()
    config = tmp_path / "sprawl.toml"
    config.write_text(CONFIG)
    with FakeRevocationAPI() as api:
        yield World(api, app, db_url, config, tmp_path)


@pytest.fixture
def world(tmp_path: Path):
    yield from make_world(tmp_path, f"sqlite:///{tmp_path / 'tracker.db'}")


@pytest.fixture
def any_world(tmp_path: Path, db_url: str):
    """The same world on SQLite and, when SPRAWL_TEST_POSTGRES_URL is set, on PostgreSQL."""
    yield from make_world(tmp_path, db_url)


def plant(world: World, name: str, text: str, *live: str) -> None:
    (world.app / name).write_text(text)
    world.api.live.update(live)


def aws(world: World, *, self_service: bool) -> tuple[str, str]:
    key_id, secret_key = fr.aws_pair()
    world.api.aws_secrets[key_id] = secret_key
    if self_service:
        world.api.aws_self_service.add(key_id)
    plant(world, "credentials", f"[default]\naws_access_key_id = {key_id}\n"
                                f"aws_secret_access_key = {secret_key}\n", key_id)
    return key_id, secret_key


# provider id, key maker, file content, admin environment needed
SIMPLE = {
    "github": (fr.github_pat, "GITHUB_TOKEN={}\n"),
    "gitlab": (fr.gitlab_pat, "GITLAB_TOKEN={}\n"),
    "slack": (fr.slack_bot_token, "SLACK_BOT_TOKEN={}\n"),
    "npm": (fr.npm_token, "//registry.npmjs.org/:_authToken={}\n"),
    "openai": (fr.openai_key, "OPENAI_API_KEY={}\n"),
    "anthropic": (fr.anthropic_key, "ANTHROPIC_API_KEY={}\n"),
}
ADMIN_ENV = {"openai": "OPENAI_ADMIN_KEY", "anthropic": "ANTHROPIC_ADMIN_KEY"}


def planted(world: World, provider: str, monkeypatch: pytest.MonkeyPatch, *, admin: bool = True) -> str:
    make, template = SIMPLE[provider]
    key = make()
    other = make()  # a second key of the same account: it must survive
    plant(world, f"{provider}.env", template.format(key), key, other)
    if admin and provider in ADMIN_ENV:
        monkeypatch.setenv(ADMIN_ENV[provider], world.api.admin)
    assert world.scan() == 1
    return key


def assert_no_plaintext(world: World, output: str, *values: str) -> None:
    stored = world.database_bytes()
    for value in values:
        assert value not in output
        assert value.encode() not in stored


@pytest.mark.parametrize("provider", sorted(SIMPLE))
def test_revoke_each_provider_end_to_end(world, provider, monkeypatch, capsys):
    key = planted(world, provider, monkeypatch)
    others = set(world.api.live) - {key}
    capsys.readouterr()
    assert world.revoke(key, "--yes", provider=provider) == 0
    out = capsys.readouterr().out
    assert key not in world.api.live and world.api.live == others  # only this key was revoked
    secret = world.secret(key)
    events = world.events(secret.id)
    final = next(e for e in events if e.kind == "revoked-by-sprawl")
    assert (secret.status, secret.verification_state) == ("revoked", "invalid")
    assert not secret.inactive_at_discovery  # it counts in MTTR
    assert secret.resolved_at == final.at  # revoked at the moment the provider confirmed it
    assert final.actor == "alice" and final.detail["recheck"]["http_status"] in (200, 401, 403)
    assert "HTTP 2" in final.detail["answer"]
    calls = [e for e in events if e.kind == "revocation-call"]
    assert calls and all(e.actor == "alice" and e.detail["url"].startswith("http://127.0.0.1") for e in calls)
    assert json.loads(out)["secrets"][0]["status"] == "revoked"
    assert_no_plaintext(world, out, key, world.api.admin)


@pytest.mark.parametrize("self_service", [True, False], ids=["signed-by-the-key", "signed-by-an-admin"])
def test_revoke_aws_access_key(world, self_service, monkeypatch, capsys):
    key_id, secret_key = aws(world, self_service=self_service)
    if not self_service:
        monkeypatch.setenv("SPRAWL_AWS_ADMIN_ACCESS_KEY_ID", world.api.admin_key_id)
        monkeypatch.setenv("SPRAWL_AWS_ADMIN_SECRET_ACCESS_KEY", world.api.admin)
    assert world.scan() == 1
    capsys.readouterr()
    assert world.revoke(key_id, "--yes", provider="aws") == 0
    out = capsys.readouterr().out
    assert key_id not in world.api.live
    assert world.secret(key_id).status == "revoked"
    updates = [s for s in world.api.requests if b"UpdateAccessKey" in s.body]
    assert len(updates) == 1 and (b"UserName=octo%2Bci%40x" in updates[0].body) != self_service
    assert_no_plaintext(world, out, secret_key, world.api.admin)


def test_aws_key_without_permission_to_deactivate_itself_fails_with_the_reason(world, capsys):
    key_id, _ = aws(world, self_service=False)
    assert world.scan() == 1
    assert world.revoke(key_id, "--yes", provider="aws") == 1
    secret = world.secret(key_id)
    failed = [e for e in world.events(secret.id) if e.kind == "revocation-failed"]
    assert secret.status == "open" and key_id in world.api.live
    assert "HTTP 403" in failed[0].detail["reason"] and "AccessDenied" in failed[0].detail["reason"]


@pytest.mark.parametrize("provider", ["github", "gitlab", "slack", "openai"])
def test_a_refused_revocation_says_why_and_leaves_the_secret_open(world, provider, monkeypatch, capsys):
    key = planted(world, provider, monkeypatch)
    world.api.behaviour[key] = "refuse"
    capsys.readouterr()
    assert world.revoke(key, "--yes", provider=provider) == 1
    out = capsys.readouterr().out
    secret = world.secret(key)
    failed = [e for e in world.events(secret.id) if e.kind == "revocation-failed"]
    assert secret.status == "open" and key in world.api.live
    assert len(failed) == 1 and failed[0].detail["http_status"] == 403
    assert "HTTP 403" in failed[0].detail["reason"]
    assert provider == "slack" or "not accessible" in failed[0].detail["reason"]  # the provider's words
    assert not [e for e in world.events(secret.id) if e.kind == "revoked-by-sprawl"]
    assert_no_plaintext(world, out, key)


@pytest.mark.parametrize("provider", ["github", "npm"])
def test_rate_limited_revocation_retries_then_fails_with_429(world, provider, monkeypatch, capsys):
    key = planted(world, provider, monkeypatch)
    world.api.behaviour[key] = "limited"
    before = len(world.api.requests)
    assert world.revoke(key, "--yes", provider=provider) == 1
    secret = world.secret(key)
    failed = [e for e in world.events(secret.id) if e.kind == "revocation-failed"]
    assert failed[0].detail["http_status"] == 429 and "rate limited" in failed[0].detail["reason"]
    calls = [e for e in world.events(secret.id)
             if e.kind == "revocation-call" and e.detail["http_status"] == 429]
    assert len(calls) == 3  # one call and two retries ([verify] retries), each one an audit event
    assert secret.status == "open"
    # npm looks the key up first
    assert len(world.api.requests) - before == (3 if provider == "github" else 4)


@pytest.mark.parametrize("provider", ["github", "slack", "anthropic"])
def test_a_revocation_the_recheck_does_not_confirm_leaves_it_open(world, provider, monkeypatch, capsys):
    key = planted(world, provider, monkeypatch)
    world.api.behaviour[key] = "sticky"  # the provider accepts the call, the key keeps working
    capsys.readouterr()
    assert world.revoke(key, "--yes", provider=provider) == 1
    out = json.loads(capsys.readouterr().out)["secrets"][0]
    secret = world.secret(key)
    unconfirmed = [e for e in world.events(secret.id) if e.kind == "revocation-unconfirmed"]
    assert (secret.status, secret.resolved_at, secret.verification_state) == ("open", None, "live")
    assert len(unconfirmed) == 1 and unconfirmed[0].new_value == "live"
    assert "stays open" in unconfirmed[0].detail["why"]
    assert out["status"] == "unconfirmed" and out["recheck"]["state"] == "live"
    rechecks = [e for e in world.events(secret.id)
                if e.kind == "revocation-call" and e.detail["step"] == "re-check"]
    assert len(rechecks) == 1  # recheck_attempts = 2: the first is a call event, the last the verification
    with Session(open_database(world.db_url)) as session:
        checks = session.exec(select(Verification).where(Verification.secret_id == secret.id)).all()
    assert [c.state for c in checks] == ["live"]  # the last of the re-checks is recorded


def test_dry_run_sends_nothing_and_changes_nothing(world, monkeypatch, capsys):
    key = planted(world, "openai", monkeypatch)
    secret = world.secret(key)
    before_events, before = len(world.events(secret.id)), len(world.api.requests)
    capsys.readouterr()
    argv = ["revoke", str(secret.id), "--dry-run", "--db", world.db_url, "--config", str(world.config)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert len(world.api.requests) == before and key in world.api.live
    assert len(world.events(secret.id)) == before_events and world.secret(key).status == "open"
    assert "DELETE https://api.openai.com/v1/organization/projects/{project_id}/api_keys/{key_id}" in out
    assert "Bearer" not in out and "nothing was sent" in out
    assert_no_plaintext(world, out, key, world.api.admin)


def test_dry_run_shows_the_github_body_redacted(world, monkeypatch, capsys):
    key = planted(world, "github", monkeypatch)
    capsys.readouterr()
    assert main(["revoke", str(world.secret(key).id), "--dry-run", "--db", world.db_url]) == 0
    out = capsys.readouterr().out
    assert "POST https://api.github.com/credentials/revoke" in out
    assert world.secret(key).redacted in out and key not in out


def test_without_a_terminal_and_without_yes_it_refuses(world, monkeypatch, capsys):
    key = planted(world, "github", monkeypatch)
    before = len(world.api.requests)
    capsys.readouterr()
    assert world.revoke(key, provider="github") == 2
    assert "pass --yes" in capsys.readouterr().err
    assert len(world.api.requests) == before and world.secret(key).status == "open"


@pytest.mark.parametrize(("answer", "code", "status"), [("n", 1, "open"), ("y", 0, "revoked")])
def test_the_interactive_confirmation_decides(world, monkeypatch, capsys, answer, code, status):
    key = planted(world, "gitlab", monkeypatch)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    assert world.revoke(key, provider="gitlab") == code
    assert asked and "cannot be undone" in asked[0]
    assert world.secret(key).status == status and (key in world.api.live) == (status == "open")


def test_admin_only_providers_without_an_admin_key_print_the_manual_steps(world, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    key = planted(world, "openai", monkeypatch, admin=False)
    before = len(world.api.requests)
    capsys.readouterr()
    assert main(["revoke", str(world.secret(key).id), "--yes", "--db", world.db_url, "--config",
                 str(world.config)]) == 1
    out = capsys.readouterr().out
    assert "OPENAI_ADMIN_KEY" in out and "https://platform.openai.com/api-keys" in out
    assert len(world.api.requests) == before and world.secret(key).status == "open"


def test_a_credential_without_a_revocation_api_gets_the_rules_remediation(world, capsys):
    token = "hf_" + random_body(34)
    (world.app / "hf.env").write_text(f"HF_TOKEN={token}\n")
    assert world.scan() == 1
    capsys.readouterr()
    assert main(["revoke", str(world.secret(token).id), "--yes", "--db", world.db_url]) == 1
    out = capsys.readouterr().out
    assert "revoke it by hand" in out and "huggingface" in out
    assert world.secret(token).status == "open"


def test_an_endpoint_override_to_another_host_needs_consent(world, monkeypatch, capsys):
    key = planted(world, "github", monkeypatch)
    code = main(["revoke", str(world.secret(key).id), "--yes", "--db", world.db_url,
                 "--endpoint", f"github={world.api.url_for('github')}"])
    assert code == 2 and "--allow-endpoint-overrides" in capsys.readouterr().err


def test_revoke_never_sends_to_a_host_named_in_the_scanned_content(world, monkeypatch, capsys):
    with FakeRevocationAPI() as attacker:
        key = fr.github_pat()
        plant(world, "ci.env", f"GITHUB_API_URL={attacker.url_for('github')}\nGH_TOKEN={key}\n", key)
        assert world.scan() == 1
        assert world.revoke(key, "--yes", provider="github") == 0
        assert attacker.requests == []


def test_an_already_resolved_secret_is_left_alone(world, monkeypatch, capsys):
    key = planted(world, "github", monkeypatch)
    assert world.revoke(key, "--yes", provider="github") == 0
    before = len(world.api.requests)
    capsys.readouterr()
    assert world.revoke(key, "--yes", provider="github") == 0  # nothing left open
    assert "already revoked" in capsys.readouterr().out and len(world.api.requests) == before


def test_scan_revokes_nothing_without_a_policy(world, monkeypatch, capsys):
    key = fr.github_pat()
    plant(world, "gh.env", f"GH_TOKEN={key}\n", key)
    route = f"github={world.api.url_for('github')}"
    assert world.scan("--allow-endpoint-overrides", "--endpoint", route) == 1
    assert world.api.requests == [] and world.secret(key).status == "open"


def test_scan_revokes_the_policy_providers_automatically(world, monkeypatch, capsys):
    world.config.write_text(CONFIG.replace("[revoke]\n", '[revoke]\nautomatic = ["github"]\n'))
    github, gitlab = fr.github_pat(), fr.gitlab_pat()
    plant(world, "tokens.env", f"GH_TOKEN={github}\nGITLAB_TOKEN={gitlab}\n", github, gitlab)
    assert world.scan("--allow-endpoint-overrides", "--endpoint", f"github={world.api.url_for('github')}",
                      "--endpoint", f"gitlab={world.api.url_for('gitlab')}") == 1
    assert "[revoke] automatic (github): 1 revoked" in capsys.readouterr().err
    assert world.secret(github).status == "revoked" and github not in world.api.live
    assert world.secret(gitlab).status == "open" and gitlab in world.api.live  # not named by the policy
    final = next(e for e in world.events(world.secret(github).id) if e.kind == "revoked-by-sprawl")
    assert final.actor.endswith("([revoke] automatic)") and final.scan_id is not None


def test_an_unknown_policy_provider_is_a_config_error(world, capsys):
    world.config.write_text('[revoke]\nautomatic = ["nowhere"]\n')
    assert world.scan() == 2
    assert "[revoke] automatic: no revocation API for nowhere" in capsys.readouterr().err


def test_a_revoked_secret_counts_in_mttr_at_the_confirmed_time(world, monkeypatch, capsys):
    key = planted(world, "gitlab", monkeypatch)
    assert world.revoke(key, "--yes", provider="gitlab") == 0
    secret = world.secret(key)
    with Session(open_database(world.db_url)) as session:
        metrics = compute_metrics(session, SlaPolicy(), as_of=datetime.now(UTC))
    assert metrics.mttr_count == 1
    assert metrics.mttr_max_seconds == pytest.approx((secret.resolved_at - secret.exposed_at).total_seconds())


def test_a_secret_that_cannot_be_read_any_more_is_not_revoked(world, monkeypatch, capsys):
    key = planted(world, "github", monkeypatch)
    (world.app / "github.env").write_text("GITHUB_TOKEN=${{ secrets.GH }}\n")  # rotated out of the file
    before = len(world.api.requests)
    capsys.readouterr()
    assert world.revoke(key, "--yes", provider="github") == 1
    row = json.loads(capsys.readouterr().out)["secrets"][0]
    assert row["status"] == "skipped" and "no longer contains this secret" in row["reason"]
    assert len(world.api.requests) == before and world.secret(key).status == "open"


@pytest.mark.parametrize("sticky", [False, True], ids=["confirmed", "unconfirmed"])
def test_revocation_records_the_same_on_every_database(any_world, sticky, monkeypatch, capsys):
    world = any_world
    key = planted(world, "slack", monkeypatch)
    if sticky:
        world.api.behaviour[key] = "sticky"
    assert world.revoke(key, "--yes", provider="slack") == (1 if sticky else 0)
    secret = world.secret(key)
    kinds = [e.kind for e in world.events(secret.id)]
    assert secret.status == ("open" if sticky else "revoked")
    assert ("revocation-unconfirmed" if sticky else "revoked-by-sprawl") in kinds
    assert "revocation-call" in kinds
    stored = " ".join(f"{e.detail} {e.old_value} {e.new_value}" for e in world.events(secret.id))
    assert key not in stored and key not in capsys.readouterr().out
    with Session(open_database(world.db_url)) as session:
        assert first_break(session) is None  # the audit chain still checks out


def test_the_whole_path_scan_identify_owner_revoke_mttr(world, monkeypatch, capsys):
    """scan -> identify -> owner assigned from the config -> revoke -> verified revoked -> counted in MTTR
    at the confirmed time, with no plaintext value in the database or the output."""
    world.config.write_text(CONFIG + '[owners]\n"github:octo" = "platform-team"\n')
    key = fr.github_pat()
    plant(world, "deploy.env", f"GH_TOKEN={key}\n", key)
    assert world.scan() == 1
    secret_id = world.secret(key).id
    route = ["--allow-endpoint-overrides", "--endpoint", f"github={world.api.url_for('github')}"]
    assert main(["identify", str(secret_id), "--assign", "--db", world.db_url, "--config", str(world.config),
                 "--by", "alice", *route]) == 1  # identified: the provider says who it belongs to
    owned = world.secret(key)
    assert owned.owner == "platform-team"
    kinds = [e.kind for e in world.events(secret_id)]
    assert kinds.index("identified") < kinds.index("assigned")
    assert world.revoke(key, "--yes", provider="github") == 0
    revoked = world.secret(key)
    final = next(e for e in world.events(secret_id) if e.kind == "revoked-by-sprawl")
    assert (revoked.status, revoked.resolved_at, revoked.owner) == ("revoked", final.at, "platform-team")
    assert key not in world.api.live
    with Session(open_database(world.db_url)) as session:
        metrics = compute_metrics(session, SlaPolicy(), as_of=datetime.now(UTC))
    assert metrics.mttr_count == 1
    assert metrics.mttr_max_seconds == pytest.approx((final.at - revoked.exposed_at).total_seconds())
    # the report lane's split: remediated through sprawl, and an owner known from detection on
    assert (metrics.by_method["sprawl"].count, metrics.by_method["people"].count) == (1, 0)
    assert metrics.time_to_owner.count == 1
    assert_no_plaintext(world, capsys.readouterr().out, key)


def test_a_scheduled_scan_revokes_only_under_the_policy(world, monkeypatch, capsys):
    from secret_sprawl.scanner.schedule.job import run_schedule
    from secret_sprawl.tracker.schedules import add_schedule

    key = fr.github_pat()
    plant(world, "gh.env", f"GH_TOKEN={key}\n", key)
    routed = (CONFIG.replace("[verify]\n", f'[verify]\nallow_endpoint_overrides = true\n'
                                          f'endpoints = {{ github = "{world.api.url_for("github")}" }}\n'))
    world.config.write_text(routed)
    with Session(open_database(world.db_url)) as session:
        add_schedule(session, "nightly", "0 3 * * *", [str(world.app)], by="test")
        session.commit()
    run_schedule("nightly", world.db_url, str(world.config))
    assert world.api.requests == [] and world.secret(key).status == "open"  # no policy, nothing sent
    world.config.write_text(routed.replace("[revoke]\n", '[revoke]\nautomatic = ["github"]\n'))
    run_schedule("nightly", world.db_url, str(world.config))
    assert world.secret(key).status == "revoked" and key not in world.api.live
    final = next(e for e in world.events(world.secret(key).id) if e.kind == "revoked-by-sprawl")
    assert final.actor == "schedule:nightly ([revoke] automatic)"
