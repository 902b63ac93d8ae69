"""Core tables: targets, scans, secrets (by fingerprint), their occurrences and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from secret_sprawl.tracker.models.columns import JSONText, UTCDateTime, utcnow
from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class SecretStatus(StrEnum):
    """Where a secret is in its life: open, or closed for one of the resolution reasons."""

    OPEN = "open"
    REVOKED = "revoked"
    ROTATED = "rotated"
    FALSE_POSITIVE = "false-positive"
    ACCEPTED_RISK = "accepted-risk"
    USED_IN_TESTS = "used-in-tests"


class ScanStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed-with-errors"
    FAILED = "failed"


SECRET_STATUSES = tuple(SecretStatus)
RESOLVED_STATUSES = SECRET_STATUSES[1:]  # the resolution reasons
SCAN_STATUSES = tuple(ScanStatus)


class Target(SQLModel, table=True):
    """A repository path or URL (credentials stripped) and the refs of its last completed scan."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str = "directory"  # directory | git | remote
    last_scan_id: int | None = Field(default=None, foreign_key="scan.id")
    last_refs: dict[str, str] | None = Field(default=None, sa_column=Column(JSONText))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Scan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = "running"
    targets: list[str] = Field(default_factory=list, sa_column=Column(JSONText))
    files: int = 0
    blobs: int = 0
    bytes: int = 0
    findings: int = 0
    new_secrets: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONText))
    trigger: str = "cli"  # cli | schedule:<name>
    actor: str = ""


class Secret(SQLModel, table=True):
    """One credential, identified by the SHA-256 of its value. Never the value itself."""

    __table_args__ = (Index("ix_secret_status_exposed", "status", "exposed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(unique=True, index=True, max_length=64)
    rule_id: str = Field(index=True)
    provider: str = Field(index=True)
    category: str
    lifetime: str
    severity: str = "high"
    redacted: str
    status: str = Field(default="open", index=True)
    owner: str | None = Field(default=None, index=True)
    exposed_at: datetime = Field(sa_type=UTCDateTime)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_note: str | None = None
    in_head: bool = True  # present at HEAD in at least one occurrence
    places: int = 1  # distinct (target, path) pairs; > 1 means shared
    targets_count: int = 1
    # Verification (filled by live verification).
    verification_state: str = "unverified"
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verification_status_code: int | None = None
    inactive_at_discovery: bool = False
    # The best occurrence's confidence (high once proved live), and what the tracker suggests closing
    # it as (``used-in-tests`` when every occurrence is in a test path); see tracker.confidence.
    confidence: str = Field(default="medium", index=True)
    suggested_status: str | None = None


class Occurrence(SQLModel, table=True):
    """One place a secret was seen: target, path and line, and the commit that introduced it."""

    __table_args__ = (
        UniqueConstraint("secret_id", "target_id", "path", "line", "commit", name="uq_occurrence_place"),
    )

    id: int | None = Field(default=None, primary_key=True)
    secret_id: int = Field(foreign_key="secret.id", index=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    path: str
    line: int
    column: int = 1
    location_kind: str = "source"
    commit: str = ""  # empty outside git
    committed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    author: str | None = None
    blob_id: str | None = None
    in_head: bool = True
    confidence: str = "medium"  # the finding's, after its path's context
    reasons: list[str] | None = Field(default=None, sa_column=Column(JSONText))
    first_scan_id: int = Field(foreign_key="scan.id")
    last_scan_id: int = Field(foreign_key="scan.id")


class Event(SQLModel, table=True):
    """Append-only, hash-chained audit log. ``hash`` = SHA-256 over ``prev_hash`` and this row's content.

    ``prev_hash`` is unique too: two events can never claim the same predecessor, so concurrent
    writers cannot fork the chain even if the application-level lock were bypassed.
    """

    __table_args__ = (
        UniqueConstraint("hash", name="uq_event_hash"),
        UniqueConstraint("prev_hash", name="uq_event_prev_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    secret_id: int | None = Field(default=None, foreign_key="secret.id", index=True)
    scan_id: int | None = Field(default=None, foreign_key="scan.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str
    kind: str  # detected | status-changed | assigned | note | reopened | removed-from-head | ...
    old_value: str | None = None
    new_value: str | None = None
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONText))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
