"""The detail view's identity panel: hidden until a secret is identified, then who, reach, expiry against
the SLA deadline and a button that assigns the suggested owner (an ``assigned`` event, as from the CLI)."""

from __future__ import annotations

from datetime import timedelta

import tui_seed as seed
from secret_sprawl.tracker.db import writer
from secret_sprawl.tracker.identity import IdentityFacts, record_identity
from secret_sprawl.tracker.models import Event, Secret
from secret_sprawl.tracker.sla import SlaPolicy
from secret_sprawl.tui.screens.detail import DetailScreen
from secret_sprawl.tui.widgets.identity import IdentityPanel
from sqlmodel import Session, select
from textual.widgets import Button, DataTable, Static

SIZE = (160, 50)


def identify(engine, secret_id: int) -> None:
    facts = IdentityFacts(provider="github", at=seed.AS_OF - timedelta(hours=1), principal="octo-deployer",
                          account="4242", token_type="github-classic-pat", scopes=("repo", "admin:org"),
                          admin_scopes=("admin:org",), expires_at=seed.AS_OF + timedelta(days=400),
                          evidence=({"call": "user", "endpoint": "https://api.github.com/user",
                                     "http_status": 200},))
    with Session(writer(engine)) as session:
        record_identity(session, secret_id, facts, by="tester", policy=SlaPolicy(),
                        owners={"github:octo-*": "platform-team"})
        session.commit()


async def open_detail(app, pilot, settle, secret_id: int) -> DetailScreen:
    await settle(pilot)
    table = app.screen.query_one("#queue", DataTable)
    table.move_cursor(row=[int(str(key.value)) for key in table.rows].index(secret_id))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen) and app.screen.secret_id == secret_id
    return app.screen


async def test_the_panel_shows_the_identity_and_assigns_the_suggested_owner(make_app, settle, db):
    engine, _ = db
    with Session(engine) as session:
        secret_id = next(s.id for s in session.exec(select(Secret).order_by(Secret.id)) if not s.owner
                         and s.status == "open")
    identify(engine, secret_id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, settle, secret_id)
        panel = screen.query_one(IdentityPanel)
        text = str(panel.query_one("#identity-text", Static).render())
        assert panel.display and "github:octo-deployer" in text and "ADMIN-LEVEL: admin:org" in text
        assert "after its SLA deadline" in text and "platform-team" in text
        button = panel.query_one("#assign-suggested", Button)
        assert button.display and "platform-team" in str(button.label)
        await pilot.click("#assign-suggested")
        await settle(pilot)
        assert not button.display  # the owner is the suggested one now
    with Session(engine) as session:
        assert session.get(Secret, secret_id).owner == "platform-team"
        query = select(Event).where(Event.secret_id == secret_id, Event.kind == "assigned")
        assigned = session.exec(query).all()
    assert [(e.new_value, e.actor) for e in assigned] == [("platform-team", "tester")]


async def test_the_panel_is_hidden_for_a_secret_never_identified(make_app, settle, db):
    engine, _ = db
    with Session(engine) as session:
        secret_id = session.exec(select(Secret.id).where(Secret.status == "open").order_by(Secret.id)).first()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, settle, secret_id)
        assert not screen.query_one(IdentityPanel).display
