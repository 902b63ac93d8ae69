"""Directory source: every regular file under a root, as references with paths relative to the root.

Everything is scanned except ``.git`` directories: a security scan does not honour ``.gitignore``,
because ignored files (``.env``, local credentials) are exactly where secrets sit. Symlinks are never
followed: a link to a file inside the tree is skipped (the file is scanned at its own path), a link
out of the tree, a broken link and a link loop are reported as warnings. Non-regular files (FIFOs,
sockets, devices) are never opened. Reading (``read_file``) happens in the worker that scans the
file; files over the size limit are read in overlapping pieces.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from secret_sprawl.detectors.types import Provenance, ScanError
from secret_sprawl.scanner.sources.base import Blob, FileRef, pieces

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
            yield ScanError(target, relative_dir or ".", f"cannot list directory: {_reason(exc)}")
            continue
        for entry in entries:
            relative = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            if entry.name == ".git":
                continue
            try:
                if entry.is_symlink():
                    problem = _symlink_problem(entry.path, root_real)
                    if problem:
                        yield ScanError(target, relative, problem)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(relative)
                elif entry.is_file(follow_symlinks=False):
                    yield FileRef(entry.path, entry.stat(follow_symlinks=False).st_size,
                                  Provenance(target=target, path=relative),
                                  scanned_blob(relative) if scanned_blob else None)
                else:
                    yield ScanError(target, relative, "not a regular file (FIFO, socket or device); skipped")
            except OSError as exc:
                yield ScanError(target, relative, f"cannot stat: {_reason(exc)}")


def single_file(path: Path, target: str) -> Iterator[FileRef | ScanError]:
    """A single file given as the target: its path is its name."""
    try:
        yield FileRef(str(path), path.stat().st_size, Provenance(target=target, path=path.name))
    except OSError as exc:
        yield ScanError(target, path.name, f"cannot stat: {_reason(exc)}")


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
    return open(path, "rb")


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
