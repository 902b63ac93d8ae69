"""Shannon entropy of a candidate secret, in bits per character (the ``min_entropy`` rule filter)."""

from __future__ import annotations

import math
from collections import Counter


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``'s character distribution; 0.0 for the empty string."""
    if not text:
        return 0.0
    length = len(text)
    return -sum(count / length * math.log2(count / length) for count in Counter(text).values())
