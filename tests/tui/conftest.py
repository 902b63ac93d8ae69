"""Fixtures for the TUI tests: the seeded SQLite tracker and an app over it at a fixed clock."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator

import pytest
import sqlalchemy as sa
import tui_seed as seed
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.app import SprawlApp
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

ACTOR = "tester"


@pytest.fixture
def db(tmp_path) -> Iterator[tuple[sa.Engine, str]]:
    url = f"sqlite:///{tmp_path / 'tui.db'}"
    engine = seed.build(url)
    try:
        yield engine, url
    finally:
        engine.dispose()


@pytest.fixture
def make_app(db: tuple[sa.Engine, str]) -> Callable[..., SprawlApp]:
    engine, url = db

    def make(*, refresh: float = 0.0) -> SprawlApp:
        return SprawlApp(engine, url=url, policy=SlaPolicy(), actor=ACTOR, as_of=seed.AS_OF, refresh=refresh)

    return make


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        # A newer refresh may cancel an exclusive worker being waited for; that is not a failure.
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # Real time for work Textual leaves to idle moments (a DataTable sizes its columns then): on a busy
    # machine the loop may not have been idle yet.
    await pilot.pause(0.05)


@pytest.fixture
def settle() -> Callable[[Pilot], Awaitable[None]]:
    """Wait until every worker (load, then filter/sort) has finished and its result is on screen."""
    return _settle
