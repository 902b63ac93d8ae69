"""Random bodies for synthetic credentials that the scanner must report at full confidence.

A random draw reads as a placeholder now and then (about once in 12,000 for 56 characters: it
spells ``Your`` or runs ``abcdef``); such a draw is drawn again, so no test depends on luck.
"""

from __future__ import annotations

import secrets
import string

from secret_sprawl.detectors.placeholder import placeholder_like

ALNUM = string.ascii_letters + string.digits


def random_body(length: int, alphabet: str = ALNUM) -> str:
    """``length`` random characters from ``alphabet`` that do not read as a placeholder."""
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length))
        if not placeholder_like(body):
            return body
