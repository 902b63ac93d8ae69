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

PIECE_SIZE = 8 * 1024 * 1024
SNIFF_BYTES = 8192


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


Item = Blob | FileRef | GitRef | ScanError


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

    ``read(n)`` returns up to ``n`` bytes (fewer only at the end). Memory stays at one piece.
    """
    carry = b""
    line_offset = column_offset = 0
    index = 0
    while True:
        fresh = read(piece_size + overlap - len(carry))
        data = carry + fresh
        at_end = len(data) < piece_size + overlap
        if at_end:
            yield Blob(data, provenance, piece=index, line_offset=line_offset, column_offset=column_offset)
            return
        own = data[:piece_size]
        yield Blob(data, provenance, piece=index, line_offset=line_offset, column_offset=column_offset,
                   keep_before=piece_size, last=False)
        newlines = own.count(b"\n")
        line_offset += newlines
        tail = own[own.rfind(b"\n") + 1:] if newlines else own
        column_offset = (0 if newlines else column_offset) + _characters(tail)
        carry = data[piece_size:]
        index += 1


_CONTINUATION = bytes(range(0x80, 0xC0))


def _characters(data: bytes) -> int:
    """UTF-8 characters in ``data`` (continuation bytes do not start a character)."""
    return len(data.translate(None, _CONTINUATION))
