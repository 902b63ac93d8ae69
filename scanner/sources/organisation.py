"""Organisation repository source: one repository that an organisation target (``github://ORG``,
``gitlab://GROUP``, ``huggingface://ORG``; see ``scanner/orgs``) expanded into.

The target arrives as a ``RepositoryTarget``: its name (``host/org/repo``) is what is recorded, its
clone URL is mirrored like any remote (with the host's token sent as an HTTP header for that fetch
only), and the mirror's history is scanned.
"""

from __future__ import annotations

from secret_sprawl.detectors.types import TargetResult
from secret_sprawl.scanner.orgs.expand import RepositoryTarget
from secret_sprawl.scanner.sources import history
from secret_sprawl.scanner.sources.gitproc import GitFailure
from secret_sprawl.scanner.sources.interface import ScanOptions, Session, failed
from secret_sprawl.scanner.sources.remote import strip_credentials, update_mirror


class OrganisationRepositorySource:
    """A repository of an organisation, mirrored from its clone URL and recorded by its name."""

    name = "organisation"

    def claims(self, spec: str, options: ScanOptions) -> bool:
        return isinstance(spec, RepositoryTarget)

    def scan(self, spec: str, session: Session) -> TargetResult:
        assert isinstance(spec, RepositoryTarget)
        options = session.options
        try:
            mirror = update_mirror(spec.clone_url, options.cache_dir, spec.git_env,
                                   timeout=options.network_timeout)
        except GitFailure as exc:
            return failed(str(spec), "remote", f"cannot fetch {strip_credentials(spec.clone_url)}: {exc}")
        return history.scan_repository(mirror, str(spec), "remote", session, worktree=None)
