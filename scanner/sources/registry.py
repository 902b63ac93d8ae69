"""Every source, in the order they are asked whether they scan a target: the first that claims it does.

Adding a source is one module with a class fulfilling ``interface.Source`` and one line here.
"""

from __future__ import annotations

from secret_sprawl.scanner.sources.directory import DirectorySource
from secret_sprawl.scanner.sources.history import GitHistorySource
from secret_sprawl.scanner.sources.interface import ScanOptions, Source
from secret_sprawl.scanner.sources.organisation import OrganisationRepositorySource
from secret_sprawl.scanner.sources.remote import RemoteSource
from secret_sprawl.scanner.sources.staged import StagedSource

SOURCES: tuple[Source, ...] = (
    OrganisationRepositorySource(),  # before RemoteSource: its targets are names, not URLs
    RemoteSource(),
    StagedSource(),
    GitHistorySource(),
    DirectorySource(),  # last: claims every remaining path
)


def source_for(spec: str, options: ScanOptions) -> Source:
    """The source that scans ``spec``."""
    return next(source for source in SOURCES if source.claims(spec, options))
