"""CI workload inventory: snapshots per (scan, target), workloads and the secret names they use.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inventory_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workloads", sa.Integer(), nullable=False),
        sa.UniqueConstraint("scan_id", "target", name="uq_inventory_snapshot_scan_target"),
    )
    op.create_index("ix_inventory_snapshot_scan_id", "inventory_snapshot", ["scan_id"])
    op.create_index("ix_inventory_snapshot_target", "inventory_snapshot", ["target"])
    op.create_table(
        "workload",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scan_id", sa.Integer(), sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("workflow", sa.String(), nullable=False),
        sa.Column("job", sa.String(), nullable=False),
        sa.Column("federation", sa.String(), nullable=False),
        sa.Column("identities", sa.Text(), nullable=False),
        sa.Column("static_credentials", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_workload_scan_id", "workload", ["scan_id"])
    op.create_index("ix_workload_target", "workload", ["target"])
    op.create_table(
        "workload_secret",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workload_id", sa.Integer(), sa.ForeignKey("workload.id"), nullable=False),
        sa.Column("secret_name", sa.String(), nullable=False),
        sa.UniqueConstraint("workload_id", "secret_name", name="uq_workload_secret_name"),
    )
    op.create_index("ix_workload_secret_workload_id", "workload_secret", ["workload_id"])
    op.create_index("ix_workload_secret_secret_name", "workload_secret", ["secret_name"])


def downgrade() -> None:
    op.drop_index("ix_workload_secret_secret_name", table_name="workload_secret")
    op.drop_index("ix_workload_secret_workload_id", table_name="workload_secret")
    op.drop_table("workload_secret")
    op.drop_index("ix_workload_target", table_name="workload")
    op.drop_index("ix_workload_scan_id", table_name="workload")
    op.drop_table("workload")
    op.drop_index("ix_inventory_snapshot_target", table_name="inventory_snapshot")
    op.drop_index("ix_inventory_snapshot_scan_id", table_name="inventory_snapshot")
    op.drop_table("inventory_snapshot")
