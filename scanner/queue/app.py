"""The procrastinate app: its connection to the tracker's PostgreSQL, and the queue's schema.

The queue needs PostgreSQL (procrastinate keeps jobs in tables and wakes workers with LISTEN/NOTIFY);
a SQLite tracker gets a QueueError naming that. The queue's tables are procrastinate's own schema,
created on the first use of a queue command (``scan --enqueue``, ``worker``, ``jobs``) under an
advisory lock, so two machines starting at once create it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import procrastinate
import psycopg
from secret_sprawl.scanner.errors import InputError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

QUEUE = "scans"
_SCHEMA_LOCK = 0x5EC7_0015  # our advisory lock key for creating the queue's schema

app = procrastinate.App(connector=procrastinate.PsycopgConnector(),
                        import_paths=["secret_sprawl.scanner.queue.tasks"])


class QueueError(InputError):
    """The queue cannot be used with this database (exit code 2)."""


def libpq_url(db_url: str) -> str:
    """The tracker's SQLAlchemy URL as a libpq connection string; QueueError unless PostgreSQL."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise QueueError("the job queue needs a PostgreSQL tracker: --db postgresql+psycopg://…") from None
    if url.get_backend_name() != "postgresql":
        raise QueueError("the job queue needs PostgreSQL (procrastinate keeps it in the tracker's database); "
                         f"{url.get_backend_name()} cannot hold it: pass --db postgresql+psycopg://USER@HOST/DB")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(conninfo: str) -> None:
    """Create procrastinate's tables in the tracker's database unless they exist."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            exists = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if exists is None or exists[0] is None:
                connection.execute(procrastinate.schema.SchemaManager.get_schema())  # type: ignore[arg-type]
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


@contextmanager
def opened(db_url: str) -> Iterator[procrastinate.App]:
    """The app connected (synchronously) to the queue in ``db_url``'s database."""
    conninfo = libpq_url(db_url)
    try:
        ensure_schema(conninfo)
        with app.replace_connector(procrastinate.PsycopgConnector(conninfo=conninfo)) as connected:
            connected.open()
            connected.perform_import_paths()  # the tasks, to defer or re-defer them by name
            try:
                yield connected
            finally:
                connected.close()
    except (psycopg.Error, procrastinate.exceptions.ConnectorException) as exc:
        raise QueueError(f"the queue's database failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]
