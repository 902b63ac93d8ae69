"""Merging byte ranges: the one interval merge used by the prefilter and the engine's search windows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def merge(spans: Iterable[Sequence[int]], gap: int = 0) -> list[list[int]]:
    """Merge ``[start, end]`` ranges sorted by start; ranges less than ``gap`` bytes apart join too."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
