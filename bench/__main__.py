"""`make bench`: run every benchmark in turn (engine, accuracy, history, tracker, TUI, workers).

Each benchmark also runs alone with its own options (`python -m bench.engine --quick`,
`python -m bench.accuracy --repo PATH`, `python -m bench.history --repo PATH`, `python -m bench.tracker`,
`python -m bench.tui`, `python -m bench.workers`).
Here `--only NAME` (repeatable) picks some, and `--repo PATH` is handed to the history benchmark
to measure a real repository beside the synthetic one. Results are written under bench/out/.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = ("engine", "accuracy", "history", "tracker", "tui", "workers")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only this benchmark")
    parser.add_argument("--repo", help="a real repository (outside the project) for the history benchmark")
    args = parser.parse_args(argv)
    status = 0
    for name in args.only or BENCHMARKS:
        print(f"\n===== bench.{name} =====", flush=True)
        options = ["--repo", args.repo] if name == "history" and args.repo else []
        status |= int(importlib.import_module(f"bench.{name}").main(options) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
