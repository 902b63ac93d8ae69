"""Helpers for detector tests: synthetic rules files written to tmp_path, and fake credentials.

Every credential here is generated from a seeded RNG and is meaningless outside these tests.
"""

from __future__ import annotations

import json
import random
import string
import sys
from collections.abc import Callable
from pathlib import Path

# tests/ has no __init__.py, so pytest puts tests/ and tests/detectors/ first on sys.path, where
# `import detectors` would find this directory as a namespace package (and no built-in rules).
# The project root must come first. (The lasting fix: `pythonpath = ["."]` in the pytest config.)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402

from detectors.catalog import Catalog, load_catalog  # noqa: E402
from detectors.engine import Engine  # noqa: E402

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


@pytest.fixture
def write_rules(tmp_path: Path) -> Callable[..., Path]:
    """``write_rules(tables, name="rules.toml") -> Path``."""

    def write(tables: list[dict[str, object]], name: str = "rules.toml") -> Path:
        path = tmp_path / name
        path.write_text(toml_rules(tables), encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_engine(write_rules: Callable[..., Path]) -> Callable[..., Engine]:
    """``make_engine(tables, prefilter=None) -> Engine`` over only these rules (no built-ins)."""

    def make(tables: list[dict[str, object]], prefilter: str | None = None) -> Engine:
        catalog: Catalog = load_catalog([write_rules(tables)], builtin=False)
        return Engine(catalog, prefilter=prefilter)

    return make
