"""What a structured parser returns: the pieces of text to scan and where each sits in the file.

Line-oriented formats return the whole text as one segment, so the engine's own line and column
are the file's. Formats that encode text (JSON strings in a notebook, base64 in a Kubernetes
Secret) return the decoded text with a way back to the file: a fixed position (the key's line) or
a search for the secret in the raw file.
"""

from __future__ import annotations

from dataclasses import dataclass


class MalformedError(ValueError):
    """The file does not parse as its type; the caller scans it as plain text and warns."""


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    line: int = 1  # file line where ``text`` starts (or where every match is reported, when fixed)
    column: int = 1
    cell: int | None = None  # notebook cell number (1-based)
    fixed: bool = False  # decoded content: every match is reported at (line, column)
    locate: bool = False  # decoded JSON string: find each secret in the raw file to get its line


@dataclass(frozen=True, slots=True)
class Parsed:
    segments: tuple[Segment, ...]
    location_kind: str | None = None  # set when the content, not the path, decides the kind


def whole(text: str, location_kind: str | None = None) -> Parsed:
    """The text scanned as is: the engine's lines and columns are the file's."""
    return Parsed((Segment(text),), location_kind)
