"""GitLab (gitlab.com or self-managed): every project of a group, its subgroups included."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from secret_sprawl.scanner.orgs.http import ApiClient
from secret_sprawl.scanner.orgs.interface import Host, Repository, register


@register
class GitLab:
    kind = "gitlab"
    default_host = "gitlab.com"
    default_api_url = "https://gitlab.com/api/v4"
    token_env = "GITLAB_TOKEN"
    git_user = "oauth2"

    def repositories(self, org: str, host: Host) -> Iterator[Repository]:
        headers = {"PRIVATE-TOKEN": host.token} if host.token else {}
        url = f"{host.api_url.rstrip('/')}/groups/{quote(org, safe='')}/projects"
        params = {"include_subgroups": "true", "per_page": 100, "order_by": "id", "sort": "asc"}
        with ApiClient(f"gitlab://{org}", headers, max_wait=host.max_wait) as api:
            items = list(api.items(url, params))
        for item in items:
            yield Repository(host.name, str(item["path_with_namespace"]), str(item["http_url_to_repo"]),
                             fork=item.get("forked_from_project") is not None,
                             archived=bool(item.get("archived")))
