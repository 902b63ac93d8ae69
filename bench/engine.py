"""Benchmark the matching engine: ``python -m bench.engine [--size-mb 200] [--quick]``.

Reports, on one core, per prefilter backend: throughput over the generated corpus (engine time
only, files are read outside the timer), the slowest file in s/MB, recall of the planted secrets,
and the time of the worst case (a 5 MB single line of keyword-dense near misses); plus the peak
resident memory of the process. ``--tree DIR`` also measures throughput over a real source tree
(e.g. an installed package, as the issue's reference numbers were). Prints a table and writes
``bench/out/engine.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from secret_sprawl.detectors.catalog import Catalog, load_catalog
from secret_sprawl.detectors.engine import Engine
from secret_sprawl.detectors.prefilter import available_backends

from bench.corpus import Corpus, ensure_corpus

OUT = Path(__file__).parent / "out"
WORST_CASE_BYTES = 5_000_000
# Files smaller than this are not ranked for s/MB: per-call overhead and timer noise dominate.
RANKED_FILE_BYTES = 64_000


def worst_case_line(catalog: Catalog, size: int = WORST_CASE_BYTES) -> bytes:
    """One line of every rule's keywords and negative examples, repeated to ``size`` bytes."""
    pieces = []
    for rule in catalog.rules:
        for keyword in rule.keywords:
            pieces.extend((f"{keyword}{keyword}", f"{keyword}=0123456789abcdefABCDEF", f'"{keyword}": "'))
        pieces.extend(text.replace("\n", " ").replace("\r", " ") for text in rule.negative_examples)
    unit = " ".join(pieces).encode("utf-8")
    return (unit * (size // len(unit) + 1))[:size]


def rule_worst_cases(catalog: Catalog, size: int = 200_000) -> list[dict]:
    """Each rule alone on lines made of its own keywords with near-miss tails; slowest first."""
    tails = ("", "=" + "Ab1/" * 20, '": "' + "a" * 60, "://u:p" * 10 + "@", " " + "x9" * 40)
    results = []
    for rule in catalog.rules:
        engine = Engine(Catalog(rules=(rule,), digest=rule.id))
        worst = (0.0, "")
        for keyword in rule.keywords[:4]:
            for tail in (*tails, keyword * 3):
                unit = f"{keyword}{tail} "
                line = (unit * (size // len(unit) + 1))[:size]
                started = time.perf_counter()
                engine.scan(line)
                worst = max(worst, ((time.perf_counter() - started) / (size / 1e6), unit[:40]))
        results.append({"rule": rule.id, "seconds_per_mb": round(worst[0], 3), "input": worst[1]})
    return sorted(results, key=lambda r: -r["seconds_per_mb"])


def tree_throughput(engine: Engine, tree: Path) -> dict:
    """MB/s of ``engine`` over every regular file under ``tree`` (engine time only)."""
    seconds, size, matches = 0.0, 0, 0
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        started = time.perf_counter()
        matches += len(engine.scan(data))
        seconds += time.perf_counter() - started
        size += len(data)
    return {"tree": str(tree), "tree_bytes": size, "tree_matches": matches,
            "tree_mb_per_second": round(size / 1e6 / max(seconds, 1e-9), 1)}


def bench_backend(catalog: Catalog, backend: str, corpus: Corpus, worst: bytes, tree: Path | None) -> dict:
    started = time.perf_counter()
    engine = Engine(catalog, prefilter=backend)
    compile_seconds = time.perf_counter() - started
    engine.scan(b"warm up")
    total_seconds, total_bytes, slowest = 0.0, 0, (0.0, "")
    found: dict[str, set[str]] = {}
    matches = 0
    for path in corpus.files:
        data = path.read_bytes()
        started = time.perf_counter()
        result = engine.scan(data)
        elapsed = time.perf_counter() - started
        total_seconds += elapsed
        total_bytes += len(data)
        matches += len(result)
        found[path.name] = {match.secret for match in result}
        if len(data) >= RANKED_FILE_BYTES:
            slowest = max(slowest, (elapsed / (len(data) / 1e6), path.name))
    recalled = sum(1 for plant in corpus.planted if plant.secret in found.get(plant.path, ()))
    started = time.perf_counter()
    worst_matches = len(engine.scan(worst))
    worst_seconds = time.perf_counter() - started
    return {
        **(tree_throughput(engine, tree) if tree else {}),
        "backend": backend,
        "compile_seconds": round(compile_seconds, 4),
        "bytes": total_bytes,
        "seconds": round(total_seconds, 3),
        "mb_per_second": round(total_bytes / 1e6 / total_seconds, 1),
        "matches": matches,
        "planted": len(corpus.planted),
        "recalled": recalled,
        "missed": sorted({p.rule_id for p in corpus.planted if p.secret not in found.get(p.path, ())}),
        "slowest_file": slowest[1],
        "slowest_file_seconds_per_mb": round(slowest[0], 4),
        "worst_case_bytes": len(worst),
        "worst_case_seconds": round(worst_seconds, 3),
        "worst_case_matches": worst_matches,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=200.0, help="corpus size (default 200)")
    parser.add_argument("--quick", action="store_true", help="a ~20 MB corpus for a fast check")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", action="append", choices=available_backends(),
                        help="only this prefilter backend (repeatable; default: all available)")
    parser.add_argument("--per-rule", action="store_true",
                        help="also time each rule alone on 200 kB lines of its own keywords (slow)")
    parser.add_argument("--tree", type=Path, help="also measure throughput over this source tree")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default bench/out)")
    # `make bench` passes the same arguments to every benchmark: ignore (but name) other benches' flags.
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print(f"bench.engine: ignoring {' '.join(unknown)}")
    size_mb = 20.0 if args.quick else args.size_mb
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    catalog = load_catalog()
    started = time.perf_counter()
    corpus = ensure_corpus(args.out / f"corpus-{size_mb:g}mb-{args.seed}", catalog, size_mb=size_mb,
                           seed=args.seed)
    print(f"corpus: {len(corpus.files)} files, {corpus.size / 1e6:.1f} MB, {len(corpus.planted)} planted "
          f"secrets, {len(catalog.rules)} rules (ready in {time.perf_counter() - started:.1f} s)")
    worst = worst_case_line(catalog)
    backends = args.backend or available_backends()
    results = [bench_backend(catalog, backend, corpus, worst, args.tree) for backend in backends]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    header = ("backend", "corpus MB/s", "tree MB/s", "slowest s/MB", "recall", "worst 5MB s", "compile s")
    rows = [
        (r["backend"], f"{r['mb_per_second']:.1f}", str(r.get("tree_mb_per_second", "-")),
         f"{r['slowest_file_seconds_per_mb']:.3f}", f"{r['recalled']}/{r['planted']}",
         f"{r['worst_case_seconds']:.2f}", f"{r['compile_seconds']:.3f}")
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    for result in results:
        if result["missed"]:
            print(f"{result['backend']}: planted secrets missed for rules: {', '.join(result['missed'])}")
    report = {"corpus_files": len(corpus.files), "corpus_bytes": corpus.size, "rules": len(catalog.rules),
              "peak_rss_mb": round(peak_mb, 1), "backends": results}
    if args.per_rule:
        report["rules_worst_case"] = per_rule = rule_worst_cases(catalog)
        print("slowest rules on their own keyword-dense lines (s/MB):")
        for row in per_rule[:10]:
            print(f"  {row['seconds_per_mb']:8.3f}  {row['rule']}  {row['input']!r}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engine.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
