"""Git history source: every unique blob reachable from all refs, scanned once, then attributed.

Reading: ``git rev-list --objects --all --filter=object:type=blob`` (minus excluded revisions for
incremental scans) is fed to one ``git cat-file --batch`` by a small thread while this generator
reads the contents back, so git streams and nothing holds the history in memory. A blob git cannot
read (a corrupt object) is reported with its path and the stream restarts after it.

Attribution (only for blobs that had matches): one streamed pass of ``git log --all --raw``
(no content diffs) finds, for each (blob, path), the earliest commit by commit date that wrote it;
merges are consulted only for blobs no ordinary commit wrote.
"""

from __future__ import annotations

import codecs
import itertools
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from git import Git

from detectors.types import Provenance, ScanError
from scanner.sources.base import Blob, Item, pieces
from scanner.sources.gitproc import GitFailure, brief, git_at, records, run, stream

TARGET_LEVEL = ""  # ScanError.path for a problem with the whole target


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
        if not line.endswith(b"missing") and line in (b"commit", b"tag"):
            found.append(revision)
    return found


def blobs(repo: Path, target: str, *, exclude: Sequence[str], max_file_size: int,
          overlap: int) -> Iterator[Item]:
    """Yield each unique blob reachable from all refs (minus ``exclude``) once, or a ScanError."""
    git = git_at(repo)
    revlist = git.execute(["git", "rev-list", "--objects", "--all", "--filter=object:type=blob", "--stdin"],
                          as_process=True, istream=subprocess.PIPE)
    revlist.proc.stdin.write("".join(f"^{rev}\n" for rev in exclude).encode())
    revlist.proc.stdin.close()
    listed = _listed_blobs(revlist.proc.stdout)
    leftover: list[tuple[str, str]] = []
    while True:
        reader = _CatFile(git, leftover, listed)
        failed = yield from reader.contents(target, max_file_size, overlap)
        if failed is None:
            break
        yield ScanError(target, failed[1], f"cannot read git object {failed[0]}: {reader.error}")
        leftover = reader.unanswered()
    stderr = revlist.proc.stderr.read()
    if revlist.proc.wait() != 0:
        yield ScanError(target, TARGET_LEVEL, f"git rev-list failed, history incomplete: {brief(stderr)}")


def _listed_blobs(stdout: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    for raw in stdout:
        sha, space, path = raw.rstrip(b"\n").partition(b" ")
        if space:  # commits are listed without a path; blobs always have one
            yield sha.decode("ascii"), path.decode("utf-8", errors="replace")


class _CatFile:
    """One ``git cat-file --batch`` fed by a thread; remembers what was asked and not yet answered."""

    def __init__(self, git: Git, first: list[tuple[str, str]], rest: Iterator[tuple[str, str]]) -> None:
        self._process = git.execute(["git", "cat-file", "--batch"], as_process=True, istream=subprocess.PIPE)
        self._pending: deque[tuple[str, str]] = deque()
        self.error = ""
        self._feeder = threading.Thread(target=self._feed, args=(first, rest), daemon=True)
        self._feeder.start()

    def _feed(self, first: list[tuple[str, str]], rest: Iterator[tuple[str, str]]) -> None:
        stdin = self._process.proc.stdin
        try:
            for item in itertools.chain(first, rest):
                self._pending.append(item)
                stdin.write(f"{item[0]}\n".encode())
            stdin.close()
        except (OSError, ValueError):
            return

    def contents(self, target: str, max_file_size: int, overlap: int):
        """Yield blobs; return None at the end, or the (sha, path) git failed on."""
        stdout = self._process.proc.stdout
        while True:
            header = stdout.readline()
            if not header:
                return self._finish()
            sha, path = self._pending.popleft()
            fields = header.split()
            if len(fields) == 2 and fields[1] == b"missing":
                yield ScanError(target, path, f"git object {sha} is missing from the repository")
                continue
            if len(fields) != 3:
                self.error = f"git answered {header.decode(errors='replace').strip()!r}"
                return self._failed(sha, path)
            size = int(fields[2])
            if fields[1] != b"blob":  # annotated tags are listed by name too
                stdout.read(size + 1)
                continue
            provenance = Provenance(target=target, path=path, blob_id=sha, in_head=False)
            if size <= max_file_size:
                data = stdout.read(size)
                if len(data) < size:
                    return self._failed(sha, path)
                yield Blob(data, provenance)
            else:
                remaining = [size]

                def read(n: int, remaining: list[int] = remaining) -> bytes:
                    chunk = stdout.read(min(n, remaining[0]))
                    remaining[0] -= len(chunk)
                    return chunk

                yield from pieces(read, provenance, overlap=overlap)
                if remaining[0]:
                    return self._failed(sha, path)
            stdout.read(1)  # the newline after the content

    def unanswered(self) -> list[tuple[str, str]]:
        self._feeder.join()
        return list(self._pending)

    def _failed(self, sha: str, path: str) -> tuple[str, str]:
        self._drain()
        return (sha, path)

    def _drain(self) -> None:
        self._process.proc.kill()
        self._process.proc.wait()
        self.error = self.error or brief(self._process.proc.stderr.read()) or "git cat-file stopped"
        self._feeder.join()

    def _finish(self) -> tuple[str, str] | None:
        status = self._process.proc.wait()
        self._feeder.join()
        if not self._pending and status == 0:
            return None
        self.error = brief(self._process.proc.stderr.read()) or f"git cat-file exited with {status}"
        if not self._pending:
            return None
        return self._pending.popleft()


def introductions(git: Git, wanted: set[str], exclude: Sequence[str]) -> dict[tuple[str, str], Introduction]:
    """For each (blob, path) with a blob in ``wanted``: the earliest commit (by commit date) writing it."""
    found: dict[tuple[str, str], Introduction] = {}
    _scan_log(git, wanted, exclude, found, merges=False)
    missing = wanted - {blob for blob, _ in found}
    if missing:
        _scan_log(git, missing, exclude, found, merges=True)
    return found


def _scan_log(git: Git, wanted: set[str], exclude: Sequence[str],
              found: dict[tuple[str, str], Introduction], *, merges: bool) -> None:
    args = ["-c", "core.quotePath=false", "log", "--all", "--raw", "--no-abbrev", "--no-renames",
            "--format=%x01%H %ct %ae", "--stdin"]
    if merges:
        args += ["--merges", "-m"]
    current: Introduction | None = None
    stdin = "".join(f"^{rev}\n" for rev in exclude).encode()
    for position, raw in enumerate(stream(git, *args, stdin=stdin)):
        if raw.startswith(b"\x01"):
            commit, seconds, author = [*raw[1:].decode("utf-8", errors="replace").split(" ", 2), ""][:3]
            current = Introduction(commit, datetime.fromtimestamp(int(seconds), UTC), author, position)
        elif raw.startswith(b":") and current is not None:
            meta, _, path = raw.partition(b"\t")
            fields = meta.split(b" ")
            if len(fields) < 5 or fields[4].startswith(b"D"):
                continue
            blob = fields[3].decode("ascii")
            if blob not in wanted:
                continue
            key = (blob, _unquote(path))
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
        name = path.decode("utf-8", errors="replace")
        fields = meta.split(b" ")
        if (paths is None or name in paths) and len(fields) == 3 and fields[1] == b"blob":
            result[name] = fields[2].decode("ascii")
    return result


def read_blob(git: Git, sha: str) -> bytes:
    return git.execute(["git", "cat-file", "blob", sha], stdout_as_string=False)


def is_shallow(git: Git) -> bool:
    return run(git, "rev-parse", "--is-shallow-repository") == "true"


def _unquote(path: bytes) -> str:
    if path.startswith(b'"') and path.endswith(b'"'):
        path = codecs.escape_decode(path[1:-1])[0]
    return path.decode("utf-8", errors="replace")
