"""The identities file: the built-in one loads and every provider in it can be verified; broken specs
are refused with a message that names the table."""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.identity import IdentitySpecError, load_identities, parse_identities
from secret_sprawl.detectors.verification import load_verifiers

VERIFIERS = load_verifiers()


def test_the_builtin_file_loads_with_at_least_ten_providers():
    catalog = load_identities(VERIFIERS)
    assert len(catalog.providers) >= 10
    assert catalog.spec_for("anthropic", "anthropic-api-key") is None  # only admin keys say who they are
    assert catalog.spec_for("anthropic", "anthropic-admin-key") is not None
    aws = catalog.providers["aws"]
    assert [c.name for c in aws.calls] == ["sts", "policies"] and aws.calls[1].needs == ("user",)
    assert aws.variables[0].pattern.search("arn:aws:iam::1:user/ops/deployer").group(1) == "deployer"
    assert aws.variables[0].pattern.search("arn:aws:sts::1:assumed-role/r/s") is None


def good(**changes) -> dict:
    table = {"calls": [{"name": "me", "path": "/me"}], "principal": ["me.body.login"]}
    return {"providers": {"github": {**table, **changes}}}


@pytest.mark.parametrize(("doc", "message"), [
    ({"providers": {"nosuch": good()["providers"]["github"]}}, "no verification spec"),
    ({"other": {}}, "only a [providers] table"),
    (good(calls=[]), "calls must be a non-empty list"),
    (good(calls=[{"name": "me", "path": "me"}]), "path must start with /"),
    (good(calls=[{"name": "me", "path": "/me", "method": "DELETE"}]), "read-only calls only"),
    (good(calls=[{"name": "me", "path": "/me", "base_url": "http://evil.test"}]), "https URL"),
    (good(calls=[{"name": "me", "path": "/me", "optional": True}]), "first call"),
    (good(calls=[{"name": "me", "path": "/me"}, {"name": "me", "path": "/x"}]), "unique"),
    (good(calls=[{"name": "me", "path": "/me"}, {"name": "u", "path": "/u/{user}"}]), "needs"),
    (good(principal=["other.body.login"]), "of a call"),
    (good(principal=["me.status.x"]), "CALL.body.PATH"),
    (good(scopes=["me.header.a.b"]), "names one header"),
    (good(vars={"u": {"from": "me.body.x", "pattern": "("}}), "not a regular expression"),
    (good(vars={"u": {"from": "me.body.x", "pattern": "a"}}), "exactly one group"),
    (good(never_expires_when="sometimes"), "never_expires_when"),
    (good(surprise=1), "unknown field"),
    (good(admin=[1]), "list of strings"),
])
def test_broken_specs_are_refused(doc, message):
    with pytest.raises(IdentitySpecError) as error:
        parse_identities(doc, VERIFIERS, source="ids.toml")
    assert message in str(error.value) and "ids.toml" in str(error.value)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "ids.toml"
    path.write_text("[providers\n")
    with pytest.raises(IdentitySpecError, match="not valid TOML"):
        load_identities(VERIFIERS, path)
