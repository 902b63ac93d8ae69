"""Remote source: a bare mirror per URL in the cache directory, cloned once, fetched after, then
scanned like a local repository's history.

The cache folder is named by the SHA-256 of the URL without credentials, and only that clean URL
is ever written to the mirror's config. A URL with credentials is passed to git on the command
line for the fetch only, after ``--``. Fetching refreshes every ref (``+refs/*:refs/*``) and prunes
deleted ones. Only the transports https, http (with a warning), ssh, git and file are used; any
other URL or transport-helper syntax (``ext::…``, ``fd::17``) is refused without running git.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from secret_sprawl.detectors.types import ScanError, TargetResult
from secret_sprawl.scanner.sources import history
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, network, run
from secret_sprawl.scanner.sources.interface import ScanOptions, Session, default_cache_dir, failed

_SCP_LIKE = re.compile(r"^(?:[\w.+-]+@)?[\w.-]+:(?!//)[^\\:]")  # git@host:org/repo.git
_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://")
_URL_LIKE = re.compile(r"^[A-Za-z][\w+.-]*(?:://|::)")  # any scheme, or a transport helper (ext::, fd::)

__all__ = ["RemoteSource", "default_cache_dir", "is_remote", "mirror_path", "strip_credentials",
           "update_mirror"]


def is_remote(target: str) -> bool:
    return target.startswith(_SCHEMES) or (bool(_SCP_LIKE.match(target)) and not Path(target).exists())


def strip_credentials(url: str) -> str:
    """The URL without userinfo (``https://user:token@host/x`` -> ``https://host/x``)."""
    if "://" in url:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url.rpartition("@")[2] if "@" in url.split(":", 1)[0] else url


def mirror_path(url: str, cache_dir: Path) -> Path:
    return cache_dir / hashlib.sha256(strip_credentials(url).encode()).hexdigest()


def update_mirror(url: str, cache_dir: Path, git_env: dict[str, str] | None = None, *,
                  timeout: float = 60.0) -> Path:
    """Create or refresh the bare mirror of ``url``; raise GitFailure (credentials removed) on failure.

    ``git_env`` is added to the fetch's environment only (an organisation token's HTTP header).
    """
    clean = strip_credentials(url)
    path = mirror_path(url, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (path / "HEAD").is_file():
        path.mkdir(exist_ok=True)
        git = git_at(path)
        run(git, "init", "--quiet", "--bare")
        run(git, "config", "remote.origin.url", clean)
        run(git, "config", "remote.origin.fetch", "+refs/*:refs/*")
        run(git, "config", "remote.origin.mirror", "true")
    try:
        network(path, ["fetch", "--quiet", "--progress", "--prune", "--force", "--", url, "+refs/*:refs/*"],
                timeout=timeout, extra_env=git_env)
        head = network(path, ["ls-remote", "--symref", "--", url, "HEAD"], timeout=timeout, extra_env=git_env)
    except GitFailure as exc:
        raise GitFailure(str(exc).replace(url, clean)) from None
    match = re.match(r"ref: (\S+)\s+HEAD", head)
    if match:
        run(git_at(path), "symbolic-ref", "HEAD", match.group(1))
    return path


class RemoteSource:
    """A git URL: mirrored into the cache, then its whole history scanned."""

    name = "remote"

    def claims(self, spec: str, options: ScanOptions) -> bool:
        return is_remote(spec) or (bool(_URL_LIKE.match(spec)) and not Path(spec).exists())

    def scan(self, spec: str, session: Session) -> TargetResult:
        clean = strip_credentials(spec)
        if not spec.startswith(_SCHEMES) and not _SCP_LIKE.match(spec):
            return failed(clean, "remote", "transport not allowed (only https, http, ssh, git and file URLs)")
        options = session.options
        try:
            mirror = update_mirror(spec, options.cache_dir, timeout=options.network_timeout)
        except GitFailure as exc:
            return failed(clean, "remote", f"cannot fetch {clean}: {exc}")
        result = history.scan_repository(mirror, clean, "remote", session, worktree=None)
        if spec.startswith("http://"):
            result.errors.insert(0, ScanError(clean, ".", "fetched over plain http: the content and any "
                                                          "credentials in the URL travelled unencrypted"))
        return result
