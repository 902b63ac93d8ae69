"""Synthetic rules files and fake credentials for the detector tests.

Every credential here is generated from a seeded RNG and is meaningless outside these tests.
"""

from __future__ import annotations

import json
import random
import string

ALNUM = string.ascii_letters + string.digits


def fake(seed: int, length: int = 32, alphabet: str = ALNUM) -> str:
    """A deterministic random string: high entropy, clearly synthetic."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def rule_table(rule_id: str, pattern: str, keywords: list[str], **fields: object) -> dict[str, object]:
    """A complete rule table; examples default to one built from ``keywords[0]``."""
    table: dict[str, object] = {
        "id": rule_id,
        "name": f"Test rule {rule_id}",
        "provider": "testprov",
        "category": "ai",
        "lifetime": "long-lived",
        "lifetime_note": "Synthetic test rule.",
        "pattern": pattern,
        "keywords": keywords,
        "references": ["https://docs.invalid/test"],
        "examples": [{"text": f"a {keywords[0]}", "secret": keywords[0]}] * 2,
        "negative_examples": ["nothing here", "still nothing"],
    }
    table.update(fields)
    return table


def toml_rules(tables: list[dict[str, object]]) -> str:
    """Serialize rule tables to TOML (JSON string escapes are valid TOML basic strings)."""
    out = []
    for table in tables:
        out.append("[[rules]]")
        out.extend(f"{key} = {_value(value)}" for key, value in table.items())
        out.append("")
    return "\n".join(out)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_value(item)}" for key, item in value.items()) + " }"
    raise TypeError(value)
