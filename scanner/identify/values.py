"""Reading an identity answer: JSON or XML bodies as one tree, the spec's sources resolved against it,
and the expiry formats providers use. Pure functions, no I/O.

A path walks dicts by key; a list met on the way is walked element by element, so
``orgs.name`` gives every organisation's name and an XML ``member`` list needs no index.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from secret_sprawl.detectors.identity import Source

_EPOCH_MS = 100_000_000_000  # larger epoch numbers are milliseconds
_TEXT_FORMATS = ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S %z")


@dataclass(frozen=True, slots=True)
class Answer:
    """One call's answer as the sources see it: lower-cased headers and the parsed body (or None)."""

    status: int
    headers: Mapping[str, str]
    body: Any


def parse_body(text: str) -> Any:
    """The JSON value, or the XML document's root as nested dicts, or None for anything else."""
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            return json.loads(stripped)
        if stripped.startswith("<"):
            return _element(ET.fromstring(stripped))
    except (ValueError, ET.ParseError):
        return None
    return None


def _element(node: ET.Element) -> Any:
    children = list(node)
    if not children:
        return (node.text or "").strip()
    tree: dict[str, list[Any]] = {}
    for child in children:
        tree.setdefault(child.tag.rpartition("}")[2], []).append(_element(child))
    return tree


def walk(node: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at ``path`` under ``node`` (lists along the way are walked element by element)."""
    if isinstance(node, list):
        return [found for item in node for found in walk(item, path)]
    if not path:
        return [] if node is None else [node]
    if isinstance(node, dict) and path[0] in node:
        return walk(node[path[0]], path[1:])
    return []


def resolve(source: Source, answers: Mapping[str, Answer]) -> list[str]:
    """The text values a source gives, in order (empty when its call was not made or had no value)."""
    if source.value is not None:
        return [source.value]
    answer = answers.get(source.call)
    if answer is None:
        return []
    if source.part == "header":
        found = answer.headers.get(source.path[0].lower())
        nodes: list[Any] = [found] if found else []
    else:
        nodes = walk(answer.body, source.path)
    if source.text is None:
        return [text for node in nodes if (text := _text(node))]
    return [_fill(source.text, node) for node in nodes]


def split_scopes(values: list[str]) -> list[str]:
    """Scope lists as providers send them in one string ("repo, gist" or "read write")."""
    return [part for value in values for part in value.replace(",", " ").split()]


def _fill(template: str, node: Any) -> str:
    out, rest = [], template
    while "{" in rest and "}" in rest:
        head, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        values = [node] if not name else walk(node, tuple(name.split(".")))
        out += [head, ",".join(_text(v) for v in values)]
    return "".join(out) + rest


def _text(node: Any) -> str:
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str | int | float):
        return str(node).strip()
    return ""  # objects are not values


def parse_expiry(text: str) -> datetime | None:
    """An expiry as a UTC instant: ISO 8601 (a bare date is its midnight UTC), GitHub's
    ``2025-01-31 12:00:00 UTC`` / ``... -0700``, or epoch seconds or milliseconds. None if unreadable."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return datetime.fromtimestamp(number / 1000 if number > _EPOCH_MS else number, UTC)
    for fmt in _TEXT_FORMATS:
        try:
            return _utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
