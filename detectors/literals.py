"""How narrowly the prefilter may look for a rule's keyword: in one exact case, and only at a word's start.

The prefilter finds keywords case-insensitively and anywhere, which some keywords pay for dearly:
``eaa`` (Meta's ``EAA`` tokens) and ``00d`` (Salesforce's ``00D`` org ids) fill lower-case hex, and
``sk_`` (ElevenLabs) hits every ``task_`` and ``mask_`` of Python code; each hit costs a window
searched in Python. When the pattern itself can only match text holding the keyword in one exact
case, or only where no letter, digit or underscore precedes it, the prefilter may look for that
alone and lose nothing.

``keyword_forms`` proves both from the parsed pattern (the standard library's parser, as
``detectors.quiet`` uses for look-behind widths):

- *exact*: the keyword lies inside a run of literal characters that every match must contain (in the
  pattern's top-level sequence, or in a group or a repeat of at least one that it must go through)
  with case-insensitive matching off there;
- *word start*: such a run begins with the keyword, the keyword begins with a word character, and the
  run comes right after a one-character negative look-behind that refuses every ASCII letter, digit
  and underscore (``(?<![A-Za-z0-9_-])``) or after ``\\b``: Hyperscan's ``\\b`` then finds a superset.

A pattern the parser refuses (syntax only the ``regex`` module knows) keeps every keyword caseless
and unanchored.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any, NamedTuple

_WORD = frozenset(string.ascii_letters + string.digits + "_")


class KeywordForm(NamedTuple):
    exact: bool = False  # only in the case written
    word_start: bool = False  # only where no word character precedes it


def keyword_forms(pattern: str, keywords: Iterable[str]) -> dict[str, KeywordForm]:
    """For each of ``keywords``, the narrowest form every match of ``pattern`` still shows."""
    from re import _constants, _parser  # the standard library's own regex parser

    keywords = list(keywords)
    try:
        parsed = _parser.parse(pattern)
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return {keyword: KeywordForm() for keyword in keywords}
    caseless = bool(parsed.state.flags & _constants.SRE_FLAG_IGNORECASE)
    runs = _runs(list(parsed), caseless, _constants, bounded=False)
    forms = {}
    for keyword in keywords:
        exact = any(keyword in text for text, _ in runs)
        word_start = exact and keyword[:1] in _WORD and any(
            bounded and text.startswith(keyword) for text, bounded in runs)
        forms[keyword] = KeywordForm(exact, word_start)
    return forms


def _runs(items: list[tuple[Any, Any]], caseless: bool, c: Any, *, bounded: bool) -> list[tuple[str, bool]]:
    """Runs of literal characters (matched case-sensitively) that every match of ``items`` contains,
    each with whether it starts right after a boundary no word character may precede (``bounded``:
    the sequence itself starts after one)."""
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    current_bounded = False

    def flush() -> None:
        if current:
            runs.append(("".join(current), current_bounded))
            current.clear()

    for op, argument in items:
        if op is c.LITERAL and not caseless:
            if not current:
                current_bounded = bounded
            current.append(chr(argument))
            bounded = False
            continue
        flush()
        if op is c.ASSERT_NOT and argument[0] < 0 and _refuses_word_characters(list(argument[1]), c):
            bounded = True
            continue
        if op is c.AT and argument is c.AT_BOUNDARY:
            bounded = True
            continue
        if op in (c.ASSERT, c.ASSERT_NOT) and argument[0] > 0:
            continue  # a look-ahead reads nothing before it: a boundary just seen still holds
        if op is c.SUBPATTERN:
            _, added, removed, body = argument
            inner = (caseless or bool(added & c.SRE_FLAG_IGNORECASE)) and not removed & c.SRE_FLAG_IGNORECASE
            runs += _runs(list(body), inner, c, bounded=bounded)
        elif op is c.ATOMIC_GROUP:
            runs += _runs(list(argument), caseless, c, bounded=bounded)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and argument[0] >= 1:
            runs += _runs(list(argument[2]), caseless, c, bounded=False)  # later rounds follow the last
        # anything else (a class, an alternation, an optional part) ends the run
        bounded = False
    flush()
    return runs


def _refuses_word_characters(body: list[tuple[Any, Any]], c: Any) -> bool:
    """A look-behind body of one character class that contains every ASCII letter, digit and '_'."""
    if len(body) != 1 or body[0][0] is not c.IN:
        return False
    covered: set[str] = set()
    for op, argument in body[0][1]:
        if op is c.NEGATE:
            return False
        if op is c.LITERAL:
            covered.add(chr(argument))
        elif op is c.RANGE:
            covered.update(chr(code) for code in range(argument[0], min(argument[1], 127) + 1))
        elif op is c.CATEGORY and argument in (c.CATEGORY_WORD, c.CATEGORY_UNI_WORD):
            covered |= _WORD
        elif op is c.CATEGORY and argument in (c.CATEGORY_DIGIT, c.CATEGORY_UNI_DIGIT):
            covered.update(string.digits)
    return covered >= _WORD
