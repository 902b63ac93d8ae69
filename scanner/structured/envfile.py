"""Env files (``.env``, ``.env.*``, ``*.env``): ``KEY=VALUE`` lines, scanned as is so lines are exact.

The parser only checks the syntax: comments, blank lines, ``[export ]KEY=VALUE`` and quoted values
that continue over several lines. Anything else makes the file malformed (scanned as plain text).
"""

from __future__ import annotations

import re

from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, whole

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(?P<value>.*)$")


def parse(text: str) -> Parsed:
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote:
            if _closes(line, open_quote):
                open_quote = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if not match:
            raise MalformedError(f"line {number} is not KEY=VALUE")
        value = match["value"]
        if value[:1] in ("'", '"') and not _closes(value[1:], value[0]):
            open_quote = value[0]
    return whole(text)


def _closes(text: str, quote: str) -> bool:
    return re.search(rf"(?<!\\){quote}", text) is not None
