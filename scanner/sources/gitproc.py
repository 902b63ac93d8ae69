"""Run git through gitpython with streamed output, and report its failures as one line of text.

Every git command on a scanned repository runs offline (``OFFLINE_ENV``): no transport is allowed, so
a partial clone never fetches an absent object lazily and the hosts named in a scanned repository's
config are never contacted. Only fetching a remote target (``network``) may use the network, with
the transports of ``ALLOWED_PROTOCOLS`` and a timeout for a remote that stops answering.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from secret_sprawl.detectors.urls import scrub_text

if TYPE_CHECKING:  # gitpython is imported when git is first run: a directory scan never needs it
    from git import Git

# Never prompt for credentials and never let ssh ask questions: a nightly scan has nobody to answer.
QUIET_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": "ssh -o BatchMode=yes", "LC_ALL": "C"}
# No transport at all (protocol.allow=never, set through the environment so it covers every git
# command and every version since 2.31), and no lazy fetch where git knows the variable (2.44+).
OFFLINE_ENV = {"GIT_NO_LAZY_FETCH": "1", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "protocol.allow",
               "GIT_CONFIG_VALUE_0": "never"}
ALLOWED_PROTOCOLS = "https:http:ssh:git:file"


class GitFailure(RuntimeError):
    """A git command failed; the message is git's own first error line."""


def git_at(path: Path | str) -> Git:
    """git in ``path``, offline (see the module docstring)."""
    from git import Git

    git = Git(str(path))
    git.update_environment(**QUIET_ENV, **OFFLINE_ENV)
    return git


def network(path: Path, args: Sequence[str], *, timeout: float, stdin: bytes | None = None,
            extra_env: dict[str, str] | None = None) -> str:
    """Run a git command that talks to a remote; its stdout.

    Raises GitFailure when git fails or when nothing arrives (on stdout or stderr, where ``--progress``
    reports) for ``timeout`` seconds: http(s) also gets curl's low-speed limit, ssh a connect timeout
    and keep-alives, and every transport (git:// has no timeout of its own) is stopped by this watch.
    ``extra_env`` is added for this command only (an organisation token's HTTP header).
    """
    seconds = str(max(1, int(timeout)))
    env = {**os.environ, **QUIET_ENV, "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS,
           "GIT_HTTP_LOW_SPEED_LIMIT": "1", "GIT_HTTP_LOW_SPEED_TIME": seconds,
           "GIT_SSH_COMMAND": f"ssh -o BatchMode=yes -o ConnectTimeout={seconds} "
                              f"-o ServerAliveInterval={seconds} -o ServerAliveCountMax=1",
           **(extra_env or {})}
    process = subprocess.Popen(["git", *args], cwd=path, env=env,
                               stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin is not None:
        threading.Thread(target=_write_all, args=(process.stdin, stdin), daemon=True).start()
    output = {process.stdout: bytearray(), process.stderr: bytearray()}
    with selectors.DefaultSelector() as watch:
        for pipe in output:
            watch.register(pipe, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while watch.get_map():
            ready = watch.select(max(0.0, deadline - time.monotonic()))
            if not ready:
                process.kill()
                process.wait()
                raise GitFailure(f"no answer from the remote for {timeout:g} s (--network-timeout)")
            for key, _ in ready:
                chunk = os.read(key.fd, 65536)
                if chunk:
                    output[key.fileobj] += chunk
                else:
                    watch.unregister(key.fileobj)
            deadline = time.monotonic() + timeout
    if process.wait() != 0:
        raise GitFailure(brief(bytes(output[process.stderr])) or f"git {args[0]} failed")
    return bytes(output[process.stdout]).decode("utf-8", errors="replace").strip()


def run(git: Git, *args: str) -> str:
    """Run a git command to completion and return its stdout (stripped)."""
    from git.exc import GitCommandError

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


class Spool:
    """A git command started now whose output goes to an unnamed temporary file (outside the scanned
    repository), read later with ``lines``: git works while the caller does something else. Where no
    temporary file can be made (a full or read-only temporary folder), git runs when ``lines`` is
    called instead, streamed."""

    def __init__(self, git: Git, *args: str, stdin: bytes | None = None) -> None:
        self._git, self._args, self._stdin = git, args, stdin
        self._process: subprocess.Popen | None = None
        try:
            # The files outlive this call on purpose: ``close`` frees them.
            self._output = tempfile.TemporaryFile()  # noqa: SIM115
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        except OSError:
            return
        self._process = subprocess.Popen(["git", *args], cwd=git.working_dir,
                                         env={**os.environ, **git.environment()},
                                         stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                         stdout=self._output, stderr=self._errors)
        if stdin is not None:
            threading.Thread(target=_write_all, args=(self._process.stdin, stdin), daemon=True).start()

    def lines(self) -> Iterator[bytes]:
        """Every line git wrote (newline stripped), once it has finished; then GitFailure if it failed."""
        if self._process is None:
            yield from stream(self._git, *self._args, stdin=self._stdin)
            return
        code = self._process.wait()
        self._output.seek(0)
        for line in self._output:
            yield line.rstrip(b"\n")
        if code != 0:
            self._errors.seek(0)
            raise GitFailure(brief(self._errors.read(65536)) or "git failed")

    def close(self) -> None:
        """Stop git if it still runs, and free the files."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()
        self._errors.close()


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
