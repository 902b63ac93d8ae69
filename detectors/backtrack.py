"""Catastrophic backtracking check for a rule's pattern (``sprawl rules check``).

A pattern such as ``(a+)+$`` takes exponential time on ``aaaa...!``; scanning a long line with it
would never end. ``slow_inputs(rule)`` times the pattern on adversarial inputs built from the
pattern itself (long runs of each character it mentions or a class of it accepts, alone, after
each keyword, alternating with a separator, and each ending in a character that forces a failure
at the very end) under the ``regex`` module's timeout, and returns the inputs that exceeded the
bound. The engine bounds every search at scan time as well (``detectors.engine.RULE_TIMEOUT``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import regex
from secret_sprawl.detectors.types import Rule

# Seconds one search of one adversarial input may take. A sound rule needs well under 10 ms.
BOUND = 0.25
# Length of each run: a few times an engine window, as a long minified line presents it.
RUN = 2000
_REPRESENTATIVES = "aA0 \t-_=./+:x@"
_ENDINGS = ("!", "\x00", "\n", "")


def adversarial_inputs(rule: Rule, length: int = RUN) -> Iterator[str]:
    """Inputs that make a backtracking-prone pattern do its worst work."""
    characters = sorted(set(_REPRESENTATIVES) | {c for c in rule.pattern if c.isprintable() and c != "\\"})
    prefixes = ("", *sorted(set(rule.keywords))[:8])
    for character in characters:
        for prefix in prefixes:
            for ending in _ENDINGS:
                yield prefix + character * length + ending
    for first in "aA0":
        for separator in " -_.:/=":
            yield (first + separator) * (length // 2) + "!"
            yield (first * 8 + separator) * (length // 9) + "!"


def slow_inputs(rule: Rule, bound: float = BOUND, length: int = RUN, *, stop_after: int = 0) -> list[str]:
    """Short descriptions of the inputs on which ``rule``'s pattern took longer than ``bound``.

    With ``stop_after`` > 0, stops once that many slow inputs are found.
    """
    pattern = regex.compile(rule.pattern)
    slow: list[str] = []
    for text in adversarial_inputs(rule, length):
        started = time.perf_counter()
        try:
            for _ in pattern.finditer(text, timeout=bound):
                pass
        except TimeoutError:
            slow.append(_describe(text))
        else:
            if time.perf_counter() - started > bound:
                slow.append(_describe(text))
        if stop_after and len(slow) >= stop_after:
            break
    return slow


def backtracking_problems(rule: Rule, bound: float = BOUND) -> list[str]:
    """One sentence naming ``rule`` when its pattern backtracks catastrophically; empty otherwise."""
    slow = slow_inputs(rule, bound, stop_after=1)
    if not slow:
        return []
    return [f"{rule.id}: pattern takes over {bound:g}s on an adversarial input, {slow[0]} "
            "(catastrophic backtracking: nested or overlapping repetition)"]


def _describe(text: str) -> str:
    head = text[:12]
    return f"{head!r}... ({len(text)} characters)"
