"""`make bench`: run every benchmark in turn (engine, git history, tracker, TUI) and print their figures.

Each benchmark is also runnable alone (`python -m bench.engine`, `bench.history`, `bench.tracker`,
`bench.tui`); arguments after `--` are passed to all. Results are written under bench/out/.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("bench.engine", "bench.history", "bench.tracker", "bench.tui")


def main(argv: list[str]) -> int:
    only = [a.removeprefix("--only=") for a in argv if a.startswith("--only=")]
    passthrough = [a for a in argv if not a.startswith("--only=")]
    status = 0
    for name in BENCHMARKS:
        if only and name.split(".")[1] not in only:
            continue
        print(f"\n===== {name} =====", flush=True)
        status |= int(importlib.import_module(name).main(passthrough) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
