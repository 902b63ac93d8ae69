"""Connect the procrastinate app to the queue in the tracker's database, which must be PostgreSQL.

``prepare`` checks the database kind, brings the tracker's schema and the queue's tables up to date
(through the tracker, which owns both) and gives the libpq connection string procrastinate uses; a
SQLite tracker gets a QueueError naming what to do instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import procrastinate
import psycopg
from secret_sprawl.scanner.queue.app import QueueError, app
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.queue_schema import ensure_queue_schema
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError


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


def prepare(db_url: str) -> str:
    """The queue's libpq connection string, once the tracker's schema and the queue's tables exist."""
    conninfo = libpq_url(db_url)
    engine = open_database(db_url)
    try:
        ensure_queue_schema(engine)
    finally:
        engine.dispose()
    return conninfo


@contextmanager
def opened(db_url: str) -> Iterator[procrastinate.App]:
    """The app connected (synchronously) to the queue in ``db_url``'s database."""
    conninfo = prepare(db_url)
    try:
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
