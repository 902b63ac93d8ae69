"""Windows already searched without a match: a history repeats most of its text, so most windows repeat.

Consecutive versions of a file share most of their lines, so the same rule meets the same window
(the same bytes around the same keyword) in blob after blob: in one measured history, 80% of the
windows searched had been searched before. A window where a rule's regex found no match at all is
remembered by a checksum, and the search is skipped when the same rule meets the same window again.

The checksum covers everything the search can read: the window's bytes up to where the search stops
(the regex sees the text as ending there), the start and end positions within those bytes, how the
blob was decoded, and the text before the window that the rule's look-behinds (and ``\\b``) can see.
A rule whose look-behind has no bounded width (or cannot be measured) is never remembered. Only
searches with no regex match at all are remembered, never the filtering after a match (that reads
the secret's whole line), so skipping a remembered window can never drop a finding. The memory is
bounded (``LIMIT`` checksums of 12 bytes per process) and starts afresh when full.
"""

from __future__ import annotations

import re
import zlib

LIMIT = 100_000
_LOOKBEHIND = re.compile(r"\(\?<[=!]")


def lookbehind_reach(pattern: str) -> int | None:
    """Characters before a match's start that ``pattern`` may read (the look-behinds' widths summed,
    plus one for ``\\b``-like assertions), or None when one has no bounded width."""
    from re import _parser  # the standard library's own regex parser: widths of look-behind bodies

    reach = 1
    for opening in _LOOKBEHIND.finditer(pattern):
        body = _group_body(pattern, opening.end())
        if body is None:
            return None
        try:
            widest = _parser.parse(body).getwidth()[1]
        except (re.error, ValueError, TypeError, OverflowError, RecursionError):
            return None
        if widest >= _parser.MAXREPEAT or widest > 4096:
            return None
        reach += widest
    return reach


def _group_body(pattern: str, start: int) -> str | None:
    """The text of the group opened just before ``start`` (up to its closing parenthesis)."""
    depth, index, in_class = 1, start, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1  # "[]...]": a leading "]" is a member of the class
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pattern[start:index]
        index += 1
    return None


class QuietWindows:
    """Digests of (rule, window) searches that found no match, in this process."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    @staticmethod
    def key(order: int, reach: int, mode: int, data: bytes, first: int, stop: int, limit: int) -> int:
        """The digest of rule ``order`` searching ``data`` from byte ``first`` for match starts before
        ``stop``, the text ending at ``limit``; ``reach`` characters before ``first`` are included
        (four bytes each unless the blob is ASCII: ``mode`` 0), and whether the blob starts there.
        Two independent checksums of the bytes (96 bits): a false "seen" is never to be expected."""
        low = max(0, first - (reach if mode == 0 else 4 * reach))
        window = data[low:limit]
        where = hash((order, mode, first - low, stop - low, low == 0, window))
        return (where & 0xFFFFFFFFFFFFFFFF) << 32 | zlib.crc32(window)

    def __contains__(self, key: int) -> bool:
        return key in self._seen

    def add(self, key: int) -> None:
        if len(self._seen) >= LIMIT:
            self._seen.clear()
        self._seen.add(key)
