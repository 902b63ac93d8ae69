"""Glue between a scanned target's CI files, the posture checks and the tracker's inventory.

The scanner calls, per target: ``ci_files_in_tree`` (a directory or work tree) or
``ci_files_at_head`` (a git repository, bare or not) to read the CI files and ``scan_ci_files`` to
get posture ``Finding``s and the target's workloads (the tracker's Recorder stores those with the
target). After all targets, ``shared_credential_findings`` over every target's workloads gives the
cross-repository findings.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from secret_sprawl.detectors.posture import (
    DEFAULT_SHARED_JOBS_THRESHOLD,
    Workload,
    check_ci_file,
    ci_system,
    find_shared,
)
from secret_sprawl.detectors.types import Finding, Provenance, ScanError
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, records, stream

if TYPE_CHECKING:  # gitpython and pydantic are not needed to check the CI files of a directory
    from git import Git
    from secret_sprawl.tracker.config_schema import Config

LOCATION_KIND = "ci-config"
MAX_CI_FILE_BYTES = 2 * 1024 * 1024  # CI files are small; anything larger is not one worth parsing
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__"})


@dataclass(slots=True)
class CiScan:
    """One target's posture findings, workloads (with ``repo`` set) and unreadable CI files."""

    findings: list[Finding] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


def scan_ci_files(target: str, files: Iterable[tuple[str, str]]) -> CiScan:
    """Check each (relative POSIX path, text) CI file of ``target``; other paths are ignored."""
    scan = CiScan()
    for path, text in files:
        result = check_ci_file(path, text)
        provenance = Provenance(target=target, path=path, location_kind=LOCATION_KIND)
        scan.findings.extend(finding.to_finding(provenance) for finding in result.findings)
        scan.workloads.extend(workload.in_repo(target) for workload in result.workloads)
        scan.errors.extend(ScanError(target=target, path=path, message=message) for message in result.errors)
    return scan


def shared_credential_findings(workloads: Iterable[Workload], *,
                               jobs_threshold: int = DEFAULT_SHARED_JOBS_THRESHOLD) -> list[Finding]:
    """One ``shared-credential`` Finding per secret name shared across ``workloads`` (all targets)."""
    findings = []
    for shared in find_shared(workloads, jobs_threshold=jobs_threshold):
        first = shared.workloads[0]
        provenance = Provenance(target=first.repo, path=first.file, location_kind=LOCATION_KIND)
        findings.append(shared.finding().to_finding(provenance))
    return findings


def shared_jobs_threshold(config: Config) -> int:
    """``[inventory] shared_jobs_threshold`` from the config (default 5): more jobs than this is shared."""
    return config.inventory.shared_jobs_threshold


def ci_files_in_tree(root: Path) -> Iterator[tuple[str, str]]:
    """(relative POSIX path, text) of the CI files under a directory, in path order."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(names):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if ci_system(relative) is None or path.is_symlink():
                continue
            try:
                if path.stat().st_size > MAX_CI_FILE_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            yield relative, text


def ci_files_at_head(repository: Path, worktree: Path | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) of the CI files committed at HEAD of a git repository (bare or not); a repository
    with no commit yet has its CI files only in ``worktree``, read from there when given.

    One ``ls-tree`` (without sizes: ``-l`` reads every blob's header), one ``cat-file --batch-check``
    for the CI files' sizes and one ``cat-file`` per CI file, offline: no long-lived ``cat-file
    --batch`` process whose pipe can break under load and cost the whole target.
    """
    from git.exc import GitError

    git = git_at(repository)
    try:
        listing = list(records(git, "ls-tree", "-r", "-z", "HEAD"))
    except (GitFailure, GitError, OSError):
        if worktree is not None:
            yield from ci_files_in_tree(worktree)
        return
    found = []
    for record in listing:
        meta, _, raw_path = record.partition(b"\t")
        fields = meta.split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if len(fields) == 3 and fields[1] == b"blob" and ci_system(path) is not None:
            found.append((path, fields[2].decode("ascii")))
    sizes = _sizes(git, [oid for _, oid in found])
    too_large = MAX_CI_FILE_BYTES + 1  # an absent blob (no size) is not read either
    for path, oid in sorted((path, oid) for path, oid in found if sizes.get(oid, too_large) < too_large):
        try:
            data = git.execute(["git", "cat-file", "blob", oid], stdout_as_string=False,
                               strip_newline_in_stdout=False)
        except (GitError, OSError):
            continue  # absent (a partial clone) or unreadable: the history scan reports it
        yield path, bytes(data).decode("utf-8", errors="replace")


def _sizes(git: Git, oids: list[str]) -> dict[str, int]:
    """The size of each present object of ``oids`` (an absent one is left out)."""
    from git.exc import GitError

    sizes: dict[str, int] = {}
    if not oids:
        return sizes
    query = "".join(f"{oid}\n" for oid in oids).encode()
    with contextlib.suppress(GitFailure, GitError, OSError):
        for line in stream(git, "cat-file", "--batch-check=%(objectname) %(objectsize)", stdin=query):
            oid, _, size = line.decode("ascii", errors="replace").partition(" ")
            if size.isdigit():
                sizes[oid] = int(size)
    return sizes
