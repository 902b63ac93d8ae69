"""Fixtures for scanner tests: run ``sprawl scan`` in-process, build the demo repository once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from secret_sprawl.scanner.cli import main

from fixtures.build_demo_repo import DemoRepo, build_demo_repo
from tests.scanner.helpers import ScanRun


@pytest.fixture
def sprawl_scan(capsys: pytest.CaptureFixture[str]) -> Callable[..., ScanRun]:
    """Run ``sprawl scan ARGS`` (always --no-record) and return exit code, stdout and stderr."""

    def run(*args: str | Path, record: bool = False) -> ScanRun:
        argv = ["scan", *(str(a) for a in args)]
        if not record:
            argv.append("--no-record")
        code = main(argv)  # the front door maps every error to exit code 2 and a message
        captured = capsys.readouterr()
        return ScanRun(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return build_demo_repo(tmp_path_factory.mktemp("demo") / "repo")
