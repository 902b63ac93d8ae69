"""Git history listing and reading: every unique blob reachable from all refs, scanned once.

Listing: ``git rev-list --objects --all --missing=print`` (minus excluded revisions for incremental
scans) is fed to ``git cat-file --batch-check`` by a small thread, giving each unique blob's id,
size and a path, streamed: nothing holds the history in memory. Absent objects (a deleted loose
object, a partial clone's blobs) are listed by rev-list as ``?<id>`` and never asked for, so git
neither stops at them nor fetches them; each is reported once, with a path when one is known. When
rev-list itself stops (an absent commit, a corrupt tree), the blobs it did not list are taken from
the object database (``--batch-all-objects``) so that every present blob is still read.
Reading: each worker process reads its batch of blobs with its own ``git cat-file --batch``
(``BlobReader``), so blob content never crosses a process boundary.

Attribution (only for blobs that had matches, and absent objects): one pass of ``git log --all --raw``
(no content diffs), written by git while the blobs are scanned (``HistoryLog``), finds for each
(blob, path) the earliest commit by commit date that wrote it; merges are consulted only for blobs
no ordinary commit wrote.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from secret_sprawl.detectors.types import Provenance, ScanError
from secret_sprawl.scanner.sources.base import Blob, GitRef, path_text, pieces
from secret_sprawl.scanner.sources.gitproc import GitFailure, Spool, brief, git_at, records, run, stream

if TYPE_CHECKING:
    from git import Git

PIPE_BYTES = 1024 * 1024
_UNREADABLE = re.compile(rb"(?:Could not read|unable to read|missing \w+) ([0-9a-f]{40,64})")

# Every git process of a history scan keeps its delta-base cache and pack mappings small, so memory
# stays flat with history size (git's defaults, 96 MB of cache and up to 8 GB of mapped packs, are
# per process, and a scan runs one reader per worker next to the listing). Mapped pack pages count
# in a process's memory: on crewAI's 270 MB pack a 256 MB limit let each reader hold 130 MB of it;
# 32 MB in 8 MB windows keeps each reader near 55 MB (80 with 96 MB) and the whole scan's peak near
# 305 MB (from 510 with 256 MB), with no measurable change in time.
_MEMORY_LIMITS = ("-c", "core.deltaBaseCacheLimit=32m", "-c", "core.packedGitLimit=32m",
                  "-c", "core.packedGitWindowSize=8m")


@dataclass(frozen=True, slots=True)
class Introduction:
    """The commit that first wrote a blob at a path."""

    commit: str
    committed_at: datetime
    author: str
    # Position in git log's output (newest first): among equal commit dates the later one is older.
    position: int = 0

    def before(self, other: Introduction) -> bool:
        """Earlier by commit date; for the same second, the ancestor (listed later by git log)."""
        return (self.committed_at, -self.position) < (other.committed_at, -other.position)


def current_refs(git: Git) -> dict[str, str]:
    """Every ref (branches, tags, remote-tracking refs, stash) and the object it points to."""
    refs = {}
    for line in stream(git, "for-each-ref", "--format=%(objectname) %(refname)"):
        sha, _, name = line.decode("utf-8", errors="replace").partition(" ")
        refs[name] = sha
    return refs


def existing(git: Git, revisions: Iterable[str]) -> list[str]:
    """The revisions that name a commit in this repository (old refs may have been pruned since)."""
    wanted = [rev for rev in revisions if rev]
    if not wanted:
        return []
    found = []
    query = "".join(f"{rev}\n" for rev in wanted).encode()
    lines = stream(git, "cat-file", "--batch-check=%(objecttype)", stdin=query)
    for revision, line in zip(wanted, lines, strict=False):
        if line in (b"commit", b"tag"):  # anything else is "<rev> missing"
            found.append(revision)
    return found


@dataclass(slots=True)
class Absent:
    """The objects a listing found absent (id -> kind), filled as the listing runs."""

    objects: dict[str, str] = field(default_factory=dict)
    listing_stopped: str | None = None  # git's error when rev-list could not walk the whole history


def blobs(repo: Path, target: str, *, exclude: Sequence[str],
          absent: Absent | None = None) -> Iterator[GitRef | ScanError]:
    """A reference to each unique present blob reachable from all refs (minus ``exclude``).

    Sizes come from ``git cat-file --batch-check`` (no content is read here). Absent objects go to
    ``absent`` (the caller reports them); a blob cat-file cannot find is a ScanError with its path.
    """
    absent = absent if absent is not None else Absent()
    git = git_at(repo)
    revlist = git.execute(["git", *_MEMORY_LIMITS, "rev-list", "--objects", "--all", "--missing=print",
                           "--stdin"], as_process=True, istream=subprocess.PIPE)
    revlist.proc.stdin.write("".join(f"^{rev}\n" for rev in exclude).encode())
    revlist.proc.stdin.close()
    listed: set[bytes] = set()
    yield from _checked(git, target, repo, _listed_blobs(revlist.proc.stdout, absent, listed))
    stderr = revlist.proc.stderr.read()
    if revlist.proc.wait() != 0:
        absent.listing_stopped = brief(stderr) or "git rev-list failed"
        for sha in _UNREADABLE.findall(stderr):
            absent.objects.setdefault(sha.decode("ascii"), "object")
        if not exclude:  # an incremental scan cannot tell old blobs from new ones without the walk
            commits = _present(git, "commit")
            each_tree = _tolerant(stream(git, *_MEMORY_LIMITS, "rev-list", "--objects", "--no-walk",
                                         "--missing=print", "--stdin", stdin="".join(commits).encode()))
            yield from _checked(git, target, repo, _listed_blobs(each_tree, absent, listed))
    if absent.objects and not exclude:  # an absent tree hides the blobs under it from the walk
        yield from _checked(git, target, repo, _unlisted_blobs(git, listed))


def _checked(git: Git, target: str, repo: Path,
             listed: Iterator[tuple[str, str]]) -> Iterator[GitRef | ScanError]:
    """Ask ``cat-file --batch-check`` for each listed (id, path): a reference per blob."""
    check = git.execute(["git", *_MEMORY_LIMITS, "cat-file",
                         "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
                        as_process=True, istream=subprocess.PIPE)
    pending: deque[tuple[str, str]] = deque()
    feeder = threading.Thread(target=_feed, args=(listed, pending, check.proc.stdin), daemon=True)
    feeder.start()
    for line in check.proc.stdout:
        sha, path = pending.popleft()
        fields = line.split()
        if fields[-1] == b"missing":
            yield ScanError(target, path, f"git object {sha} is missing or unreadable")
        elif len(fields) == 3 and fields[1] == b"blob":  # trees, and annotated tags listed by name
            provenance = Provenance(target=target, path=path, blob_id=sha, in_head=False)
            yield GitRef(str(repo), int(fields[2]), provenance)
    feeder.join()
    check.proc.wait()


def _feed(listed: Iterator[tuple[str, str]], pending: deque[tuple[str, str]], stdin: IO[bytes]) -> None:
    """Ask for each listed object, remembering the order so each answer can be matched to its path."""
    try:
        for item in listed:
            pending.append(item)
            stdin.write(f"{item[0]}\n".encode())
        stdin.close()
    except OSError:
        return


def _listed_blobs(stdout: Iterable[bytes], absent: Absent, listed: set[bytes]) -> Iterator[tuple[str, str]]:
    """(id, path) of each listed object with a path (blobs and trees; cat-file tells them apart)."""
    for raw in stdout:
        line = raw.rstrip(b"\n")
        if line.startswith(b"?"):
            absent.objects.setdefault(line[1:].decode("ascii"), "object")
            continue
        sha, space, path = line.partition(b" ")
        digest = bytes.fromhex(sha.decode("ascii"))
        if space and digest not in listed:  # commits are listed without a path; blobs and trees with one
            listed.add(digest)
            yield sha.decode("ascii"), path_text(path)


def _present(git: Git, kind: str) -> list[str]:
    """The id (newline-terminated) of every object of ``kind`` in the object database."""
    found = []
    for line in _tolerant(stream(git, *_MEMORY_LIMITS, "cat-file", "--batch-all-objects", "--unordered",
                                 "--batch-check=%(objectname) %(objecttype)")):
        sha, _, object_kind = line.decode("ascii", errors="replace").partition(" ")
        if object_kind == kind:
            found.append(f"{sha}\n")
    return found


def _unlisted_blobs(git: Git, listed: set[bytes]) -> Iterator[tuple[str, str]]:
    """Every blob in the object database that no walk listed, with a placeholder path."""
    for line in _present(git, "blob"):
        sha = line.strip()
        if bytes.fromhex(sha) not in listed:
            yield sha, f"(path unknown)/{sha}"


def _tolerant(lines: Iterator[bytes]) -> Iterator[bytes]:
    """The lines a git command gave before it failed."""
    with contextlib.suppress(GitFailure):
        yield from lines


class BlobReader:
    """One long-lived ``git cat-file --batch`` per repository, asked for a batch of blobs at a time.

    Runs in the worker that scans the blobs. When git fails on an object (a corrupt pack entry),
    that blob becomes a ScanError naming its path and the process is restarted for the rest.
    """

    def __init__(self, repo: str) -> None:
        self._git = git_at(repo)
        self._handle: object | None = None  # gitpython kills the process when its handle is collected
        self._process: subprocess.Popen | None = None

    def read(self, refs: Sequence[GitRef], *, max_file_size: int, overlap: int) -> Iterator[Blob | ScanError]:
        remaining = list(refs)
        while remaining:
            process = self._start()
            process.stdin.write("".join(f"{ref.sha}\n" for ref in remaining).encode())
            process.stdin.flush()
            done = 0
            try:
                for ref in remaining:
                    yield from self._one(process, ref, max_file_size, overlap)
                    done += 1
            except _Broken as exc:
                failed = remaining[done]
                yield ScanError(failed.provenance.target, failed.provenance.path,
                                f"cannot read git object {failed.sha}: {exc}")
                self.close()
                done += 1
            except BaseException:
                self.close()  # abandoned mid-batch: unread answers would corrupt the next batch
                raise
            remaining = remaining[done:]

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = self._handle = None

    def _start(self) -> subprocess.Popen:
        if self._process is None:
            self._handle = self._git.execute(["git", *_MEMORY_LIMITS, "cat-file", "--batch"], as_process=True,
                                             istream=subprocess.PIPE)
            self._process = self._handle.proc
            _widen(self._process.stdout)
        return self._process

    def _one(self, process: subprocess.Popen, ref: GitRef, max_file_size: int,
             overlap: int) -> Iterator[Blob | ScanError]:
        stdout = process.stdout
        header = stdout.readline()
        if not header:
            raise _Broken(self._stderr(process))
        fields = header.split()
        if fields[-1] == b"missing":
            yield ScanError(ref.provenance.target, ref.provenance.path, f"git object {ref.sha} is missing")
            return
        size = int(fields[2])
        if size <= max_file_size:
            data = stdout.read(size)
            if len(data) < size:
                raise _Broken(self._stderr(process))
            yield Blob(data, ref.provenance)
        else:
            left = [size]

            def read(n: int) -> bytes:
                chunk = stdout.read(min(n, left[0]))
                left[0] -= len(chunk)
                return chunk

            yield from pieces(read, ref.provenance, overlap=overlap)
            while left[0]:  # the rest of a binary (not scanned), or git stopped answering
                if not read(1 << 20):
                    raise _Broken(self._stderr(process))
        stdout.read(1)  # the newline after the content

    @staticmethod
    def _stderr(process: subprocess.Popen) -> str:
        process.kill()
        process.wait()
        return brief(process.stderr.read()) or "git cat-file stopped"


def _widen(pipe: IO[bytes]) -> None:
    """A 1 MiB pipe from git (Linux; 64 KiB by default): git runs ahead of the scan by more than a
    few small blobs, and a blob of several MB crosses in fewer wake-ups of both processes."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Broken(Exception):
    """git cat-file died while answering."""


class HistoryLog:
    """The two ``git log --raw`` passes attribution reads, started before the scan so that git writes
    them (to temporary files) while the blobs are scanned, not after: every commit's changes with
    trees (``-t``: an absent tree is placed by its path too), and every merge's combined diff.
    Use as a context manager: leaving it stops git and frees the files."""

    def __init__(self, git: Git, exclude: Sequence[str]) -> None:
        base = [*_MEMORY_LIMITS, "-c", "core.quotePath=false", "log", "--all", "--raw", "--no-abbrev",
                "--no-renames", "--format=%x01%H %ct %ae", "--stdin"]
        stdin = "".join(f"^{rev}\n" for rev in exclude).encode()
        self.ordinary = Spool(git, *base, "-t", stdin=stdin)
        self.merges = Spool(git, *base, "--merges", "-c", stdin=stdin)

    def __enter__(self) -> HistoryLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.ordinary.close()
        self.merges.close()


def introductions(log: HistoryLog, wanted: set[str], *,
                  absent: set[str] = frozenset()) -> dict[tuple[str, str], Introduction]:
    """For each (blob, path) with a blob in ``wanted``: the earliest commit (by commit date) writing it.

    ``absent`` objects (blobs or trees a listing could not read) are looked for in the same pass, so
    that each can be reported with a path. Merges are consulted only for the blobs no ordinary commit
    wrote. A history git cannot walk to its end (an absent commit) gives what the walk reached before.
    """
    found: dict[tuple[str, str], Introduction] = {}
    with contextlib.suppress(GitFailure):
        _scan_log(log.ordinary.lines(), wanted | absent, found)
    missing = wanted - {blob for blob, _ in found}
    if missing:
        with contextlib.suppress(GitFailure):
            _scan_log(log.merges.lines(), missing, found)
    return found


def _scan_log(lines: Iterable[bytes], wanted: set[str], found: dict[tuple[str, str], Introduction]) -> None:
    """Record in ``found`` the earliest commit writing each wanted blob (or tree) at each path.

    Merges are read each as a combined diff (``-c``: the paths where the merge's result differs from
    every parent, i.e. what the merge itself wrote), not one diff per parent (``-m``, forty times the
    output on a repository with thousands of merges).
    """
    current: Introduction | None = None
    ids = {blob.encode("ascii") for blob in wanted}
    # Where a one-parent line (":100644 100644 <old> <new> M\tpath": modes are always six digits)
    # holds the new id: most lines are skipped on this slice alone.
    width = len(next(iter(ids), b""))
    new_id = slice(16 + width, 16 + 2 * width)
    for position, raw in enumerate(lines):
        first = raw[:1]
        if first == b":" and raw[1:2] != b":" and raw[new_id] not in ids:
            continue
        if first == b"\x01":
            commit, seconds, author = [*raw[1:].decode("utf-8", errors="replace").split(" ", 2), ""][:3]
            current = Introduction(commit, datetime.fromtimestamp(int(seconds), UTC), author, position)
        elif first == b":" and current is not None:
            meta, _, path = raw.partition(b"\t")
            parents = len(meta) - len(meta.lstrip(b":"))  # ":" per parent: one, or each of a merge's
            fields = meta[parents:].split(b" ")  # modes (parents + 1), ids (parents + 1), status
            if len(fields) != 2 * parents + 3:
                continue
            blob = fields[2 * parents + 1]
            if blob not in ids or fields[-1].startswith(b"D"):
                continue
            key = (blob.decode("ascii"), _unquote(path))
            known = found.get(key)
            if known is None or current.before(known):
                found[key] = current


def head_blobs(git: Git, paths: set[str] | None) -> dict[str, str]:
    """The blob at HEAD for each of ``paths`` (None: every path) ({} when HEAD does not resolve)."""
    if paths is not None and not paths:
        return {}
    try:
        listing = list(records(git, "ls-tree", "-r", "-z", "--full-tree", "HEAD"))
    except GitFailure:
        return {}
    result = {}
    for entry in listing:
        meta, _, path = entry.partition(b"\t")
        name = path_text(path)
        fields = meta.split(b" ")
        if (paths is None or name in paths) and len(fields) == 3 and fields[1] == b"blob":
            result[name] = fields[2].decode("ascii")
    return result


def read_blob(git: Git, sha: str) -> bytes:
    """One blob's content; raises GitFailure when git cannot read it."""
    from git.exc import GitCommandError

    try:
        return git.execute(["git", "cat-file", "blob", sha], stdout_as_string=False)
    except GitCommandError as exc:
        raise GitFailure(brief(exc.stderr) or f"cannot read {sha}") from exc


def is_shallow(git: Git) -> bool:
    return run(git, "rev-parse", "--is-shallow-repository") == "true"


def _unquote(path: bytes) -> str:
    if path.startswith(b'"') and path.endswith(b'"'):
        path = codecs.escape_decode(path[1:-1])[0]
    return path_text(path)
