"""CircleCI posture: literal credentials in ``environment:`` and image ``auth:``, static cloud keys
(in environment, commands or orb parameters) in jobs, and each job as a workload.
"""

from __future__ import annotations

import re

from secret_sprawl.detectors.posture.model import PostureResult
from secret_sprawl.detectors.posture.report import JobUse, Report
from secret_sprawl.detectors.posture.variables import Rules, check_definitions, check_references
from secret_sprawl.detectors.posture.yamlnodes import (
    MappingNode,
    Node,
    get,
    pairs,
    position,
    scalars,
    seq,
    text,
)

SYSTEM = "circleci"
RULES = Rules(literal="circleci-literal-credential", cloud_keys="circleci-static-cloud-keys")

# Orb parameters that take static keys, and those that name a role assumed with CircleCI's OIDC token.
_STATIC_PARAMETERS = frozenset({"aws_access_key_id", "aws_secret_access_key", "gcloud_service_key"})
_IDENTITY_PARAMETERS = frozenset({"role_arn", "workload_identity_provider", "gcp_cred_config_file_path"})
# Orb key parameters name the environment variable holding the key (its value is never written here).
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def check(path: str, source: str, root: Node) -> PostureResult:
    """Check one ``.circleci/config.yml`` (already composed) and list its jobs as workloads."""
    report = Report(SYSTEM, path, _workflow_names(root))
    contexts = _contexts(root)
    for name, _key, job in pairs(get(root, "jobs")):
        use = report.job(name)
        use.secrets.update(f"context:{context}" for context in contexts.get(name, ()))
        steps = seq(get(job, "steps"))
        definitions = [*pairs(get(job, "environment"))]
        definitions += [item for image in seq(get(job, "docker")) for item in pairs(get(image, "auth"))]
        definitions += [item for step in steps for item in pairs(get(get(step, "run"), "environment"))]
        federated = any(_orb_parameters(step, use, report) for step in steps)
        defined = check_definitions(report, RULES, definitions, use, federated=federated)
        check_references(report, RULES, source, scalars(job), use, defined=defined, federated=federated)
    return report.result()


def _orb_parameters(step: Node, use: JobUse, report: Report) -> bool:
    """Check an orb command's parameters; return whether it assumes an identity through OIDC."""
    federated = False
    for command, _key, parameters in pairs(step):
        if "/" not in command or not isinstance(parameters, MappingNode):
            continue
        for name, key, value in pairs(parameters):
            if name in _STATIC_PARAMETERS:
                report.add(RULES.cloud_keys, position(key), f"{command} is given static cloud keys ({name})",
                           job=use.job, subject=name, key=RULES.cloud_keys)
                if _ENV_NAME.fullmatch(text(value) or ""):
                    use.secrets.add(text(value) or "")
            elif name in _IDENTITY_PARAMETERS and text(value):
                use.identities.add(text(value) or "")
                federated = True
    return federated


def _contexts(root: Node) -> dict[str, set[str]]:
    """Job name -> the contexts (named groups of secrets) workflows give it."""
    found: dict[str, set[str]] = {}
    for _workflow, _key, workflow in pairs(get(root, "workflows")):
        for entry in seq(get(workflow, "jobs")):
            for job, _k, options in pairs(entry):
                context = get(options, "context")
                names = [text(item) for item in seq(context)] if seq(context) else [text(context)]
                found.setdefault(job, set()).update(name for name in names if name)
    return found


def _workflow_names(root: Node) -> str:
    names = [name for name, _key, value in pairs(get(root, "workflows")) if isinstance(value, MappingNode)]
    return ", ".join(names) or "config"
