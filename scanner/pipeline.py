"""Run items from sources through the engine on every core, with deterministic results.

Items (file and blob references) go in batches to worker processes; each worker compiles its Engine
once, reads its items itself (so content never crosses a process boundary) and returns findings.
With ``jobs == 1``, and for small inputs, everything runs in this process: workers are started
(``start_workers``) only before a target large enough to pay for them, and before its source starts
a thread. At most two batches per worker are in flight, so memory stays bounded whatever the size
of the history being streamed.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from secret_sprawl.detectors.engine import build_engine
from secret_sprawl.detectors.types import Finding, ScanError
from secret_sprawl.scanner.blobscan import BlobResult, BlobScanner
from secret_sprawl.scanner.sources.base import Blob, Item, Skipped
from secret_sprawl.scanner.sources.load import Loader

BATCH_BYTES = 2 * 1024 * 1024  # small enough that a 26 MB tree keeps two workers busy from early on
BATCH_ITEMS = 512  # also bounds what is written to a git cat-file's stdin before reading its answers
DEFAULT_MAX_FILE_SIZE = 25 * 1024 * 1024


@dataclass(slots=True)
class Tally:
    """Running totals (for a target's result and for the progress bar)."""

    files: int = 0  # files read from a work tree (or the index)
    blobs: int = 0  # unique blobs read from git history
    bytes: int = 0
    findings: int = 0


Progress = Callable[[Tally], None]


class _Worker:
    def __init__(self, rule_files: tuple[str, ...], max_file_size: int, overlap: int,
                 scanner: BlobScanner | None = None) -> None:
        self.scanner = scanner or BlobScanner(build_engine(rule_files))
        self.loader = Loader(max_file_size=max_file_size, overlap=overlap)

    def scan(self, batch: list[Item]) -> list[BlobResult]:
        results = []
        for piece in self.loader.load(batch):
            if isinstance(piece, ScanError):
                results.append(BlobResult(errors=[piece]))
            else:
                results.append(self.scanner.scan(piece))
        return results


_worker: _Worker | None = None


def _start_worker(rule_files: tuple[str, ...], max_file_size: int, overlap: int) -> None:
    global _worker
    _worker = _Worker(rule_files, max_file_size, overlap)


def _scan_batch(batch: list[Item]) -> list[BlobResult]:
    assert _worker is not None
    return _worker.scan(batch)


def _ready() -> None:
    return None


class Runner:
    """Scans items from sources; use as a context manager so worker processes are shut down."""

    def __init__(self, rule_files: Iterable[str] = (), jobs: int = 1, *,
                 max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        self.rule_files = tuple(str(f) for f in rule_files)
        self.scanner = BlobScanner(build_engine(self.rule_files))
        self.jobs = max(1, jobs)
        self.max_file_size = max_file_size
        # Bytes shared by consecutive pieces of a large file: more than any match and its context.
        self.overlap = 2 * max((rule.window for rule in self.scanner.catalog.rules), default=256) + 4096
        self._local: _Worker | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Runner:
        return self

    def start_workers(self) -> None:
        """Start the worker processes (once; none with ``jobs == 1``), before a source starts threads."""
        if self.jobs == 1 or self._pool is not None:
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.scanner.engine.prepare()  # compiled once here, shared by every forked worker
        gc.freeze()  # forked workers share the parent's objects instead of copying them on first GC
        self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                         initargs=(self.rule_files, self.max_file_size, self.overlap))
        self._pool.submit(_ready).result()  # fork every worker now, before sources start threads

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._local is not None:
            self._local.loader.close()
            self._local = None

    def run(self, items: Iterable[Item], tally: Tally,
            progress: Progress | None = None) -> Iterator[Finding | ScanError | Skipped]:
        """Scan every item; yield findings, errors and what was not scanned (errors and skips that
        sources yield pass straight through)."""
        in_flight: deque[Future[list[BlobResult]] | list[BlobResult]] = deque()
        batch: list[Item] = []
        batch_bytes = 0
        for item in items:
            if isinstance(item, ScanError | Skipped):
                yield item
                continue
            batch.append(item)
            batch_bytes += len(item.data) if isinstance(item, Blob) else item.size
            if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_ITEMS:
                in_flight.append(self._submit(batch))
                batch, batch_bytes = [], 0
                while len(in_flight) > 2 * self.jobs:
                    yield from self._collect(in_flight.popleft(), tally, progress)
        if batch:
            in_flight.append(self._submit(batch))
        while in_flight:
            yield from self._collect(in_flight.popleft(), tally, progress)

    def _submit(self, batch: list[Item]) -> Future[list[BlobResult]] | list[BlobResult]:
        if self._pool is not None:
            return self._pool.submit(_scan_batch, batch)
        if self._local is None:
            self._local = _Worker(self.rule_files, self.max_file_size, self.overlap, self.scanner)
        return self._local.scan(batch)

    @staticmethod
    def _collect(pending: Future[list[BlobResult]] | list[BlobResult], tally: Tally,
                 progress: Progress | None) -> Iterator[Finding | ScanError | Skipped]:
        results = pending if isinstance(pending, list) else pending.result()
        for result in results:
            tally.files += result.source == "file"
            tally.blobs += result.source == "blob"
            tally.bytes += result.bytes
            tally.findings += len(result.findings)
            yield from result.errors
            yield from result.skipped
            yield from result.findings
        if progress is not None:
            progress(tally)

