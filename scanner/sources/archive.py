"""Archives inside a scanned target: zip (also .jar, .whl, .nupkg...), tar and gzip, opened in memory.

Each member that is a regular file is yielded as a ``Blob`` whose path is ``archive!member``
(``release.zip!config/.env``), so a finding points inside the archive; archives inside archives
are opened too, to ``MAX_DEPTH`` levels. Sizes are bounded before anything is decompressed: a
member larger than the size limit, members beyond ``MAX_MEMBERS`` or beyond ``MAX_TOTAL`` bytes of
one archive are not scanned (each counted in the target's ``not_scanned`` with its reason), and
archives nested deeper than ``MAX_DEPTH`` are scanned as they are, with a warning. Nothing in an
archive is extracted to disk or executed.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace

from secret_sprawl.detectors.types import ScanError
from secret_sprawl.scanner.sources.base import ARCHIVE_LIMIT, TOO_LARGE, Blob, Skipped

ARCHIVE_SUFFIXES = (".zip", ".jar", ".war", ".ear", ".aar", ".whl", ".egg", ".nupkg", ".vsix",
                    ".tar", ".tgz", ".tar.gz", ".gz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
MAX_DEPTH = 3
MAX_MEMBERS = 10_000
MAX_TOTAL = 256 * 1024 * 1024  # bytes decompressed from one archive (all levels)
MAX_MEMBER = 25 * 1024 * 1024  # bytes of one member


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def member_suffix(path: str) -> str:
    """``!member`` of a path inside an archive (``a.zip!x/.env`` -> ``!x/.env``), else ""."""
    at = path.find("!")
    while at != -1:
        if is_archive(path[:at]):
            return path[at:]
        at = path.find("!", at + 1)
    return ""


def members(blob: Blob, *, max_size: int = MAX_MEMBER) -> Iterator[Blob | ScanError | Skipped]:
    """Every member of the archive ``blob`` (and of archives within it); a member left out by a limit
    is ``Skipped`` with its reason, one that cannot be read a warning."""
    yield from _members(blob, max_size, 1, [MAX_TOTAL])


def _members(blob: Blob, max_size: int, depth: int,
             budget: list[int]) -> Iterator[Blob | ScanError | Skipped]:
    where = blob.provenance
    try:
        entries = list(_open(blob.data, where.path, max_size))
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, zlib.error, ValueError) as exc:
        yield ScanError(where.target, where.path, f"archive could not be opened ({exc}); scanned as is")
        yield blob
        return
    for count, (name, size, read) in enumerate(entries):
        path = f"{where.path}!{name}"
        if count >= MAX_MEMBERS:
            yield Skipped(where.target, path, ARCHIVE_LIMIT)
            continue
        if size > max_size or size > budget[0]:
            yield Skipped(where.target, path, TOO_LARGE)
            continue
        try:
            data = read()
        except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, zlib.error, ValueError,
                NotImplementedError, RuntimeError) as exc:  # RuntimeError: an encrypted zip member
            yield ScanError(where.target, path, f"archive member could not be read ({exc}); not scanned")
            continue
        budget[0] -= len(data)
        member = Blob(data, replace(where, path=path))
        if is_archive(name):
            if depth >= MAX_DEPTH:
                yield ScanError(where.target, path, f"archive nested deeper than {MAX_DEPTH} levels; "
                                                    "scanned as is")
                yield member
            else:
                yield from _members(member, max_size, depth + 1, budget)
        else:
            yield member


def _open(data: bytes, path: str, max_size: int) -> Iterator[tuple[str, int, Callable[[], bytes]]]:
    """(member name, uncompressed size, read()) for each regular file of the archive."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            if not info.is_dir():
                yield info.filename, info.file_size, lambda info=info: _bounded(archive.open(info), max_size)
        return
    if _is_tar(data):
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - in memory, read lazily
        for info in tar:
            if info.isfile():
                yield info.name, info.size, lambda info=info: _bounded(tar.extractfile(info), max_size)
        return
    if data.startswith(b"\x1f\x8b"):
        name = path.rpartition("/")[2].rpartition("!")[2]
        inner = name[:-3] if name.lower().endswith(".gz") else name.rsplit(".", 1)[0] + ".tar"
        stream = gzip.GzipFile(fileobj=io.BytesIO(data))
        yield inner, 0, lambda: _bounded(stream, max_size)
        return
    raise ValueError("not a zip, tar or gzip file")


def _is_tar(data: bytes) -> bool:
    if data[257:262] == b"ustar":
        return True
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            return tar.next() is not None
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError):
        return False


def _bounded(stream, max_size: int) -> bytes:
    """Read at most ``max_size`` bytes (a gzip's true size is known only by reading it)."""
    if stream is None:
        return b""
    with stream:
        data = stream.read(max_size + 1)
    if len(data) > max_size:
        raise ValueError(f"decompresses to more than {max_size} bytes")
    return data
