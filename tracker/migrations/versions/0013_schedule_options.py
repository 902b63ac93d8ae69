"""Each schedule's options (organisation API URLs, filters and token variable names), as JSON.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(sa.Column("options", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("options")
