"""Expand organisation targets into one remote target per repository, before the target loop.

``expand_targets`` leaves every other target as it is. A repository becomes a RepositoryTarget: a
string holding the target's name (``github.com/acme/agents``) that also carries where to clone it
from and the git environment that sends the host's token as an HTTP header, scoped to the clone
host (``GIT_CONFIG_KEY_0=http.https://github.com/.extraHeader``). The token lives in that
process environment only: never in a URL, on disk, in the tracker or in the output. A repository
whose clone URL is not on the API's own host (``orgs.trust``) is refused with a warning naming it,
so a hostile API answer cannot make us send the token elsewhere.
"""

from __future__ import annotations

import base64
import fnmatch
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Importing the enumerators registers them.
from secret_sprawl.scanner.orgs import github, gitlab, huggingface  # noqa: F401
from secret_sprawl.scanner.orgs.interface import ENUMERATORS, Enumerator, Host, OrgError, Repository
from secret_sprawl.scanner.orgs.trust import clone_refusal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrgOptions:
    """How organisation targets are listed; stored with a schedule and carried by queued jobs as
    ``settings()``: API URLs, filters and token variable NAMES, never a token."""

    api_urls: Mapping[str, str] = field(default_factory=dict)  # host name or scheme -> API base URL
    token_envs: Mapping[str, str] = field(default_factory=dict)  # host name or scheme -> env variable
    include_forks: bool = False
    include: tuple[str, ...] = ()  # globs on the repository's full name (acme/agents)
    exclude: tuple[str, ...] = ()
    max_wait: float = 300.0  # seconds: the longest rate-limit pause before giving up

    def settings(self) -> dict[str, Any]:
        """The options as JSON-safe data, only those that differ from the defaults."""
        data = {"api_urls": dict(self.api_urls), "token_envs": dict(self.token_envs),
                "include_forks": self.include_forks, "include": list(self.include),
                "exclude": list(self.exclude), "max_wait": self.max_wait}
        return {key: value for key, value in data.items() if value != getattr(_DEFAULTS, key)
                and value not in ({}, [])}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None,
                      hosts: Mapping[str, Any] | None = None) -> OrgOptions:
        """The options ``settings()`` gave (a schedule's, a job's); ``hosts`` (a worker's own
        ``api_urls`` / ``token_envs``) wins over them."""
        settings, hosts = settings or {}, hosts or {}
        return cls(api_urls={**settings.get("api_urls", {}), **hosts.get("api_urls", {})},
                   token_envs={**settings.get("token_envs", {}), **hosts.get("token_envs", {})},
                   include_forks=bool(settings.get("include_forks")),
                   include=tuple(settings.get("include", ())), exclude=tuple(settings.get("exclude", ())),
                   max_wait=float(settings.get("max_wait", _DEFAULTS.max_wait)))


_DEFAULTS = OrgOptions()


class RepositoryTarget(str):
    """A target name (``host/org/repo``) that knows its clone URL and the git environment to fetch it."""

    __slots__ = ("clone_url", "git_env", "kind")

    def __new__(cls, name: str, clone_url: str, kind: str, git_env: Mapping[str, str] | None = None):
        self = super().__new__(cls, name)
        self.clone_url, self.kind, self.git_env = clone_url, kind, dict(git_env or {})
        return self

    def job_arguments(self) -> dict[str, str]:
        """What a queued job needs to rebuild this target elsewhere: never the token."""
        return {"target": str(self), "clone_url": self.clone_url, "kind": self.kind}


def is_org_target(target: str) -> bool:
    scheme, sep, _ = target.partition("://")
    return bool(sep) and scheme in ENUMERATORS


def parse_org_target(target: str) -> tuple[Enumerator, str]:
    scheme, _, org = target.partition("://")
    org = org.strip("/")
    if not org or any(not part or part in (".", "..") for part in org.split("/")):
        raise OrgError(f"{target}: give the organisation, e.g. {scheme}://acme")
    if scheme != "gitlab" and "/" in org:
        raise OrgError(f"{target}: {scheme} organisations have no subgroups; give {scheme}://ORG")
    return ENUMERATORS[scheme], org


def expand_targets(targets: Iterable[str], options: OrgOptions, *, env: Mapping[str, str] | None = None,
                   report: Callable[[str], None] | None = None,
                   warn: Callable[[str], None] = log.warning) -> list[str]:
    """``targets`` with each organisation target replaced by its repositories (duplicates dropped);
    ``report`` hears how many each organisation has, ``warn`` each repository refused."""
    env = os.environ if env is None else env
    expanded: dict[str, str] = {}
    for target in targets:
        if not is_org_target(target):
            expanded.setdefault(target, target)
            continue
        kind = parse_org_target(target)[0].kind
        repositories = org_repositories(target, options, env, warn=warn)
        for repository in repositories:
            expanded.setdefault(repository.target,
                                rebuild_target(repository.target, repository.clone_url, kind, options, env))
        if report is not None:
            report(f"{target}: {len(repositories)} repositories")
    return list(expanded.values())


def expand_each(targets: Iterable[str], options: OrgOptions, *, on_error: Callable[[str, str], None],
                warn: Callable[[str], None] = log.warning) -> list[str]:
    """Like expand_targets, but an organisation that cannot be listed is reported and skipped."""
    expanded: list[str] = []
    for target in targets:
        try:
            expanded.extend(expand_targets([target], options, warn=warn))
        except OrgError as exc:
            on_error(target, str(exc))
    return expanded


def org_repositories(target: str, options: OrgOptions, env: Mapping[str, str], *,
                     warn: Callable[[str], None] = log.warning) -> list[Repository]:
    """The organisation's repositories that pass the fork and include/exclude filters and whose clone
    URL is on the API's host (each other one is named to ``warn`` and left out)."""
    enumerator, org = parse_org_target(target)
    host = host_of(enumerator, options, env)
    wanted = []
    for repository in enumerator.repositories(org, host):
        if (repository.fork and not options.include_forks) or not _wanted(repository.path, options):
            continue
        refusal = clone_refusal(repository.clone_url, host.api_url, enumerator.default_api_url,
                                enumerator.default_host)
        if refusal:
            warn(f"{target}: skipped {repository.target}: {refusal}; the token is never sent there")
        else:
            wanted.append(repository)
    return wanted


def host_of(enumerator: Enumerator, options: OrgOptions, env: Mapping[str, str]) -> Host:
    name, kind = enumerator.default_host, enumerator.kind
    api_url = options.api_urls.get(name) or options.api_urls.get(kind) or enumerator.default_api_url
    variable = options.token_envs.get(name) or options.token_envs.get(kind) or enumerator.token_env
    return Host(name, api_url, env.get(variable) or None, options.max_wait)


def rebuild_target(name: str, clone_url: str, kind: str, options: OrgOptions,
                   env: Mapping[str, str] | None = None) -> RepositoryTarget:
    """The target of a repository, with this process's token for its host (a worker's, for a job);
    OrgError when the clone URL is not on the API's host (a job queued with a foreign one)."""
    enumerator = ENUMERATORS[kind]
    host = host_of(enumerator, options, os.environ if env is None else env)
    refusal = clone_refusal(clone_url, host.api_url, enumerator.default_api_url, enumerator.default_host)
    if refusal:
        raise OrgError(f"{name}: {refusal}; refused, the token is never sent there")
    return RepositoryTarget(name, clone_url, kind, git_auth_env(clone_url, enumerator.git_user, host.token))


def git_auth_env(clone_url: str, user: str, token: str | None) -> dict[str, str]:
    """Environment that makes git send ``token`` to the clone URL's host only, as an HTTP header."""
    parts = urlsplit(clone_url)
    if not token or parts.scheme not in ("http", "https"):
        return {}
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}"}


def _wanted(path: str, options: OrgOptions) -> bool:
    if options.include and not any(fnmatch.fnmatchcase(path, glob) for glob in options.include):
        return False
    return not any(fnmatch.fnmatchcase(path, glob) for glob in options.exclude)
