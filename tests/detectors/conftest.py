"""Fixtures for detector tests: rules files written to tmp_path and engines over only those rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from secret_sprawl.detectors.catalog import Catalog, load_catalog
from secret_sprawl.detectors.engine import Engine

from tests.detectors.helpers import toml_rules


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
