"""Shared helpers for scanner tests: run ``sprawl scan`` in-process, build the demo repository once."""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

# ``fixtures`` lives at the project root, which ``python -m pytest`` (make test) puts on sys.path and a
# bare ``pytest`` does not.
if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fixtures.build_demo_repo import DemoRepo, build_demo_repo
from scanner.cli import UsageError, common_options
from scanner.commands import scan


@dataclass
class ScanRun:
    code: int
    out: str
    err: str

    @property
    def doc(self) -> dict:
        return json.loads(self.out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sprawl")
    scan.register(parser.add_subparsers(dest="command"), common_options())
    return parser


@pytest.fixture
def sprawl_scan(capsys: pytest.CaptureFixture[str]) -> Callable[..., ScanRun]:
    """Run ``sprawl scan ARGS`` (always --no-record) and return exit code, stdout and stderr."""

    def run(*args: str | Path, record: bool = False) -> ScanRun:
        argv = ["scan", *(str(a) for a in args)]
        if not record:
            argv.append("--no-record")
        parsed = _parser().parse_args(argv)
        try:
            code = parsed.func(parsed)
        except UsageError as exc:
            captured = capsys.readouterr()
            return ScanRun(2, captured.out, captured.err + str(exc))
        captured = capsys.readouterr()
        return ScanRun(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return build_demo_repo(tmp_path_factory.mktemp("demo") / "repo")


def groq_key(seed: int) -> str:
    """A well-formed, never-real Groq key (``gsk_`` + 52 alphanumerics), the same for the same seed."""
    rng = random.Random(seed)
    return "gsk_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(52))


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    """Run git in ``repo`` with a fixed identity and no user config."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", *args],
                          cwd=repo, env=env, input=stdin, text=True, capture_output=True, check=True)
    return done.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def secret_findings(findings: Iterable[dict]) -> list[dict]:
    """The secret findings of a report, without the CI posture findings that stand beside them."""
    return [f for f in findings if f["kind"] == "secret"]
