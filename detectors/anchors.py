"""Anchors: the start of a rule's pattern, translated for Hyperscan to look for instead of its keywords.

A keyword says little: ``api_key`` is in every ``self.api_key`` and ``arize`` in every page of docs
naming the product, and each hit costs a window searched in Python. Most patterns begin with more
than their keyword: ``arize[_.-]?(?:api|space)[_.-]?key["']?[ \\t]{0,5}(?:=|:|=>)``. Hyperscan can
look for that directly, so that a window is opened only where an assignment starts.

``anchor`` translates the leading part of a pattern's top-level sequence, as far as it can do so
exactly or more broadly, into a byte pattern every match starts with:

- literal characters and classes of ASCII characters (case-insensitive ones as both cases; matching
  is ASCII-case-insensitive, as the keywords are), groups, alternatives, and repeats of at most
  ``MAX_REPEAT`` (a longer or unbounded repeat contributes its minimum and ends the anchor);
- zero-width assertions (look-arounds, ``\\b``, ``^``) are left out, which only widens what it finds;
- anything else (a negated class, ``\\w``, ``.``, a back-reference, a non-ASCII character: each may
  stand for several bytes, or for characters outside ASCII) ends the anchor there.

The anchor is used only when every text it matches holds one of the rule's keywords (checked on
the finite set of texts its start can be: a rule searched near its keyword is then searched exactly
where it was, no more), and when it is narrower than the keywords: at least one literal character
(or class of at most ``NARROW_CLASS`` characters) more than the shortest keyword, in every match.
Rules with ``requires`` keep their keywords (the engine gates those). Only Hyperscan uses anchors;
the other prefilter backends look for keywords (the same findings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from secret_sprawl.detectors.literals import unnamed

MAX_REPEAT = 16  # a repeat of more than this many is not written out (Hyperscan's cost, little gain)
NARROW_CLASS = 3  # a class of at most this many characters narrows a match like a literal does


@dataclass(frozen=True, slots=True)
class Anchor:
    """A Hyperscan pattern (bytes, ASCII) every match of a rule starts with, and its widest match."""

    expression: bytes
    width: int


LANGUAGE_LIMIT = 4096  # texts a part may stand for before its set is no longer kept

Language = frozenset[str] | None  # every text (lower case) a part matches; None: too many to list


@dataclass(frozen=True, slots=True)
class _Part:
    expression: str
    complete: bool  # the whole node was translated (the sequence may go on after it)
    narrow: int  # literal characters (or narrow classes) in every match of it
    width: int  # characters in its widest match
    language: Language


_EMPTY = _Part("", True, 0, 0, frozenset({""}))


def anchor(pattern: str, keywords: list[str]) -> Anchor | None:
    """The anchor of ``pattern``, or None when none holds a keyword in every match and is narrower."""
    from re import _constants, _parser  # the standard library's own regex parser

    try:
        parsed = _parser.parse(unnamed(pattern))
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return None
    caseless = bool(parsed.state.flags & _constants.SRE_FLAG_IGNORECASE)
    parts = _parts(list(parsed), caseless, _constants)
    whole = _joined(parts)
    if not _holds_keyword(parts, [keyword.lower() for keyword in keywords]):
        return None
    if whole.narrow <= min((len(keyword) for keyword in keywords), default=0):
        return None
    return Anchor(whole.expression.encode("ascii"), whole.width)


def _holds_keyword(parts: list[_Part], keywords: list[str]) -> bool:
    """Whether every text some first parts match holds a keyword (what follows only narrows it)."""
    texts: Language = frozenset({""})
    for part in parts:
        texts = _concatenated(texts, part.language)
        if texts is None:
            return False
        if all(any(keyword in text for keyword in keywords) for text in texts):
            return True
    return False


def _parts(items: list[tuple[Any, Any]], caseless: bool, c: Any) -> list[_Part]:
    """As much of a sequence as translates, node by node; the last is incomplete where it stopped."""
    parts = []
    for op, argument in items:
        part = _node(op, argument, caseless, c)
        if part is None:
            parts.append(_Part("", False, 0, 0, None))
            break
        parts.append(part)
        if not part.complete:
            break
    return parts


def _joined(parts: list[_Part]) -> _Part:
    language: Language = frozenset({""})
    for part in parts:
        language = _concatenated(language, part.language)
    return _Part("".join(part.expression for part in parts), all(part.complete for part in parts),
                 sum(part.narrow for part in parts), sum(part.width for part in parts), language)


def _sequence(items: list[tuple[Any, Any]], caseless: bool, c: Any) -> _Part:
    return _joined(_parts(items, caseless, c))


def _concatenated(first: Language, second: Language) -> Language:
    if first is None or second is None or len(first) * len(second) > LANGUAGE_LIMIT:
        return None
    return frozenset(a + b for a in first for b in second)


def _node(op: Any, argument: Any, caseless: bool, c: Any) -> _Part | None:
    """One node translated (possibly incomplete), or None when nothing of it translates."""
    if op is c.LITERAL:
        return _characters([argument], caseless)
    if op is c.IN:
        return _class(argument, caseless, c)
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return _EMPTY  # zero width: leaving it out only widens the anchor
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return _repeat(*argument, caseless, c)
    if op is c.SUBPATTERN:
        _group, add, remove, body = argument
        inner = (caseless or bool(add & c.SRE_FLAG_IGNORECASE)) and not remove & c.SRE_FLAG_IGNORECASE
        return _group_of(_sequence(list(body), inner, c))
    if op is c.ATOMIC_GROUP:  # without its backtracking rule: a superset
        return _group_of(_sequence(list(argument), caseless, c))
    if op is c.BRANCH:
        alternatives = [_sequence(list(body), caseless, c) for body in argument[1]]
        if any(not part.expression and not part.complete for part in alternatives):
            return None
        languages = [part.language for part in alternatives]
        union = None if None in languages else frozenset().union(*languages)
        return _Part("(?:" + "|".join(part.expression for part in alternatives) + ")",
                     all(part.complete for part in alternatives),
                     min(part.narrow for part in alternatives), max(part.width for part in alternatives),
                     union if union is None or len(union) <= LANGUAGE_LIMIT else None)
    return None


def _group_of(part: _Part) -> _Part | None:
    if not part.expression:
        return part if part.complete else None
    return _Part(f"(?:{part.expression})", part.complete, part.narrow, part.width, part.language)


def _repeat(low: int, high: int, body: Any, caseless: bool, c: Any) -> _Part | None:
    part = _sequence(list(body), caseless, c)
    if not part.expression:
        return part if part.complete else None
    if not part.complete or high is c.MAXREPEAT or high > MAX_REPEAT:
        if low == 0:
            return None  # may be absent: the anchor ends before it
        count = min(low, MAX_REPEAT) if part.complete else 1
        return _Part(f"(?:{part.expression}){{{count}}}", False, count * part.narrow, count * part.width,
                     _power(part.language, count, count))
    return _Part(f"(?:{part.expression}){{{low},{high}}}", True, low * part.narrow, high * part.width,
                 _power(part.language, low, high))


def _power(language: Language, low: int, high: int) -> Language:
    """The texts of ``low`` to ``high`` repetitions of ``language``'s."""
    texts: Language = frozenset({""}) if low == 0 else None
    repeated: Language = frozenset({""})
    for count in range(1, high + 1):
        repeated = _concatenated(repeated, language)
        if repeated is None:
            return None
        if count >= low:
            texts = repeated if texts is None else texts | repeated
            if len(texts) > LANGUAGE_LIMIT:
                return None
    return texts


def _class(members: list[tuple[Any, Any]], caseless: bool, c: Any) -> _Part | None:
    codes: list[int] = []
    for op, argument in members:
        if op is c.LITERAL:
            codes.append(argument)
        elif op is c.RANGE:
            codes.extend(range(argument[0], argument[1] + 1))
        else:  # a negation or a category (\w, \d, \s: more than ASCII in a str pattern)
            return None
    return _characters(codes, caseless)


def _characters(codes: list[int], caseless: bool) -> _Part | None:
    """A class of ASCII characters (both cases of each letter when ``caseless``)."""
    if any(code >= 0x80 for code in codes):
        return None
    chosen = set(codes)
    if caseless:
        chosen |= {ord(chr(code).swapcase()) for code in codes if chr(code).isalpha()}
    escaped = "".join(f"\\x{code:02x}" for code in sorted(chosen))
    expression = escaped if len(chosen) == 1 else f"[{escaped}]"
    return _Part(expression, True, 1 if len(chosen) <= NARROW_CLASS else 0, 1,
                 frozenset(chr(code).lower() for code in chosen))
