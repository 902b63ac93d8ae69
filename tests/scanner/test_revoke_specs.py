"""The revocation specs (data) and the small pure pieces around them: coverage, validation, key hints,
the executor's rendering and messages."""

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.revocation import RevocationSpecError, load_revocations, parse_revocations
from secret_sprawl.detectors.verification import load_verifiers
from secret_sprawl.scanner.revoke.answers import provider_message, render
from secret_sprawl.scanner.revoke.hints import matches_hint

CATALOG = load_revocations()
ISSUE_PROVIDERS = {"github", "gitlab", "slack", "npm", "openai", "anthropic", "aws"}


def test_builtin_specs_cover_the_issue_providers_over_https():
    assert set(CATALOG.providers) == ISSUE_PROVIDERS
    for spec in CATALOG.providers.values():
        assert spec.base_url.startswith("https://") and spec.console.startswith("https://")
        assert spec.only_rules, f"{spec.provider}: say which rules the calls are right for"


def test_every_covered_rule_exists_and_has_a_verifier_to_confirm_the_revocation():
    rules, verifiers = load_catalog().by_id(), load_verifiers()
    for spec in CATALOG.providers.values():
        for rule_id in spec.only_rules:
            assert rules[rule_id].provider == spec.provider
            assert verifiers.spec_for(spec.provider, rule_id) is not None, rule_id


def test_spec_for_respects_rule_coverage():
    assert CATALOG.spec_for("github", "github-classic-pat") is not None
    assert CATALOG.spec_for("github", "github-oauth-token") is None  # the revocation API takes PATs only
    assert CATALOG.spec_for("huggingface", "huggingface-user-token") is None


BASE = {"base_url": "https://api.example.com", "console": "https://example.com/keys",
        "steps": [{"method": "DELETE", "path": "/keys/self", "headers": {"Authorization": "Bearer {secret}"},
                   "ok": [204]}]}


@pytest.mark.parametrize(("change", "message"), [
    ({"base_url": "http://api.example.com"}, "base_url must be an https URL"),
    ({"console": "example.com"}, "console must be an https URL"),
    ({"steps": []}, "needs steps or admin_steps"),
    ({"steps": [{**BASE["steps"][0], "method": "PATCH"}]}, "method must be one of"),
    ({"steps": [{**BASE["steps"][0], "ok": [404]}]}, "ok must be a non-empty list of 2xx"),
    ({"steps": [{**BASE["steps"][0], "path": "/keys/{key_id}"}]}, "unknown placeholder(s) key_id"),
    ({"steps": [{**BASE["steps"][0], "find": "hint"}]}, "collect and find need items"),
    ({"steps": [{**BASE["steps"][0], "sign": "aws-sigv4"}]}, "with region and service"),
    ({"admin_env": ["ADMIN_KEY"]}, "admin_steps and admin_env go together"),
    ({"admin_env": ["lower"], "admin_steps": BASE["steps"]}, "environment variable names"),
    ({"surprise": 1}, "unknown field(s) surprise"),
])
def test_invalid_specs_are_rejected(change, message):
    with pytest.raises(RevocationSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_revocations({"providers": {"example": {**BASE, **change}}})


def test_a_variable_captured_by_an_earlier_step_may_be_used_later():
    steps = [{"method": "GET", "path": "/keys", "ok": [200], "items": "data", "find": "hint",
              "capture": {"key_id": "id"}},
             {"method": "DELETE", "path": "/keys/{key_id}", "ok": [204]}]
    spec = parse_revocations({"providers": {"example": {**BASE, "steps": steps}}}).providers["example"]
    assert [s.capture for s in spec.steps] == [(("key_id", "id"),), ()]


@pytest.mark.parametrize(("hint", "matches"), [
    ("sk-proj-abc...wxyz", True),
    ("sk-proj-abc…wxyz", True),
    ("sk-proj-****wxyz", True),
    ("sk-proj-abd...wxyz", False),  # another head
    ("sk-proj-abc...wxyy", False),  # another tail
    ("sk...", False),  # too little shown to tell keys apart
    ("sk-pro", True),  # a bare head (npm lists the first characters)
    ("sk-p", False),  # a bare head too short
    ("", False),
])
def test_hints(hint, matches):
    assert matches_hint("sk-proj-abcdefghijklmnopqrstuvwxyz", hint) is matches


def test_render_quotes_values_in_paths_and_bodies_but_not_json():
    values = {"user": "octo+ci@x", "secret_json": '"a b"'}
    assert render("UserName={user}", values, quote_values=True) == "UserName=octo%2Bci%40x"
    assert render('{"credentials": [{secret_json}]}', values, quote_values=True) == '{"credentials": ["a b"]}'
    assert render("{unknown}", values) == "{unknown}"


@pytest.mark.parametrize(("body", "message"), [
    ('{"message": "Bad credentials"}', "Bad credentials"),
    ('{"ok": false, "error": "invalid_auth"}', "invalid_auth"),
    ('{"error": {"type": "authentication_error", "message": "invalid x-api-key"}}', "invalid x-api-key"),
    ("<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>",
     "AccessDenied: no"),
    ("not json", ""),
])
def test_provider_message(body, message):
    assert provider_message(body) == message
