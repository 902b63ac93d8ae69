"""``sprawl inventory``: the CI workloads of the tracked targets (their latest scan), with the secret
names each uses and its federation status; ``--by-secret`` lists each secret name with its workloads
and whether it is shared. Reads the tracker only.
"""

from __future__ import annotations

import argparse
import sys

from secret_sprawl.scanner.cli import EXIT_OK
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.inventory import InventoryView
from secret_sprawl.scanner.inventory_scan import shared_jobs_threshold
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.inventory import by_secret, latest_workloads
from sqlmodel import Session


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "inventory", parents=[common], help="CI workloads with their credentials and federation status",
        description="List the CI jobs of the tracked targets with the secret names they use, the identities "
                    "they assume and their federation status (federated, static-secret, mixed, none).",
    )
    parser.add_argument("--format", choices=names("inventory"), default="table",
                        help="output format (default table)")
    parser.add_argument("--by-secret", action="store_true",
                        help="one entry per secret name with the workloads using it")
    parser.add_argument("--target", metavar="T", help="only workloads of this target")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    threshold = shared_jobs_threshold(load_config(args.config))
    engine = open_database(database_url(args.db))
    try:
        with Session(engine) as session:
            if args.by_secret:
                view = InventoryView([], by_secret(session, target=args.target, jobs_threshold=threshold))
            else:
                view = InventoryView(latest_workloads(session, target=args.target))
            text = renderer("inventory", args.format)(view)
    finally:
        engine.dispose()
    sys.stdout.write(text)
    return EXIT_OK
