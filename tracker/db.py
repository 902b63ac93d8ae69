"""Open the tracker database: engine settings per dialect and schema migrations on first use.

The default is an embedded SQLite file in the user data dir; any SQLAlchemy URL works (PostgreSQL
as ``postgresql+psycopg://...``). SQLite connections get WAL, a busy timeout and foreign keys, and
transactions opened through :func:`writer` take the write lock up front (``BEGIN IMMEDIATE``) so a
scheduled scan and the TUI can share the file. Alembic runs from the migrations shipped inside this
package, configured in code: no ``alembic.ini`` is needed.

A URL that is not one, names an unknown database or a driver that is not installed, or a file that
is not an SQLite database gives a ``DatabaseError`` naming the problem (credentials scrubbed), never
a traceback. An SQLite file this module creates is 0600 in a directory it creates 0700.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from platformdirs import user_data_dir
from secret_sprawl.detectors.urls import scrub_text
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

BUSY_TIMEOUT_MS = 30_000
# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE (see ``writer``).
_WRITE_OPTION = "sprawl_write"
# Arbitrary constant identifying the tracker's migration lock among PostgreSQL advisory locks.
_MIGRATION_LOCK = 0x5EC7_0001


class DatabaseError(RuntimeError):
    """The database cannot be used by this version (e.g. its schema is newer than the code)."""


def default_url() -> str:
    """``sqlite:///<user data dir>/sprawl.db``; the directory is created 0700 when missing."""
    folder = Path(user_data_dir("secret-sprawl"))
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    return f"sqlite:///{folder / 'sprawl.db'}"


def check_url(url: str) -> str:
    """``url`` when it is a database URL of a known kind; DatabaseError saying what is wrong otherwise."""
    shown = scrub_text(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        hint = f" (for a file, sqlite:///{shown})" if "://" not in url else ""
        raise DatabaseError(f"{shown!r} is not a database URL{hint}; e.g. sqlite:////abs/path/sprawl.db "
                            "or postgresql+psycopg://user@host/db") from None
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise DatabaseError(f"{shown!r}: unknown database kind {parsed.drivername!r} "
                            "(use sqlite:/// or postgresql+psycopg://)") from None
    return url


def create_db_engine(url: str) -> Engine:
    """An engine with the tracker's connection settings, without touching the schema."""
    parsed = make_url(check_url(url))
    try:
        engine = create_engine(parsed, future=True)
    except ImportError as exc:
        missing = exc.name or exc
        raise DatabaseError(f"the driver for {parsed.drivername} is not installed ({missing})") from None
    if engine.dialect.name == "sqlite":
        _create_private_file(parsed)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_database(url: str) -> Engine:
    """An engine whose schema is at the latest revision (created or upgraded on first use)."""
    engine = create_db_engine(url)
    try:
        return _migrated(engine)
    except DatabaseError:
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        where = scrub_text(url)
        raise DatabaseError(f"cannot use the tracker database {where}: {scrub_text(reason)}") from None


def _migrated(engine: Engine) -> Engine:
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


def _create_private_file(url: URL) -> None:
    """Create a missing SQLite file 0600 before SQLite does (0644); a missing directory stays an error."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return
    path = Path(url.database).expanduser()
    if path.exists() or not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError as exc:
        raise DatabaseError(f"cannot create the tracker database {path}: {exc.strerror or exc}") from None


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
