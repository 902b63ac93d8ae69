"""``sprawl identify`` end to end: scan and record leaked keys of every provider, then identify them
against fake provider APIs on 127.0.0.1 (``--endpoint``), read back what the tracker recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models import Event, Identity, Secret
from sqlmodel import Session, select

from tests.scanner.fake_identity import PROVIDERS, SOON, FakeIdentityAPIs

SECRETS_PER_KIND = len(PROVIDERS) + 1  # an AWS leak is two tracked secrets: the key id and its secret key


def setup_target(tmp_path: Path, fake: FakeIdentityAPIs, kinds: tuple[str, ...], owners: str = "") -> tuple:
    app = tmp_path / "app"
    app.mkdir()
    for provider in PROVIDERS:
        for kind in kinds:
            suffix = "npmrc" if provider == "npm" else "env"
            (app / f"{provider}-{kind}.{suffix}").write_text(fake.file_text(provider, kind))
    config = tmp_path / "sprawl.toml"
    config.write_text("[verify]\nbackoff = 0.001\nretries = 1\nrate_per_host = 1000\n" + owners)
    db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert main(["scan", str(app), "--db", db_url, "--config", str(config)]) == 1
    return db_url, str(config)


def identify(fake: FakeIdentityAPIs, db_url: str, config: str, *extra: str) -> tuple[int, str]:
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["identify", *extra, "--db", db_url, "--config", config, "--allow-endpoint-overrides",
                     *fake.endpoints()])
    return code, out.getvalue()


def secret_of(db_url: str, value: str) -> Secret:
    with Session(open_database(db_url)) as session:
        return session.exec(select(Secret).where(Secret.fingerprint == fingerprint(value))).one()


@pytest.fixture(scope="module")
def live_run(tmp_path_factory):
    """Every provider's live and refused keys, identified once: (fake APIs, db url, JSON answer by id)."""
    tmp_path = tmp_path_factory.mktemp("identify")
    owners = '[owners]\n"github:octo-deployer" = "platform-team"\n"aws:*:user/ops/*" = "ops-team"\n' \
             '"huggingface:hf-*" = "ml-team"\n'
    with FakeIdentityAPIs() as fake:
        db_url, config = setup_target(tmp_path, fake, ("live", "refused"), owners)
        code, out = identify(fake, db_url, config, "--all-open", "--assign", "--format", "json")
        assert code == 1, out
        answer = json.loads(out)
        yield fake, db_url, {item["secret_id"]: item for item in answer["identified"]}, answer, out


EXPECTED = {
    "github": {"principal": "octo-deployer", "account": "4242", "token_type": "github-classic-pat",
               "scopes": ["repo", "admin:org", "gist"], "admin_scopes": ["admin:org"]},
    "gitlab": {"principal": "ci-bot", "account": "77", "token_type": "personal access token",
               "scopes": ["read_api", "read_repository"], "admin_scopes": [], "never_expires": True},
    "huggingface": {"principal": "hf-alice", "account": "", "token_type": "fineGrained",
                    "scopes": ["inference.serverless.write", "org:acme:admin",
                               "model:acme/llm:repo.content.read,repo.write"],
                    "admin_scopes": ["org:acme:admin"]},
    "openai": {"principal": "ml@acme.test", "account": "org-acme", "token_type": "openai-project-key",
               "scopes": ["org:org-acme:reader", "project:proj_llm"], "admin_scopes": []},
    "aws": {"principal": "arn:aws:iam::123456789012:user/ops/deployer", "account": "123456789012",
            "token_type": "IAM access key", "scopes": ["AdministratorAccess", "ReadOnlyAccess"],
            "admin_scopes": ["AdministratorAccess"]},
    "slack": {"principal": "deploy-bot", "account": "Acme", "token_type": "bot",
              "scopes": ["chat:write", "channels:read"], "admin_scopes": []},
    "stripe": {"principal": "billing@acme.test", "account": "acct_1Acme",
               "token_type": "stripe-live-secret-key"},
    "npm": {"principal": "acme-publisher", "account": "acme-publisher", "token_type": "npm-access-token"},
    "cohere": {"principal": "user-cohere", "account": "org-cohere", "token_type": "cohere-api-key"},
    "replicate": {"principal": "acme-ml", "account": "acme-ml", "token_type": "organization"},
    "xai": {"principal": "user-xai", "account": "team-xai", "token_type": "prod key",
            "scopes": ["api-key:model:*", "api-key:endpoint:*"], "admin_scopes": ["api-key:endpoint:*"]},
    "openrouter": {"principal": "ci key", "scopes": ["credit limit: 100"], "token_type": "free tier: false",
                   "expires_at": "2031-01-01T00:00:00+00:00"},
    "anthropic": {"principal": "Acme AI", "account": "org-anthropic", "token_type": "admin key",
                  "admin_scopes": ["organization admin"]},
}


def test_the_expectations_cover_every_provider_with_identity_calls():
    from secret_sprawl.detectors.identity import load_identities
    from secret_sprawl.detectors.verification import load_verifiers

    assert set(EXPECTED) == set(PROVIDERS) == set(load_identities(load_verifiers()).providers)
    assert len(PROVIDERS) >= 10


@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_every_provider_is_identified_from_its_answer(live_run, provider):
    fake, db_url, by_id, _, _ = live_run
    secret = secret_of(db_url, fake.keys[provider]["live"])
    item = by_id[secret.id]
    assert item["state"] == "identified", item
    assert {key: item[key] for key in EXPECTED[provider]} == EXPECTED[provider]
    assert item["evidence"][0]["http_status"] == 200
    assert item["evidence"][0]["endpoint"].startswith(fake.url_for(provider))
    with Session(open_database(db_url)) as session:
        row = session.exec(select(Identity).where(Identity.secret_id == secret.id)).one()
        event = session.exec(select(Event).where(Event.secret_id == secret.id,
                                                 Event.kind == "identified")).one()
    assert (row.principal, row.account) == (EXPECTED[provider]["principal"], item["account"])
    assert event.detail["principal"] == row.principal and event.detail["evidence"] == row.evidence
    assert event.detail["evidence"][0]["http_status"] == 200 and "at" in event.detail["evidence"][0]


@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_a_refused_key_is_reported_and_not_recorded(live_run, provider):
    fake, db_url, by_id, _, _ = live_run
    secret = secret_of(db_url, fake.keys[provider]["refused"])
    item = by_id[secret.id]
    assert item["state"] == "refused" and "refused by the provider" in item["detail"]
    with Session(open_database(db_url)) as session:
        assert session.exec(select(Identity).where(Identity.secret_id == secret.id)).first() is None
        assert session.exec(select(Event).where(Event.secret_id == secret.id,
                                                Event.kind == "identified")).first() is None


def test_admin_reach_raises_the_severity_and_other_reach_does_not(live_run):
    fake, db_url, _, _, _ = live_run
    for provider in PROVIDERS:
        live = secret_of(db_url, fake.keys[provider]["live"]).severity
        catalog = secret_of(db_url, fake.keys[provider]["refused"]).severity  # same rule, never identified
        admin = bool(EXPECTED[provider].get("admin_scopes"))
        assert live == ("critical" if admin else catalog), provider
    assert secret_of(db_url, fake.keys["huggingface"]["refused"]).severity == "high"  # so it was raised


def test_an_expiry_becomes_lifetime_evidence(live_run):
    fake, db_url, by_id, _, _ = live_run
    github = secret_of(db_url, fake.keys["github"]["live"])
    item = by_id[github.id]
    assert item["expires_at"] == SOON.isoformat() and item["expires_before_sla_deadline"] is True
    assert github.lifetime == "short-lived"
    gitlab = by_id[secret_of(db_url, fake.keys["gitlab"]["live"]).id]
    assert (gitlab["never_expires"], gitlab["lifetime"], gitlab["expires_at"]) == (True, "long-lived", None)
    openrouter = secret_of(db_url, fake.keys["openrouter"]["live"])
    assert by_id[openrouter.id]["expires_before_sla_deadline"] is False
    assert openrouter.lifetime == "long-lived"


def test_owners_from_the_config_are_assigned_with_events(live_run):
    fake, db_url, by_id, _, _ = live_run
    expected = {"github": "platform-team", "aws": "ops-team", "huggingface": "ml-team", "npm": None}
    for provider, owner in expected.items():
        secret = secret_of(db_url, fake.keys[provider]["live"])
        assert (secret.owner, by_id[secret.id]["assigned"]) == (owner, owner), provider
        with Session(open_database(db_url)) as session:
            events = session.exec(select(Event).where(Event.secret_id == secret.id,
                                                      Event.kind == "assigned")).all()
        assert [e.new_value for e in events] == ([owner] if owner else [])


def test_aws_signs_both_calls_and_asks_for_the_users_policies(live_run):
    fake, _, _, _, _ = live_run
    key_id = fake.keys["aws"]["live"]
    calls = [seen for seen in fake.requests
             if seen.provider == "aws" and key_id in seen.headers["Authorization"]]
    # The key id and the secret access key are two tracked secrets of one pair: each is identified.
    assert [seen.body.decode().split("&")[0] for seen in calls] == [
        "Action=GetCallerIdentity", "Action=ListAttachedUserPolicies"] * 2
    assert all(seen.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=") for seen in calls)
    assert all(fake.aws_secrets[key_id] not in " ".join(seen.headers.values()) for seen in calls)


def test_no_plaintext_value_reaches_the_database_or_the_output(live_run):
    fake, db_url, _, answer, out = live_run
    stored = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    leaked = [value for value in fake.all_values() if value.encode() in stored or value in out]
    assert leaked == [] and len(answer["identified"]) == 2 * SECRETS_PER_KIND


def test_a_short_retry_after_is_waited_for(tmp_path):
    with FakeIdentityAPIs(retry_after="1") as fake:
        db_url, config = setup_target(tmp_path, fake, ("limited",))
        started = time.monotonic()
        code, out = identify(fake, db_url, config, "--all-open", "--format", "json")
        elapsed = time.monotonic() - started
    states = {item["provider"]: item["state"] for item in json.loads(out)["identified"]}
    assert code == 1 and set(states.values()) == {"identified"}, states
    assert elapsed >= 1.0  # waited for Retry-After


def test_a_long_retry_after_is_reported_as_rate_limited_without_waiting(tmp_path):
    with FakeIdentityAPIs(retry_after="3600", limit_times=99) as fake:
        db_url, config = setup_target(tmp_path, fake, ("limited",))
        started = time.monotonic()
        code, out = identify(fake, db_url, config, "--all-open")
        elapsed = time.monotonic() - started
    assert code == 0 and elapsed < 30
    lines = [line for line in out.splitlines() if "rate-limited" in line]
    assert len(lines) == SECRETS_PER_KIND and all("retry after 3600 s" in line for line in lines)
    with Session(open_database(db_url)) as session:
        assert session.exec(select(Identity)).all() == []


def test_endpoint_overrides_to_another_host_need_the_operators_consent(tmp_path, capsys):
    with FakeIdentityAPIs() as fake:
        db_url, config = setup_target(tmp_path, fake, ("live",))
        capsys.readouterr()
        code = main(["identify", "--all-open", "--db", db_url, "--config", config,
                     "--endpoint", f"github={fake.url_for('github')}"])
        assert code == 2 and "--allow-endpoint-overrides" in capsys.readouterr().err
        assert fake.requests == []


def test_identify_by_id_and_a_table_for_people(tmp_path):
    with FakeIdentityAPIs() as fake:
        db_url, config = setup_target(tmp_path, fake, ("live",))
        github = secret_of(db_url, fake.keys["github"]["live"])
        code, out = identify(fake, db_url, config, str(github.id))
    assert code == 1 and "octo-deployer" in out and "ADMIN-LEVEL REACH (admin:org)" in out
    assert "BEFORE its SLA deadline" in out and "short-lived" in out
    assert {seen.provider for seen in fake.requests} == {"github"}
