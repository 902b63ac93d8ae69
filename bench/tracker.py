"""Benchmark the tracker: ``python -m bench.tracker [--findings 100000] [--db URL]``.

Records N synthetic findings (fingerprints of random bytes; nothing resembles a credential) spread
over a few targets through ``Recorder`` - one transaction per target, as a scan does - and reports
the time, the rate and the database size; then records the same results again (a re-scan: no new
rows) and computes ``metrics`` (plain and grouped) and the SLA-annotated secret list over them, with
half of the secrets resolved. Prints a table and writes ``bench/out/tracker.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from secret_sprawl.detectors.types import Finding, Provenance, TargetResult
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.metrics import compute_metrics
from secret_sprawl.tracker.queries import list_secrets
from secret_sprawl.tracker.recording import Recorder
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import text
from sqlmodel import Session

OUT = Path(__file__).parent / "out"
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
PROVIDERS = (
    ("openai", "ai"), ("anthropic", "ai"), ("huggingface", "ai"), ("aws", "cloud"), ("github", "scm"),
)


def synthetic_results(findings: int, targets: int, seed: int) -> list[TargetResult]:
    rng = random.Random(seed)
    results = [TargetResult(target=f"bench/repo-{n}", kind="git", refs={"refs/heads/main": "0" * 40})
               for n in range(targets)]
    for index in range(findings):
        provider, category = rng.choice(PROVIDERS)
        result = results[index % targets]
        committed = AS_OF - timedelta(seconds=rng.randrange(120 * 86_400))
        result.findings.append(Finding(
            rule_id=f"{provider}-key", provider=provider, category=category, lifetime="long-lived",
            severity="high", fingerprint=hashlib.sha256(rng.randbytes(32)).hexdigest(),
            redacted="synthetic (32 bytes)",
            provenance=Provenance(target=result.target, path=f"src/module_{index % 997}.py",
                                  location_kind="source", commit=f"{index:040x}", committed_at=committed,
                                  author="bench@example.invalid", in_head=rng.random() < 0.7),
            line=1 + index % 300, column=1,
        ))
    for result in results:
        result.files = result.blobs = len(result.findings)
    return results


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def record_all(engine: Any, results: list[TargetResult]) -> int:
    recorder = Recorder(engine, trigger="bench", actor="bench")
    for result in results:
        recorder.record(result)
    return recorder.finish().new_secrets


def resolve_half(engine: Any) -> None:
    """Synthetic setup only: every other secret revoked 1-60 days after exposure (no audit events)."""
    days = "(id % 60 + 1)"
    resolved_at = (f"exposed_at + {days} * interval '1 day'" if engine.dialect.name == "postgresql"
                   else f"strftime('%Y-%m-%d %H:%M:%f', exposed_at, '+' || {days} || ' days')")
    with writer(engine).begin() as connection:
        connection.execute(text(
            f"UPDATE secret SET status = 'revoked', resolved_at = {resolved_at} WHERE id % 2 = 0"))


def db_size(url: str) -> int | None:
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tracker", description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database URL (default a temporary SQLite file)")
    parser.add_argument("--out", type=Path, default=OUT)
    args, _ = parser.parse_known_args(argv)

    with tempfile.TemporaryDirectory(prefix="sprawl-bench-") as folder:
        url = args.db or f"sqlite:///{os.path.join(folder, 'tracker.db')}"
        engine = open_database(url)
        results = synthetic_results(args.findings, args.targets, args.seed)
        record_s, new = timed(lambda: record_all(engine, results))
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db_size(url)
        rescan_s, _ = timed(lambda: record_all(engine, results))
        resolve_half(engine)
        policy = SlaPolicy()
        with Session(engine) as session:
            metrics_s, metrics = timed(lambda: compute_metrics(session, policy, as_of=AS_OF))
            grouped_s, _ = timed(lambda: compute_metrics(session, policy, as_of=AS_OF, group_by="target"))
            list_s, rows = timed(lambda: list_secrets(session, policy, now=AS_OF, sla="breached"))
        engine.dispose()

    report = {
        "database": engine.dialect.name, "findings": args.findings, "targets": args.targets,
        "new_secrets": new,
        "record_seconds": round(record_s, 3), "record_findings_per_second": round(args.findings / record_s),
        "db_bytes": size, "db_bytes_per_finding": round(size / args.findings, 1) if size else None,
        "rescan_seconds": round(rescan_s, 3), "metrics_seconds": round(metrics_s, 3),
        "metrics_group_by_target_seconds": round(grouped_s, 3), "list_breached_seconds": round(list_s, 3),
        "list_breached_rows": len(rows), "mttr_count": metrics.mttr_count, "open_count": metrics.open_count,
    }
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tracker.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
