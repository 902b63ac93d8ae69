"""Shared fixtures: a tracker database URL on SQLite and, when configured, on PostgreSQL.

``db_url`` is parametrized: a fresh SQLite file per test, and a fresh PostgreSQL schema per test
(selected through ``search_path`` in the URL, dropped afterwards) on the server named by
``SPRAWL_TEST_POSTGRES_URL``. Schemas have random names, so pytest-xdist workers never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from secret_sprawl.tracker.db import open_database
from sqlalchemy import Engine, create_engine, make_url, text

POSTGRES_ENV = "SPRAWL_TEST_POSTGRES_URL"
# The audit chain's HMAC key for every test and the processes they start (never the user's key file).
os.environ.setdefault("SPRAWL_AUDIT_KEY", "test-audit-key-" + uuid.uuid4().hex)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    with postgres_schema("test") as url:
        yield url


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh schema on the test PostgreSQL server, dropped afterwards (skips the test
    when no server is configured)."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} not set")
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    try:
        yield engine
    finally:
        engine.dispose()
