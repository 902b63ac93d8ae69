"""The TUI's Identify and Revoke actions: a confirmation modal, then ``sprawl identify`` / ``sprawl revoke``
in a subprocess against a fake provider on 127.0.0.1 (routed there by the user's config), and the tracker
read back."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from secret_sprawl.detectors.redact import fingerprint
from secret_sprawl.scanner.cli import main
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui import response
from secret_sprawl.tui.app import SprawlApp
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.screens.response import ResponseModal
from sqlmodel import Session, select
from textual.worker import WorkerCancelled

from tests.scanner import fake_revocation as fr

SIZE = (160, 40)


@pytest.fixture
def tracked(tmp_path: Path):
    """A scanned and recorded GitHub token, live at a fake GitHub that the config routes to."""
    with fr.FakeRevocationAPI() as api:
        token = fr.github_pat()
        api.live.add(token)
        app_dir = tmp_path / "app"
        app_dir.mkdir()
        (app_dir / ".env").write_text(f"GH_TOKEN={token}\n")
        config = tmp_path / "sprawl.toml"
        route = f'endpoints = {{ github = "{api.url_for("github")}" }}\n'
        config.write_text("[verify]\nallow_endpoint_overrides = true\nbackoff = 0.001\n" + route
                          + "[revoke]\nrecheck_delay = 0\n[owners]\n\"github:octo\" = \"platform-team\"\n")
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        argv = ["scan", str(app_dir), "--no-history", "--db", url, "--format", "json", "--jobs", "1"]
        assert main(argv) == 1
        engine = open_database(url)
        with Session(engine) as session:
            secret_id = session.exec(select(Secret.id).where(Secret.fingerprint == fingerprint(token))).one()
        yield api, token, engine, url, config, secret_id
        engine.dispose()


async def settle(pilot) -> None:
    """Until the queue has loaded, filtered and painted its rows (as the TUI tests' fixture does)."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def make_app(engine, url, config) -> SprawlApp:
    return SprawlApp(engine, url=url, policy=SlaPolicy(), actor="tester", refresh=0.0,
                     cli_options=("--config", str(config)))


async def wait_for_event(pilot, engine, secret_id: int, prefix: str = "revoked-by") -> None:
    """Until the subprocess has recorded its outcome (at most a minute on a busy machine)."""
    for _ in range(600):
        await pilot.pause(0.1)
        with Session(engine) as session:
            if session.exec(select(Event).where(Event.secret_id == secret_id,
                                                Event.kind.startswith(prefix))).first():
                break
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("screen", ["queue", "detail"])
async def test_revoke_from_the_tui_after_confirming(tracked, screen):
    api, token, engine, url, config, secret_id = tracked
    app = make_app(engine, url, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if screen == "detail":
            app.push_screen(DetailScreen(secret_id))
            await pilot.pause()
        await pilot.press("R")
        assert isinstance(app.screen, ResponseModal)
        await pilot.click("#confirm")
        await wait_for_event(pilot, engine, secret_id)
    assert token not in api.live
    with Session(engine) as session:
        assert session.get(Secret, secret_id).status == "revoked"
        kinds = [e.kind for e in session.exec(select(Event).where(Event.secret_id == secret_id))]
        actors = {e.actor for e in session.exec(select(Event).where(Event.kind == "revoked-by-sprawl"))}
    assert "revoked-by-sprawl" in kinds and actors == {"tester"}


async def test_cancelling_the_modal_sends_nothing(tracked):
    api, token, engine, url, config, secret_id = tracked
    app = make_app(engine, url, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        assert isinstance(app.screen, ResponseModal)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ResponseModal)
    assert api.requests == [] and token in api.live
    with Session(engine) as session:
        assert session.get(Secret, secret_id).status == "open"


def test_a_failing_revoke_command_is_reported_not_raised(tracked):
    _, _, _, url, _, _ = tracked
    [outcome] = response.revoke(url, [999], by="tester")
    assert not outcome.ok and "revoke failed" in outcome.message and "999" in outcome.message


async def test_identify_from_the_tui_after_confirming(tracked):
    api, token, engine, url, config, secret_id = tracked
    app = make_app(engine, url, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(DetailScreen(secret_id))
        await pilot.pause()
        await pilot.press("I")
        assert isinstance(app.screen, ResponseModal)
        await pilot.click("#confirm")
        await wait_for_event(pilot, engine, secret_id, "identified")
        notes = [n.message for n in app._notifications]
    assert any("identified: octo" in note and "suggested owner platform-team" in note for note in notes)
    assert token in api.live  # identify only reads
    with Session(engine) as session:
        identified = session.exec(select(Event).where(Event.secret_id == secret_id,
                                                      Event.kind == "identified")).one()
    assert identified.actor == "tester"
