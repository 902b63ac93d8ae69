"""The identity of a secret: who the provider says it belongs to, what it can reach, when it expires."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secret_sprawl.tracker.models.columns import JSONText, UTCDateTime
from sqlalchemy import Column
from sqlmodel import Field, SQLModel


class Identity(SQLModel, table=True):
    """The latest identification of one secret (earlier ones stay in its ``identified`` events)."""

    id: int | None = Field(default=None, primary_key=True)
    secret_id: int = Field(foreign_key="secret.id", unique=True, index=True)
    provider: str
    principal: str = ""  # login, ARN, user, service account, workspace
    account: str = ""  # account, organisation, team or project
    token_type: str = ""
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONText, nullable=False))
    admin_scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONText, nullable=False))
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    never_expires: bool = False  # the provider said so (no expiry on a token that would carry one)
    suggested_owner: str | None = None  # from the config's [owners] table when identified
    identified_at: datetime = Field(sa_type=UTCDateTime)
    # Every call made: {call, endpoint, http_status, at, note}; never the secret.
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONText, nullable=False))
