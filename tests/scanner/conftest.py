"""Fixtures for scanner tests: run ``sprawl scan`` in-process, build the demo repository once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from secret_sprawl.scanner.cli import main

from fixtures.build_demo_repo import DemoRepo, build_demo_repo
from tests.scanner.fake_hosts import FakeHosts, serve
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


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[FakeHosts]:
    """Fake GitHub, GitLab and Hugging Face APIs on 127.0.0.1 serving local repositories."""
    yield from _served(FakeHosts(tmp_path / "hosts", token=f"tok{uuid.uuid4().hex}"))


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[FakeHosts]:
    """A second such server (another port, so another origin) that a hostile API may point at."""
    yield from _served(FakeHosts(tmp_path / "elsewhere"))


def _served(fake: FakeHosts) -> Iterator[FakeHosts]:
    server, thread = serve(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
