"""Fast start: a scan imports only what its targets need (measured start-up: bench/history.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_PROBE = """
import contextlib, io, json, sys
from secret_sprawl.scanner.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if "." not in m)}))
"""


def _loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


def test_a_directory_scan_without_recording_loads_no_tracker_git_or_http_stack(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    loaded = _loaded("scan", str(tmp_path), "--no-record", "--format", "json")
    assert not loaded & {"git", "sqlalchemy", "sqlmodel", "alembic", "httpx", "rich", "textual"}
