"""Does a matched value look like a placeholder someone typed, rather than a credential someone issued?

Issued credentials are random; placeholders are written by people: descriptive words (``your``,
``example``, ``dummy``, ``fake``, ``mock``, ``invalid``, ``replace``, ``changeme`` ...), markers
(``<...>``, ``xxxx``, ``****``, ``...``), keyboard mash (``qwerty``, ``asdf``), runs (``aaaaaa``,
``000000``), sequences (``123456``, ``abcdef``) and short repeated units (``abc123abc123``).

``placeholder_like(value, prefix_len)`` checks the value after its provider prefix (``sk-``,
``ghp_``: the first ``prefix_len`` characters), so ``sk-test-...`` and ``sk-your-key`` are
caught while ``sk_test_`` (Stripe's real test-mode prefix, given as the rule's keyword) is not.
Words count when written as people write them (``your``, ``YOUR``, ``Your``), and a run is one
sequence read one way, so a random 56-character key reads as a placeholder about once in 12,000
(measured over 10^5 keys; counting ``yOuR`` and runs that hop between sequences it was once in 740).
"""

from __future__ import annotations

import itertools

import regex

_WORDS = (
    "your", "example", "sample", "placeholder", "dummy", "fake", "mock", "invalid", "wrong", "replace",
    "changeme", "change_me", "change-me", "redacted", "insert", "secret_here", "key_here", "here",
    "todo", "fixme", "notreal", "not_real", "not-real", "foobar", "lorem", "ipsum", "testkey",
    "test_key", "test-key", "testtoken", "test_token", "test-token", "testing", "mykey", "my_key",
    "my-key", "yourkey", "some_key", "somekey", "qwer", "asdf", "zxcv", "hjkl", "secret123",
    "password1", "pass123", "letmein", "hunter2", "default", "demo", "bogus", "nonexistent",
)
# After a provider prefix, a body that starts with these words is a made-up value ("sk-test-abc",
# "sk-your-key"); real formats that put such a word in the prefix ("sk_test_", "tvly-dev-") have it
# in the rule's keyword, which is not part of the body.
_LEADING = ("fake", "mock", "dummy", "sample", "example", "your", "my", "some", "placeholder")
# Long values (private keys, JSON key files) are checked for elisions and long runs only: a
# few hundred random characters contain some four-letter word by chance.
LONG = 64
HEAD = 24  # of a long value, only the start is searched for placeholder words ("sk-proj-your-key-...")
_LONG_MARKERS = regex.compile(r"\.\.\.|([A-Za-z0-9])\1{9,}|(?i:x{8,})|(?i:your[_ -])")
# Runs of "A" are base64 of zero bytes, which some real formats contain (Dropbox, Yandex).
_MARKERS = regex.compile(
    r"""^<.*>$|<[A-Za-z_ -]{2,}>|\.\.\.|\*{3,}|#{3,}|x{4,}|X{4,}|([B-Za-z0-9])\1{4,}|A{12,}"""
    r"""|(?i:^(?:none|null|nil|undefined|true|false|string)$)"""
)
_WORD_PATTERN = regex.compile("|".join(regex.escape(word) for word in _WORDS), regex.IGNORECASE)
_LEADING_PATTERN = regex.compile(
    r"(?i)^[_.-]?(?:" + "|".join(_LEADING) + r")(?:[_.-]|\d|$)"
)
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# Each step (pair of characters) names the sequences-and-directions it belongs to; a run is one
# sequence read one way ("abcdef", "987654"), never a random walk that hops between them.
_STEPS: dict[tuple[str, str], frozenset[int]] = {}
for _way, _text in enumerate(text for sequence in _SEQUENCES for text in (sequence, sequence[::-1])):
    for _pair in itertools.pairwise(_text):
        _STEPS[_pair] = _STEPS.get(_pair, frozenset()) | {_way}


def placeholder_like(value: str, prefix_len: int = 0) -> bool:
    """True when ``value`` (after its first ``prefix_len`` characters) reads as a placeholder."""
    body = value[prefix_len:]
    if not body:
        return True
    if prefix_len and _LEADING_PATTERN.search(body):
        return True
    if len(body) > LONG:
        head = body[:HEAD]
        return bool(_LONG_MARKERS.search(body)) or _has_word(head) or _sequence_run(
            body.lower()) >= 10 or _repeats(body)
    if _MARKERS.search(body) or _has_word(body):
        return True
    return _sequence_run(body.lower()) >= 6 or _repeats(body)


def _has_word(text: str) -> bool:
    """A placeholder word written the way people write words: ``your``, ``YOUR`` or ``Your``.

    Random mixed case (``yOuR``) is what a generated key contains by chance, so it does not count.
    """
    return any(word.islower() or word.isupper() or word.istitle()
               for word in _WORD_PATTERN.findall(text, overlapped=True))


def _sequence_run(text: str) -> int:
    """Length of the longest run read one way along one of the sequences above."""
    best = run = 1
    ways: frozenset[int] = frozenset()
    for pair in itertools.pairwise(text):
        step = _STEPS.get(pair, frozenset())
        ways = ways & step if run > 1 else step
        if not ways:
            ways = step
            run = 2 if step else 1
        else:
            run += 1
        best = max(best, run)
    return best


def _repeats(body: str) -> bool:
    """A body of 12+ characters that is one unit of at most 8 characters repeated."""
    if len(body) < 12:
        return False
    for size in range(1, 9):
        unit = body[:size]
        if (unit * (len(body) // size + 1))[: len(body)] == body:
            return True
    return False
