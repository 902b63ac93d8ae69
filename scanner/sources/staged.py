"""Staged changes: what ``git commit`` would record now, for a pre-commit hook.

Each added, copied or modified path in the index is read from the index (not the work tree) and
scanned whole, so line numbers are those of the staged file. A secret already committed at HEAD
in the same path is not reported again: the hook blocks what this commit introduces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from secret_sprawl.detectors.types import Provenance, ScanError, TargetResult
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.sources.base import Blob, Item, path_text
from secret_sprawl.scanner.sources.git_history import head_blobs, read_blob
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, is_repository, records
from secret_sprawl.scanner.sources.interface import ScanOptions, Session, finding_key


def staged_blobs(repo: Path, target: str) -> Iterator[Item]:
    """The index version of every staged added/copied/modified path."""
    git = git_at(repo)
    for path, sha in staged_paths(repo):
        try:
            yield Blob(read_blob(git, sha), Provenance(target=target, path=path, blob_id=sha))
        except GitFailure as exc:
            yield ScanError(target, path, f"cannot read staged content: {exc}")


def staged_paths(repo: Path) -> list[tuple[str, str]]:
    """(path, index blob id) of each staged added, copied or modified file."""
    git = git_at(repo)
    staged = records(git, "diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACM")
    names = [raw for raw in staged if raw]
    if not names:
        return []
    index: dict[bytes, str] = {}
    for entry in records(git, "--literal-pathspecs", "ls-files", "--stage", "-z", "--",
                         *(name.decode("utf-8", errors="surrogateescape") for name in names)):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) == 3:
            index[path] = fields[1].decode("ascii")
    return [(path_text(name), index[name]) for name in names if name in index]


def committed_blobs(repo: Path, paths: set[str]) -> dict[str, bytes]:
    """HEAD's content of each of ``paths`` that exists at HEAD."""
    git = git_at(repo)
    return {path: read_blob(git, sha) for path, sha in head_blobs(git, paths).items()}


class StagedSource:
    """``--staged``: the index of a repository, minus what HEAD already holds at the same path."""

    name = "staged"

    def claims(self, spec: str, options: ScanOptions) -> bool:
        return options.staged

    def scan(self, spec: str, session: Session) -> TargetResult:
        repo = Path(spec)
        if not is_repository(repo):
            raise InputError(f"--staged needs a git repository, and {spec} is not one")
        target = path_text(spec)
        result = TargetResult(target=target, kind="git")
        findings = session.run(staged_blobs(repo, target), result)
        committed = committed_blobs(repo, {f.provenance.path for f in findings})
        already = {finding_key(f) for path, data in committed.items()
                   for f in session.scan_blob(Blob(data, Provenance(target, path)))}
        result.findings = [f for f in findings if finding_key(f) not in already]
        return session.finish(result)
