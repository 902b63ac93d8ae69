"""Collecting one file's findings and workloads: rule metadata comes from ``rules.toml``, each problem
is reported once per (rule, job, key), and each job's secret names and identities are accumulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secret_sprawl.detectors.posture.model import PostureFinding, PostureResult, Workload
from secret_sprawl.detectors.posture.rules import posture_rules


@dataclass(slots=True)
class JobUse:
    """What one job was seen using while its definition was walked."""

    job: str
    secrets: set[str] = field(default_factory=set)
    identities: set[str] = field(default_factory=set)
    static_credentials: bool = False


@dataclass(slots=True)
class Report:
    system: str
    path: str
    workflow: str = ""
    # A literal credential outside any job (workflow-level env, global variables) reaches every job.
    file_literal: bool = False
    _findings: dict[tuple[str, str, str], PostureFinding] = field(default_factory=dict)
    _jobs: dict[str, JobUse] = field(default_factory=dict)

    def add(self, rule_id: str, where: tuple[int, int], message: str, *, job: str = "", subject: str,
            key: str = "") -> None:
        """Report ``rule_id`` at ``where`` (line, column); the first report of a (rule, job, key) wins."""
        rule = posture_rules()[rule_id]
        identity = (rule_id, job, key or subject)
        if identity in self._findings:
            return
        self._findings[identity] = PostureFinding(
            rule_id=rule_id, severity=rule.severity, lifetime=rule.lifetime, system=self.system,
            path=self.path, line=where[0], column=where[1], message=message, fix=rule.fix,
            workflow=self.workflow, job=job, subject=subject, key=key or subject,
        )

    def job(self, name: str) -> JobUse:
        return self._jobs.setdefault(name, JobUse(name))

    def result(self) -> PostureResult:
        findings = sorted(self._findings.values(), key=lambda f: (f.line, f.column, f.rule_id))
        workloads = [
            Workload(file=self.path, workflow=self.workflow, job=use.job, secrets=tuple(sorted(use.secrets)),
                     identities=tuple(sorted(use.identities)),
                     static_credentials=use.static_credentials or self.file_literal)
            for use in self._jobs.values()
        ]
        return PostureResult(findings=findings, workloads=workloads)
