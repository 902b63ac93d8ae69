"""Run blobs through the engine on every core: batches of blobs go to worker processes, each of
which compiles its Engine once; results come back in submission order.

With ``jobs == 1`` everything runs in this process. Workers are forked before any source starts a
thread, and at most two batches per worker are in flight, so memory stays bounded whatever the
size of the history being streamed.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from detectors.engine import build_engine
from detectors.types import Finding, ScanError
from scanner.blobscan import BlobResult, BlobScanner
from scanner.sources.base import Blob, Item

BATCH_BYTES = 4 * 1024 * 1024
BATCH_BLOBS = 512


@dataclass(slots=True)
class Tally:
    """Running totals for one target (and for the progress bar)."""

    files: int = 0  # files read from a work tree (or the index)
    blobs: int = 0  # unique blobs read from git history
    bytes: int = 0
    binary: int = 0
    findings: int = 0


Progress = Callable[[Tally], None]

_worker: BlobScanner | None = None


def _start_worker(rule_files: tuple[str, ...]) -> None:
    global _worker
    _worker = BlobScanner(build_engine(rule_files))


def _scan_batch(batch: list[Blob]) -> list[BlobResult]:
    assert _worker is not None
    return [_worker.scan(blob) for blob in batch]


def _ready() -> None:
    return None


class Runner:
    """Scans items from sources; use as a context manager so worker processes are shut down."""

    def __init__(self, rule_files: Iterable[str] = (), jobs: int = 1) -> None:
        self.rule_files = tuple(str(f) for f in rule_files)
        self.scanner = BlobScanner(build_engine(self.rule_files))
        self.jobs = max(1, jobs)
        # Bytes shared by consecutive pieces of a large file: more than any match and its context.
        self.overlap = 2 * max((rule.window for rule in self.scanner.catalog.rules), default=256) + 4096
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Runner:
        if self.jobs > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                             initargs=(self.rule_files,))
            self._pool.submit(_ready).result()  # fork every worker now, before sources start threads
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, items: Iterable[Item], tally: Tally,
            progress: Progress | None = None) -> Iterator[Finding | ScanError]:
        """Scan every blob in ``items``; pass ScanErrors through; yield findings and errors."""
        in_flight: deque[Future[list[BlobResult]] | list[BlobResult]] = deque()
        batch: list[Blob] = []
        batch_bytes = 0
        for item in items:
            if isinstance(item, ScanError):
                yield item
                continue
            batch.append(item)
            batch_bytes += len(item.data)
            if item.piece == 0:
                if item.provenance.blob_id is None:
                    tally.files += 1
                else:
                    tally.blobs += 1
            tally.bytes += item.keep_before if item.keep_before is not None else len(item.data)
            if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_BLOBS:
                in_flight.append(self._submit(batch))
                batch, batch_bytes = [], 0
                while len(in_flight) > 2 * self.jobs:
                    yield from self._collect(in_flight.popleft(), tally, progress)
        if batch:
            in_flight.append(self._submit(batch))
        while in_flight:
            yield from self._collect(in_flight.popleft(), tally, progress)

    def _submit(self, batch: list[Blob]) -> Future[list[BlobResult]] | list[BlobResult]:
        if self._pool is None:
            return [self.scanner.scan(blob) for blob in batch]
        return self._pool.submit(_scan_batch, batch)

    @staticmethod
    def _collect(pending: Future[list[BlobResult]] | list[BlobResult], tally: Tally,
                 progress: Progress | None) -> Iterator[Finding | ScanError]:
        results = pending if isinstance(pending, list) else pending.result()
        for result in results:
            tally.binary += result.binary
            tally.findings += len(result.findings)
            yield from result.errors
            yield from result.findings
        if progress is not None:
            progress(tally)
