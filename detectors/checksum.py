"""Checksums that providers build into their token formats, named so that a rule can ask for one.

A rule sets ``checksum = "NAME"``; the engine then marks a match whose checksum holds as
``checksum-valid`` (high confidence): random text almost never passes, so a valid checksum means
the value was issued by the provider, not typed into an example.

- ``github-crc32``: GitHub's ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_`` tokens end with six base62
  characters that encode the CRC32 of the 30 random characters before them (github.blog, "Behind
  GitHub's new authentication token formats", 2021).
- ``npm-crc32``: npm's ``npm_`` tokens use the same scheme (github.blog, "Announcing npm's new
  access token format", 2021).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int) -> str:
    """``number`` in base62 (digits, then upper, then lower case), left-padded with zeros to ``width``."""
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(_BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def crc32_base62_tail(token: str, prefix_len: int = 4) -> bool | None:
    """Whether ``token``'s last six characters are the base62 CRC32 of its 30-character body.

    None when the token is not of the 40-character form that carries the checksum (GitHub's longer
    refresh tokens).
    """
    body, tail = token[prefix_len:-6], token[-6:]
    if len(body) != 30 or not token.isascii():
        return None
    return base62(zlib.crc32(body.encode("ascii")), 6) == tail


CHECKSUMS: dict[str, Callable[[str], bool | None]] = {
    "github-crc32": crc32_base62_tail,
    "npm-crc32": crc32_base62_tail,
}


def checksum_valid(name: str, secret: str) -> bool | None:
    """Whether ``secret`` passes the checksum ``name`` (one of ``CHECKSUMS``); None: no checksum to check."""
    return CHECKSUMS[name](secret)
