"""``sprawl scan --verify / --notify / --endpoint``: the options and the step run after a tracked scan.

The scan command calls ``add_arguments(parser)`` when building its parser and, once the scan is
recorded, ``after_scan(args, engine, scan_id, results, config)``. The plaintext is still in memory in each
``Finding.secret``, so nothing is re-read here. Nothing in this step can fail the scan: a dead
webhook is logged, a provider that does not answer gives ``unknown``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from secret_sprawl.detectors.types import TargetResult

if TYPE_CHECKING:
    from secret_sprawl.tracker.config_schema import Config
    from sqlalchemy import Engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("verification and notification")
    group.add_argument("--verify", action="store_true",
                       help="check with each provider (read-only call) whether found secrets are live")
    group.add_argument("--endpoint", metavar="PROVIDER=URL", action="append", default=[],
                       help="send PROVIDER's verification calls to URL instead of its official host")
    group.add_argument("--allow-endpoint-overrides", action="store_true",
                       help="allow --endpoint / [verify.endpoints] to send secrets to a host that is not "
                            "the provider's official one (a gateway, a test server)")
    group.add_argument("--notify", metavar="URL",
                       help="POST new secrets, SLA changes and revocations to this webhook "
                            "(else the config's [notify] url)")


def after_scan(args: argparse.Namespace, engine: Engine, scan_id: int, results: list[TargetResult],
               config: Config) -> None:
    """Verify this scan's secrets (with ``--verify``) and send notifications (with a webhook)."""
    # Imported here so that a scan that records nothing never loads the tracker and HTTP stacks.
    from secret_sprawl.detectors.verification import load_verifiers
    from secret_sprawl.scanner.notify import deliver_pending, webhook_url
    from secret_sprawl.scanner.verify.client import Verifier
    from secret_sprawl.scanner.verify.service import (
        Checked,
        items_for_fingerprints,
        requests_from_findings,
        summarize,
        verify_and_record,
    )
    from secret_sprawl.scanner.verify.settings import VerifySettings
    from secret_sprawl.tracker.actor import default_actor

    url = webhook_url(getattr(args, "notify", None), config)
    if not (args.verify or url):
        return
    checked: list[Checked] = []
    if args.verify:
        catalog = load_verifiers()
        verifier = Verifier(catalog, VerifySettings.from_config(
            config, args.endpoint, allow_overrides=getattr(args, "allow_endpoint_overrides", False)))
        requests = requests_from_findings((f for r in results for f in r.findings), catalog)
        checked = verify_and_record(engine, verifier, items_for_fingerprints(engine, requests),
                                    by=default_actor(), scan_id=scan_id)
        print(summarize(checked), file=sys.stderr)
    if url:
        deliver_pending(engine, config, explicit_url=getattr(args, "notify", None))

