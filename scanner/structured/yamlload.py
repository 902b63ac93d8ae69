"""Load YAML safely with libyaml when present, turning every YAML error into MalformedError."""

from __future__ import annotations

from typing import Any

import yaml

from scanner.structured.segments import MalformedError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_all(text: str) -> list[Any]:
    try:
        return list(yaml.load_all(text, Loader=Loader))
    except yaml.YAMLError as exc:
        raise MalformedError(f"not valid YAML: {_brief(exc)}") from exc


def compose_all(text: str) -> list[yaml.Node]:
    try:
        return [node for node in yaml.compose_all(text, Loader=Loader) if node is not None]
    except yaml.YAMLError as exc:
        raise MalformedError(f"not valid YAML: {_brief(exc)}") from exc


def _brief(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} at line {mark.line + 1}" if mark is not None else problem
