"""Initial tracker schema: targets, scans, secrets, occurrences and the hash-chained event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False, length: int | None = None) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "scan",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("started_at"),
        _when("finished_at", nullable=True),
        _text("status"),
        sa.Column("targets", sa.Text(), nullable=True),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("blobs", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("new_secrets", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        _text("trigger"),
        _text("actor"),
    )
    op.create_table(
        "secret",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("fingerprint", length=64),
        _text("rule_id"),
        _text("provider"),
        _text("category"),
        _text("lifetime"),
        _text("severity"),
        _text("redacted"),
        _text("status"),
        _text("owner", nullable=True),
        _when("exposed_at"),
        _when("first_seen_at"),
        _when("last_seen_at"),
        _when("resolved_at", nullable=True),
        _text("resolution_note", nullable=True),
        sa.Column("in_head", sa.Boolean(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("targets_count", sa.Integer(), nullable=False),
        _text("verification_state"),
        _when("verified_at", nullable=True),
        sa.Column("verification_status_code", sa.Integer(), nullable=True),
        sa.Column("inactive_at_discovery", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_secret_fingerprint", "secret", ["fingerprint"], unique=True)
    op.create_index("ix_secret_owner", "secret", ["owner"])
    op.create_index("ix_secret_provider", "secret", ["provider"])
    op.create_index("ix_secret_rule_id", "secret", ["rule_id"])
    op.create_index("ix_secret_status", "secret", ["status"])
    op.create_index("ix_secret_status_exposed", "secret", ["status", "exposed_at"])

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret_id", sa.Integer(), sa.ForeignKey("secret.id"), nullable=True),
        sa.Column("scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=True),
        _when("at"),
        _text("actor"),
        _text("kind"),
        _text("old_value", nullable=True),
        _text("new_value", nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        _text("prev_hash", length=64),
        _text("hash", length=64),
        sa.UniqueConstraint("hash", name="uq_event_hash"),
        sa.UniqueConstraint("prev_hash", name="uq_event_prev_hash"),
    )
    op.create_index("ix_event_at", "event", ["at"])
    op.create_index("ix_event_secret_id", "event", ["secret_id"])

    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("name"),
        _text("kind"),
        sa.Column("last_scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=True),
        sa.Column("last_refs", sa.Text(), nullable=True),
        _when("created_at"),
    )
    op.create_index("ix_target_name", "target", ["name"], unique=True)

    op.create_table(
        "occurrence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret_id", sa.Integer(), sa.ForeignKey("secret.id"), nullable=False),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("target.id"), nullable=False),
        _text("path"),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.Integer(), nullable=False),
        _text("location_kind"),
        _text("commit"),
        _when("committed_at", nullable=True),
        _text("author", nullable=True),
        _text("blob_id", nullable=True),
        sa.Column("in_head", sa.Boolean(), nullable=False),
        sa.Column("first_scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("last_scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=False),
        sa.UniqueConstraint("secret_id", "target_id", "path", "line", "commit", name="uq_occurrence_place"),
    )
    op.create_index("ix_occurrence_secret_id", "occurrence", ["secret_id"])
    op.create_index("ix_occurrence_target_id", "occurrence", ["target_id"])


def downgrade() -> None:
    for table in ("occurrence", "target", "event", "secret", "scan"):
        op.drop_table(table)
