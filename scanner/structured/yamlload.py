"""Load YAML safely with libyaml when present, turning every YAML error into MalformedError."""

from __future__ import annotations

from typing import Any

import yaml
from secret_sprawl.detectors.posture.yamlnodes import problem
from secret_sprawl.scanner.structured.segments import MalformedError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_all(text: str) -> list[Any]:
    try:
        return list(yaml.load_all(text, Loader=Loader))
    except yaml.YAMLError as exc:
        raise MalformedError(f"not valid YAML: {problem(exc)}") from exc


def compose_all(text: str) -> list[yaml.Node]:
    try:
        return [node for node in yaml.compose_all(text, Loader=Loader) if node is not None]
    except yaml.YAMLError as exc:
        raise MalformedError(f"not valid YAML: {problem(exc)}") from exc

