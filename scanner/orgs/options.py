"""The command-line options of organisation targets, shared by ``sprawl scan``, ``sprawl schedule add``
and ``sprawl worker``. Nothing given here may be a secret (a schedule stores them): ``--api-url`` takes
a URL without credentials, ``--token-env`` the NAME of the variable holding the token.
"""

from __future__ import annotations

import argparse

from secret_sprawl.scanner.orgs.expand import OrgOptions
from secret_sprawl.scanner.orgs.trust import origin
from secret_sprawl.tracker.config import ENV_NAME


def add_arguments(parser: argparse.ArgumentParser, *, filters: bool = True) -> None:
    group = parser.add_argument_group("organisation targets (github://ORG, gitlab://GROUP, huggingface://ORG)")
    group.add_argument("--api-url", action="append", default=[], type=_api_url, metavar="HOST=URL",
                       help="API base URL for a host (GitHub Enterprise, self-managed GitLab, a test server)")
    group.add_argument("--token-env", action="append", default=[], type=_token_env, metavar="HOST=VAR",
                       help="read HOST's token from the environment variable VAR, given by name "
                            "(default GITHUB_TOKEN, GITLAB_TOKEN, HF_TOKEN)")
    if not filters:
        return
    group.add_argument("--include-forks", action="store_true", help="also scan forks (skipped by default)")
    group.add_argument("--include", action="append", default=[], metavar="GLOB",
                       help="only repositories whose full name (org/repo) matches GLOB (repeatable)")
    group.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="skip repositories whose full name matches GLOB (repeatable)")
    group.add_argument("--max-rate-wait", type=float, default=300.0, metavar="SECONDS",
                       help="longest pause for an API rate limit before giving up (default 300)")


def org_options(args: argparse.Namespace) -> OrgOptions:
    return OrgOptions(api_urls=dict(args.api_url), token_envs=dict(args.token_env),
                      include_forks=getattr(args, "include_forks", False),
                      include=tuple(getattr(args, "include", ())),
                      exclude=tuple(getattr(args, "exclude", ())),
                      max_wait=getattr(args, "max_rate_wait", 300.0))


def _api_url(text: str) -> tuple[str, str]:
    host, url = _pair(text)
    if origin(url) is None:
        raise argparse.ArgumentTypeError(f"--api-url {host}=…: give an http(s) URL without credentials "
                                         "(the token comes from --token-env)")
    return host, url


def _token_env(text: str) -> tuple[str, str]:
    host, variable = _pair(text)
    if not ENV_NAME.fullmatch(variable):
        raise argparse.ArgumentTypeError(f"--token-env {host}=…: give the NAME of the environment variable "
                                         "holding the token (upper case, e.g. GHE_TOKEN), never the token")
    return host, variable


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected HOST=VALUE, got {text!r}")
    return key.strip(), value.strip()
