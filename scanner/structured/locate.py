"""Find where a secret decoded from a JSON string is written in the raw file, to report its line.

The n-th time a secret is asked for, the n-th place it is written is returned, so several
occurrences get distinct lines when the segments are visited in file order.
"""

from __future__ import annotations

import json
from collections import Counter


class Locator:
    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._asked: Counter[str] = Counter()

    def find(self, secret: str) -> tuple[int, int] | None:
        """1-based (line, column) of the next unreported place ``secret`` is written, or None."""
        needle = json.dumps(secret.split("\n", 1)[0], ensure_ascii=False)[1:-1]
        if not needle:
            return None
        index = self._asked[needle]
        self._asked[needle] += 1
        position = -1
        for _ in range(index + 1):
            position = self._raw.find(needle, position + 1)
            if position < 0:
                return None
        line_start = self._raw.rfind("\n", 0, position) + 1
        return self._raw.count("\n", 0, position) + 1, position - line_start + 1
