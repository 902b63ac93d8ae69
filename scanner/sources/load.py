"""Read what sources refer to, in the process that scans it: files from disk, blobs from git."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from secret_sprawl.detectors.types import ScanError
from secret_sprawl.scanner.sources.base import Blob, FileRef, GitRef, Item
from secret_sprawl.scanner.sources.directory import read_file
from secret_sprawl.scanner.sources.git_history import BlobReader


class Loader:
    """Turns a batch of items into blobs (pieces for large ones) and read errors."""

    def __init__(self, *, max_file_size: int, overlap: int) -> None:
        self.max_file_size = max_file_size
        self.overlap = overlap
        self._readers: dict[str, BlobReader] = {}

    def load(self, batch: Iterable[Item]) -> Iterator[Blob | ScanError]:
        by_repo: dict[str, list[GitRef]] = {}
        for item in batch:
            if isinstance(item, GitRef):
                by_repo.setdefault(item.repo, []).append(item)
            elif isinstance(item, FileRef):
                yield from read_file(item, max_file_size=self.max_file_size, overlap=self.overlap)
            else:
                yield item
        for repo, refs in by_repo.items():
            reader = self._readers.get(repo)
            if reader is None:
                reader = self._readers[repo] = BlobReader(repo)
            yield from reader.read(refs, max_file_size=self.max_file_size, overlap=self.overlap)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
