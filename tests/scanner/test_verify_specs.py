"""The verification specs (data) and the small pure pieces around them: coverage, hosts, settings, pairing."""

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.verification import (
    VerifierSpecError,
    host_allowed,
    load_verifiers,
    parse_verifiers,
)
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.verify.pairing import Candidate, paired_secret
from secret_sprawl.scanner.verify.settings import VerifySettings

from tests.scanner.fake_providers import fake_aws_key_id

CATALOG = load_verifiers()
REQUIRED = {"openai", "anthropic", "huggingface", "google", "groq", "mistral", "cohere", "replicate", "xai",
            "openrouter", "langsmith", "pinecone", "github", "gitlab", "slack", "stripe", "aws"}


def test_builtin_specs_cover_the_issue_providers_over_https():
    assert set(CATALOG.providers) >= REQUIRED | {"azure-openai"}
    for spec in [*CATALOG.providers.values(), *CATALOG.rules.values()]:
        assert spec.base_url is None or spec.base_url.startswith("https://")
        assert spec.method in ("GET", "POST")


def test_rule_ids_named_by_specs_exist_in_the_rule_catalog():
    rules = load_catalog().by_id()
    named = {r for spec in CATALOG.providers.values() for r in spec.only_rules} | set(CATALOG.rules)
    assert named <= set(rules)
    for rule_id, spec in CATALOG.rules.items():
        assert rules[rule_id].provider == spec.provider


def test_spec_for_respects_rule_coverage():
    assert CATALOG.spec_for("openai", "openai-project-key").path == "/v1/models"
    assert CATALOG.spec_for("openai", "openai-admin-key").path.startswith("/v1/organization/")
    assert CATALOG.spec_for("anthropic", "anthropic-oauth-token") is None  # wrong endpoint for it
    assert CATALOG.spec_for("aws", "aws-session-token") is None
    assert CATALOG.spec_for("groq", "groq-api-key") is not None
    assert CATALOG.spec_for("unknown-provider", "x") is None


BASE = {"base_url": "https://api.example.com", "path": "/v1/me", "live": [200], "invalid": [401],
        "headers": {"Authorization": "Bearer {secret}"}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"base_url": "http://api.example.com"}, "https"),
        ({"method": "DELETE"}, "read-only"),
        ({"headers": {"Accept": "json"}}, "{secret}"),
        ({"invalid": [200]}, "both live and invalid"),
        ({"path": "v1"}, "path must start"),
        ({"kind": "aws-sigv4"}, "region and service"),
        ({"surprise": 1}, "unknown field"),
        ({"base_url": None}, "needs base_url"),
    ],
)
def test_invalid_specs_are_rejected(change, message):
    table = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    with pytest.raises(VerifierSpecError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_verifiers({"providers": {"example": table}})


def test_rule_override_needs_a_known_provider():
    with pytest.raises(VerifierSpecError, match="needs provider"):
        parse_verifiers({"providers": {"example": BASE}, "rules": {"example-key": {"path": "/x"}}})


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://contoso.openai.azure.com", True),
        ("https://contoso.openai.azure.com:443/", True),
        ("https://x.cognitiveservices.azure.com/openai", True),
        ("https://openai.azure.com", False),
        ("https://contoso.openai.azure.com.evil.example", False),
        ("https://evil.example/?contoso.openai.azure.com", False),
        ("http://contoso.openai.azure.com", False),
        ("https://contoso.openai.azure.com:8443", False),
        ("https://u:p@contoso.openai.azure.com", False),
        ("https://[::1]:bad", False),
    ],
)
def test_host_allowed(url, allowed):
    assert host_allowed(url, ("*.openai.azure.com", "*.cognitiveservices.azure.com")) is allowed


def test_settings_from_config_and_flags():
    config = {"verify": {"endpoints": {"openai": "https://gateway.corp.example/openai/"}, "retries": 0}}
    settings = VerifySettings.from_config(config, ["groq=http://127.0.0.1:8080"])
    assert settings.endpoints == {"openai": "https://gateway.corp.example/openai",
                                  "groq": "http://127.0.0.1:8080"}
    assert settings.retries == 0
    for bad in (["openai"], ["openai=ftp://x"], ["=http://x"]):
        with pytest.raises(InputError):
            VerifySettings.from_config({}, bad)
    with pytest.raises(InputError):
        VerifySettings.from_config({"verify": {"timeout": "soon"}})


def test_aws_pairing_picks_the_nearest_complementary_half():
    key_id, near, far = fake_aws_key_id(), "a" * 40, "b" * 40
    others = [Candidate("aws-secret-access-key", far, 9), Candidate("aws-secret-access-key", near, 3)]
    assert paired_secret(Candidate("aws-access-key-id", key_id, 2), others) == near
    assert paired_secret(Candidate("aws-secret-access-key", near, 3),
                         [Candidate("aws-access-key-id", key_id, 2)]) == key_id
    assert paired_secret(Candidate("aws-access-key-id", key_id, 40), others) == ""  # too far away
    assert paired_secret(Candidate("openai-project-key", "sk-x", 1), others) == ""
