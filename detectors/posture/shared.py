"""Shared credentials across workloads: a secret name used by jobs in more than one repository, or
by more jobs than a threshold, cannot be revoked for one task and does not tell workloads apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from secret_sprawl.detectors.posture.model import PostureFinding, Workload
from secret_sprawl.detectors.posture.rules import posture_rules

DEFAULT_SHARED_JOBS_THRESHOLD = 5
RULE_ID = "shared-credential"


@dataclass(frozen=True, slots=True)
class SharedSecret:
    """A secret name and the workloads (sorted by repo, file, job) that use it."""

    name: str
    workloads: tuple[Workload, ...]

    @property
    def repos(self) -> tuple[str, ...]:
        return tuple(sorted({workload.repo for workload in self.workloads}))

    def finding(self) -> PostureFinding:
        """The ``shared-credential`` finding, placed in the first workload's file (``workloads[0]``).

        Its fingerprint depends on the secret name only, so it stays the same finding as
        repositories start or stop using the secret.
        """
        rule = posture_rules()[RULE_ID]
        return PostureFinding(
            rule_id=RULE_ID, severity=rule.severity, lifetime=rule.lifetime, system="ci",
            path=self.workloads[0].file, line=1, column=1, fix=rule.fix, subject=self.name, key=self.name,
            cross_repo=True,
            message=(f"{self.name} is used by {len(self.workloads)} CI jobs in {len(self.repos)} "
                     f"repositories: {', '.join(self.repos)}"),
        )


def is_shared(repos: int, jobs: int, jobs_threshold: int) -> bool:
    """The definition of sharing: more than one repository, or more than ``jobs_threshold`` jobs."""
    return repos > 1 or jobs > jobs_threshold


def find_shared(workloads: Iterable[Workload], *,
                jobs_threshold: int = DEFAULT_SHARED_JOBS_THRESHOLD) -> list[SharedSecret]:
    """Every shared secret name among ``workloads`` (which carry their ``repo``), sorted by name."""
    users: dict[str, set[Workload]] = defaultdict(set)
    for workload in workloads:
        for name in workload.secrets:
            users[name].add(workload)
    shared = []
    for name, using in sorted(users.items()):
        if is_shared(len({w.repo for w in using}), len(using), jobs_threshold):
            ordered = tuple(sorted(using, key=lambda w: (w.repo, w.file, w.workflow, w.job)))
            shared.append(SharedSecret(name=name, workloads=ordered))
    return shared
