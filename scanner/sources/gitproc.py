"""Run git through gitpython with streamed output, and report its failures as one line of text."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from git import Git
from git.exc import GitCommandError
from secret_sprawl.detectors.urls import scrub_text

# Never prompt for credentials and never let ssh ask questions: a nightly scan has nobody to answer.
QUIET_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": "ssh -o BatchMode=yes", "LC_ALL": "C"}


class GitFailure(RuntimeError):
    """A git command failed; the message is git's own first error line."""


def git_at(path: Path | str) -> Git:
    git = Git(str(path))
    git.update_environment(**QUIET_ENV)
    return git


def run(git: Git, *args: str) -> str:
    """Run a git command to completion and return its stdout (stripped)."""
    try:
        return git.execute(["git", *args], strip_newline_in_stdout=True)
    except GitCommandError as exc:
        raise GitFailure(brief(exc.stderr) or f"git {args[0]} failed") from exc


def stream(git: Git, *args: str, stdin: bytes | None = None) -> Iterator[bytes]:
    """Yield git's stdout line by line (bytes, newline stripped); raise GitFailure when it fails."""
    process = git.execute(["git", *args], as_process=True,
                          istream=subprocess.PIPE if stdin is not None else None)
    if stdin is not None:
        writer = threading.Thread(target=_write_all, args=(process.proc.stdin, stdin), daemon=True)
        writer.start()
    for line in process.proc.stdout:
        yield line.rstrip(b"\n")
    stderr = process.proc.stderr.read()
    if process.proc.wait() != 0:
        raise GitFailure(brief(stderr) or f"git {args[0]} failed")


def records(git: Git, *args: str) -> Iterator[bytes]:
    """The NUL-terminated records of a ``-z`` command's output (paths may hold any byte but NUL)."""
    pending = b""
    for line in stream(git, *args):
        pending += line + b"\n"
        *complete, pending = pending.split(b"\x00")
        yield from complete
    if pending.strip(b"\n"):
        yield pending.rstrip(b"\n")


def _write_all(pipe: IO[bytes], data: bytes) -> None:
    """Feed a process's stdin from a thread, so a process that answers as it reads cannot deadlock."""
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        return


def brief(stderr: bytes | str | None) -> str:
    """git's error output in one line, without the 'stderr:' decoration gitpython adds, and without
    any credential of a URL it quotes."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", errors="replace")
    lines = [line.strip().removeprefix("stderr:").strip().strip("'").strip()
             for line in (stderr or "").splitlines()]
    return scrub_text("; ".join(line for line in lines if line))[:500]


def is_repository(path: Path) -> bool:
    """A git work tree root or a bare repository (not merely a folder inside one)."""
    return (path / ".git").exists() or (
        (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
    )
