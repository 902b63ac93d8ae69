"""Reading CI configurations for the secret scan (GitHub Actions, GitLab CI, CircleCI, Azure Pipelines,
Bitbucket, Jenkins): a YAML pipeline must parse as a mapping; a Jenkinsfile is Groovy, scanned as is.

Which files are CI files is ``detectors.posture.check.ci_system`` (see ``classify``); the CI posture
checks themselves live in ``detectors/posture/``.
"""

from __future__ import annotations

from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, whole
from secret_sprawl.scanner.structured.yamlload import load_all


def parse_yaml(text: str) -> Parsed:
    documents = [doc for doc in load_all(text) if doc is not None]
    if documents and not all(isinstance(doc, dict) for doc in documents):
        raise MalformedError("not a CI pipeline: the top level is not a mapping")
    return whole(text)


def parse_jenkinsfile(text: str) -> Parsed:
    return whole(text)
