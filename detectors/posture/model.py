"""What a posture check returns: findings about how a CI file handles credentials, and the workloads
(CI jobs) it defines with the secret names and cloud identities each one uses.

A ``PostureFinding`` never holds a secret value: its ``subject`` is a secret *name* or a short
description, which is also what ``to_finding`` uses as the redacted text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from secret_sprawl.detectors.types import Federation, Finding, Provenance


@dataclass(frozen=True, slots=True)
class PostureFinding:
    """One posture problem at a place in a CI file (or, for ``shared-credential``, across files)."""

    rule_id: str
    severity: str
    lifetime: str
    system: str  # github-actions | gitlab-ci | circleci | azure-pipelines | ci
    path: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    fix: str
    workflow: str = ""
    job: str = ""
    subject: str = ""  # secret name or short description; never a value
    key: str = ""  # what identifies this problem apart from its line (tracks it across edits)
    cross_repo: bool = False  # about many repositories (shared-credential): not tied to this place

    def fingerprint(self, target: str) -> str:
        """Stable across scans: rule, target, file, job and the line-independent key (for a
        cross-repository finding, rule and key only)."""
        place = ("", "", "") if self.cross_repo else (target, self.path, self.job)
        parts = (self.rule_id, *place, self.key or self.subject)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

    def to_finding(self, provenance: Provenance) -> Finding:
        """The scanner's ``Finding`` for this problem, placed at ``provenance``."""
        return Finding(
            rule_id=self.rule_id,
            provider=self.system,
            category="ci",
            lifetime=self.lifetime,
            severity=self.severity,
            fingerprint=self.fingerprint(provenance.target),
            redacted=self.subject,
            provenance=provenance,
            line=self.line,
            column=self.column,
            context=tuple((k, v) for k, v in (("workflow", self.workflow), ("job", self.job)) if v),
            message=self.message,
            fix=self.fix,
        )


@dataclass(frozen=True, slots=True)
class Workload:
    """One CI job: where it is defined, which secret names it reads, which identities it assumes."""

    file: str
    workflow: str
    job: str
    secrets: tuple[str, ...] = ()  # sorted, unique
    identities: tuple[str, ...] = ()  # sorted, unique: role ARNs, GCP providers, Azure client ids
    static_credentials: bool = False  # literal credentials written in the file itself
    repo: str = ""  # filled in by the scanner

    @property
    def federation(self) -> Federation:
        static = bool(self.secrets) or self.static_credentials
        if self.identities:
            return Federation.MIXED if static else Federation.FEDERATED
        return Federation.STATIC_SECRET if static else Federation.NONE

    def in_repo(self, repo: str) -> Workload:
        return replace(self, repo=repo)


@dataclass(slots=True)
class PostureResult:
    """Everything one CI file yielded; ``errors`` explains a file that could not be read."""

    findings: list[PostureFinding] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
