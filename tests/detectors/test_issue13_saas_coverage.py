"""Issue 13's developer and SaaS formats: every provider it names has rules, and every key kind it
lists for a provider has its own rule (the rules' examples and near misses run in
test_catalog_examples)."""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.catalog import load_catalog

CATALOG = load_catalog()
IDS = set(CATALOG.by_id())

NAMED_PROVIDERS = [
    "sonar", "snyk", "sourcegraph", "sumologic", "newrelic", "okta", "twitch", "mapbox", "particle",
    "truenas", "dependency-track", "adafruit", "blynk", "teamcity", "stackhawk", "postmark", "telegram",
    "salesforce", "twilio", "meta", "1password", "vault", "jwt",
]

# The key kinds the issue lists one by one: each needs a rule of its own.
KINDS = {
    "New Relic": ["newrelic-user-api-key", "newrelic-admin-key", "newrelic-insert-key",
                  "newrelic-browser-key", "newrelic-rest-api-key", "newrelic-insights-query-key",
                  "newrelic-license-key", "newrelic-legacy-license-key"],
    "Vault": ["vault-service-token", "vault-batch-token", "vault-legacy-token", "vault-recovery-token"],
    "1Password": ["1password-secret-key", "1password-service-account-token"],
    "Salesforce": ["salesforce-access-token", "salesforce-refresh-token", "salesforce-consumer-secret"],
    "Meta": ["meta-access-token", "meta-app-secret", "meta-app-access-token"],
    "SonarQube": ["sonar-token", "sonar-legacy-token"],
    "JWT": ["jwt", "jwt-nonstandard-encoding"],
}


@pytest.mark.parametrize("provider", NAMED_PROVIDERS)
def test_every_named_provider_has_a_rule(provider):
    assert provider in CATALOG.providers()


@pytest.mark.parametrize("family", sorted(KINDS))
def test_every_listed_key_kind_has_its_own_rule(family):
    assert [rule_id for rule_id in KINDS[family] if rule_id not in IDS] == []
