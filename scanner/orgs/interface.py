"""The enumerator protocol, the repository it yields, and the registry of enumerators by scheme."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from secret_sprawl.scanner.errors import InputError


class OrgError(InputError):
    """An organisation cannot be listed (unknown, token refused, rate limit too long): exit code 2."""


@dataclass(frozen=True, slots=True)
class Repository:
    """One repository of an organisation, as its host's API describes it."""

    host: str  # the name targets carry: github.com, gitlab.com, huggingface.co (or the --api-url key)
    path: str  # acme/agents, group/sub/project, datasets/acme/corpus
    clone_url: str
    fork: bool = False
    archived: bool = False

    @property
    def target(self) -> str:
        return f"{self.host}/{self.path}"


@dataclass(frozen=True, slots=True)
class Host:
    """Where one kind of host answers: its name in target names, its API base URL, its token."""

    name: str
    api_url: str
    token: str | None = field(default=None, repr=False)
    max_wait: float = 300.0  # seconds: the longest rate-limit pause before giving up


class Enumerator(Protocol):
    """Lists the repositories of one organisation on one kind of host."""

    kind: str  # the scheme: github, gitlab, huggingface
    default_host: str
    default_api_url: str
    token_env: str  # the environment variable holding the token by default
    git_user: str  # the user name git sends with the token (HTTP basic)

    def repositories(self, org: str, host: Host) -> Iterator[Repository]: ...


ENUMERATORS: dict[str, Enumerator] = {}


def register(factory: Callable[[], Enumerator]) -> Callable[[], Enumerator]:
    """Class decorator: put one instance of the enumerator in the registry under its scheme."""
    enumerator = factory()
    ENUMERATORS[enumerator.kind] = enumerator
    return factory
