"""Output formats for ``sprawl scan``: each module exposes ``render(report) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from secret_sprawl.scanner.report import Report

FORMATS = ("table", "json", "jsonl", "csv", "sarif")


def renderer(name: str) -> Callable[[Report], str]:
    return import_module(f"secret_sprawl.scanner.formats.{name}").render
