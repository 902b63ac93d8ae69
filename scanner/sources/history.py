"""Git history source: a local repository's every ref, plus whatever its work tree has that HEAD lacks.

The history is read blob by blob (``git_history``), findings are placed in time (``attribution``),
and the work tree's modified, untracked and ignored files are scanned as a directory. Everything is
read offline: a partial clone (``extensions.partialClone`` or a ``remote.<name>.promisor``) is
scanned as far as its objects are present, its absent blobs counted and reported, and nothing is
fetched or written into it unless ``--fetch-missing`` asks for one batched fetch first.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from secret_sprawl.detectors.types import Finding, Provenance, ScanError, TargetResult
from secret_sprawl.scanner.attribution import attribute
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.scanner.inventory_scan import ci_files_at_head
from secret_sprawl.scanner.sources import directory, git_history
from secret_sprawl.scanner.sources.base import Blob, Item, path_text
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, is_repository, network, run
from secret_sprawl.scanner.sources.interface import ScanOptions, Session, failed, finding_key

if TYPE_CHECKING:
    from git import Git


class GitHistorySource:
    """A local git repository (work tree or bare): full history, then the work tree."""

    name = "git"

    def claims(self, spec: str, options: ScanOptions) -> bool:
        return options.history and is_repository(Path(spec))

    def scan(self, spec: str, session: Session) -> TargetResult:
        path = Path(spec)
        return scan_repository(path, path_text(spec), "git", session,
                               worktree=path if (path / ".git").exists() else None)


def scan_repository(repo: Path, target: str, kind: str, session: Session, *,
                    worktree: Path | None) -> TargetResult:
    """Scan every present blob of ``repo``'s history (and ``worktree``'s changes) into a result."""
    git = git_at(repo)
    result = TargetResult(target=target, kind=kind)
    try:
        result.refs = git_history.current_refs(git)
        exclude = _exclusions(git, target, session.options)
        if git_history.is_shallow(git):
            result.errors.append(ScanError(target, ".", "shallow clone: history before the shallow "
                                           "boundary is missing, so older secrets are dated there"))
        promisor = promisor_remote(git)
        if promisor and session.options.fetch_missing:
            result.errors.extend(_fetch_missing(repo, git, target, promisor, session.options.network_timeout))
    except GitFailure as exc:
        return failed(target, kind, f"not a readable git repository: {exc}")
    absent = git_history.Absent()
    items: Iterator[Item] = git_history.blobs(repo, target, exclude=exclude, absent=absent)
    if worktree is not None:
        head = git_history.head_blobs(git, None)
        items = itertools.chain(items, directory.walk(worktree, target, scanned_blob=head.get))
    hits: dict[str, list[Finding]] = defaultdict(list)
    loose = []
    with git_history.HistoryLog(git, exclude) as log:
        for finding in session.run(items, result):
            if finding.provenance.blob_id is None:
                loose.append(finding)
            else:
                hits[finding.provenance.blob_id].append(finding)
        introduced = git_history.introductions(log, set(hits), absent=set(absent.objects)) \
            if hits or absent.objects else {}
    absent_paths = {blob: path for blob, path in sorted(introduced) if blob in absent.objects}
    _report_absent(target, absent, absent_paths, promisor, result)
    history = attribute(git, hits, introduced, exclude=exclude,
                        rescan=lambda blob, path: _rescan(git, target, blob, path, session))
    seen = {finding_key(f) for f in history}
    result.findings = history + [f for f in loose if finding_key(f) not in seen]
    return session.finish(result, ci_files_at_head(repo, worktree))


def promisor_remote(git: Git) -> str | None:
    """The remote a partial clone gets its absent objects from, or None for a complete repository."""
    try:
        configured = run(git, "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$")
    except GitFailure:  # nothing matched
        return None
    for line in configured.splitlines():
        key, _, value = line.partition(" ")
        if key.lower() == "extensions.partialclone" and value:
            return value
        if key.endswith(".promisor") and value.lower() in ("true", "1", "yes", "on"):
            return key.removeprefix("remote.").removesuffix(".promisor")
    return None


def _fetch_missing(repo: Path, git: Git, target: str, remote: str, timeout: float) -> list[ScanError]:
    """Fetch every absent object of a partial clone from its promisor remote in one batch."""
    absent = git_history.Absent()
    for _ in git_history.blobs(repo, target, exclude=(), absent=absent):
        pass  # only the absent ids are wanted here
    if not absent.objects:
        return []
    ids = "".join(f"{sha}\n" for sha in absent.objects).encode()
    try:
        network(repo, ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--progress",
                       "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
                       "--stdin", "--", remote], timeout=timeout, stdin=ids)
    except GitFailure as exc:
        return [ScanError(target, ".", f"--fetch-missing: could not fetch {len(absent.objects)} absent "
                                       f"objects from {remote}: {exc}")]
    return [ScanError(target, ".", f"--fetch-missing: fetched {len(absent.objects)} absent objects "
                                   f"from {remote} before scanning")]


def _report_absent(target: str, absent: git_history.Absent, paths: dict[str, str], promisor: str | None,
                   result: TargetResult) -> None:
    """One ScanError per absent object (with its path, from ``paths``, when a readable commit names it)."""
    if absent.listing_stopped:
        result.errors.append(ScanError(target, ".", f"git could not walk the whole history "
                                                    f"({absent.listing_stopped}); every blob present in the "
                                                    "repository was scanned, those it could not place under "
                                                    "'(path unknown)/'"))
    if not absent.objects:
        return
    why = f"absent (partial clone of {promisor}; --fetch-missing fetches it)" if promisor else "absent"
    for sha in sorted(absent.objects, key=lambda sha: (paths.get(sha, "~"), sha)):
        message = f"git object {sha} is {why}; not scanned"
        result.errors.append(ScanError(target, paths.get(sha, "."), message))
    result.missing_objects = len(absent.objects)
    result.complete = False


def _rescan(git: Git, target: str, blob: str, path: str, session: Session) -> list[Finding]:
    """Findings in a blob this run did not read (HEAD's version of a path, in incremental scans)."""
    try:
        data = git_history.read_blob(git, blob)
    except GitFailure:
        return []  # unreadable: the secret cannot be shown to be at HEAD, so it counts as not
    return session.scan_blob(Blob(data, Provenance(target, path, blob_id=blob)))


def _exclusions(git: Git, target: str, options: ScanOptions) -> list[str]:
    if options.since:
        try:
            return [run(git, "rev-parse", "--verify", "--quiet", f"{options.since}^{{commit}}")]
        except GitFailure:
            raise InputError(f"--since {options.since}: not a commit in {target}") from None
    return git_history.existing(git, options.exclude)
