"""The CI workload inventory in the tracker: store a target's workloads for a scan, and read the
current inventory (each target's latest snapshot) by workload, by secret name, as shared
credentials and as metrics.

Writers add rows to the caller's session and do not commit. Only secret *names* are stored.
A secret name is shared when workloads in more than one repository use it, or more than
``jobs_threshold`` jobs do (the definition ``detectors.posture.shared.is_shared`` applies at scan time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from secret_sprawl.detectors.types import Federation
from secret_sprawl.tracker.models.inventory import InventorySnapshot, Workload, WorkloadSecret
from sqlalchemy import and_, delete, func, select
from sqlmodel import Session

DEFAULT_SHARED_JOBS_THRESHOLD = 5


class WorkloadData(Protocol):
    """What the scanner hands over for one CI job (``detectors.posture.Workload`` fits)."""

    @property
    def file(self) -> str: ...
    @property
    def workflow(self) -> str: ...
    @property
    def job(self) -> str: ...
    @property
    def secrets(self) -> Sequence[str]: ...
    @property
    def identities(self) -> Sequence[str]: ...
    @property
    def federation(self) -> str: ...
    @property
    def static_credentials(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class WorkloadView:
    """A workload of the current inventory with the secret names it uses."""

    target: str
    file: str
    workflow: str
    job: str
    federation: str
    identities: tuple[str, ...]
    secrets: tuple[str, ...]
    scan_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "file": self.file, "workflow": self.workflow, "job": self.job,
                "federation": self.federation, "identities": list(self.identities),
                "secrets": list(self.secrets), "scan_id": self.scan_id}


@dataclass(frozen=True, slots=True)
class SecretUse:
    """A secret name and the current workloads using it."""

    name: str
    workloads: tuple[WorkloadView, ...]
    shared: bool

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(sorted({w.target for w in self.workloads}))


def store_workloads(session: Session, *, scan_id: int, target: str,
                    workloads: Iterable[WorkloadData]) -> InventorySnapshot:
    """Record ``target``'s workloads as found by scan ``scan_id`` (replacing an earlier record of the
    same scan and target). An empty ``workloads`` still records that the target had none."""
    earlier = select(Workload.id).where(Workload.scan_id == scan_id, Workload.target == target)
    session.execute(delete(WorkloadSecret).where(WorkloadSecret.workload_id.in_(earlier)))
    session.execute(delete(Workload).where(Workload.scan_id == scan_id, Workload.target == target))
    session.execute(delete(InventorySnapshot).where(InventorySnapshot.scan_id == scan_id,
                                                    InventorySnapshot.target == target))
    count = 0
    for data in workloads:
        if data.federation not in tuple(Federation):
            raise ValueError(f"unknown federation status {data.federation!r}")
        row = Workload(scan_id=scan_id, target=target, file=data.file, workflow=data.workflow, job=data.job,
                       federation=data.federation, identities=sorted(set(data.identities)),
                       static_credentials=data.static_credentials)
        session.add(row)
        session.flush()
        names = sorted(set(data.secrets))
        session.add_all(WorkloadSecret(workload_id=row.id, secret_name=name) for name in names)
        count += 1
    snapshot = InventorySnapshot(scan_id=scan_id, target=target, workloads=count)
    session.add(snapshot)
    session.flush()
    return snapshot


def latest_workloads(session: Session, *, target: str | None = None) -> list[WorkloadView]:
    """Each target's workloads from its latest snapshot, sorted by target, file, workflow, job."""
    latest = (select(InventorySnapshot.target, func.max(InventorySnapshot.scan_id).label("scan_id"))
              .group_by(InventorySnapshot.target))
    if target is not None:
        latest = latest.where(InventorySnapshot.target == target)
    current = latest.subquery()
    rows = session.execute(
        select(Workload, WorkloadSecret.secret_name)
        .join(current, and_(Workload.target == current.c.target, Workload.scan_id == current.c.scan_id))
        .outerjoin(WorkloadSecret, WorkloadSecret.workload_id == Workload.id)
        .order_by(Workload.target, Workload.file, Workload.workflow, Workload.job, Workload.id)
    ).all()
    secrets: dict[int, list[str]] = {}
    workloads: dict[int, Workload] = {}
    for workload, name in rows:
        workloads.setdefault(workload.id, workload)
        names = secrets.setdefault(workload.id, [])
        if name is not None:
            names.append(name)
    return [
        WorkloadView(target=w.target, file=w.file, workflow=w.workflow, job=w.job, federation=w.federation,
                     identities=tuple(w.identities), secrets=tuple(sorted(secrets[w.id])), scan_id=w.scan_id)
        for w in workloads.values()
    ]


def by_secret(session: Session, *, target: str | None = None,
              jobs_threshold: int = DEFAULT_SHARED_JOBS_THRESHOLD) -> list[SecretUse]:
    """Each secret name with the current workloads using it, sorted by name.

    Sharing is judged over every target's inventory, also when ``target`` narrows the listing.
    """
    users: dict[str, list[WorkloadView]] = {}
    for workload in latest_workloads(session):
        for name in workload.secrets:
            users.setdefault(name, []).append(workload)
    uses = []
    for name, workloads in sorted(users.items()):
        shared = len({w.target for w in workloads}) > 1 or len(workloads) > jobs_threshold
        shown = tuple(w for w in workloads if target is None or w.target == target)
        if shown:
            uses.append(SecretUse(name=name, workloads=shown, shared=shared))
    return uses


def shared_secrets(session: Session, *,
                   jobs_threshold: int = DEFAULT_SHARED_JOBS_THRESHOLD) -> list[SecretUse]:
    """The shared secret names of the current inventory."""
    return [use for use in by_secret(session, jobs_threshold=jobs_threshold) if use.shared]


def inventory_metrics(session: Session, *,
                      jobs_threshold: int = DEFAULT_SHARED_JOBS_THRESHOLD) -> dict[str, Any]:
    """Federation posture of the current inventory, for ``sprawl metrics``.

    ``federated_share`` and ``static_share`` are over the workloads that use any credential
    (``none`` excluded) and add up to 1: a ``mixed`` workload still holds a static secret.
    """
    workloads = latest_workloads(session)
    counts = {state.value: 0 for state in Federation}
    for workload in workloads:
        counts[workload.federation] += 1
    with_credentials = len(workloads) - counts[Federation.NONE]
    static = counts[Federation.STATIC_SECRET] + counts[Federation.MIXED]
    return {
        "ci_workloads": len(workloads),
        "by_federation": counts,
        "federated_share": counts[Federation.FEDERATED] / with_credentials if with_credentials else None,
        "static_share": static / with_credentials if with_credentials else None,
        "secret_names": len({name for w in workloads for name in w.secrets}),
        "shared_secret_names": len(shared_secrets(session, jobs_threshold=jobs_threshold)),
    }
