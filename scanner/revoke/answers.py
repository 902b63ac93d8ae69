"""Read a provider's answer: its own words (for a failure reason), a list inside it, one element of an
AWS XML answer; and fill a step's ``{placeholders}``. Pure functions, no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MAX_MESSAGE = 200


def render(template: str, values: Mapping[str, str], *, quote_values: bool = False) -> str:
    """``template`` with ``{name}`` replaced; values URL-quoted where they land in a path or form body
    (``secret_json`` is JSON already)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, match.group(0))
        return quote(value, safe="") if quote_values and name != "secret_json" else value

    return PLACEHOLDER.sub(one, template)


def provider_message(text: str) -> str:
    """The provider's own words from an answer (JSON ``message``/``error``, AWS XML ``Message``)."""
    answer = parse(text)
    if isinstance(answer, dict):
        for key in ("message", "error_description", "error", "detail"):
            value = answer.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("type")
            if isinstance(value, str) and value:
                return value[:MAX_MESSAGE]
        return ""
    code, message = xml_element(text, "Code"), xml_element(text, "Message")
    return ": ".join(part for part in (code, message) if part)[:MAX_MESSAGE]


def parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def dig(answer: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        answer = answer.get(part) if isinstance(answer, dict) else None
    return answer


def xml_element(text: str, name: str) -> str:
    found = re.search(rf"<{re.escape(name)}>([^<]*)</{re.escape(name)}>", text)
    return found.group(1).strip() if found else ""
