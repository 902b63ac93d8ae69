"""Docker Compose files: YAML whose ``environment:`` blocks hold env vars; scanned as is.

YAML keeps a value on its key's line, so the engine's lines are the file's; the parser checks the
file is a YAML mapping whose ``services`` is a mapping, so that a broken one is flagged.
"""

from __future__ import annotations

from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, whole
from secret_sprawl.scanner.structured.yamlload import load_all


def parse(text: str) -> Parsed:
    documents = [doc for doc in load_all(text) if doc is not None]
    if documents and not all(isinstance(doc, dict) for doc in documents):
        raise MalformedError("not a Compose file: the top level is not a mapping")
    if any(not isinstance(doc.get("services", {}), dict) for doc in documents):
        raise MalformedError("not a Compose file: services is not a mapping")
    return whole(text)
