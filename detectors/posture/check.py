"""Entry point of the posture checks: recognise which CI system a file belongs to by its path, parse
it keeping line numbers, and hand it to that system's checks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from secret_sprawl.detectors.posture import azure_pipelines, circleci, github_actions, gitlab_ci
from secret_sprawl.detectors.posture.model import PostureResult
from secret_sprawl.detectors.posture.yamlnodes import MappingNode, Node, YamlError, parse

_Checker = Callable[[str, str, Node], PostureResult]
_CHECKERS: dict[str, _Checker] = {
    github_actions.SYSTEM: github_actions.check,
    gitlab_ci.SYSTEM: gitlab_ci.check,
    circleci.SYSTEM: circleci.check,
    azure_pipelines.SYSTEM: azure_pipelines.check,
}


def ci_system(path: str) -> str | None:
    """The CI system whose configuration ``path`` (relative, POSIX) is, else ``None``."""
    if not path[-5:].lower().endswith((".yml", "yaml")):
        return None  # most paths, decided before parsing any (a history meets tens of thousands)
    pure = PurePosixPath(path)
    name = pure.name.lower()
    if pure.suffix.lower() not in (".yml", ".yaml"):
        return None
    if pure.parent.parts[-2:] == (".github", "workflows"):
        return github_actions.SYSTEM
    if name.endswith("gitlab-ci.yml") or name.endswith("gitlab-ci.yaml"):
        return gitlab_ci.SYSTEM
    if pure.parent.name == ".circleci" and pure.stem == "config":
        return circleci.SYSTEM
    if "azure-pipelines" in name or pure.parent.name in (".azure-pipelines", ".azuredevops"):
        return azure_pipelines.SYSTEM
    return None


def check_ci_file(path: str, text: str) -> PostureResult:
    """Posture findings and workloads of one CI file; never raises (problems go to ``errors``)."""
    system = ci_system(path)
    if system is None:
        return PostureResult()
    try:
        root = parse(text)
    except YamlError as exc:
        return PostureResult(errors=[f"{path}: not valid YAML: {exc}"])
    if not isinstance(root, MappingNode):
        return PostureResult()
    return _CHECKERS[system](path, text, root)
