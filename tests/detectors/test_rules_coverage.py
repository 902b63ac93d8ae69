"""Issue 13 coverage: the credential kinds it lists have rules, and command-line and config rules
(`generic = true`) give way to a provider rule that recognises the same value.

The per-rule examples run in ``test_catalog_examples``; these tests check how rules work together.
"""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine, build_engine

from tests.detectors.helpers import fake

CATALOG = load_catalog()
RULES = CATALOG.by_id()

# One rule per kind of miss the issue names (command lines, connection strings, framework and tool
# secrets, Slack/Teams/Discord, Entra, Stripe test keys).
ISSUE_KINDS = [
    "curl-user-password", "psexec-password", "mysql-cli-password", "sshpass-password",
    "docker-login-password", "pgpassword-env", "git-url-credentials", "htpasswd-cli-password",
    "smbclient-credentials", "adonet-connection-string-password", "odbc-connection-string-password",
    "jdbc-url-password", "php-db-password-variable", "django-databases-password", "django-secret-key",
    "rails-secret-key-base", "flask-secret-key", "bundler-source-credentials",
    "sidekiq-enterprise-credentials",
    "nuget-config-cleartext-password", "gradle-publishing-credential", "xml-password-element",
    "docker-config-auth", "htpasswd-bcrypt-hash", "wireguard-private-key", "terraform-cloud-token",
    "ansible-vault-encrypted-data", "jenkins-encrypted-secret", "slack-legacy-bot-token",
    "slack-workspace-access-token", "teams-workflow-webhook-url", "teams-power-platform-workflow-url",
    "discord-webhook-url", "azure-entra-client-secret", "stripe-test-secret-key", "stripe-webhook-secret",
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.mark.parametrize("rule_id", ISSUE_KINDS)
def test_every_kind_named_in_the_issue_has_a_rule(rule_id):
    assert rule_id in RULES


SLACK_PREFIXES = ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxc-", "xoxd-", "xoxe", "xapp-"]


@pytest.mark.parametrize("prefix", SLACK_PREFIXES)
def test_every_slack_token_kind_has_a_rule(prefix):
    assert any(keyword.startswith(prefix) for rule in CATALOG.rules if rule.provider == "slack"
               for keyword in rule.keywords)


def test_stripe_test_keys_are_reported_at_low_severity(engine):
    key = "sk_test_" + fake(1301, 99)
    found = [m for m in engine.scan(f'stripe.api_key = "{key}"') if m.secret == key]
    assert [m.rule_id for m in found] == ["stripe-test-secret-key"]
    assert RULES["stripe-test-secret-key"].severity == "low"


def _rules_for(engine: Engine, text: str, secret: str) -> list[str]:
    return [m.rule_id for m in engine.scan(text) if m.secret == secret]


def test_a_provider_token_in_a_git_url_is_reported_by_the_provider_rule(engine):
    token = RULES["github-classic-pat"].examples[0].secret
    text = f"git clone https://ci-bot:{token}@github.com/acme/infra.git"
    assert _rules_for(engine, text, token) == ["github-classic-pat"]


def test_a_docker_hub_token_after_docker_login_p_is_reported_as_a_docker_hub_token(engine):
    token = RULES["docker-hub-pat"].examples[0].secret
    assert _rules_for(engine, f"docker login -u ci -p {token}", token) == ["docker-hub-pat"]


def test_a_password_on_a_command_line_is_reported_once_by_the_command_line_rule(engine):
    password = fake(1302, 18)
    text = f"mysql -h db.internal -u app -p{password} shop"
    assert _rules_for(engine, text, password) == ["mysql-cli-password"]


def test_a_curl_command_continued_over_lines_is_still_one_command(engine):
    password = fake(1303, 16)
    text = f"curl -sS https://nexus.example.com/service/rest/v1/status \\\n  -u deploy:{password}"
    assert _rules_for(engine, text, password) == ["curl-user-password"]


@pytest.mark.parametrize("text", [
    'mysql -u root -p"$MYSQL_ROOT_PASSWORD" -e "SELECT 1"',
    'sshpass -p "$SSH_PASS" ssh deploy@host',
    "docker login -u ci --password-stdin registry.example.com",
    "git clone https://x-access-token:${GITHUB_TOKEN}@github.com/acme/infra.git",
    "curl -u user:<password> https://api.example.com/v1/items",
    "PGPASSWORD=$DB_PASSWORD psql -h db -U app",
])
def test_shell_expansions_and_placeholders_on_command_lines_are_not_secrets(engine, text):
    assert [m.rule_id for m in engine.scan(text) if m.rule_id in RULES and RULES[m.rule_id].generic
            and not m.rule_id.startswith("generic-")] == []
