"""Map a path to its location kind and the parser that reads it (None: scan the text as is).

Kinds: env-file, ci-config, agent-config, notebook, iac, config, source. A parser may override the
kind from the content (a YAML file that is a Kubernetes Secret manifest is ``iac``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from secret_sprawl.detectors.posture.check import ci_system
from secret_sprawl.scanner.structured import agent_config, ci_config, compose, envfile, kubernetes, notebook
from secret_sprawl.scanner.structured.segments import Parsed

Parser = Callable[[str], Parsed]


@dataclass(frozen=True, slots=True)
class Kind:
    location_kind: str
    parser: Parser | None = None


_YAML = (".yml", ".yaml")
_AGENT_CONFIGS = frozenset({"mcp.json", ".mcp.json", "claude_desktop_config.json"})
_CONFIG_FILES = frozenset({".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".dockercfg"})


def classify(path: str) -> Kind:
    """The kind of place ``path`` (relative, POSIX separators) is."""
    pure = PurePosixPath(path)
    name = pure.name
    parent = pure.parent.as_posix()
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return Kind("env-file", envfile.parse)
    if lower.endswith(_YAML) and (lower.startswith(("docker-compose", "compose."))):
        return Kind("env-file", compose.parse)
    if ci_system(path) is not None or name == "bitbucket-pipelines.yml":  # the one CI-file classifier
        return Kind("ci-config", ci_config.parse_yaml)
    if name == "Jenkinsfile":
        return Kind("ci-config", ci_config.parse_jenkinsfile)
    if name in _AGENT_CONFIGS:
        return Kind("agent-config", agent_config.parse)
    if lower.endswith(".ipynb"):
        return Kind("notebook", notebook.parse)
    if lower.endswith((".tfvars", ".tfvars.json")):
        return Kind("iac")
    if name in _CONFIG_FILES or name == "credentials" or (name == "config" and _under(parent, ".aws")):
        return Kind("config")
    if lower.endswith(_YAML):
        return Kind("source", kubernetes.parse)
    return Kind("source")


def _under(parent: str, folder: str) -> bool:
    return parent == folder or parent.endswith("/" + folder)
