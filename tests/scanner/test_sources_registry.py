"""The Source registry sends each kind of target to the source meant for it (that every source class
is registered and fulfils the protocol is an architecture test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from secret_sprawl.scanner.sources.interface import ScanOptions
from secret_sprawl.scanner.sources.registry import source_for

from tests.scanner.helpers import git


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
