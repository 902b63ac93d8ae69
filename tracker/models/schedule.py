"""Tables for unattended work: scan schedules, live-verification history and the notification outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secret_sprawl.tracker.models.columns import JSONText, UTCDateTime, utcnow
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Schedule(SQLModel, table=True):
    """A named cron schedule of tracked scans; the daemon mirrors these rows into APScheduler."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    cron: str  # five-field crontab expression, evaluated in UTC
    targets: list[str] = Field(default_factory=list, sa_column=Column(JSONText, nullable=False))
    verify: bool = False
    notify_url: str | None = None  # ``env:NAME``: the variable holding the webhook, never the URL itself
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_scan_id: int | None = Field(default=None, foreign_key="scan.id")
    last_status: str | None = None  # a tracker.run_result.RunResult: ok | findings | partial | failed
    last_error: str | None = None
    # Each target of the last run: {"target", "result", "findings", "new", "error"}.
    last_results: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONText))
    # What ``sprawl scan`` options it runs with: cache_dir, min_confidence, and organisation targets'
    # API URLs, filters and token variable NAMES (never a token: see tracker.schedules.add_schedule).
    options: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONText))


class Verification(SQLModel, table=True):
    """One live check of one secret: what the provider answered and where it was asked."""

    id: int | None = Field(default=None, primary_key=True)
    secret_id: int = Field(foreign_key="secret.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    state: str  # live | invalid | unknown
    http_status: int | None = None
    provider: str
    endpoint: str = ""
    detail: str = ""


class Notification(SQLModel, table=True):
    """The outbox: one notice for one webhook destination, written in the transaction of the change it
    announces, with its delivery state. (secret_id, kind, state, destination) announces a change once."""

    __table_args__ = (
        UniqueConstraint("secret_id", "kind", "state", "destination", name="uq_notification_change"),
    )

    id: int | None = Field(default=None, primary_key=True)
    secret_id: int | None = Field(default=None, foreign_key="secret.id", index=True)
    kind: str  # new-secret | sla | revocation-detected | revocation-disproved | scan-failed
    state: str
    destination: str = Field(default="global", index=True)  # global | schedule:<name>
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONText, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="pending", index=True)  # pending | delivered | failed | dropped
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
