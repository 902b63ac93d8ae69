"""Which of a rule's keywords every match of its pattern contains letter for letter (same case).

The prefilter finds keywords case-insensitively, which a keyword like ``eaa`` (Meta's ``EAA``
tokens) or ``00d`` (Salesforce's ``00D`` org ids) pays for dearly: lower-case hex (every hash in a
lock file) is full of them, and each hit costs a window searched in Python. When the pattern itself
can only match text holding the keyword in one exact case, the prefilter may look for that case
alone and lose nothing.

``exact_keywords`` proves it from the parsed pattern (the standard library's parser, as
``detectors.quiet`` uses for look-behind widths): a keyword counts when it lies inside a run of
literal characters that every match must contain (in the pattern's top-level sequence, or in a group
or a repeat of at least one that it must go through) with case-insensitive matching off there. A
pattern the parser refuses (syntax only the ``regex`` module knows) keeps every keyword caseless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def exact_keywords(pattern: str, keywords: Iterable[str]) -> frozenset[str]:
    """The ``keywords`` that every match of ``pattern`` contains in exactly this case."""
    from re import _constants, _parser  # the standard library's own regex parser

    try:
        parsed = _parser.parse(pattern)
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return frozenset()
    caseless = bool(parsed.state.flags & _constants.SRE_FLAG_IGNORECASE)
    runs = _runs(list(parsed), caseless, _constants)
    return frozenset(keyword for keyword in keywords if any(keyword in run for run in runs))


def _runs(items: list[tuple[Any, Any]], caseless: bool, c: Any) -> list[str]:
    """Runs of literal characters (matched case-sensitively) that every match of ``items`` contains."""
    runs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, argument in items:
        if op is c.LITERAL and not caseless:
            current.append(chr(argument))
            continue
        flush()
        if op is c.SUBPATTERN:
            _, added, removed, body = argument
            inner = (caseless or bool(added & c.SRE_FLAG_IGNORECASE)) and not removed & c.SRE_FLAG_IGNORECASE
            runs += _runs(list(body), inner, c)
        elif op is c.ATOMIC_GROUP:
            runs += _runs(list(argument), caseless, c)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and argument[0] >= 1:
            runs += _runs(list(argument[2]), caseless, c)
        # anything else (a class, an alternation, an assertion, an optional part) ends the run
    flush()
    return runs
