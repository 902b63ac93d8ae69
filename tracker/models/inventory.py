"""Workload inventory tables: the CI jobs found in each target at each scan, the secret names each
uses and the identities it assumes. History is kept by scan; a target's current inventory is its
latest ``inventory_snapshot`` (a scan that finds no CI jobs leaves an empty snapshot, not stale rows).
"""

from __future__ import annotations

from datetime import datetime

from secret_sprawl.tracker.models.columns import JSONText, UTCDateTime, utcnow
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class InventorySnapshot(SQLModel, table=True):
    """That a target's CI inventory was taken at a scan, and how many workloads it had."""

    __tablename__ = "inventory_snapshot"
    __table_args__ = (UniqueConstraint("scan_id", "target", name="uq_inventory_snapshot_scan_target"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    target: str = Field(index=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    workloads: int = 0


class Workload(SQLModel, table=True):
    """One CI job of a target at a scan: where it is defined and how it authenticates."""

    __tablename__ = "workload"

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    target: str = Field(index=True)
    file: str
    workflow: str
    job: str
    federation: str  # federated | static-secret | mixed | none
    identities: list[str] = Field(default_factory=list, sa_column=Column(JSONText, nullable=False))
    static_credentials: bool = False  # literal credentials written in the CI file


class WorkloadSecret(SQLModel, table=True):
    """A secret *name* (never a value) a workload reads, e.g. ``OPENAI_API_KEY``."""

    __tablename__ = "workload_secret"
    __table_args__ = (UniqueConstraint("workload_id", "secret_name", name="uq_workload_secret_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workload_id: int = Field(foreign_key="workload.id", index=True)
    secret_name: str = Field(index=True)
