"""``sprawl inventory`` formats: CI workloads, or secret names with the workloads using them."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass

from secret_sprawl.scanner.formats.text import csv_text, rich_table
from secret_sprawl.tracker.inventory import SecretUse, WorkloadView


@dataclass(frozen=True, slots=True)
class InventoryView:
    """What ``sprawl inventory`` read: the workloads, or with ``--by-secret`` the secret names."""

    workloads: list[WorkloadView]
    uses: list[SecretUse] | None = None


def json(view: InventoryView) -> str:
    if view.uses is None:
        return _json.dumps({"workloads": [w.as_dict() for w in view.workloads]}, indent=2) + "\n"
    document = [{"name": use.name, "shared": use.shared, "targets": list(use.targets),
                 "workloads": [_place(w) for w in use.workloads]} for use in view.uses]
    return _json.dumps({"secrets": document}, indent=2) + "\n"


def csv(view: InventoryView) -> str:
    return csv_text(*_header_rows(view))


def table(view: InventoryView) -> str:
    title = "CI workloads" if view.uses is None else "CI secrets by name"
    return rich_table(title, *_header_rows(view), empty="no CI workloads recorded yet (run `sprawl scan`)")


def _header_rows(view: InventoryView) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    if view.uses is None:
        return (("target", "file", "workflow", "job", "federation", "secrets", "identities"),
                [(w.target, w.file, w.workflow, w.job, w.federation, " ".join(w.secrets),
                  " ".join(w.identities)) for w in view.workloads])
    return (("secret", "shared", "target", "file", "workflow", "job", "federation"),
            [(use.name, "yes" if use.shared else "no", w.target, w.file, w.workflow, w.job, w.federation)
             for use in view.uses for w in use.workloads])


def _place(workload: WorkloadView) -> dict[str, str]:
    return {"target": workload.target, "file": workload.file, "workflow": workload.workflow,
            "job": workload.job, "federation": workload.federation}
