"""Hugging Face: an organisation's models, datasets and Spaces, each a git repository.

The Hub lists them with cursor pagination (``Link: rel="next"``) and clones them from the same
host: models at ``/ORG/NAME``, datasets at ``/datasets/ORG/NAME``, Spaces at ``/spaces/ORG/NAME``.
"""

from __future__ import annotations

from collections.abc import Iterator

from secret_sprawl.scanner.orgs.http import ApiClient
from secret_sprawl.scanner.orgs.interface import Host, Repository, register

_KINDS = (("models", ""), ("datasets", "datasets/"), ("spaces", "spaces/"))


@register
class HuggingFace:
    kind = "huggingface"
    default_host = "huggingface.co"
    default_api_url = "https://huggingface.co"
    token_env = "HF_TOKEN"
    git_user = "hf_user"

    def repositories(self, org: str, host: Host) -> Iterator[Repository]:
        headers = {"Authorization": f"Bearer {host.token}"} if host.token else {}
        base = host.api_url.rstrip("/")
        with ApiClient(f"huggingface://{org}", headers, max_wait=host.max_wait) as api:
            for listing, prefix in _KINDS:
                for item in list(api.items(f"{base}/api/{listing}", {"author": org, "limit": 100})):
                    path = f"{prefix}{item['id']}"
                    yield Repository(host.name, path, f"{base}/{path}")
