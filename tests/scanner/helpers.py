"""Helpers for scanner tests: git with a fixed identity, fake keys, and a scan run's outcome."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ScanRun:
    code: int
    out: str
    err: str

    @property
    def doc(self) -> dict:
        return json.loads(self.out)


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


def sarif_schema() -> Path | None:
    """The official SARIF 2.1.0 schema from the nearest ``shared/schemas`` above the tests, if any
    (the main checkout and the lanes' worktrees sit at different depths below it)."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared/schemas/sarif-schema-2.1.0.json"
        if candidate.is_file():
            return candidate
    return None


def wait_for(condition: Callable[[], object], timeout: float = 60.0) -> bool:
    """Poll ``condition`` every 50 ms until it is true (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False
