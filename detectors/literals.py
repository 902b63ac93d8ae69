"""How narrowly the prefilter may look for a rule's keyword: in one exact case, only at a word's edges.

The prefilter finds keywords case-insensitively and anywhere, which some keywords pay for dearly:
``eaa`` (Meta's ``EAA`` tokens) and ``00d`` (Salesforce's ``00D`` org ids) fill lower-case hex,
``sk_`` (ElevenLabs) hits every ``task_`` of Python code and ``token`` every ``max_tokens``; each hit
costs a window searched in Python. When the pattern itself can only match text holding the keyword
in one exact case, or only where no letter, digit or underscore precedes (or follows) it, the
prefilter may look for that alone and lose nothing.

``keyword_forms`` proves this from the parsed pattern (the standard library's parser, as
``detectors.quiet`` uses for look-behind widths). It collects the runs of literal characters every
match must contain (in the pattern's top-level sequence, or in a group or a repeat of at least one
that it must go through) and, for one place a keyword holds in such a run:

- *exact*: case-insensitive matching is off in that run;
- *word start*: the keyword begins with a word character, and the character before it in the run is
  not one, or the run starts right after a one-character negative look-behind refusing every ASCII
  letter, digit and underscore (``(?<![A-Za-z0-9_-])``) or after ``\\b``;
- *word end*: the keyword ends with a word character, and the character after it in the run is not
  one, or every text that may follow the run in its sequence starts with a character that is not.

Hyperscan's ``\\b`` then finds a superset of those hits. The forms of one place are used together,
never mixed with another place's. A pattern the parser refuses (syntax only the ``regex`` module
knows) keeps every keyword caseless and unanchored; named groups are read as plain groups first
(``regex`` lets alternatives share a name, the standard parser does not).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any, NamedTuple

_WORD = frozenset(string.ascii_letters + string.digits + "_")
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")
_BACKREFERENCE = re.compile(r"(?<!\\)\(\?P=\w+\)")


class KeywordForm(NamedTuple):
    exact: bool = False  # only in the case written
    word_start: bool = False  # only where no word character precedes it
    word_end: bool = False  # only where no word character follows it


class _Run(NamedTuple):
    """Literal characters every match contains, in a row."""

    text: str
    exact: bool  # matched case-sensitively
    bounded_start: bool  # no word character may come right before
    bounded_end: bool  # no word character may come right after


def keyword_forms(pattern: str, keywords: Iterable[str]) -> dict[str, KeywordForm]:
    """For each of ``keywords``, the narrowest form every match of ``pattern`` still shows."""
    from re import _constants, _parser  # the standard library's own regex parser

    keywords = list(keywords)
    try:
        parsed = _parser.parse(unnamed(pattern))
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return {keyword: KeywordForm() for keyword in keywords}
    caseless = bool(parsed.state.flags & _constants.SRE_FLAG_IGNORECASE)
    runs = _runs(list(parsed), caseless, _constants, bounded=False)
    forms = {}
    for keyword in keywords:
        # Each place the keyword holds in a required run is in every match: the narrowest one counts
        # (not a mix of two: the case of one and the boundary of another need not meet in one hit).
        places = [KeywordForm()]
        for run in runs:
            text, wanted = (run.text, keyword) if run.exact else (run.text.lower(), keyword.lower())
            start = text.find(wanted)
            while start >= 0:
                end = start + len(keyword)
                before = text[start - 1] if start else None  # None: at the run's own start
                after = text[end] if end < len(text) else None
                places.append(KeywordForm(
                    run.exact,
                    keyword[0] in _WORD and (run.bounded_start if before is None else before not in _WORD),
                    keyword[-1] in _WORD and (run.bounded_end if after is None else after not in _WORD)))
                start = text.find(wanted, start + 1)
        forms[keyword] = max(places, key=sum)
    return forms


def unnamed(pattern: str) -> str:
    """Named groups as plain ones (``regex`` lets alternatives share a name, ``re`` does not), a
    reference to one as any character: neither adds a literal, so no conclusion is widened."""
    return _BACKREFERENCE.sub("(?:.)", _NAMED_GROUP.sub("(?:", pattern))


def _runs(items: list[tuple[Any, Any]], caseless: bool, c: Any, *, bounded: bool) -> list[_Run]:
    """Runs of literal characters that every match of ``items`` contains (``bounded``: the sequence
    itself starts where no word character may precede)."""
    runs: list[_Run] = []
    current: list[str] = []
    current_bounded = current_caseless = False

    def flush(following: list[tuple[Any, Any]] | None) -> None:
        """End the current run; ``following``: the items after it in this sequence (None: unknown)."""
        if current:
            bounded_end = following is not None and _starts_without_word_character(following, c)
            runs.append(_Run("".join(current), not current_caseless, current_bounded, bounded_end))
            current.clear()

    for position, (op, argument) in enumerate(items):
        if op is c.LITERAL:
            if current and current_caseless != caseless:
                flush(None)
            if not current:
                current_bounded, current_caseless = bounded, caseless
            current.append(chr(argument))
            bounded = False
            continue
        flush(items[position:])
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
    flush(None)  # what follows this sequence is its parent's: not looked at
    return runs


def _starts_without_word_character(items: list[tuple[Any, Any]], c: Any) -> bool:
    """Whether the text ``items`` match always starts with a character that is not a word character
    (False when it may be empty, or when that cannot be told)."""
    for op, argument in items:
        first, nullable = _first(op, argument, c)
        if first is None or first & _WORD:
            return False
        if not nullable:
            return True
    return False


def _first(op: Any, argument: Any, c: Any) -> tuple[set[str] | None, bool]:
    """(ASCII characters the item's text may start with, None: any; whether it may match nothing)."""
    if op is c.LITERAL:
        return {chr(argument).lower(), chr(argument).upper()}, False
    if op is c.IN:
        return _members(argument, c), False
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, body = argument
        first, nullable = _sequence_first(list(body), c)
        return first, nullable or low == 0
    if op is c.SUBPATTERN:
        return _sequence_first(list(argument[3]), c)
    if op is c.BRANCH:
        union: set[str] = set()
        nullable = False
        for branch in argument[1]:
            first, empty = _sequence_first(list(branch), c)
            if first is None:
                return None, True
            union |= first
            nullable = nullable or empty
        return union, nullable
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return set(), True  # zero width
    return None, True


def _sequence_first(items: list[tuple[Any, Any]], c: Any) -> tuple[set[str] | None, bool]:
    union: set[str] = set()
    for op, argument in items:
        first, nullable = _first(op, argument, c)
        if first is None:
            return None, True
        union |= first
        if not nullable:
            return union, False
    return union, True


def _members(members: list[tuple[Any, Any]], c: Any) -> set[str] | None:
    """The ASCII characters a class matches, both cases (None: a negated or unusual class)."""
    found: set[str] = set()
    for op, argument in members:
        if op is c.LITERAL:
            found |= {chr(argument).lower(), chr(argument).upper()}
        elif op is c.RANGE:
            for code in range(argument[0], argument[1] + 1):
                found |= {chr(code).lower(), chr(code).upper()}
        elif op is c.CATEGORY and argument in (c.CATEGORY_SPACE, c.CATEGORY_UNI_SPACE):
            found |= set(" \t\n\r\x0b\x0c")
        else:
            return None  # NEGATE, \w, \d, \S, ...: may hold a word character
    return found


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
