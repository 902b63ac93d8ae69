"""Where to revoke a credential: the provider's key-management page and a one-line hint.

The TUI must not import the detectors' catalog, so it keeps this small map as data in
``tui/remediation.toml`` keyed by provider id, with a default for providers it does not list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Remediation:
    url: str
    hint: str


@cache
def _table() -> dict[str, dict[str, str]]:
    doc = tomllib.loads((resources.files(__package__) / "remediation.toml").read_text(encoding="utf-8"))
    return {"": doc["default"], **doc["providers"]}


def remediation_for(provider: str) -> Remediation:
    """The entry for ``provider``, else the generic advice."""
    entry = _table().get(provider) or _table()[""]
    return Remediation(url=entry.get("url", ""), hint=entry["hint"])
