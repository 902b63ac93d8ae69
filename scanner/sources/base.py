"""What every source yields: content to scan with its provenance, or a per-file ScanError.

Sources yield references (a file on disk, a blob in a repository) rather than content, so that the
worker process that scans an item also reads it and content never crosses a process boundary; a
source that already holds the bytes (the index, for ``--staged``) yields a ``Blob``.

A blob is scanned as one piece unless it is larger than the size limit; then the reader cuts it
into overlapping pieces (``pieces``) that carry where they start in the file, so a match in any
piece is reported at its line and column in the whole file and a match in an overlap is kept once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from secret_sprawl.detectors.types import Provenance, ScanError
from secret_sprawl.scanner.sources.content import is_binary, utf16_order

PIECE_SIZE = 8 * 1024 * 1024  # even: a UTF-16 file's pieces all start on a character


@dataclass(frozen=True, slots=True)
class Blob:
    """Content to scan, where it came from, and (for a piece of a large file) where the piece starts."""

    data: bytes
    provenance: Provenance
    piece: int = 0  # index of this piece; 0 for a whole file
    line_offset: int = 0  # newlines in the file before this piece
    column_offset: int = 0  # characters between the last newline before this piece and its start
    # Matches starting at or after this byte offset lie in the overlap and belong to the next piece.
    keep_before: int | None = None
    last: bool = True  # the final (or only) piece of its file
    encoding: str | None = None  # "utf-16-le"/"utf-16-be" for a piece of a large UTF-16 file


@dataclass(frozen=True, slots=True)
class FileRef:
    """A regular file to read from disk (``location`` is its path on disk)."""

    location: str
    size: int
    provenance: Provenance
    # Skip the file when its git blob id is this one (its content was already scanned in history).
    unless_blob: str | None = None


@dataclass(frozen=True, slots=True)
class GitRef:
    """A blob to read from a repository by id."""

    repo: str
    size: int
    provenance: Provenance  # blob_id is the blob's id

    @property
    def sha(self) -> str:
        assert self.provenance.blob_id is not None
        return self.provenance.blob_id


@dataclass(frozen=True, slots=True)
class Skipped:
    """Content deliberately not scanned, and why (one of ``REASONS``): counted in the target's
    ``not_scanned``, never a warning."""

    target: str
    path: str
    reason: str


BINARY = "binary"  # content that is not text (an image, a compiled file)
TOO_LARGE = "too-large"  # an archive member over the size limit, or past an archive's byte budget
ARCHIVE_LIMIT = "archive-member-limit"  # members past an archive's member count limit
ARCHIVE_TOO_LARGE = "archive-over-max-file-size"  # an archive read in pieces: its bytes scanned, not opened
REASONS = (BINARY, TOO_LARGE, ARCHIVE_LIMIT, ARCHIVE_TOO_LARGE)

Item = Blob | FileRef | GitRef | ScanError | Skipped


def path_text(raw: bytes | str) -> str:
    """A path as text, the same for a name on disk and in git: valid UTF-8 as it is, and each byte
    that is not (a Latin-1 name from an old system) as ``\\xNN``, so every output format and the
    tracker can store it and two different names never become one."""
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    return raw.decode("utf-8", errors="backslashreplace")


def pieces(read: Callable[[int], bytes], provenance: Provenance, *, overlap: int,
           piece_size: int = PIECE_SIZE) -> Iterator[Blob]:
    """Cut a stream into pieces of ``piece_size`` bytes, each followed by ``overlap`` bytes of the next.

    ``read(n)`` returns up to ``n`` bytes (fewer only at the end). Memory stays at one piece. Content
    that is binary by its first piece gives that piece only (the scanner skips it; the rest is not
    read). UTF-16 content (by the first piece) gives pieces carrying its byte order in ``encoding``,
    so each piece is decoded alone; piece sizes are even, so no piece starts inside a character.
    """
    carry = b""
    line_offset = column_offset = 0
    index = 0
    encoding: str | None = None
    while True:
        fresh = read(piece_size + overlap - len(carry))
        data = carry + fresh
        at_end = len(data) < piece_size + overlap
        if index == 0:
            encoding = utf16_order(data)
            if is_binary(data):
                yield Blob(data, provenance, last=at_end)
                return
        if at_end:
            yield Blob(data, provenance, piece=index, line_offset=line_offset, column_offset=column_offset,
                       encoding=encoding)
            return
        own = data[:piece_size]
        yield Blob(data, provenance, piece=index, line_offset=line_offset, column_offset=column_offset,
                   keep_before=piece_size, last=False, encoding=encoding)
        if encoding:
            text = own.decode(encoding, errors="replace")
            newlines, tail = text.count("\n"), len(text) - text.rfind("\n") - 1
        else:
            newlines = own.count(b"\n")
            tail = _characters(own[own.rfind(b"\n") + 1:] if newlines else own)
        line_offset += newlines
        column_offset = (0 if newlines else column_offset) + tail
        carry = data[piece_size:]
        index += 1


_CONTINUATION = bytes(range(0x80, 0xC0))


def _characters(data: bytes) -> int:
    """UTF-8 characters in ``data`` (continuation bytes do not start a character)."""
    return len(data.translate(None, _CONTINUATION))
