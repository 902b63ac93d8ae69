"""``sprawl inventory``: the CI workloads of the tracked targets (their latest scan), with the secret
names each uses and its federation status; ``--by-secret`` lists each secret name with its workloads
and whether it is shared. Reads the tracker only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from rich.console import Console
from rich.table import Table
from secret_sprawl.scanner.cli import EXIT_OK, UsageError
from secret_sprawl.scanner.inventory_scan import shared_jobs_threshold
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import DatabaseError, open_database
from secret_sprawl.tracker.inventory import SecretUse, WorkloadView, by_secret, latest_workloads
from secret_sprawl.tracker.safe_text import csv_cell, markup
from sqlmodel import Session

FORMATS = ("table", "json", "csv")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "inventory", parents=[common], help="CI workloads with their credentials and federation status",
        description="List the CI jobs of the tracked targets with the secret names they use, the identities "
                    "they assume and their federation status (federated, static-secret, mixed, none).",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--by-secret", action="store_true",
                        help="one entry per secret name with the workloads using it")
    parser.add_argument("--target", metavar="T", help="only workloads of this target")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    threshold = shared_jobs_threshold(load_config(args.config))
    try:
        engine = open_database(database_url(args.db))
    except DatabaseError as exc:
        raise UsageError(str(exc)) from exc
    try:
        with Session(engine) as session:
            if args.by_secret:
                uses = by_secret(session, target=args.target, jobs_threshold=threshold)
                text = _render_uses(uses, args.format)
            else:
                text = _render_workloads(latest_workloads(session, target=args.target), args.format)
    finally:
        engine.dispose()
    sys.stdout.write(text)
    return EXIT_OK


def _render_workloads(workloads: list[WorkloadView], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"workloads": [w.as_dict() for w in workloads]}, indent=2) + "\n"
    header = ("target", "file", "workflow", "job", "federation", "secrets", "identities")
    rows = [(w.target, w.file, w.workflow, w.job, w.federation, " ".join(w.secrets), " ".join(w.identities))
            for w in workloads]
    return _csv(header, rows) if fmt == "csv" else _table("CI workloads", header, rows)


def _render_uses(uses: list[SecretUse], fmt: str) -> str:
    if fmt == "json":
        document = [{"name": use.name, "shared": use.shared, "targets": list(use.targets),
                     "workloads": [_place(w) for w in use.workloads]} for use in uses]
        return json.dumps({"secrets": document}, indent=2) + "\n"
    header = ("secret", "shared", "target", "file", "workflow", "job", "federation")
    rows = [(use.name, "yes" if use.shared else "no", w.target, w.file, w.workflow, w.job, w.federation)
            for use in uses for w in use.workloads]
    return _csv(header, rows) if fmt == "csv" else _table("CI secrets by name", header, rows)


def _place(workload: WorkloadView) -> dict[str, str]:
    return {"target": workload.target, "file": workload.file, "workflow": workload.workflow,
            "job": workload.job, "federation": workload.federation}


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    tty = sys.stdout.isatty()
    console = Console(file=out, force_terminal=tty, width=None if tty else 160)
    table = Table(title=title)
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(markup(cell) for cell in row))
    console.print(table if rows else "no CI workloads recorded yet (run `sprawl scan`)")
    return out.getvalue()
