"""Positions in a blob: byte offsets to 1-based lines and columns, and to characters of its text.

Line breaks are LF, CRLF and a lone CR. Columns count characters (UTF-8 decoded; an invalid byte
counts as one). ``LineIndex`` expects offsets in ascending order, as the engine reports matches:
each call then only looks at the bytes since the previous one, so many matches on a huge line stay
linear. ``DecodedBlob`` is the blob as text for the rules' regexes, with offset conversion.
"""

from __future__ import annotations

import bisect


class LineIndex:
    """Incremental offset -> (line, column) locator over one blob."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._has_cr = b"\r" in data
        self._reset()

    def _reset(self) -> None:
        self._offset = 0
        self._line = 1
        self._line_start = 0
        self._column = 1

    def locate(self, offset: int) -> tuple[int, int]:
        """(line, column) of the byte at ``offset``, both 1-based."""
        offset = max(0, min(offset, len(self._data)))
        if offset < self._offset:
            self._reset()
        data, previous = self._data, self._offset
        breaks = data.count(b"\n", previous, offset)
        if self._has_cr:
            # A CR is a break unless an LF follows it (then the LF is the break).
            breaks += data.count(b"\r", previous, offset) - data.count(b"\r\n", previous, offset + 1)
        if breaks:
            self._line += breaks
            self._line_start = self._break_end_before(offset, previous)
            self._column = 1 + _characters(data[self._line_start : offset])
        else:
            self._column += _characters(data[previous:offset])
        self._offset = offset
        return self._line, self._column

    def line_start(self, offset: int) -> int:
        """Byte offset where the line holding ``offset`` starts (after ``locate(offset)``)."""
        self.locate(offset)
        return self._line_start

    def line_end(self, offset: int) -> int:
        """Byte offset of the line break ending the line that holds ``offset`` (or the blob's end)."""
        data = self._data
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        if self._has_cr:
            carriage = data.find(b"\r", offset, end)
            end = end if carriage < 0 else carriage
        return end

    def _break_end_before(self, offset: int, floor: int) -> int:
        data = self._data
        last = data.rfind(b"\n", floor, offset)
        if self._has_cr:
            last_cr = data.rfind(b"\r", floor, offset)
            if last_cr == offset - 1 and data[offset : offset + 1] == b"\n":
                last_cr = data.rfind(b"\r", floor, offset - 1)
            last = max(last, last_cr)
        return last + 1


def _characters(chunk: bytes) -> int:
    return len(chunk) if chunk.isascii() else len(chunk.decode("utf-8", "surrogateescape"))


class DecodedBlob:
    """A blob as text for the rules' regexes, with byte <-> character offset conversion.

    ASCII and non-UTF-8 blobs (binaries, Latin-1 files) are decoded one character per byte
    (Latin-1), so offsets are identical. Valid UTF-8 is decoded as such, and a table of blocks of
    about ``BLOCK`` bytes (ASCII-only or not, with their character offset) makes a conversion a
    bisection plus, in a non-ASCII block, re-coding at most one block (the table is built on the
    first conversion). ``ascii``: the blob is ASCII (offsets need no conversion).
    """

    BLOCK = 4096

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.ascii = data.isascii()
        self._utf8 = False  # valid UTF-8 that is not ASCII: offsets differ and need the block table
        self._blocks: tuple[list[int], list[int], list[bool]] | None = None
        if self.ascii:
            self.text = data.decode("ascii")
            return
        try:
            self.text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.text = data.decode("latin-1")
            return
        self._utf8 = True

    def _table(self) -> tuple[list[int], list[int], list[bool]]:
        """(byte start, character start, ASCII-only) of each block; built on the first conversion
        (most blobs with keyword hits never need one: their windows were searched before)."""
        if self._blocks is None:
            byte_starts: list[int] = []
            char_starts: list[int] = []
            ascii_blocks: list[bool] = []
            data, start, chars, size = self.data, 0, 0, len(self.data)
            while start < size:
                end = char_start(data, min(size, start + self.BLOCK))
                chunk = data[start:end]
                byte_starts.append(start)
                char_starts.append(chars)
                ascii_blocks.append(chunk.isascii())
                chars += len(chunk) if ascii_blocks[-1] else len(chunk.decode("utf-8"))
                start = end
            self._blocks = byte_starts, char_starts, ascii_blocks
        return self._blocks

    def char_index(self, offset: int) -> int:
        """Character index of the byte at ``offset`` (a character boundary)."""
        if not self._utf8:
            return offset
        byte_starts, char_starts, ascii_blocks = self._table()
        block = bisect.bisect_right(byte_starts, offset) - 1
        start, chars = byte_starts[block], char_starts[block]
        if ascii_blocks[block]:
            return chars + offset - start
        return chars + len(self.data[start:offset].decode("utf-8", "surrogateescape"))

    def byte_offset(self, index: int) -> int:
        """Byte offset of the character at ``index``."""
        if not self._utf8:
            return index
        byte_starts, char_starts, ascii_blocks = self._table()
        block = bisect.bisect_right(char_starts, index) - 1
        start, chars = byte_starts[block], char_starts[block]
        if ascii_blocks[block]:
            return start + index - chars
        return start + len(self.text[chars:index].encode("utf-8"))


def char_start(data: bytes, offset: int) -> int:
    """``offset`` moved back off UTF-8 continuation bytes (at most 3) to a character's start."""
    for _ in range(3):
        if offset <= 0 or offset >= len(data) or not 0x80 <= data[offset] < 0xC0:
            break
        offset -= 1
    return offset
