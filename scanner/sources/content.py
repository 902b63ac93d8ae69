"""Decide how to read a blob's bytes: binary (skipped), UTF-16 with a BOM (decoded), or text.

Text that is not valid UTF-8 is still scanned: the engine works on bytes, and a decoder that
replaces bad bytes keeps every line and column where it was.
"""

from __future__ import annotations

import codecs

from secret_sprawl.scanner.sources.base import SNIFF_BYTES

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KiB, unless the content starts with a UTF-16 byte-order mark."""
    head = data[:SNIFF_BYTES]
    return b"\x00" in head and not head.startswith(_UTF16_BOMS)


def as_text(data: bytes) -> str:
    """The content as text: UTF-16 by its BOM, else UTF-8 (BOM dropped) with bad bytes replaced."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def is_utf16(data: bytes) -> bool:
    return data.startswith(_UTF16_BOMS)
