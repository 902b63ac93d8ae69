"""GitHub (and GitHub Enterprise): the repositories of an organisation, or of a user."""

from __future__ import annotations

from collections.abc import Iterator

from secret_sprawl.scanner.orgs.http import ApiClient, NotFound
from secret_sprawl.scanner.orgs.interface import Host, Repository, register


@register
class GitHub:
    kind = "github"
    default_host = "github.com"
    default_api_url = "https://api.github.com"
    token_env = "GITHUB_TOKEN"
    git_user = "x-access-token"

    def repositories(self, org: str, host: Host) -> Iterator[Repository]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if host.token:
            headers["Authorization"] = f"Bearer {host.token}"
        base = host.api_url.rstrip("/")
        with ApiClient(f"github://{org}", headers, max_wait=host.max_wait) as api:
            try:
                items = list(api.items(f"{base}/orgs/{org}/repos", {"per_page": 100, "type": "all"}))
            except NotFound:  # not an organisation: perhaps a user
                items = list(api.items(f"{base}/users/{org}/repos", {"per_page": 100, "type": "owner"}))
        for item in items:
            yield Repository(host.name, str(item["full_name"]), str(item["clone_url"]),
                             fork=bool(item.get("fork")), archived=bool(item.get("archived")))
