"""Confidence: on each occurrence (with its reasons) and on each secret, plus a suggested resolution.

Rows recorded before this revision are ``medium`` with no reasons until a scan sees them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("secret", sa.Column("confidence", sa.String(), nullable=False, server_default="medium"))
    op.add_column("secret", sa.Column("suggested_status", sa.String(), nullable=True))
    op.create_index("ix_secret_confidence", "secret", ["confidence"])
    op.add_column("occurrence", sa.Column("confidence", sa.String(), nullable=False, server_default="medium"))
    op.add_column("occurrence", sa.Column("reasons", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_secret_confidence", table_name="secret")
    with op.batch_alter_table("occurrence") as batch:
        batch.drop_column("reasons")
        batch.drop_column("confidence")
    with op.batch_alter_table("secret") as batch:
        batch.drop_column("suggested_status")
        batch.drop_column("confidence")
