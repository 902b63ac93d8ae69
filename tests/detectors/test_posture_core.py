"""The building blocks of the posture checks: dispatch by path, YAML with line numbers, credential
heuristics, the Finding conversion (fingerprint stable across edits, fix carried for SARIF) and
shared-credential detection."""

from __future__ import annotations

from textwrap import dedent

import pytest
from secret_sprawl.detectors.posture import (
    PostureFinding,
    Workload,
    check_ci_file,
    ci_system,
    find_shared,
    posture_rules,
)
from secret_sprawl.detectors.posture.credentials import is_credential_name, is_pat_name, looks_like_credential
from secret_sprawl.detectors.posture.yamlnodes import get, locate, pairs, parse, position
from secret_sprawl.detectors.types import Provenance


@pytest.mark.parametrize(("path", "system"), [
    (".github/workflows/ci.yml", "github-actions"),
    ("services/api/.github/workflows/deploy.yaml", "github-actions"),
    (".gitlab-ci.yml", "gitlab-ci"),
    ("ci/templates/build.gitlab-ci.yml", "gitlab-ci"),
    (".circleci/config.yml", "circleci"),
    ("azure-pipelines.yml", "azure-pipelines"),
    (".azure-pipelines/release.yml", "azure-pipelines"),
    (".github/dependabot.yml", None),
    ("config.yml", None),
    (".github/workflows/README.md", None),
])
def test_ci_system_is_recognised_by_path(path, system):
    assert ci_system(path) == system


def test_unparsable_or_non_mapping_ci_files_give_an_error_or_nothing_never_raise():
    broken = check_ci_file(".gitlab-ci.yml", "build:\n  script: [make\n")
    assert broken.findings == [] and len(broken.errors) == 1 and "line" in broken.errors[0]
    assert check_ci_file(".gitlab-ci.yml", "- just\n- a list\n").errors == []
    assert check_ci_file(".gitlab-ci.yml", "").workloads == []
    assert check_ci_file("src/app.py", "token = 'x'").findings == []


def test_yaml_nodes_keep_lines_and_merge_keys():
    source = dedent("""\
        base: &base
          a: 1
        child:
          <<: *base
          b: |
            first
            second ${{ secrets.X }}
        """)
    root = parse(source)
    child = get(root, "child")
    assert [key for key, _k, _v in pairs(child)] == ["a", "b"]
    assert position(get(child, "a")) == (2, 6)
    assert locate(get(child, "b"), source, "secrets.X") == (7, 16)
    assert parse("") is None


@pytest.mark.parametrize(("name", "credential"), [
    ("OPENAI_API_KEY", True), ("db-password", True), ("GH_PAT", True), ("AWS_SECRET_ACCESS_KEY", True),
    ("CLIENT_SECRET", True), ("PATH", False), ("CACHE_KEY", False), ("MODEL_NAME", False),
])
def test_credential_names(name, credential):
    assert is_credential_name(name) is credential


def test_pat_names_are_whole_words():
    assert [is_pat_name(n) for n in ("GH_PAT", "PAT", "release-pat-token", "PATH", "COMPATIBLE")] == [
        True, True, True, False, False]


@pytest.mark.parametrize(("value", "credential"), [
    ("Zq81vBx0PlmW4kT7cYr2", True),
    ("sk-" + "a1" * 12, True),
    ("https://bot:Zq81vBx0PlmW4@registry.invalid/simple", True),
    ("${{ secrets.TOKEN }}", False),
    ("$HF_TOKEN", False),
    ("$(HfToken)", False),
    ("/run/secrets/token.txt", False),
    ("changeme-changeme-123", False),
    ("xxxxxxxxxxxxxxxxxxxx", False),
    ("short1A", False),
    ("true", False),
    ("a sentence with 2 words in it", False),
    ("https://api.invalid/v1/models", False),
])
def test_literal_credential_shapes(value, credential):
    assert looks_like_credential(value) is credential


def posture(line: int, **changes) -> PostureFinding:
    base = dict(rule_id="gha-static-aws-keys", severity="high", lifetime="long-lived",
                system="github-actions", path=".github/workflows/ci.yml", line=line, column=3, message="m",
                fix="use OIDC",
                workflow="ci", job="deploy", subject="aws-access-key-id", key="gha-static-aws-keys")
    return PostureFinding(**{**base, **changes})


def test_finding_conversion_carries_fix_message_and_context_and_a_line_independent_fingerprint():
    provenance = Provenance(target="/repos/app", path=".github/workflows/ci.yml", location_kind="ci-config")

    finding = posture(12).to_finding(provenance)

    assert (finding.rule_id, finding.category, finding.provider, finding.line) == (
        "gha-static-aws-keys", "ci", "github-actions", 12)
    assert finding.fix == "use OIDC" and finding.message == "m"
    assert finding.redacted == "aws-access-key-id" and finding.secret == ""
    assert dict(finding.context) == {"workflow": "ci", "job": "deploy"}
    assert finding.fingerprint == posture(40).to_finding(provenance).fingerprint
    assert finding.fingerprint != posture(12, job="other").to_finding(provenance).fingerprint
    elsewhere = Provenance(target="/repos/other", path=provenance.path)
    assert finding.fingerprint != posture(12).to_finding(elsewhere).fingerprint
    shared = posture(1, cross_repo=True)
    assert shared.to_finding(provenance).fingerprint == shared.to_finding(elsewhere).fingerprint


def test_every_posture_rule_is_complete():
    rules = posture_rules()
    assert len(rules) == 15
    for rule in rules.values():
        assert rule.name and rule.description and rule.fix and rule.references


def job(repo: str, name: str, *secrets: str) -> Workload:
    return Workload(file="ci.yml", workflow="ci", job=name, secrets=secrets, repo=repo)


def test_shared_secrets_by_repositories_and_by_job_count():
    workloads = [job("a", "test", "OPENAI_API_KEY", "ONLY_A_TOKEN"), job("b", "eval", "OPENAI_API_KEY")]
    workloads += [job("c", f"j{n}", "DEPLOY_TOKEN") for n in range(3)]

    assert [(s.name, s.repos) for s in find_shared(workloads)] == [("OPENAI_API_KEY", ("a", "b"))]
    assert [s.name for s in find_shared(workloads, jobs_threshold=2)] == ["DEPLOY_TOKEN", "OPENAI_API_KEY"]

    finding = find_shared(workloads)[0].finding()
    assert finding.rule_id == "shared-credential" and "a, b" in finding.message
    assert finding.fix == posture_rules()["shared-credential"].fix


@pytest.mark.parametrize(("secrets", "identities", "static", "federation"), [
    ((), (), False, "none"),
    (("HF_TOKEN",), (), False, "static-secret"),
    ((), (), True, "static-secret"),
    ((), ("arn:aws:iam::1:role/r",), False, "federated"),
    (("HF_TOKEN",), ("arn:aws:iam::1:role/r",), False, "mixed"),
])
def test_federation_status(secrets, identities, static, federation):
    workload = Workload(file="f", workflow="w", job="j", secrets=secrets, identities=identities,
                        static_credentials=static)
    assert workload.federation == federation


@pytest.mark.parametrize("template", [
    'jobs:\n  build:\n    env:\n      GROQ: "{key}\n',
    "env: {{GROQ: {key}\n",
    "a: b\n  GROQ: {key}: x\n",
])
def test_malformed_yaml_errors_never_quote_the_text(template: str) -> None:
    key = "gsk_" + "A1b2C3d4" * 6 + "Zz9y"  # synthetic
    result = check_ci_file(".github/workflows/ci.yml", template.format(key=key))
    assert len(result.errors) == 1 and "at line" in result.errors[0]
    assert key[:8] not in result.errors[0]  # PyYAML's own message quotes most of the line
