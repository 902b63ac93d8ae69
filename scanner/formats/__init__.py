"""Every output format of every command in one registry: (what is rendered, format name) -> renderer.

A format is one function ``render(subject) -> str`` (the ``Format`` protocol). The subjects are a scan's
``Report``, ``sprawl metrics``' ``MetricsView``, ``sprawl inventory``'s ``InventoryView``, ``sprawl
secrets list``'s rows, ``sprawl rules list``'s catalog, ``sprawl verify``'s ``VerifyView``,
``sprawl jobs list``'s jobs, ``sprawl schedule list``'s schedules, ``sprawl notifications list``'s
notices and ``sprawl scans list``'s scans. Adding a format is one function plus one line in
``REGISTRY``; a command offers exactly the names registered for its subject. Modules load when a format
is used, so start-up stays short.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Protocol

# subject -> format name -> "module:function" under this package
REGISTRY: dict[str, dict[str, str]] = {
    "scan": {name: f"{name}:render" for name in ("table", "json", "jsonl", "csv", "sarif")},
    "metrics": {name: f"metrics:{name}" for name in ("table", "json", "csv", "openmetrics", "html")},
    "inventory": {name: f"inventory:{name}" for name in ("table", "json", "csv")},
    "secrets": {name: f"secrets:{name}" for name in ("table", "json", "csv")},
    "rules": {name: f"rules:{name}" for name in ("table", "json")},
    "verify": {name: f"verify:{name}" for name in ("text", "json")},
    "identify": {name: f"identify:{name}" for name in ("table", "json")},
    "jobs": {name: f"jobs:{name}" for name in ("table", "json")},
    "schedules": {name: f"schedules:{name}" for name in ("table", "json")},
    "notifications": {name: f"notifications:{name}" for name in ("table", "json")},
    "scans": {name: f"scans:{name}" for name in ("table", "json")},
    "revoke": {name: f"revoke:{name}" for name in ("table", "json")},
}


class Format(Protocol):
    def __call__(self, subject: Any, /) -> str: ...


def names(subject: str) -> tuple[str, ...]:
    """The format names registered for ``subject`` (for ``--format`` choices)."""
    return tuple(REGISTRY[subject])


def renderer(subject: str, name: str) -> Format:
    """The function that renders ``subject`` as ``name``."""
    module, function = REGISTRY[subject][name].split(":")
    return getattr(import_module(f"{__name__}.{module}"), function)
