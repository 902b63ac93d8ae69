"""``sprawl metrics``: MTTR, SLA compliance and open-secret ageing, as a table or an export file, and
``sprawl metrics serve``: the same numbers for Prometheus to scrape.

Formats: ``table`` (terminal), ``json``, ``csv``, ``openmetrics`` and ``html`` (one self-contained
report). ``--as-of`` fixes "now" so a report can be reproduced; ``--since`` limits the remediations
counted in MTTR to those resolved from that date; ``--min-confidence`` (default medium) leaves
secrets below that confidence out of every figure (``low`` counts them all).

``serve`` answers ``GET /metrics`` with OpenMetrics (or the Prometheus text format, by the scraper's
``Accept``), recomputed at every scrape, including the scheduler's health (last successful run per
schedule, queue depth when the procrastinate queue exists). It listens on 127.0.0.1 unless
``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from types import FrameType
from wsgiref.simple_server import WSGIRequestHandler, make_server

from secret_sprawl.scanner.cli import EXIT_OK, UsageError, utc_time
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.formats.metrics import MetricsView
from secret_sprawl.scanner.inventory_scan import shared_jobs_threshold
from secret_sprawl.scanner.min_confidence import add_min_confidence
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.db import open_database
from secret_sprawl.tracker.exports.html import BREAKDOWNS
from secret_sprawl.tracker.exports.openmetrics import SprawlCollector, check_groups
from secret_sprawl.tracker.inventory import inventory_metrics
from secret_sprawl.tracker.metrics import GROUP_BY, Metrics, compute_report
from secret_sprawl.tracker.models.columns import utcnow
from secret_sprawl.tracker.scheduler_health import SchedulerHealth, scheduler_health
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

DEFAULT_PORT = 9464


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "metrics", parents=[common], help="MTTR, SLA compliance and exposure, for leadership",
        description="Remediation metrics: MTTR (mean, median, p90 nearest-rank, min, max) over secrets "
                    "revoked or rotated, share within the SLA, open secrets by age, breached, exposure, "
                    "time to owner, remediation through sprawl or by people.",
    )
    parser.add_argument("--format", choices=names("metrics"), default="table", help="output format")
    parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--group-by", choices=GROUP_BY, help="the same figures per group (org: host/org)")
    parser.add_argument("--since", type=utc_time, metavar="DATE", help="count remediations from this date")
    parser.add_argument("--as-of", type=utc_time, metavar="DATE",
                        help="compute as of this time (default now)")
    add_min_confidence(parser, "count secrets")
    # ``serve`` is an optional word rather than a sub-parser, so that an option the command does not
    # have (``--rules FILE``) is reported as such instead of FILE being taken for an action.
    parser.add_argument("action", nargs="?", metavar="serve",
                        help="serve the metrics for Prometheus to scrape (GET /metrics) instead of printing "
                             "them once")
    serving = parser.add_argument_group("serve options")
    serving.add_argument("--port", type=int, help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)")
    serving.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action not in (None, "serve"):
        raise UsageError(f"unknown action {args.action!r} (the only one is serve)")
    if args.action is None and (args.port is not None or args.host is not None):
        raise UsageError("--port and --host go with serve: sprawl metrics serve --port N")
    if args.action == "serve" or args.format == "openmetrics":
        _check_groups(args.group_by)
    if args.action == "serve":
        return _serve(args)
    config = load_config(args.config)
    generated_at = utcnow()
    engine = open_database(database_url(args.db))
    metrics = _compute(engine, config, args, as_of=args.as_of or generated_at,
                       report=args.format in ("json", "csv", "html"))
    text = renderer("metrics", args.format)(MetricsView(metrics, generated_at))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _compute(engine: Engine, config: Config, args: argparse.Namespace, *, as_of, report: bool) -> Metrics:
    """The metrics as of ``as_of``; with ``report``, also the trends and (for html) the breakdowns."""
    policy = SlaPolicy.from_config(config)
    with Session(engine) as session:
        metrics = compute_report(
            session, policy, as_of=as_of, since=getattr(args, "since", None), group_by=args.group_by,
            min_confidence=args.min_confidence,
            breakdowns=BREAKDOWNS if getattr(args, "format", None) == "html" else (),
            weeks=12 if report else 0, months=12 if report and args.format in ("csv", "json") else 0,
        )
        ci = inventory_metrics(session, jobs_threshold=shared_jobs_threshold(config))
    return replace(metrics, ci_inventory=ci)


def _check_groups(group_by: str | None) -> None:
    try:
        check_groups(group_by)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _serve(args: argparse.Namespace) -> int:
    from prometheus_client import CollectorRegistry, make_wsgi_app

    config = load_config(args.config)
    engine = open_database(database_url(args.db))

    def produce() -> tuple[Metrics, SchedulerHealth] | None:
        try:
            metrics = _compute(engine, config, args, as_of=utcnow(), report=False)
            with Session(engine) as session:
                return metrics, scheduler_health(session)
        except SQLAlchemyError as exc:  # the scrape says sprawl_up 0; the server keeps serving
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            print(f"sprawl metrics serve: database error: {reason}", file=sys.stderr, flush=True)
            return None

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SprawlCollector(produce))
    host = "127.0.0.1" if args.host is None else args.host
    port = DEFAULT_PORT if args.port is None else args.port
    try:
        server = make_server(host, port, make_wsgi_app(registry), handler_class=_QuietHandler)
    except (OSError, OverflowError) as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    host, port = server.server_address[:2]
    print(f"serving metrics on http://{host}:{port}/metrics (Ctrl-C to stop)", file=sys.stderr, flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        # Not an exception raised wherever the signal lands (a request being written would swallow
        # it): the loop is asked to end, from another thread since shutdown() waits for it.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        engine.dispose()
    return EXIT_OK


class _QuietHandler(WSGIRequestHandler):
    """No access log line per scrape."""

    def log_message(self, format: str, *args: object) -> None:
        pass
