"""Remote repositories: a bare mirror per URL in the cache directory, cloned once, fetched after.

The cache folder is named by the SHA-256 of the URL without credentials, and only that clean URL
is ever written to the mirror's config. A URL with credentials is passed to git on the command
line for the fetch only. Fetching refreshes every ref (``+refs/*:refs/*``) and prunes deleted ones.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_cache_dir
from secret_sprawl.scanner.sources.gitproc import GitFailure, git_at, run

_SCP_LIKE = re.compile(r"^(?:[\w.+-]+@)?[\w.-]+:(?!//)[^\\]")  # git@host:org/repo.git
_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://")


def is_remote(target: str) -> bool:
    return target.startswith(_SCHEMES) or (bool(_SCP_LIKE.match(target)) and not Path(target).exists())


def strip_credentials(url: str) -> str:
    """The URL without userinfo (``https://user:token@host/x`` -> ``https://host/x``)."""
    if "://" in url:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url.rpartition("@")[2] if "@" in url.split(":", 1)[0] else url


def default_cache_dir() -> Path:
    return Path(user_cache_dir("secret-sprawl")) / "repos"


def mirror_path(url: str, cache_dir: Path) -> Path:
    return cache_dir / hashlib.sha256(strip_credentials(url).encode()).hexdigest()


def update_mirror(url: str, cache_dir: Path, git_env: dict[str, str] | None = None) -> Path:
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
    git = git_at(path)
    git.update_environment(**(git_env or {}))
    try:
        run(git, "fetch", "--quiet", "--prune", "--force", url, "+refs/*:refs/*")
        head = run(git, "ls-remote", "--symref", url, "HEAD")
    except GitFailure as exc:
        raise GitFailure(str(exc).replace(url, clean)) from None
    match = re.match(r"ref: (\S+)\s+HEAD", head)
    if match:
        run(git, "symbolic-ref", "HEAD", match.group(1))
    return path
