"""GitLab CI posture: literal credentials in ``variables:``, static cloud keys in jobs without
``id_tokens:``, and each job (after ``extends:``) as a workload with its secret variables.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from secret_sprawl.detectors.posture.model import PostureResult
from secret_sprawl.detectors.posture.report import Report
from secret_sprawl.detectors.posture.variables import Rules, check_definitions, check_references
from secret_sprawl.detectors.posture.yamlnodes import MappingNode, Node, get, pairs, scalars, seq, text

SYSTEM = "gitlab-ci"
RULES = Rules(literal="gitlab-literal-variable", cloud_keys="gitlab-static-cloud-keys")

_GLOBAL_KEYWORDS = frozenset({
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
    "before_script", "after_script", "types", "spec",
})
_SCRIPTS = ("before_script", "script", "after_script")
_MAX_EXTENDS = 10


def check(path: str, source: str, root: Node) -> PostureResult:
    """Check one ``.gitlab-ci.yml`` (already composed) and list its jobs as workloads."""
    report = Report(SYSTEM, path, PurePosixPath(path).name)
    definitions = {key: value for key, _k, value in pairs(root) if isinstance(value, MappingNode)}
    jobs = {name: _chain(name, definitions) for name in definitions
            if name not in _GLOBAL_KEYWORDS and not name.startswith(".")}
    default = get(root, "default")
    global_vars = _variables(get(root, "variables"))
    everywhere_federated = bool(jobs) and all(
        _lookup(chain, "id_tokens") is not None for chain in jobs.values()
    )
    global_defined = check_definitions(report, RULES, global_vars, None, federated=everywhere_federated)
    for name, chain in jobs.items():
        use = report.job(name)
        id_tokens = _lookup(chain, "id_tokens")
        federated = id_tokens is not None
        job_vars = [item for node in chain for item in _variables(get(node, "variables"))]
        defined = global_defined | check_definitions(report, RULES, job_vars, use, federated=federated)
        defined |= {token for token, _k, _v in pairs(id_tokens)}
        scripts = [_lookup(chain, key) or get(default, key) for key in _SCRIPTS]
        values = [value for _name, _key, value in (*global_vars, *job_vars)]
        nodes = [*(s for node in (*scripts, *values) for s in scalars(node))]
        check_references(report, RULES, source, nodes, use, defined=defined, federated=federated)
        use.secrets.update(key for node in chain for key, _k, _v in pairs(get(node, "secrets")))
        for token, _k, spec in pairs(id_tokens):
            audiences = [text(a) for a in seq(get(spec, "aud"))] or [text(get(spec, "aud"))]
            use.identities.update(f"gitlab-oidc:{token}:{aud}" for aud in audiences if aud)
        if federated:
            use.identities.update(text(value) or "" for _n, _k, value in (*global_vars, *job_vars)
                                  if (text(value) or "").startswith("arn:aws:iam::"))
    return report.result()


def _chain(name: str, definitions: dict[str, Node]) -> list[Node]:
    """The job's mapping preceded by what it ``extends:`` (templates first, the job itself last)."""
    chain: list[Node] = []
    pending = [name]
    while pending and len(chain) < _MAX_EXTENDS:
        node = definitions.get(pending.pop())
        if node is None:
            continue
        chain.insert(0, node)
        extends = get(node, "extends")
        parents = [text(item) for item in seq(extends)] if seq(extends) else [text(extends)]
        pending.extend(parent for parent in parents if parent)
    return chain


def _lookup(chain: list[Node], key: str) -> Node | None:
    """A key's value as the job sees it: the last definition in the ``extends:`` chain."""
    found = None
    for node in chain:
        found = get(node, key) if get(node, key) is not None else found
    return found


def _variables(node: Node | None) -> list[tuple[str, Node, Node]]:
    """(name, key node, value node) of a ``variables:`` mapping; ``{value: ...}`` forms unwrapped."""
    unwrapped = [(name, key, get(value, "value") if isinstance(value, MappingNode) else value)
                 for name, key, value in pairs(node)]
    return [(name, key, value) for name, key, value in unwrapped if value is not None]
