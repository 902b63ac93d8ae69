"""Run ``sprawl`` with every target's record step paused just before its commit, so a test can kill it
there: ``python tests/pause_in_record.py SECONDS ARGS…`` prints ``PAUSED`` on stderr, then sleeps.

The pause lives here, not in the tracker: production code carries no test hook.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    from secret_sprawl.scanner.cli import main

    _pause_each_record(float(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
