"""Confidence of tracked secrets and the resolution the tracker suggests for them.

- An occurrence keeps the confidence and reasons of the finding that placed it.
- A secret's confidence is the highest among its occurrences, and ``high`` once a live check
  proved it works: one convincing place is enough to make a secret real.
- ``--min-confidence`` (default medium) keeps the levels at or above the floor; secrets below it
  stay in the tracker and are shown with ``--min-confidence low``.
- A secret seen only in test paths (every occurrence carries ``test-path``) gets the suggested
  resolution ``used-in-tests``; it is offered while the secret is open and not proved live.
"""

from __future__ import annotations

from typing import Any

from secret_sprawl.detectors.context import TEST_PATH
from secret_sprawl.detectors.types import Confidence
from sqlalchemy import Text, case, type_coerce
from sqlalchemy.sql.elements import ColumnElement

USED_IN_TESTS = "used-in-tests"
# Suggested resolution -> why the tracker suggests it (shown beside it and kept in the audit note).
SUGGESTIONS = {USED_IN_TESTS: "seen only in test paths"}
DEFAULT_FLOOR = Confidence.MEDIUM
_BY_RANK = {level.rank: level for level in Confidence}


def levels_at_least(floor: Confidence) -> tuple[str, ...]:
    """The level names a ``--min-confidence floor`` keeps, highest first."""
    return tuple(level.value for level in Confidence if level.at_least(floor))


def at_least(column: Any, floor: Confidence) -> ColumnElement[bool]:
    """A WHERE clause: the confidence ``column`` is ``floor`` or higher."""
    return column.in_(levels_at_least(floor))


def rank_of(column: Any) -> ColumnElement[int]:
    """The rank (2 high, 1 medium, 0 low) of a confidence column, for SQL ``max``."""
    return case((column == Confidence.HIGH.value, Confidence.HIGH.rank),
                (column == Confidence.MEDIUM.value, Confidence.MEDIUM.rank), else_=Confidence.LOW.rank)


def in_test_path(reasons: Any) -> ColumnElement[int]:
    """1 when an occurrence's reasons (a JSON list kept as text) include ``test-path``, else 0."""
    return case((type_coerce(reasons, Text).like(f'%"{TEST_PATH}"%'), 1), else_=0)


def secret_confidence(best_rank: int, verification_state: str) -> str:
    """A secret's level from its best occurrence's rank; a key proved live is high."""
    if verification_state == "live":
        return Confidence.HIGH.value
    return _BY_RANK.get(best_rank, DEFAULT_FLOOR).value


def best(levels: list[str]) -> str:
    """The highest of some level names (``medium`` when there are none)."""
    return max((Confidence(level) for level in levels), key=lambda level: level.rank,
               default=DEFAULT_FLOOR).value


def suggested_resolution(status: str, suggested_status: str | None, verification_state: str) -> str | None:
    """What the tracker suggests closing a secret as, or None: only while it is open and not live."""
    if status != "open" or verification_state == "live":
        return None
    return suggested_status
