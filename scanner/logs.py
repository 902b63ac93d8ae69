"""Logging for the long-running commands (``sprawl schedule run``, ``sprawl worker``): our lines at INFO,
libraries at WARNING.

Quiet on purpose: alembic's migration context lines, APScheduler's "Running job" / "executed
successfully" (our own line gives each run's result, ``scanner.schedule.job``), and httpx's request
lines, which would print webhook URLs (credentials) into the log.
"""

from __future__ import annotations

import logging

QUIET = ("alembic", "apscheduler.executors", "httpx", "httpcore", "git")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format=FORMAT)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
