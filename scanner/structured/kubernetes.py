"""YAML manifests: a Kubernetes ``Secret``'s base64 ``data:`` values are decoded and scanned.

Every YAML file is scanned as text (``stringData:`` and anything else is on its own line). When a
document is ``kind: Secret``, each ``data:`` value is base64-decoded and scanned as well, and a match
in it is reported at the line and column of its key: the secret is not written in the file in clear.
Every one-line ``data:`` (decoded) and ``stringData:`` value is also a candidate on its own: it is
scanned as ``kubernetes-secret-value: VALUE``, which the ``kubernetes-secret-value`` rule scores like
a generic assignment (whatever the key is called).
Files that are not Secret manifests are not parsed at all (a cheap text check comes first).
A file too large to parse whole is read in pieces; ``encoded_values`` finds the ``key: base64``
lines of a piece without parsing, so its ``data:`` values are decoded too.
"""

from __future__ import annotations

import base64
import binascii
import re

import yaml
from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, Segment, whole
from secret_sprawl.scanner.structured.yamlload import compose_all

CANDIDATE = "kubernetes-secret-value: "
# Starts with its literal, not with ``^``: Python's re then skips to each "kind:" instead of trying
# every position (100 MB/s on YAML cassettes and docs that are not manifests); the line start is
# checked after.
_SECRET_KIND = re.compile(r"kind:\s*[\"']?Secret[\"']?\s*$", re.MULTILINE)
_ENCODED_LINE = re.compile(rb"^([ \t]*)[\w.-]+:[ \t]*([A-Za-z0-9+/]{16,}={0,2})[ \t]*\r?$", re.MULTILINE)


def parse(text: str) -> Parsed:
    if not _declares_secret(text):
        return whole(text)
    segments = [Segment(text)]
    for document in compose_all(text):
        if not isinstance(document, yaml.MappingNode):
            raise MalformedError("not a Kubernetes manifest: a document is not a mapping")
        fields = {key.value: value for key, value in document.value if isinstance(key, yaml.ScalarNode)}
        kind = fields.get("kind")
        data = fields.get("data")
        if not (isinstance(kind, yaml.ScalarNode) and kind.value == "Secret"):
            continue
        if isinstance(data, yaml.MappingNode):
            segments.extend(_decoded(data))
        string_data = fields.get("stringData")
        if isinstance(string_data, yaml.MappingNode):
            segments.extend(_candidate(value.value, key) for key, value in string_data.value
                            if isinstance(value, yaml.ScalarNode) and _one_line(value.value))
    return Parsed(tuple(segments), location_kind="iac")


def _declares_secret(text: str) -> bool:
    """Whether a line of ``text`` is ``kind: Secret`` (unindented: a document's own kind)."""
    return any(found.start() == 0 or text[found.start() - 1] == "\n" for found in _SECRET_KIND.finditer(text))


def _one_line(value: str) -> bool:
    return bool(value.strip()) and "\n" not in value.strip()


def _candidate(value: str, key: yaml.Node) -> Segment:
    return Segment(CANDIDATE + value.strip(), line=key.start_mark.line + 1, column=key.start_mark.column + 1,
                   fixed=True)


def _decoded(data: yaml.MappingNode) -> list[Segment]:
    segments = []
    for key, value in data.value:
        if not isinstance(value, yaml.ScalarNode) or not value.value:
            continue
        try:
            decoded = base64.b64decode("".join(value.value.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        text = decoded.decode("utf-8", errors="replace")
        if _one_line(text):
            segments.append(_candidate(text, key))
        else:
            segments.append(Segment(text, line=key.start_mark.line + 1, column=key.start_mark.column + 1,
                                    fixed=True))
    return segments


def encoded_values(data: bytes) -> list[tuple[int, Segment]]:
    """(byte offset of the line, decoded value at the key's line and column) of each ``key: base64`` line."""
    found = []
    for match in _ENCODED_LINE.finditer(data):
        try:
            decoded = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            continue
        line = data.count(b"\n", 0, match.start()) + 1
        found.append((match.start(), Segment(decoded.decode("utf-8", errors="replace"), line=line,
                                             column=len(match.group(1)) + 1, fixed=True)))
    return found
