"""GitHub Actions posture: static cloud keys where OIDC belongs, PATs where GITHUB_TOKEN serves,
literal credentials, secrets exposed to untrusted code or logs, and each job as a workload.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from secret_sprawl.detectors.posture.credentials import (
    AWS_KEY_NAMES,
    AZURE_KEY_NAMES,
    GCP_KEY_NAMES,
    github_secret_refs,
    is_credential_name,
    is_pat_name,
    looks_like_credential,
    variable_refs,
)
from secret_sprawl.detectors.posture.model import PostureResult
from secret_sprawl.detectors.posture.report import JobUse, Report
from secret_sprawl.detectors.posture.yamlnodes import (
    Node,
    get,
    locate,
    pairs,
    position,
    scalars,
    seq,
    source_lines,
    text,
)

SYSTEM = "github-actions"
GITHUB_TOKEN = "GITHUB_TOKEN"

_PINNED = re.compile(r"^[0-9a-f]{40}$")
_FIRST_PARTY_OWNERS = frozenset({"actions", "github"})
_PRIVILEGED_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})
_PR_HEAD = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref"
    r"|github\.event\.workflow_run\.head_(?:sha|branch)|refs/pull/"
)
_PRINT = re.compile(r"^\s*(?:echo|printf|print|Write-Host|Write-Output)\b", re.IGNORECASE)
_SEGMENT = re.compile(r"&&|\|\||;")
_GIT_REMOTE = re.compile(r"\bgit\s+(?:push|clone|remote|fetch)\b|x-access-token|\bgh\s+")
# Inputs that name an identity to assume: secret references there are identifiers, not credentials.
_IDENTITY_INPUTS = frozenset(
    {"role-to-assume", "workload_identity_provider", "service_account", "client-id", "tenant-id",
     "subscription-id"}
)
_CLOUD_ENV_RULES = (
    (AWS_KEY_NAMES, "gha-static-aws-keys"),
    (GCP_KEY_NAMES, "gha-gcp-credentials-json"),
    (AZURE_KEY_NAMES, "gha-azure-creds-secret"),
)


def check(path: str, source: str, root: Node) -> PostureResult:
    """Check one workflow file (already composed) and list its jobs as workloads."""
    workflow = text(get(root, "name")) or PurePosixPath(path).stem
    return _Workflow(Report(SYSTEM, path, workflow), source, root).run()


def _triggers(node: Node | None) -> set[str]:
    if text(node) is not None:
        return {text(node) or ""}
    if seq(node):
        return {text(item) or "" for item in seq(node)}
    return {key for key, _key_node, _value in pairs(node)}


def _action(uses: str) -> tuple[str, str]:
    """(lowercased ``owner/repo[/path]``, ref) of a ``uses:`` value."""
    name, _, ref = uses.partition("@")
    return name.strip().lower(), ref.strip()


def _third_party_unpinned(uses: str) -> bool:
    name, ref = _action(uses)
    if name.startswith(("./", "docker://")):
        return False
    return name.split("/")[0] not in _FIRST_PARTY_OWNERS and not _PINNED.match(ref)


class _Workflow:
    def __init__(self, report: Report, source: str, root: Node) -> None:
        self.report = report
        self.source = source
        self.root = root
        self.privileged = bool(_triggers(get(root, "on")) & _PRIVILEGED_TRIGGERS)
        self.workflow_secrets: dict[str, list[str]] = {}

    def run(self) -> PostureResult:
        workflow_env = get(self.root, "env")
        self.workflow_secrets = self._env(workflow_env, None)
        for job_id, _key, job in pairs(get(self.root, "jobs")):
            self._job(job_id, job, workflow_env)
        return self.report.result()

    def _job(self, job_id: str, job: Node, workflow_env: Node | None) -> None:
        use = self.report.job(job_id)
        identity_values = {
            id(value) for step in seq(get(job, "steps")) for key, _k, value in pairs(get(step, "with"))
            if key in _IDENTITY_INPUTS
        }
        has_secrets = get(job, "secrets") is not None
        for node in (*scalars(workflow_env), *scalars(job)):
            for name in github_secret_refs(node.value):
                has_secrets = True
                if name == GITHUB_TOKEN or id(node) in identity_values:
                    continue
                use.secrets.add(name)
                if is_pat_name(name):
                    self._pat(locate(node, self.source, name), use, name, "is a personal access token")
        job_secrets = self._env(get(job, "env"), use)
        self._registry_credentials(job, use)
        uses = text(get(job, "uses"))
        if uses and get(job, "secrets") is not None and _third_party_unpinned(uses):
            self._unpinned(get(job, "uses"), use, uses)
        for step in seq(get(job, "steps")):
            step_secrets = self._env(get(step, "env"), use)
            env_secrets = {**self.workflow_secrets, **job_secrets, **step_secrets}
            if text(get(step, "uses")):
                self._step_action(step, use, has_secrets)
            if text(get(step, "run")) is not None:
                self._script(get(step, "run"), use, env_secrets)

    def _env(self, env: Node | None, use: JobUse | None) -> dict[str, list[str]]:
        """Check an ``env:`` mapping; return variable -> secret names it is set from (``use`` is
        ``None`` at workflow level: findings name no job, a literal credential reaches every job)."""
        job = use.job if use else ""
        from_secrets: dict[str, list[str]] = {}
        for name, _key, value in pairs(env):
            written = text(value) or ""
            if is_credential_name(name) and looks_like_credential(written):
                if use is None:
                    self.report.file_literal = True
                else:
                    use.static_credentials = True
                self._literal(value, job, name)
            secrets = list(github_secret_refs(written))
            if not secrets:
                continue
            from_secrets[name] = secrets
            for names, rule_id in _CLOUD_ENV_RULES:
                if name in names:
                    self.report.add(rule_id, position(value), f"static cloud credential {name} set from "
                                    f"secrets.{secrets[0]}", job=job, subject=name, key=rule_id)
            if name in ("GH_TOKEN", GITHUB_TOKEN):
                for secret in secrets:
                    if secret != GITHUB_TOKEN:
                        where = locate(value, self.source, secret)
                        self._pat(where, use, secret, f"is given to gh/git as {name}")
        return from_secrets

    def _registry_credentials(self, job: Node, use: JobUse) -> None:
        """``container:`` and ``services:`` image registry credentials written literally."""
        images = [get(job, "container"), *(service for _n, _k, service in pairs(get(job, "services")))]
        for image in images:
            for name, _key, value in pairs(get(image, "credentials")):
                if is_credential_name(name) and looks_like_credential(text(value) or ""):
                    use.static_credentials = True
                    self._literal(value, use.job, name)

    def _literal(self, value: Node, job: str, name: str) -> None:
        self.report.add("gha-literal-credential", position(value),
                        f"{name} holds a literal credential", job=job, subject=name)

    def _pat(self, where: tuple[int, int], use: JobUse | None, secret: str, why: str) -> None:
        self.report.add("gha-pat-instead-of-github-token", where,
                        f"secrets.{secret} {why}; GITHUB_TOKEN or a GitHub App token would serve",
                        job=use.job if use else "", subject=secret)

    def _unpinned(self, uses_node: Node, use: JobUse, uses: str) -> None:
        name, ref = _action(uses)
        self.report.add("gha-unpinned-action-with-secrets", position(uses_node),
                        f"{name} receives secrets but is referenced by {ref or 'no ref'}, not a commit SHA",
                        job=use.job, subject=uses, key=name)

    def _step_action(self, step: Node, use: JobUse, has_secrets: bool) -> None:
        uses_node = get(step, "uses")
        name, _ref = _action(text(uses_node) or "")
        inputs = {key: value for key, _k, value in pairs(get(step, "with"))}
        for key, value in inputs.items():
            if is_credential_name(key) and looks_like_credential(text(value) or ""):
                use.static_credentials = True
                self._literal(value, use.job, key)
        if name == "aws-actions/configure-aws-credentials":
            self._cloud_login(use, inputs, "gha-static-aws-keys",
                              ("aws-access-key-id", "aws-secret-access-key"), ("role-to-assume", ""))
        elif name == "google-github-actions/auth":
            self._cloud_login(use, inputs, "gha-gcp-credentials-json", ("credentials_json",),
                              ("workload_identity_provider", ""))
        elif name == "azure/login":
            self._cloud_login(use, inputs, "gha-azure-creds-secret", ("creds",),
                              ("client-id", "azure-client-id:"))
        elif name == "actions/checkout":
            self._checkout(use, inputs, has_secrets)
        step_values = [*scalars(get(step, "with")), *scalars(get(step, "env"))]
        gets_secrets = any(list(github_secret_refs(node.value)) for node in step_values)
        if gets_secrets and _third_party_unpinned(uses_node.value):
            self._unpinned(uses_node, use, uses_node.value)

    def _cloud_login(self, use: JobUse, inputs: dict[str, Node], rule_id: str, static_inputs: tuple[str, ...],
                     identity: tuple[str, str]) -> None:
        static = [key for key in static_inputs if key in inputs]
        if static:
            self.report.add(rule_id, position(inputs[static[0]]),
                            f"long-lived credential passed as {static[0]} instead of OIDC federation",
                            job=use.job, subject=static[0], key=rule_id)
        identity_input, prefix = identity
        if identity_input in inputs and not static:
            use.identities.add(prefix + (text(inputs[identity_input]) or ""))

    def _checkout(self, use: JobUse, inputs: dict[str, Node], has_secrets: bool) -> None:
        token = inputs.get("token")
        for secret in github_secret_refs(text(token) or ""):
            if secret != GITHUB_TOKEN:
                self._pat(locate(token, self.source, secret), use, secret, "is given to actions/checkout")
        ref = inputs.get("ref")
        if self.privileged and has_secrets and ref is not None and _PR_HEAD.search(text(ref) or ""):
            self.report.add("gha-pull-request-target-secrets", position(ref),
                            "privileged workflow checks out the pull request head in a job with secrets",
                            job=use.job, subject="pull request head checkout", key="checkout")

    def _script(self, run: Node, use: JobUse, env_secrets: dict[str, list[str]]) -> None:
        for line, offset, raw in source_lines(run, self.source):
            direct = [s for s in github_secret_refs(raw) if s != GITHUB_TOKEN]
            via_env = [s for var, _ in variable_refs(raw) for s in env_secrets.get(var, ())
                       if s != GITHUB_TOKEN]
            if _GIT_REMOTE.search(raw):
                indent = len(raw) - len(raw.lstrip())
                for secret in direct + via_env:
                    self._pat((line, offset + indent + 1), use, secret, "is used as a git/gh credential")
            cursor = 0
            for segment in _SEGMENT.split(raw):
                start = raw.index(segment, cursor)
                cursor = start + len(segment)
                if not _PRINT.match(segment) or "::add-mask::" in segment or "|" in segment or ">" in segment:
                    continue
                printed = list(github_secret_refs(segment)) + [
                    s for var, _ in variable_refs(segment) for s in env_secrets.get(var, ())
                ]
                for secret in printed:
                    column = offset + start + len(segment) - len(segment.lstrip()) + 1
                    self.report.add("gha-secret-echoed", (line, column),
                                    f"secrets.{secret} is printed to the log", job=use.job, subject=secret)

