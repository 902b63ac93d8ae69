"""Benchmark the TUI on a large tracker: ``python -m bench.tui [--secrets 100000]``.

Builds a temporary SQLite tracker with N synthetic secrets (fingerprints are hashes of a counter; nothing
resembles a credential), their occurrences and "detected" audit events, then opens the TUI headless
and reports: time until the UI is up (screen mounted, before any data), time to first paint of the
queue's rows, time until targets and paths are attached too (the second load phase), time to apply a
text filter, to re-sort, and to reload after a change, plus the database read alone. Prints a table
and writes ``bench/out/tui.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from secret_sprawl.tracker.audit import EventData, append_events
from secret_sprawl.tracker.db import open_database, writer
from secret_sprawl.tracker.models import Occurrence, Scan, Secret, Target
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.app import SprawlApp
from secret_sprawl.tui.data import QueueFilter, attach_places, load_secrets
from secret_sprawl.tui.screens.queue import QueueScreen
from secret_sprawl.tui.widgets.filter_bar import FilterBar
from sqlmodel import Session
from textual.widgets import DataTable

OUT = Path(__file__).parent / "out"
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
PROVIDERS = (
    ("openai", "openai-project-key", "ai"), ("anthropic", "anthropic-api-key", "ai"),
    ("huggingface", "huggingface-token", "ai"), ("google", "gemini-api-key", "ai"),
    ("aws", "aws-access-key-id", "cloud"), ("gcp", "gcp-service-account-key", "cloud"),
    ("github", "github-classic-pat", "scm"), ("slack", "slack-bot-token", "messaging"),
)
STATUSES = ("open",) * 7 + ("revoked", "rotated", "false-positive")
TARGETS = 200
TIMEOUT_SECONDS = 300.0
POLL_SECONDS = 0.01


def build_database(url: str, count: int, seed: int = 7) -> sa.Engine:
    """A tracker with ``count`` secrets over 120 days, 30 % resolved, 1-3 places each."""
    rng = random.Random(seed)
    engine = open_database(url)
    with Session(writer(engine)) as session:
        scan = Scan(started_at=AS_OF - timedelta(days=1), finished_at=AS_OF - timedelta(days=1),
                    status="completed", targets=[], actor="bench")
        session.add(scan)
        session.flush()
        session.execute(sa.insert(Target), [
            {"name": f"github.com/bench/repo-{i:03d}", "kind": "git", "created_at": AS_OF}
            for i in range(TARGETS)
        ])
        secrets, occurrences, events = [], [], []
        for index in range(1, count + 1):
            provider, rule, category = rng.choice(PROVIDERS)
            exposed = AS_OF - timedelta(seconds=rng.uniform(0, 120 * 86400))
            status = rng.choice(STATUSES)
            resolved = None if status == "open" else exposed + (AS_OF - exposed) * rng.random()
            places = rng.choice((1, 1, 1, 2, 3))
            secrets.append({
                "id": index, "fingerprint": hashlib.sha256(f"bench-{seed}-{index}".encode()).hexdigest(),
                "rule_id": rule, "provider": provider, "category": category, "lifetime": "long-lived",
                "severity": "high", "redacted": f"bench…{index % 100:02d} (40 chars)", "status": status,
                "owner": rng.choice((None, None, "platform", "ml-team", "sre")), "exposed_at": exposed,
                "first_seen_at": exposed, "last_seen_at": scan.started_at, "resolved_at": resolved,
                "in_head": True, "places": places, "targets_count": 1, "verification_state": "unverified",
                "inactive_at_discovery": False,
            })
            target = rng.randrange(1, TARGETS + 1)
            for place in range(places):
                occurrences.append({
                    "secret_id": index, "target_id": target,
                    "path": f"services/svc-{index % 997}/{place}.env",
                    "line": place + 1, "column": 1, "location_kind": "env-file", "commit": f"{index:040x}",
                    "committed_at": exposed, "in_head": place == 0, "first_scan_id": scan.id,
                    "last_scan_id": scan.id,
                })
            events.append(EventData(kind="detected", actor="bench", secret_id=index, scan_id=scan.id,
                                    new_value="open", at=exposed))
        session.execute(sa.insert(Secret), secrets)
        session.execute(sa.insert(Occurrence), occurrences)
        append_events(session, events)
        session.commit()
    return engine


async def measure(engine: sa.Engine, url: str) -> dict[str, float]:
    app = SprawlApp(engine, url=url, policy=SlaPolicy(), actor="bench", as_of=AS_OF, refresh=0)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    async with app.run_test(size=(160, 40)) as pilot:
        figures["ui_ready_s"] = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one("#queue", DataTable)
        await _until(pilot, lambda: table.row_count > 0)
        figures["first_paint_s"] = time.perf_counter() - started
        figures["rows_loaded"] = len(screen.rows)
        await _idle(app, pilot)  # targets and paths attached: the queue is complete
        figures["complete_s"] = time.perf_counter() - started

        # The filter bar's own message (what Enter or the end of typing sends), not simulated keys:
        # this times the app, not the test harness's key delivery.
        before = screen.view
        started = time.perf_counter()
        screen.query_one(FilterBar).post_message(FilterBar.Changed(QueueFilter(text="anthropic")))
        await _until(pilot, lambda: screen.view is not before)
        figures["filter_s"] = time.perf_counter() - started
        figures["rows_after_filter"] = len(screen.view)

        before = screen.view
        started = time.perf_counter()
        screen.sort_by("provider")
        await _until(pilot, lambda: screen.view is not before)
        figures["sort_s"] = time.perf_counter() - started

        before_rows = screen.rows
        started = time.perf_counter()
        screen.reload()
        await _until(pilot, lambda: screen.rows is not before_rows and screen.view is not before)
        figures["reload_s"] = time.perf_counter() - started
        await _idle(app, pilot)  # let the second phase finish before closing
    return figures


async def _idle(app: SprawlApp, pilot) -> None:
    while app.workers:
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _until(pilot, condition: Callable[[], bool]) -> None:
    # Plain sleeps, not pilot.pause(): the harness must not compete with the app for the GIL.
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not get there in time")
        await asyncio.sleep(POLL_SECONDS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tui", description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=int, default=100_000, help="number of secrets (default: 100000)")
    args, _ = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="sprawl-bench-tui-") as folder:
        url = f"sqlite:///{os.path.join(folder, 'tracker.db')}"
        started = time.perf_counter()
        engine = build_database(url, args.secrets)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        attach_places(engine, load_secrets(engine, SlaPolicy(), AS_OF))
        read_seconds = time.perf_counter() - started
        figures = asyncio.run(measure(engine, url))
        engine.dispose()
    results = {"secrets": args.secrets, "build_db_s": build_seconds, "db_read_s": read_seconds, **figures}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tui.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key:<20} {value:>10.3f}" if isinstance(value, float) else f"{key:<20} {value:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
