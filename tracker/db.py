"""Open the tracker database: engine settings per dialect and schema migrations on first use.

The default is an embedded SQLite file in the user data dir; any SQLAlchemy URL works (PostgreSQL
as ``postgresql+psycopg://...``). SQLite connections get WAL, a busy timeout and foreign keys, and
transactions opened through :func:`writer` take the write lock up front (``BEGIN IMMEDIATE``) so a
scheduled scan and the TUI can share the file. Alembic runs from the migrations shipped inside this
package, configured in code: no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, text

BUSY_TIMEOUT_MS = 30_000
# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE (see ``writer``).
_WRITE_OPTION = "sprawl_write"
# Arbitrary constant identifying the tracker's migration lock among PostgreSQL advisory locks.
_MIGRATION_LOCK = 0x5EC7_0001


class DatabaseError(RuntimeError):
    """The database cannot be used by this version (e.g. its schema is newer than the code)."""


def default_url() -> str:
    """``sqlite:///<user data dir>/sprawl.db``; the directory is created if missing."""
    folder = Path(user_data_dir("secret-sprawl"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'sprawl.db'}"


def create_db_engine(url: str) -> Engine:
    """An engine with the tracker's connection settings, without touching the schema."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_database(url: str) -> Engine:
    """An engine whose schema is at the latest revision (created or upgraded on first use)."""
    engine = create_db_engine(url)
    current, head = current_revision(engine), head_revision()
    if current != head:
        if current is not None and not _known_revision(current):
            engine.dispose()
            raise DatabaseError(f"the tracker database is at schema {current!r}, newer than this version "
                                f"of sprawl knows (latest {head!r}); upgrade sprawl")
        upgrade(engine)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but SQLite transactions take the write lock at BEGIN (no-op elsewhere).

    Use it for sessions that write: the transaction waits (up to the busy timeout) for other writers
    instead of failing half-way when its read snapshot turns out to be stale.
    """
    return engine.execution_options(**{_WRITE_OPTION: True})


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision``; safe when two processes do it at once."""
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until commit: a second process waits, then finds the schema already upgraded.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise DatabaseError("no migrations shipped with the tracker")
    return head


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def alembic_config() -> Config:
    """Alembic configuration pointing at ``tracker/migrations``."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    return config


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred and late).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
