"""The posture rules as data: ``rules.toml`` next to this module gives each check its name, severity,
description, fix text and references; the checks only decide *where* a rule applies.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from secret_sprawl.detectors.types import LIFETIMES, SEVERITIES

_FIELDS = frozenset({"id", "name", "severity", "lifetime", "description", "fix", "references"})


@dataclass(frozen=True, slots=True)
class PostureRule:
    id: str
    name: str
    severity: str
    lifetime: str
    description: str
    fix: str
    references: tuple[str, ...]


@cache
def posture_rules() -> dict[str, PostureRule]:
    """All posture rules by id; a malformed rules file is a packaging bug and raises ``ValueError``."""
    data = (resources.files(__package__) / "rules.toml").read_text(encoding="utf-8")
    return parse_posture_rules(data)


def parse_posture_rules(data: str) -> dict[str, PostureRule]:
    rules: dict[str, PostureRule] = {}
    for table in tomllib.loads(data).get("rules", []):
        if set(table) != _FIELDS:
            raise ValueError(f"posture rule {table.get('id')!r}: fields must be {', '.join(sorted(_FIELDS))}")
        if table["severity"] not in SEVERITIES or table["lifetime"] not in LIFETIMES:
            raise ValueError(f"posture rule {table['id']!r}: unknown severity or lifetime")
        if table["id"] in rules:
            raise ValueError(f"posture rule {table['id']!r} defined twice")
        rules[table["id"]] = PostureRule(**{**table, "references": tuple(table["references"])})
    return rules
