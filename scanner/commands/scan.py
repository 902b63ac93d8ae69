"""``sprawl scan``: scan directories, git repositories (full history) and remote URLs for secrets.

Each target's result is recorded in the tracker as soon as it completes (``--no-record`` skips the
tracker entirely), then the findings at ``--min-confidence`` or above are written in the chosen
format (the tracker records every finding, whatever its confidence). Exit codes (``scanner.outcome``):
0 no findings shown, 1 findings shown (or ``--exit-code N``), 2 a usage error or a target not scanned.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from secret_sprawl.detectors.catalog import CatalogError
from secret_sprawl.scanner.baseline import load_baseline
from secret_sprawl.scanner.cli import UsageError, add_rules_option
from secret_sprawl.scanner.formats import names, renderer
from secret_sprawl.scanner.inventory_scan import shared_credential_findings, shared_jobs_threshold
from secret_sprawl.scanner.min_confidence import add_min_confidence
from secret_sprawl.scanner.orgs import options as org_cli
from secret_sprawl.scanner.orgs.expand import expand_targets
from secret_sprawl.scanner.orgs.options import org_options
from secret_sprawl.scanner.outcome import exit_code, run_result
from secret_sprawl.scanner.pipeline import DEFAULT_MAX_FILE_SIZE, Runner, Tally
from secret_sprawl.scanner.problems import summary_lines
from secret_sprawl.scanner.progress import ScanProgress
from secret_sprawl.scanner.report import Report
from secret_sprawl.scanner.revoke.automatic import revoke_automatically
from secret_sprawl.scanner.runner import scan_and_record
from secret_sprawl.scanner.sources.interface import DEFAULT_NETWORK_TIMEOUT
from secret_sprawl.scanner.sources.remote import default_cache_dir, strip_credentials
from secret_sprawl.scanner.targets import ScanOptions
from secret_sprawl.scanner.verify import scan_hook
from secret_sprawl.tracker.config import database_url, load_config
from secret_sprawl.tracker.fingerprints import fingerprint_key
from secret_sprawl.tracker.safe_text import terminal

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("scan", parents=[common], help="scan directories, repositories and URLs",
                                   description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("targets", nargs="*", metavar="TARGET",
        help="directory, file, git repository or git URL (https://, ssh://, git@, file://)")
    add("--format", choices=names("scan"), help="output format (default: table on a terminal, else json)")
    add("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    add("--no-history", action="store_true", help="scan the work tree only, not git history")
    add("--since", metavar="REV", help="only objects not reachable from REV")
    add("--incremental", action="store_true",
        help="only objects not reachable from the refs of the target's last completed scan")
    add("--staged", action="store_true", help="scan what `git commit` would record (pre-commit)")
    add("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
        help="worker processes (default: all cores)")
    add("--baseline", metavar="FILE", help="a previous JSON report: report only new fingerprints")
    add("--show-secrets", action="store_true", help="include the plaintext secret in the output")
    add("--exit-code", type=int, default=1, metavar="N", help="exit code when findings (default 1)")
    add_min_confidence(parser, "show (and count for the exit code) findings")
    add("--max-file-size", type=_size, default=DEFAULT_MAX_FILE_SIZE, metavar="SIZE",
        help="files larger than this are scanned in overlapping pieces (default 25MB)")
    add("--cache-dir", type=Path, default=None, metavar="DIR",
        help="where remote repositories are mirrored (default: the user cache dir)")
    add("--no-record", action="store_true", help="do not record the scan in the tracker")
    add("--network-timeout", type=float, default=DEFAULT_NETWORK_TIMEOUT, metavar="SECONDS",
        help="give up on a remote that sends nothing for this long (default 60)")
    add("--verbose", action="store_true", help="print every warning, not one line per kind of problem")
    add("--fetch-missing", action="store_true",
        help="partial clones: fetch their absent objects in one batch before scanning (writes into them)")
    add("--enqueue", action="store_true",
        help="queue one job per repository for `sprawl worker` instead of scanning (PostgreSQL --db)")
    add("--queue", metavar="NAME", help="the queue --enqueue puts jobs on (default: scans)")
    add_rules_option(parser)
    org_cli.add_arguments(parser)
    scan_hook.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = list(args.targets) or (["."] if args.staged else [])
    if not targets:
        raise UsageError("give at least one TARGET (a directory, repository or git URL)")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.network_timeout <= 0:
        raise UsageError("--network-timeout must be more than 0 seconds")
    if args.since and args.incremental:
        raise UsageError("--since and --incremental are exclusive")
    if args.no_record and (args.verify or args.notify):
        raise UsageError("--verify/--notify record results in the tracker; drop --no-record")
    if args.enqueue:
        from secret_sprawl.scanner.queue.enqueue import enqueue

        return enqueue(args, targets)
    targets = expand_targets(targets, org_options(args), report=_stderr,
                             warn=lambda line: _stderr(f"sprawl scan: warning: {line}"))
    config = load_config(args.config, scanned=targets)
    shared_jobs = shared_jobs_threshold(config)
    key = fingerprint_key(config)
    known = load_baseline(args.baseline) if args.baseline else frozenset()
    fmt = args.format or ("table" if sys.stdout.isatty() and not args.output else "json")
    database = None if args.no_record and not args.incremental else _open_database(args.db)
    recorder = None if args.no_record else _recorder(database)
    options = ScanOptions(history=not args.no_history, since=args.since, staged=args.staged,
                          cache_dir=args.cache_dir or default_cache_dir(),
                          network_timeout=args.network_timeout, fetch_missing=args.fetch_missing)
    started = time.monotonic()
    results = []
    try:
        runner = Runner(args.rules, args.jobs, max_file_size=args.max_file_size)
    except CatalogError as exc:
        raise UsageError(str(exc)) from exc
    with runner, ScanProgress() as progress:
        tally = Tally()
        for target in targets:
            progress.target(strip_credentials(target))
            result = scan_and_record(target, runner, options, recorder=recorder,
                                     incremental_from=database if args.incremental else None,
                                     progress=progress.update, tally=tally, fingerprint_key=key)
            results.append(result)
    for line in summary_lines((e for r in results for e in r.errors), verbose=args.verbose):
        print(terminal(f"sprawl scan: warning: {line}"), file=sys.stderr)
    by_target = {result.target: result for result in results}
    for finding in shared_credential_findings([w for r in results for w in r.workloads],
                                              jobs_threshold=shared_jobs):
        by_target[finding.provenance.target].findings.append(finding)
    if recorder is not None:
        scan = recorder.finish()
        scan_hook.after_scan(args, database, scan.id, results, config)
        revoke_automatically(database, config, (f for r in results for f in r.findings), scan_id=scan.id,
                             by=f"{scan.actor} ([revoke] automatic)", endpoints=args.endpoint,
                             allow_overrides=args.allow_endpoint_overrides)
    report = Report.build(results, runner.scanner.catalog, time.monotonic() - started,
                          show_secrets=args.show_secrets, known=known, min_confidence=args.min_confidence,
                          staged=args.staged)
    _write(renderer("scan", fmt)(report), args.output)
    return exit_code(run_result(results, len(report.findings)), args.exit_code)


def _stderr(line: str) -> None:
    print(terminal(line), file=sys.stderr)


def _open_database(url_option: str | None):
    from secret_sprawl.tracker.db import open_database

    return open_database(database_url(url_option))


def _recorder(database):
    from secret_sprawl.tracker.actor import default_actor
    from secret_sprawl.tracker.recording import Recorder

    return Recorder(database, trigger="cli", actor=default_actor())


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


def _size(text: str) -> int:
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 25MB, 512k, 1048576)")
    unit = (match.group(2) or "").lower()[:1]
    return max(1, int(float(match.group(1)) * _UNITS[unit]))
