"""Turn byte offsets into 1-based line and column numbers, and find the line around an offset.

Line breaks are LF, CRLF and a lone CR. Columns count characters (UTF-8 decoded; an invalid byte
counts as one). Offsets are expected in ascending order, as the engine reports matches: each call
then only looks at the bytes since the previous one, so many matches on a huge line stay linear.
"""

from __future__ import annotations


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
