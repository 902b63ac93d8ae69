"""Scan one target (a directory, a file, a local git repository or a remote URL) into a TargetResult.

A git repository is scanned through its whole history (every ref) plus whatever in its work tree
differs from HEAD (modified, untracked and ignored files), so an uncommitted ``.env`` is found too.
``--no-history`` scans the work tree as a plain directory. A target that cannot be read at all
gives a target-level ScanError (empty path) and ``complete=False``; other targets go on.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from git import Git
from secret_sprawl.detectors.types import Finding, Provenance, ScanError, TargetResult
from secret_sprawl.scanner.attribution import attribute
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.inventory_scan import ci_files_at_head, ci_files_in_tree, scan_ci_files
from secret_sprawl.scanner.orgs.expand import RepositoryTarget
from secret_sprawl.scanner.pipeline import Progress, Runner, Tally
from secret_sprawl.scanner.sources import directory, git_history, remote
from secret_sprawl.scanner.sources.base import Blob, Item
from secret_sprawl.scanner.sources.git_history import TARGET_LEVEL
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, is_repository, run
from secret_sprawl.scanner.sources.staged import committed_blobs, staged_blobs


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What to read from each target (the same for every target of one run)."""

    history: bool = True
    since: str | None = None  # a revision: scan only objects not reachable from it
    exclude: tuple[str, ...] = ()  # commits already scanned (the refs of the last completed scan)
    staged: bool = False
    cache_dir: Path = field(default_factory=remote.default_cache_dir)


def scan_target(spec: str, options: ScanOptions, runner: Runner, progress: Progress | None = None,
                tally: Tally | None = None) -> TargetResult:
    tally = tally if tally is not None else Tally()
    scanner = _TargetScan(runner, options, tally, progress)
    if isinstance(spec, RepositoryTarget):
        return scan_repository(spec, scanner)
    if remote.is_remote(spec):
        return scanner.remote(spec)
    path = Path(spec)
    if options.staged:
        if not is_repository(path):
            raise InputError(f"--staged needs a git repository, and {spec} is not one")
        return scanner.staged(path, spec)
    if not path.exists() and not path.is_symlink():
        return _failed(spec, "directory", "no such file or directory")
    if options.history and is_repository(path):
        return scanner.git(path, spec, "git", worktree=path if (path / ".git").exists() else None)
    if path.is_dir():
        return _with_ci_posture(scanner.plain(spec, "directory", directory.walk(path, spec)),
                                ci_files_in_tree(path))
    return scanner.plain(spec, "directory", directory.single_file(path, spec))


def scan_repository(repository: RepositoryTarget, scanner: _TargetScan) -> TargetResult:
    """An organisation's repository (see scanner/orgs): its clone URL mirrored, recorded by its name."""
    return scanner.remote(repository.clone_url, name=str(repository), git_env=repository.git_env)


def _with_ci_posture(result: TargetResult, ci_files: Iterable[tuple[str, str]]) -> TargetResult:
    """Add the CI posture findings and the workloads of the target's CI files to its result.

    A CI file the secret scan already warned about (e.g. malformed YAML) gets no second warning.
    """
    ci = scan_ci_files(result.target, ci_files)
    warned = {error.path for error in result.errors}
    result.findings.extend(ci.findings)
    result.errors.extend(error for error in ci.errors if error.path not in warned)
    result.workloads.extend(ci.workloads)
    return result


def _key(finding: Finding) -> tuple[str, str, str]:
    return finding.provenance.path, finding.rule_id, finding.fingerprint


def _failed(target: str, kind: str, message: str) -> TargetResult:
    return TargetResult(target=target, kind=kind, errors=[ScanError(target, TARGET_LEVEL, message)],
                        complete=False)


class _TargetScan:
    """Scans of each kind of target, sharing the runner, the running tally and the progress bar."""

    def __init__(self, runner: Runner, options: ScanOptions, tally: Tally, progress: Progress | None) -> None:
        self.runner, self.options, self.tally, self.progress = runner, options, tally, progress

    def plain(self, target: str, kind: str, items: Iterable[Item]) -> TargetResult:
        result = TargetResult(target=target, kind=kind)
        result.findings = self._run(items, result)
        return self._finish(result)

    def remote(self, url: str, *, name: str | None = None,
               git_env: dict[str, str] | None = None) -> TargetResult:
        clean = remote.strip_credentials(url)
        try:
            mirror = remote.update_mirror(url, self.options.cache_dir, git_env)
        except GitFailure as exc:
            return _failed(name or clean, "remote", f"cannot fetch {clean}: {exc}")
        return self.git(mirror, name or clean, "remote", worktree=None)

    def staged(self, repo: Path, target: str) -> TargetResult:
        result = TargetResult(target=target, kind="git")
        findings = self._run(staged_blobs(repo, target), result)
        committed = committed_blobs(repo, {f.provenance.path for f in findings})
        already = {_key(f) for path, data in committed.items()
                   for f in self.runner.scanner.scan(Blob(data, Provenance(target, path))).findings}
        result.findings = [f for f in findings if _key(f) not in already]
        return self._finish(result)

    def git(self, repo: Path, target: str, kind: str, *, worktree: Path | None) -> TargetResult:
        git = git_at(repo)
        result = TargetResult(target=target, kind=kind)
        try:
            result.refs = git_history.current_refs(git)
            exclude = self._exclusions(git, target)
            if git_history.is_shallow(git):
                result.errors.append(ScanError(target, ".", "shallow clone: history before the shallow "
                                               "boundary is missing, so older secrets are dated there"))
        except GitFailure as exc:
            return _failed(target, kind, f"not a readable git repository: {exc}")
        items: Iterator[Item] = git_history.blobs(repo, target, exclude=exclude)
        if worktree is not None:
            head = git_history.head_blobs(git, None)
            items = itertools.chain(items, directory.walk(worktree, target, scanned_blob=head.get))
        hits: dict[str, list[Finding]] = defaultdict(list)
        loose = []
        for finding in self._run(items, result):
            if finding.provenance.blob_id is None:
                loose.append(finding)
            else:
                hits[finding.provenance.blob_id].append(finding)
        history = attribute(git, hits, exclude=exclude,
                            rescan=lambda blob, path: self._rescan(git, target, blob, path))
        seen = {_key(f) for f in history}
        result.findings = history + [f for f in loose if _key(f) not in seen]
        return self._finish(_with_ci_posture(result, ci_files_at_head(repo, worktree)))

    def _rescan(self, git: Git, target: str, blob: str, path: str) -> list[Finding]:
        """Findings in a blob this run did not read (HEAD's version of a path, in incremental scans)."""
        try:
            data = git_history.read_blob(git, blob)
        except GitFailure:
            return []  # unreadable: the secret cannot be shown to be at HEAD, so it counts as not
        return self.runner.scanner.scan(Blob(data, Provenance(target, path, blob_id=blob))).findings

    def _exclusions(self, git: Git, target: str) -> list[str]:
        if self.options.since:
            try:
                return [run(git, "rev-parse", "--verify", "--quiet", f"{self.options.since}^{{commit}}")]
            except GitFailure:
                raise InputError(f"--since {self.options.since}: not a commit in {target}") from None
        return git_history.existing(git, self.options.exclude)

    def _run(self, items: Iterable[Item], result: TargetResult) -> list[Finding]:
        """Scan ``items``; errors go to ``result`` with the counts, findings are returned."""
        findings: list[Finding] = []
        before = (self.tally.files, self.tally.blobs, self.tally.bytes)
        for out in self.runner.run(items, self.tally, self.progress):
            if isinstance(out, ScanError):
                result.errors.append(out)
            else:
                findings.append(out)
        result.files += self.tally.files - before[0]
        result.blobs += self.tally.blobs - before[1]
        result.bytes += self.tally.bytes - before[2]
        return findings

    @staticmethod
    def _finish(result: TargetResult) -> TargetResult:
        result.complete = not any(error.path == TARGET_LEVEL for error in result.errors)
        return result
