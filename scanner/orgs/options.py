"""The command-line options of organisation targets, shared by ``sprawl scan`` and ``sprawl worker``."""

from __future__ import annotations

import argparse

from secret_sprawl.scanner.orgs.expand import OrgOptions


def add_arguments(parser: argparse.ArgumentParser, *, filters: bool = True) -> None:
    group = parser.add_argument_group("organisation targets (github://ORG, gitlab://GROUP, huggingface://ORG)")
    group.add_argument("--api-url", action="append", default=[], type=_pair, metavar="HOST=URL",
                       help="API base URL for a host (GitHub Enterprise, self-managed GitLab, a test server)")
    group.add_argument("--token-env", action="append", default=[], type=_pair, metavar="HOST=VAR",
                       help="read HOST's token from $VAR (default GITHUB_TOKEN, GITLAB_TOKEN, HF_TOKEN)")
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


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected HOST=VALUE, got {text!r}")
    return key.strip(), value.strip()
