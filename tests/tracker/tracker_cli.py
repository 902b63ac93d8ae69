"""Run ``sprawl`` in-process (the real entry point and plugins) and capture its output."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from secret_sprawl.scanner.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def sprawl(*args: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())
