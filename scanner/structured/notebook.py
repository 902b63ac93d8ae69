"""Jupyter notebooks: the source and the outputs of each cell, scanned as the text they hold.

A notebook is JSON, so a cell's lines are JSON strings. Each cell's source and each output's text
are joined and scanned as one segment carrying the cell number (1-based); the reported line is the
line of the ``.ipynb`` file where the secret is written (found by searching the raw file), so that
editors and SARIF viewers open the right place. Notebook metadata is scanned too, without a cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, Segment

_TEXT_OUTPUT_KEYS = ("text", "traceback", "evalue")


def parse(text: str) -> Parsed:
    try:
        document = json.loads(text, strict=False)  # real notebooks hold raw control characters
    except json.JSONDecodeError as exc:
        raise MalformedError(f"not valid notebook JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise MalformedError("not a notebook: no list of cells")
    segments: list[Segment] = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict):
            raise MalformedError(f"cell {number} is not an object")
        segments.extend(Segment(part, cell=number, locate=True) for part in _cell_texts(cell) if part)
    segments.extend(Segment(part, locate=True) for part in _strings(document.get("metadata")) if part)
    return Parsed(tuple(segments))


def _cell_texts(cell: dict[str, Any]) -> Iterator[str]:
    yield _joined(cell.get("source"))
    for output in cell.get("outputs") or ():
        if not isinstance(output, dict):
            continue
        for key in _TEXT_OUTPUT_KEYS:
            yield _joined(output.get(key))
        data = output.get("data")
        if isinstance(data, dict):
            for mime, value in data.items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield _joined(value) if not isinstance(value, dict) else json.dumps(value)


def _joined(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(item.rstrip("\n") for item in value if isinstance(item, str))
    return ""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
