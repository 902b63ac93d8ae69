"""The last error of a queued scan job (the queue itself is procrastinate's tables)."""

from __future__ import annotations

from datetime import datetime

from secret_sprawl.tracker.models.columns import UTCDateTime, utcnow
from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class JobError(SQLModel, table=True):
    __tablename__ = "job_error"

    # procrastinate's job id (no foreign key: the queue's tables exist on PostgreSQL only)
    job_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    error: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
