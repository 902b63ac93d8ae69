"""Checks shared by the CI systems whose jobs receive credentials as variables (GitLab CI, CircleCI,
Azure Pipelines): literal credentials in variable definitions, static cloud key names, and the
secret names a job's scripts reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from secret_sprawl.detectors.posture.credentials import (
    CLOUD_KEY_NAMES,
    is_credential_name,
    is_secret_variable,
    looks_like_credential,
    variable_refs,
)
from secret_sprawl.detectors.posture.report import JobUse, Report
from secret_sprawl.detectors.posture.yamlnodes import Node, ScalarNode, locate, position, text


@dataclass(frozen=True, slots=True)
class Rules:
    """The rule ids one CI system reports these checks under."""

    literal: str
    cloud_keys: str


def check_definitions(report: Report, rules: Rules, definitions: Iterable[tuple[str, Node, Node]],
                      use: JobUse | None, *, federated: bool) -> set[str]:
    """Check (name, key node, value node) variable definitions; return the names the file defines.

    ``use`` is ``None`` for definitions outside any job (reported without a job name). The secrets
    their values reference are recorded by ``check_references``.
    """
    job = use.job if use else ""
    defined: set[str] = set()
    for name, key, value in definitions:
        written = text(value) or ""
        if name not in {ref for ref, _ in variable_refs(written)}:  # ``HF_TOKEN: $(HF_TOKEN)`` passes it on
            defined.add(name)
        if is_credential_name(name) and looks_like_credential(written):
            report.add(rules.literal, position(value), f"{name} holds a literal credential",
                       job=job, subject=name)
            if use is None:
                report.file_literal = True
            else:
                use.static_credentials = True
        if name in CLOUD_KEY_NAMES and not federated:
            report.add(rules.cloud_keys, position(key), f"static cloud credential {name} given to the job",
                       job=job, subject=name, key=rules.cloud_keys)
    return defined


def check_references(report: Report, rules: Rules, source: str, nodes: Iterable[Node], use: JobUse,
                     *, defined: set[str], federated: bool) -> None:
    """Record the secret variables scripts reference; a static cloud key name is a finding unless the
    job is federated. Variables the file defines itself are not secrets configured elsewhere."""
    for node in nodes:
        if not isinstance(node, ScalarNode):
            continue
        for name, _offset in variable_refs(node.value):
            if name in defined or not is_secret_variable(name):
                continue
            use.secrets.add(name)
            if name in CLOUD_KEY_NAMES and not federated:
                report.add(rules.cloud_keys, locate(node, source, name),
                           f"static cloud credential {name} used by the job", job=use.job, subject=name,
                           key=rules.cloud_keys)
