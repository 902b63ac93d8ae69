"""The identity panel of the detail view: who the provider says a secret belongs to, what it can reach,
when it expires (against the SLA deadline), and a button that assigns the owner the ``[owners]`` table
suggested; hidden for a secret never identified. It loads its own data
(``tracker.identity.load_identity``) in a worker thread and assigns through ``tui.actions.assign``, so
the audit trail is the same as from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from secret_sprawl.tracker.identity import IdentityView, load_identity
from secret_sprawl.tui import actions
from secret_sprawl.tui.format import moment
from secret_sprawl.tui.screens.live import LiveScreen
from sqlalchemy.exc import SQLAlchemyError
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from secret_sprawl.tui.app import SprawlApp


def identity_text(view: IdentityView) -> Text:
    """The panel's text: one line per fact."""
    row = view.identity
    text = Text()
    text.append("Identity: ", style="bold").append(f"{row.provider}:{row.principal or '?'}")
    if row.account:
        text.append(f"  account {row.account}")
    text.append(f"  ({row.token_type}, identified {moment(row.identified_at)})\n" if row.token_type else "\n")
    text.append("Reach: ", style="bold").append(", ".join(row.scopes) or "not reported")
    if row.admin_scopes:
        text.append(f"  ADMIN-LEVEL: {', '.join(row.admin_scopes)}", style="bold red")
    text.append("\nExpires: ", style="bold")
    if row.expires_at is not None:
        text.append(moment(row.expires_at))
        if view.expires_before_deadline:
            text.append(f"  before its SLA deadline ({moment(view.sla_deadline)})", style="bold green")
        else:
            text.append(f"  after its SLA deadline ({moment(view.sla_deadline)})", style="yellow")
    else:
        text.append("never, says the provider" if row.never_expires else "not reported")
    text.append("\nSuggested owner: ", style="bold").append(row.suggested_owner or "none in [owners]")
    return text


class IdentityPanel(Vertical):
    """Shows one secret's identity; ``refresh_identity`` re-reads it (the detail screen calls it)."""

    DEFAULT_CSS = """
    IdentityPanel { display: none; height: auto; border: round $accent; padding: 0 1; margin-bottom: 1; }
    IdentityPanel #identity-text { height: auto; }
    IdentityPanel Button { margin-top: 1; }
    """

    def __init__(self, secret_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.secret_id = secret_id
        self.view: IdentityView | None = None

    @property
    def sprawl(self) -> SprawlApp:
        return cast("SprawlApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="identity-text")
        yield Button("", id="assign-suggested", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#assign-suggested", Button).display = False
        self.refresh_identity()

    @work(thread=True, exclusive=True, group="identity-load", description="read the identity")
    def refresh_identity(self) -> None:
        app = self.sprawl
        try:
            view = load_identity(app.engine, self.secret_id, app.policy, app.now())
        except SQLAlchemyError as exc:
            app.call_from_thread(app.database_trouble, exc)
            return
        app.call_from_thread(self._show, view)

    def _show(self, view: IdentityView | None) -> None:
        """Hidden until the secret has been identified (``sprawl identify``)."""
        self.view, self.display = view, view is not None
        if view is None:
            return
        self.query_one("#identity-text", Static).update(identity_text(view))
        button = self.query_one("#assign-suggested", Button)
        owner = view.identity.suggested_owner
        button.display = bool(owner and owner != view.owner)
        button.label = f"Assign suggested owner: {owner}"

    @on(Button.Pressed, "#assign-suggested")
    def _assign(self) -> None:
        owner = self.view.identity.suggested_owner if self.view else None
        if owner:
            self._write_owner(owner)

    @work(thread=True, group="identity-write", description="assign the suggested owner")
    def _write_owner(self, owner: str) -> None:
        app = self.sprawl
        try:
            actions.assign(app.engine, [self.secret_id], owner, by=app.actor)
        except (LookupError, ValueError, SQLAlchemyError) as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", title="Not changed", markup=False)
            return
        app.call_from_thread(self.notify, f"Assigned {owner}")
        if isinstance(self.screen, LiveScreen):
            app.call_from_thread(self.screen.reload)
