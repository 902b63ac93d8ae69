"""Agent and AI tool configs (MCP server lists, Claude Desktop): JSON with ``env`` blocks.

JSON keeps a string value on its key's line, so the text is scanned as is; the parser checks it is
a JSON object. Comments (allowed by some editors' ``mcp.json``) are stripped before checking.
"""

from __future__ import annotations

import json
import re

from secret_sprawl.scanner.structured.segments import MalformedError, Parsed, whole

# A JSON string, or a // line comment, or a /* block */ comment: strings are kept, comments dropped.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def parse(text: str) -> Parsed:
    try:
        document = json.loads(_strip_comments(text))
    except json.JSONDecodeError as exc:
        raise MalformedError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(document, dict):
        raise MalformedError("not an agent config: the top level is not an object")
    return whole(text)


def _strip_comments(text: str) -> str:
    return _TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
