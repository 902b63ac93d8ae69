"""The job queue's tables are the tracker's to create: once, under a lock, and only on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from secret_sprawl.tracker.db import create_db_engine, open_database
from secret_sprawl.tracker.queue_schema import QueueUnavailable, ensure_queue_schema
from sqlalchemy import text

from tests.conftest import postgres_schema


def _create(url: str) -> bool:
    engine = create_db_engine(url)
    try:
        return ensure_queue_schema(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_processes_starting_at_once_create_the_queue_once() -> None:
    with postgres_schema("qschema") as url:
        with ThreadPoolExecutor(4) as pool:  # four connections racing on the server
            created = list(pool.map(_create, [url] * 4))
        assert created.count(True) == 1
        engine = create_db_engine(url)
        try:
            with engine.connect() as connection:
                jobs = connection.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
        finally:
            engine.dispose()
        assert jobs == 0


@pytest.mark.postgres
def test_db_upgrade_creates_the_queue() -> None:
    command = [sys.executable, "-m", "secret_sprawl.scanner.cli", "db", "upgrade", "--db"]
    with postgres_schema("qschema") as url:
        first = subprocess.run([*command, url], capture_output=True, text=True, timeout=120, check=False)
        again = subprocess.run([*command, url], capture_output=True, text=True, timeout=120, check=False)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert "job queue created" in first.stdout and "job queue ready" in again.stdout


def test_sqlite_holds_no_queue(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with pytest.raises(QueueUnavailable, match="PostgreSQL"):
            ensure_queue_schema(engine)
    finally:
        engine.dispose()
    done = subprocess.run([sys.executable, "-m", "secret_sprawl.scanner.cli", "db", "upgrade", "--db",
                           f"sqlite:///{tmp_path / 't.db'}"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0 and "job queue" not in done.stdout
