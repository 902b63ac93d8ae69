"""Run ``sprawl`` with every target's record step paused just before its commit, so a test can kill it
there: ``python tests/pause_in_record.py SECONDS ARGS…`` prints ``PAUSED`` on stderr, then sleeps.

The pause lives here, not in the tracker: production code carries no test hook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PAUSED = "paused inside the record transaction"
SCRIPT = str(Path(__file__).resolve())


def _pause_each_record(seconds: float) -> None:
    from secret_sprawl.tracker import recording

    record_target = recording._record_target

    def paused(*args, **kwargs):
        outcome = record_target(*args, **kwargs)
        print(PAUSED, file=sys.stderr, flush=True)
        time.sleep(seconds)
        return outcome

    recording._record_target = paused


def kill_at_pause(args: list[str], *, pauses: int = 1, seconds: float = 60) -> bool:
    """Run ``sprawl ARGS`` with its record steps paused, and SIGKILL its whole process group (scan
    workers hold the database too, as after a crash or a terminal's Ctrl-C) while the ``pauses``-th
    record step waits before its commit. False when the run never paused that often."""
    process = subprocess.Popen(
        [sys.executable, SCRIPT, str(seconds), *args],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    try:
        seen = 0
        for line in process.stderr or ():
            seen += PAUSED in line
            if seen == pauses:
                os.killpg(process.pid, signal.SIGKILL)
                return True
        return False
    finally:
        process.wait(timeout=30)


if __name__ == "__main__":
    from secret_sprawl.scanner.cli import main

    _pause_each_record(float(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
