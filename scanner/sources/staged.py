"""Staged changes: what ``git commit`` would record now, for a pre-commit hook.

Each added, copied or modified path in the index is read from the index (not the work tree) and
scanned whole, so line numbers are those of the staged file. A secret already committed at HEAD
in the same path is not reported again: the hook blocks what this commit introduces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from secret_sprawl.detectors.types import Provenance, ScanError
from secret_sprawl.scanner.sources.base import Blob, Item
from secret_sprawl.scanner.sources.git_history import head_blobs, read_blob
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, records


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
    names = [raw.decode("utf-8", errors="replace") for raw in staged if raw]
    if not names:
        return []
    index: dict[str, str] = {}
    for entry in records(git, "ls-files", "--stage", "-z", "--", *names):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) == 3:
            index[path.decode("utf-8", errors="replace")] = fields[1].decode("ascii")
    return [(name, index[name]) for name in names if name in index]


def committed_blobs(repo: Path, paths: set[str]) -> dict[str, bytes]:
    """HEAD's content of each of ``paths`` that exists at HEAD."""
    git = git_at(repo)
    return {path: read_blob(git, sha) for path, sha in head_blobs(git, paths).items()}
