"""Decide how to read a blob's bytes: binary (skipped), UTF-16 (decoded, with or without a BOM), or text.

Text that is not valid UTF-8 is still scanned: the engine works on bytes, and a decoder that
replaces bad bytes keeps every line and column where it was. A NUL byte alone does not make content
binary: text with NULs in it (a dump, a padded config) is scanned when the rest of it reads as text,
and UTF-16 without a byte-order mark is recognised by its NUL byte in every other position.
"""

from __future__ import annotations

import codecs

SNIFF_BYTES = 8192

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Control bytes that text does not hold (tab, newlines, form feed and escape excepted).
_CONTROL = bytes([*range(1, 9), *range(14, 27), *range(28, 32)])
_NOT_TEXT_RATIO = 0.05  # more control or high bytes than this (among non-NUL bytes): binary
_ASCII_TEXT = bytes([9, 10, 13, *range(32, 127)])


def is_binary(data: bytes) -> bool:
    """Content that is not text: NUL bytes in the first 8 KiB, not UTF-16, and not text apart from them."""
    head = data[:SNIFF_BYTES]
    if b"\x00" not in head or utf16_encoding(data):
        return False
    rest = head.replace(b"\x00", b"")
    odd = len(rest) - len(rest.translate(None, _CONTROL + bytes(range(0x80, 0x100))))
    return not rest or odd > _NOT_TEXT_RATIO * len(rest)


def utf16_encoding(data: bytes) -> str | None:
    """"utf-16" (by its BOM), "utf-16-le"/"utf-16-be" (ASCII-range text with NULs between), or None."""
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    head = data[:SNIFF_BYTES]
    if len(head) < 4 or b"\x00" not in head:  # without a BOM, ASCII-range UTF-16 has NULs
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, chars, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and len(chars.translate(None, _ASCII_TEXT)) <= 0.1 * len(chars):
            return name
    return None


def utf16_order(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" (the byte order of UTF-16 content, by BOM or shape), or None."""
    encoding = utf16_encoding(data)
    if encoding == "utf-16":
        return "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return encoding


def as_text(data: bytes) -> str:
    """The content as text: UTF-16 (by BOM or shape), else UTF-8 (BOM dropped) with bad bytes replaced."""
    encoding = utf16_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def is_utf16(data: bytes) -> bool:
    return utf16_encoding(data) is not None
