"""Alembic environment for the tracker: runs on the connection handed over by ``tracker.db.upgrade``.

There is no ``alembic.ini`` and no URL here: ``tracker.db`` opens the connection (with the
tracker's SQLite settings and, on PostgreSQL, a migration lock) and passes it in
``config.attributes["connection"]``. Offline (SQL script) mode is not supported.
"""

from __future__ import annotations

import importlib
import pkgutil

import secret_sprawl.tracker.models
from alembic import context
from sqlmodel import SQLModel

# Every table module under tracker.models, so autogenerate sees all of them.
for _module in pkgutil.iter_modules(secret_sprawl.tracker.models.__path__):
    importlib.import_module(f"secret_sprawl.tracker.models.{_module.name}")

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("tracker migrations run through tracker.db.upgrade(engine), with a connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
