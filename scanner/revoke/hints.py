"""Match a key against the redacted form a provider lists it by (``sk-abc...wxyz``,
``sk-ant-api03-R2D...igAA``, ``npm_1f…``, or a bare head such as npm's ``1fa9ba``): the visible head
and tail must both agree, and together show enough of the key. Ambiguity (two listed keys matching)
is the caller's to refuse."""

from __future__ import annotations

import re

_ELLIPSIS = re.compile(r"\.{3,}|…|\*+")
MIN_VISIBLE = 4
MIN_HEAD_ONLY = 6


def matches_hint(secret: str, hint: str) -> bool:
    """True when ``hint`` (a provider's redacted form) can be a redaction of ``secret``."""
    hint = hint.strip()
    if not hint:
        return False
    parts = _ELLIPSIS.split(hint)
    if len(parts) == 1:  # a bare head (npm lists the first characters only), or the whole value
        return len(hint) >= MIN_HEAD_ONLY and secret.startswith(hint)
    head, tail = parts[0], parts[-1]
    if len(head) + len(tail) < MIN_VISIBLE or len(head) + len(tail) > len(secret):
        return False
    return secret.startswith(head) and secret.endswith(tail)
