"""Directory source: every regular file under a root, as references with paths relative to the root.

Everything is scanned except ``.git`` directories: a security scan does not honour ``.gitignore``,
because ignored files (``.env``, local credentials) are exactly where secrets sit. Symlinks are never
followed: a link to a file inside the tree is skipped (the file is scanned at its own path), a link
out of the tree, a broken link and a link loop are reported as warnings. Non-regular files (FIFOs,
sockets, devices) are never opened, also when given as the target (``/dev/zero``). Reading
(``read_file``) happens in the worker that scans the file; files over the size limit are read in
overlapping pieces. Names that are not UTF-8 are read by their bytes and shown with ``\\xNN``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from secret_sprawl.detectors.types import Provenance, ScanError, TargetResult
from secret_sprawl.scanner.sources.base import Blob, FileRef, path_text, pieces
from secret_sprawl.scanner.sources.interface import ScanOptions, Session, failed

NOT_REGULAR = "not a regular file (FIFO, socket or device); skipped"

# The git blob id of a relative path's content already scanned in history, or None.
ScannedBlob = Callable[[str], str | None]


def walk(root: Path, target: str, *,
         scanned_blob: ScannedBlob | None = None) -> Iterator[FileRef | ScanError]:
    """Yield a reference per regular file under ``root`` (sorted within each folder), or a ScanError."""
    root_real = os.path.realpath(root)
    stack = [""]
    while stack:
        relative_dir = stack.pop()
        folder = os.path.join(root, relative_dir) if relative_dir else str(root)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield ScanError(target, path_text(relative_dir or "."), f"cannot list directory: {_reason(exc)}")
            continue
        for entry in entries:
            relative = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            shown = path_text(relative)
            if entry.name == ".git":
                continue
            try:
                if entry.is_symlink():
                    problem = _symlink_problem(entry.path, root_real)
                    if problem:
                        yield ScanError(target, shown, problem)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(relative)
                elif entry.is_file(follow_symlinks=False):
                    yield FileRef(entry.path, entry.stat(follow_symlinks=False).st_size,
                                  Provenance(target=target, path=shown),
                                  scanned_blob(shown) if scanned_blob else None)
                else:
                    yield ScanError(target, shown, NOT_REGULAR)
            except OSError as exc:
                yield ScanError(target, shown, f"cannot stat: {_reason(exc)}")


def single_file(path: Path, target: str) -> Iterator[FileRef | ScanError]:
    """A single file given as the target: its path is its name."""
    name = path_text(path.name)
    try:
        info = path.stat()
    except OSError as exc:
        yield ScanError(target, name, f"cannot stat: {_reason(exc)}")
        return
    if stat.S_ISREG(info.st_mode):
        yield FileRef(str(path), info.st_size, Provenance(target=target, path=name))
    else:
        yield ScanError(target, name, NOT_REGULAR)


def read_file(ref: FileRef, *, max_file_size: int, overlap: int) -> Iterator[Blob | ScanError]:
    """The file's content as one blob, or as overlapping pieces when it is over ``max_file_size``.

    Yields nothing when the content is the blob ``ref.unless_blob`` (already scanned in history).
    """
    provenance = ref.provenance
    try:
        with _open(ref.location) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size <= max_file_size:
                data = handle.read()
                if ref.unless_blob is None or git_blob_id(data) != ref.unless_blob:
                    yield Blob(data, provenance)
            else:
                yield from pieces(handle.read, provenance, overlap=overlap)
    except OSError as exc:
        yield ScanError(provenance.target, provenance.path, f"cannot read file: {_reason(exc)}")


def git_blob_id(data: bytes) -> str:
    """The id git gives this content (SHA-1 of ``blob <size>\\0`` + content)."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def _open(path: str) -> BinaryIO:
    """Open a regular file for reading; anything else (swapped in since it was listed) is refused
    without blocking (``O_NONBLOCK`` keeps a FIFO's open from waiting for a writer)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, NOT_REGULAR)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _symlink_problem(path: str, root_real: str) -> str | None:
    """Why a symlink is worth a warning, or None when it points to something inside the tree."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop; not followed"
        return f"broken symlink to {os.readlink(path)!r}; not followed"
    real = os.path.realpath(path)
    if real == root_real or real.startswith(root_real + os.sep):
        return None
    return "symlink points outside the scanned tree; not followed"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class DirectorySource:
    """A directory (or a single file): every regular file in it, not its git history."""

    name = "directory"

    def claims(self, spec: str, options: ScanOptions) -> bool:
        return True  # the last source: whatever is left is a path on disk

    def scan(self, spec: str, session: Session) -> TargetResult:
        from secret_sprawl.scanner.inventory_scan import ci_files_in_tree

        path, target = Path(spec), path_text(spec)
        if not path.exists() and not path.is_symlink():
            return failed(target, "directory", "no such file or directory")
        result = TargetResult(target=target, kind="directory")
        if path.is_dir():
            result.findings = session.run(walk(path, target), result)
            return session.finish(result, ci_files_in_tree(path))
        result.findings = session.run(single_file(path, target), result)
        return session.finish(result)
