"""The Source contract: every source class is registered, each fulfils the protocol, and each kind of
target goes to the source meant for it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from secret_sprawl.scanner import sources
from secret_sprawl.scanner.sources.interface import ScanOptions
from secret_sprawl.scanner.sources.registry import SOURCES, source_for

from tests.scanner.helpers import git


def _source_classes() -> set[type]:
    found = set()
    for module in pkgutil.iter_modules(sources.__path__):
        loaded = importlib.import_module(f"{sources.__name__}.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            protocol = all(hasattr(value, attribute) for attribute in ("name", "claims", "scan"))
            if value.__module__ == loaded.__name__ and protocol:
                found.add(value)
    return found


def test_every_source_class_is_registered_once_and_the_directory_comes_last() -> None:
    registered = [type(source) for source in SOURCES]
    assert len(set(registered)) == len(registered)
    assert set(registered) == _source_classes()
    assert SOURCES[-1].name == "directory"
    for source in SOURCES:
        assert isinstance(source.name, str) and source.name
        assert list(inspect.signature(source.claims).parameters) == ["spec", "options"]
        assert list(inspect.signature(source.scan).parameters) == ["spec", "session"]


@pytest.mark.parametrize(("spec", "options", "expected"), [
    ("https://example.com/org/repo.git", ScanOptions(), "remote"),
    ("git@example.com:org/repo.git", ScanOptions(), "remote"),
    ("fd::17", ScanOptions(), "remote"),  # claimed, then refused: no other source may try it
    ("REPO", ScanOptions(), "git"),
    ("REPO", ScanOptions(history=False), "directory"),
    ("REPO", ScanOptions(staged=True), "staged"),
    ("DIR", ScanOptions(), "directory"),
    ("DIR/missing", ScanOptions(), "directory"),
])
def test_each_target_goes_to_its_source(tmp_path: Path, spec: str, options: ScanOptions,
                                        expected: str) -> None:
    (tmp_path / "REPO").mkdir()
    git(tmp_path / "REPO", "init", "--quiet")
    (tmp_path / "DIR").mkdir()
    local = str(tmp_path / spec) if spec.startswith(("REPO", "DIR")) else spec
    assert source_for(local, options).name == expected
