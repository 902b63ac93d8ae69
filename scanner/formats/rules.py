"""``sprawl rules list`` formats: aligned columns, or JSON with name, severity and the lifetime note."""

from __future__ import annotations

import json as _json

from secret_sprawl.detectors.catalog import Catalog

_COLUMNS = ("id", "provider", "category", "lifetime")
_FIELDS = ("id", "name", "provider", "category", "lifetime", "lifetime_note", "severity")


def json(catalog: Catalog) -> str:
    rows = [{name: getattr(rule, name) for name in _FIELDS} for rule in catalog.rules]
    return _json.dumps(rows, indent=2) + "\n"


def table(catalog: Catalog) -> str:
    rows = [_COLUMNS, *((rule.id, rule.provider, rule.category, rule.lifetime) for rule in catalog.rules)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join(lines) + f"\n\n{len(catalog.rules)} rules, {len(catalog.providers())} providers\n"
