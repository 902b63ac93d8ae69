"""Azure Pipelines posture: literal credentials and static cloud keys in ``variables:`` and step
``env:``, secret variables scripts reference, and each job (or the implicit one) as a workload.

Service connections are not counted as identities: whether one is federated is configured in Azure
DevOps, not in the pipeline file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from secret_sprawl.detectors.posture.model import PostureResult
from secret_sprawl.detectors.posture.report import Report
from secret_sprawl.detectors.posture.variables import Rules, check_definitions, check_references
from secret_sprawl.detectors.posture.yamlnodes import MappingNode, Node, get, pairs, scalars, seq, text

SYSTEM = "azure-pipelines"
RULES = Rules(literal="azure-pipelines-literal-credential", cloud_keys="azure-pipelines-static-cloud-keys")
IMPLICIT_JOB = "job"  # Azure's name for the single job of a pipeline with top-level steps


def check(path: str, source: str, root: Node) -> PostureResult:
    """Check one Azure Pipelines file (already composed) and list its jobs as workloads."""
    report = Report(SYSTEM, path, text(get(root, "name")) or PurePosixPath(path).stem)
    global_vars = _variables(get(root, "variables"))
    global_defined = check_definitions(report, RULES, global_vars, None, federated=False)
    for name, job, stage_vars in _jobs(root):
        use = report.job(name)
        own_vars = _variables(get(job, "variables")) if job is not root else []  # root's are global
        definitions = [*stage_vars, *own_vars]
        definitions += [item for step in _steps(job) for item in pairs(get(step, "env"))]
        defined = global_defined | check_definitions(report, RULES, definitions, use, federated=False)
        values = [scalar for _n, _k, value in (*global_vars, *stage_vars) for scalar in scalars(value)]
        nodes = [*values, *scalars(job)]
        check_references(report, RULES, source, nodes, use, defined=defined, federated=False)
    return report.result()


def _jobs(root: Node) -> Iterator[tuple[str, Node, list[tuple[str, Node, Node]]]]:
    """(job name, job node, its stage's variables) for every job, or the implicit job."""
    if get(root, "steps") is not None:
        yield IMPLICIT_JOB, root, []
    for stage in seq(get(root, "stages")):
        stage_vars = _variables(get(stage, "variables"))
        stage_name = text(get(stage, "stage")) or ""
        for job in seq(get(stage, "jobs")):
            yield f"{stage_name}.{_job_name(job)}" if stage_name else _job_name(job), job, stage_vars
    for job in seq(get(root, "jobs")):
        yield _job_name(job), job, []


def _job_name(job: Node) -> str:
    return text(get(job, "job")) or text(get(job, "deployment")) or text(get(job, "template")) or IMPLICIT_JOB


def _steps(node: Node) -> Iterator[Node]:
    """Every step of a job, including those of deployment strategies (``strategy.runOnce.deploy``)."""
    for key, _k, value in pairs(node):
        if key == "steps":
            yield from seq(value)
        elif isinstance(value, MappingNode):
            yield from _steps(value)


def _variables(node: Node | None) -> list[tuple[str, Node, Node]]:
    """Variables in either form: a ``name: value`` mapping or a list of ``- name: x / value: y``."""
    if isinstance(node, MappingNode):
        return [item for item in pairs(node) if item[2] is not None]
    found = []
    for item in seq(node):
        name, value = get(item, "name"), get(item, "value")
        if text(name) and value is not None:
            found.append((text(name) or "", name, value))
    return found
