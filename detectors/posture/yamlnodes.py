"""YAML access that keeps line numbers: parse to PyYAML's composed node graph and read it through
small helpers, so every value a check looks at still knows where it was written.

Composing (not constructing) also keeps keys such as GitHub's ``on:`` as the text that was written
instead of YAML 1.1 booleans, and leaves custom tags (GitLab's ``!reference``) harmless.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "YamlError", "get", "locate", "pairs",
           "parse", "position", "problem", "scalars", "seq", "source_lines", "text"]

_MERGE = "<<"


class YamlError(ValueError):
    """The file is not YAML; the message carries the line."""


def parse(source: str) -> Node | None:
    """The root node of a single-document YAML text, ``None`` for an empty file."""
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlError(problem(exc)) from exc


def problem(exc: yaml.YAMLError) -> str:
    """What is wrong and on which line, without the excerpt of the text PyYAML's message quotes:
    that line may hold a credential, and error messages end up in reports and the tracker."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or type(exc).__name__
    return f"{what} at line {mark.line + 1}" if mark is not None else what


def position(node: Node) -> tuple[int, int]:
    """1-based (line, column) where ``node`` starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def text(node: Node | None) -> str | None:
    """A scalar's text as written (without quotes), else ``None``."""
    return node.value if isinstance(node, ScalarNode) else None


def pairs(node: Node | None) -> list[tuple[str, Node, Node]]:
    """(key, key node, value node) of a mapping with scalar keys, applying ``<<`` merge keys."""
    if not isinstance(node, MappingNode):
        return []
    merged: dict[str, tuple[str, Node, Node]] = {}
    own: dict[str, tuple[str, Node, Node]] = {}
    for key_node, value_node in node.value:
        key = text(key_node)
        if key is None:
            continue
        if key == _MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                for item in pairs(source):
                    merged.setdefault(item[0], item)
        else:
            own[key] = (key, key_node, value_node)
    return list({**merged, **own}.values())


def get(node: Node | None, key: str) -> Node | None:
    """The value node under ``key`` of a mapping, else ``None``."""
    for name, _key_node, value in pairs(node):
        if name == key:
            return value
    return None


def seq(node: Node | None) -> list[Node]:
    """The items of a sequence node (an empty list for anything else)."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalars(node: Node | None) -> Iterator[ScalarNode]:
    """Every scalar value below ``node`` (mapping keys excluded), depth first, each node once."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, MappingNode):
            stack.extend(value for _key, value in reversed(current.value))


def source_lines(node: Node, source: str) -> Iterator[tuple[int, int, str]]:
    """(line, column offset, raw text) of each source line a scalar spans, for block scalars too.

    Locating text through the raw source keeps line numbers exact for ``|`` and ``>`` blocks, whose
    values no longer say where each of their lines was written.
    """
    start, end = node.start_mark.index, node.end_mark.index
    line = node.start_mark.line + 1
    column = node.start_mark.column
    for raw in source[start:end].split("\n"):
        yield line, column, raw
        line += 1
        column = 0


def locate(node: Node, source: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first ``needle`` inside ``node``'s source, else of the node."""
    for line, offset, raw in source_lines(node, source):
        found = raw.find(needle)
        if found >= 0:
            return line, offset + found + 1
    return position(node)
