"""The notification outbox (a destination and a delivery state per notice), each schedule's per-target
results, and run results in one vocabulary (ok, findings, partial, failed).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_OLD_TO_NEW = {"completed": "ok", "completed-with-errors": "partial", "failed": "failed"}


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("uq_notification_change", type_="unique")
        batch.alter_column("sent_at", new_column_name="delivered_at", existing_type=_TIME, nullable=True)
        batch.add_column(sa.Column("destination", sa.String(), nullable=False, server_default="global"))
        batch.add_column(sa.Column("detail", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("status", sa.String(), nullable=False, server_default="delivered"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(), nullable=True))
        batch.create_unique_constraint("uq_notification_change",
                                       ["secret_id", "kind", "state", "destination"])
        batch.create_index("ix_notification_destination", ["destination"])
        batch.create_index("ix_notification_status", ["status"])
    op.execute("UPDATE notification SET created_at = delivered_at")  # every earlier row was a delivery
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("created_at", existing_type=_TIME, nullable=False)
        for column in ("destination", "detail", "status", "attempts"):
            batch.alter_column(column, server_default=None)
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(sa.Column("last_results", sa.Text(), nullable=True))
    _rename_statuses(_OLD_TO_NEW)


def downgrade() -> None:
    _rename_statuses({new: old for old, new in _OLD_TO_NEW.items()} | {"findings": "completed"})
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("last_results")
    op.execute("DELETE FROM notification WHERE status <> 'delivered' OR destination <> 'global'")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_status")
        batch.drop_index("ix_notification_destination")
        batch.drop_constraint("uq_notification_change", type_="unique")
        for column in ("last_error", "next_attempt_at", "attempts", "status", "created_at", "detail",
                       "destination"):
            batch.drop_column(column)
        batch.alter_column("delivered_at", new_column_name="sent_at", existing_type=_TIME, nullable=False)
        batch.create_unique_constraint("uq_notification_change", ["secret_id", "kind", "state"])


def _rename_statuses(mapping: dict[str, str]) -> None:
    schedule = sa.table("schedule", sa.column("last_status", sa.String()))
    for old, new in mapping.items():
        op.execute(schedule.update().where(schedule.c.last_status == old).values(last_status=new))
