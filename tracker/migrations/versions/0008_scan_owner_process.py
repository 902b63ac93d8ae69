"""Which process runs a scan (host and pid), so a scan whose process died can be marked ``interrupted``;
and the audit chain, until now plain SHA-256, re-signed with the HMAC key kept outside the database.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from secret_sprawl.tracker.audit import resign_unkeyed_chain

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.add_column(sa.Column("host", sa.String(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
    resign_unkeyed_chain(op.get_bind())


def downgrade() -> None:
    # The chain stays keyed: a downgraded sprawl reports it as broken, which it cannot verify anyway.
    with op.batch_alter_table("scan") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
