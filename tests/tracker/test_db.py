"""Opening the tracker database: defaults, SQLite settings, upgrading old schemas, models vs migrations."""

from __future__ import annotations

import importlib
import os
import pkgutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import secret_sprawl.tracker.models
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from secret_sprawl.tracker.db import (
    DatabaseError,
    create_db_engine,
    current_revision,
    default_url,
    head_revision,
    open_database,
    upgrade,
)
from secret_sprawl.tracker.models.core import Event, Secret
from secret_sprawl.tracker.recording import Recorder
from sqlalchemy import select, text
from sqlmodel import Session, SQLModel

from tests.tracker.tracker_cli import sprawl
from tests.tracker.tracker_factory import fake_secret, finding, result


def _register_all_models() -> None:
    for module in pkgutil.iter_modules(secret_sprawl.tracker.models.__path__):
        importlib.import_module(f"secret_sprawl.tracker.models.{module.name}")


def test_default_url_is_a_file_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = default_url()
    assert url == f"sqlite:///{tmp_path / 'data' / 'secret-sprawl' / 'sprawl.db'}"
    assert (tmp_path / "data" / "secret-sprawl").is_dir()


def test_the_database_file_is_private_in_a_private_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    previous = os.umask(0o022)  # the usual umask, under which SQLite would create 0644
    try:
        open_database(default_url()).dispose()
    finally:
        os.umask(previous)
    folder = tmp_path / "data" / "secret-sprawl"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "sprawl.db").stat().st_mode) == 0o600
    explicit = tmp_path / "explicit.db"
    open_database(f"sqlite:///{explicit}").dispose()
    assert stat.S_IMODE(explicit.stat().st_mode) == 0o600
    wal = [p for p in tmp_path.iterdir() if p.name.startswith("explicit.db-")]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in wal)


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 't.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    with Session(engine) as session, pytest.raises(Exception, match="FOREIGN KEY"):
        session.add(Event(actor="x", kind="note", secret_id=999, prev_hash="0" * 64, hash="1" * 64))
        session.commit()
    engine.dispose()


def test_models_and_migrations_agree(engine):
    _register_all_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_database_from_the_first_schema_upgrades_itself_with_its_data(db_url):
    engine = create_db_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:  # rows as version 0001 wrote them
        connection.execute(text(
            "INSERT INTO secret (fingerprint, rule_id, provider, category, lifetime, severity, redacted,"
            " status, exposed_at, first_seen_at, last_seen_at, in_head, places, targets_count,"
            " verification_state, inactive_at_discovery) VALUES (:fp, 'openai-api-key', 'openai', 'ai',"
            " 'long-lived', 'high', 'sk-…(51 chars)', 'open', :t, :t, :t, :yes, 1, 1, 'unverified', :no)"
        ), {"fp": "a" * 64, "t": "2025-01-01 00:00:00+00:00", "yes": True, "no": False})
    engine.dispose()

    engine = open_database(db_url)  # first use by the current version
    assert current_revision(engine) == head_revision()
    with Session(engine) as session:
        secret = session.execute(select(Secret).where(Secret.fingerprint == "a" * 64)).scalar_one()
        assert secret.exposed_at.isoformat() == "2025-01-01T00:00:00+00:00"
    Recorder(engine, actor="t").record(result("repo-a", [finding(fake_secret())]))
    engine.dispose()


def test_two_processes_opening_a_new_database_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    code = "import sys; from tracker.db import open_database; open_database(sys.argv[1]).dispose()"
    processes = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    errors = [process.communicate(timeout=60)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], errors
    assert current_revision(create_db_engine(url)) == head_revision()


def test_db_command_reports_and_upgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    before = sprawl("db", "current", "--db", url)
    assert before.code == 0 and "schema revision none" in before.out
    done = sprawl("db", "upgrade", "--db", url)
    assert done.code == 0 and f"schema at {head_revision()} (was empty)" in done.out
    assert "(was" not in sprawl("db", "upgrade", "--db", url).out
    assert Path(tmp_path / "cli.db").exists()


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    open_database(url).dispose()
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="newer than this version"):
        open_database(url)
