"""The job queue's tables (procrastinate's own schema) in the tracker's PostgreSQL database.

The queue lives next to the tracker's tables, so, like them, only the tracker creates it: on
``sprawl db upgrade`` and on the first use of a queue command (``scan --enqueue``, ``worker``,
``jobs``, ``schedule run --enqueue``). Creation runs in one transaction under an advisory lock, so
two machines starting at once create it once. A SQLite tracker has no queue (QueueUnavailable).
"""

from __future__ import annotations

from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, text

_SCHEMA_LOCK = 0x5EC7_0015  # our advisory lock key for creating the queue's schema


class QueueUnavailable(Exception):
    """The tracker's database cannot hold the job queue (it is not PostgreSQL)."""


def has_queue(engine: Engine) -> bool:
    """Whether this database kind can hold the queue (PostgreSQL only)."""
    return engine.dialect.name == "postgresql"


def ensure_queue_schema(engine: Engine) -> bool:
    """Create procrastinate's tables unless they exist; True when this call created them."""
    if not has_queue(engine):
        raise QueueUnavailable(f"the job queue needs PostgreSQL; {engine.dialect.name} cannot hold it")
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return False
        # The schema script holds several statements and literal % signs: run as it is, unparsed.
        connection.exec_driver_sql(SchemaManager.get_schema(), execution_options={"no_parameters": True})
    return True
