"""Identity and reach of a secret, as its provider reports them (``sprawl identify``).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret_id", sa.Integer(), sa.ForeignKey("secret.id"), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("principal", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("token_type", sa.String(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("admin_scopes", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("never_expires", sa.Boolean(), nullable=False),
        sa.Column("suggested_owner", sa.String(), nullable=True),
        sa.Column("identified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
    )
    op.create_index("ix_identity_secret_id", "identity", ["secret_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_identity_secret_id", table_name="identity")
    op.drop_table("identity")
