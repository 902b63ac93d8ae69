"""GET a host's paged REST API: follow pagination, wait out rate limits (bounded), name failures.

Pagination: ``Link: <…>; rel="next"`` (GitHub, GitLab, Hugging Face's cursor links) or GitLab's
``X-Next-Page``. A 403/429 whose headers say the rate limit is spent (``X-RateLimit-Remaining: 0``
with ``X-RateLimit-Reset``, or ``Retry-After``) waits until the reset and retries, unless the wait
is longer than ``max_wait``. A 401 or 404 becomes an OrgError naming the organisation, never a
traceback; the token is sent in a header only and never appears in a message. Every request (a next
page, a redirect) stays on the origin of the first URL listed: one elsewhere is refused before it
is sent, since it would carry the token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from secret_sprawl.scanner.orgs.interface import OrgError
from secret_sprawl.scanner.orgs.trust import origin

if TYPE_CHECKING:
    import httpx

_MAX_PAUSES = 20


class NotFound(OrgError):
    """The API answered 404 (an unknown organisation, or one the token may not see)."""


class ApiClient:
    """One organisation's listing on one host: ``label`` names it in messages (``github://acme``)."""

    def __init__(self, label: str, headers: dict[str, str], *, max_wait: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.label, self.max_wait, self.sleep = label, max_wait, sleep
        self.origin: tuple[str, str, int] | None = None  # set by the first request
        import httpx  # here, not at the top: a scan without organisation targets never needs it

        self.client = httpx.Client(headers={"Accept": "application/json", **headers}, timeout=30.0,
                                   follow_redirects=True, event_hooks={"request": [self._same_origin]})

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def _same_origin(self, request: httpx.Request) -> None:
        where = origin(str(request.url))
        self.origin = self.origin or where
        if where is None or where != self.origin:
            raise OrgError(f"{self.label}: the API sent us to another host ({request.url.host or '?'}) "
                           "for a page or redirect; refused, the token is never sent there")

    def items(self, url: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of every page, following the next-page links."""
        next_url: str | httpx.URL | None = url
        while next_url is not None:
            response = self._get(next_url, params)
            params = None  # the next link carries the query
            page = response.json()
            if not isinstance(page, list):
                raise OrgError(f"{self.label}: the API answered something other than a list")
            yield from (item for item in page if isinstance(item, dict))
            next_url = _next_page(response)

    def _get(self, url: str | httpx.URL, params: dict[str, Any] | None) -> httpx.Response:
        import httpx

        for _ in range(_MAX_PAUSES):
            try:
                response = self.client.get(url, params=params)
            except httpx.HTTPError as exc:
                raise OrgError(f"{self.label}: cannot reach the API: {type(exc).__name__}") from None
            wait = rate_limit_wait(response)
            if wait is None:
                return _checked(self.label, response)
            if wait > self.max_wait:
                raise OrgError(f"{self.label}: rate limited for {wait:.0f}s more (longer than the "
                               f"{self.max_wait:.0f}s this run waits); try again later or use a token")
            self.sleep(wait)
        raise OrgError(f"{self.label}: still rate limited after {_MAX_PAUSES} pauses")


def rate_limit_wait(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds to wait when ``response`` says the rate limit is spent, else None."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("Retry-After", "")
    if retry_after.strip().isdigit():
        return float(retry_after)
    remaining = headers.get("X-RateLimit-Remaining", headers.get("RateLimit-Remaining"))
    reset = headers.get("X-RateLimit-Reset", headers.get("RateLimit-Reset", ""))
    if remaining != "0":
        return None
    if reset.strip().isdigit():
        return max(1.0, float(reset) - (time.time() if now is None else now))
    return 60.0 if response.status_code == 429 else None


def _checked(label: str, response: httpx.Response) -> httpx.Response:
    if response.status_code == 401:
        raise OrgError(f"{label}: the API refused the credentials (HTTP 401); check the token "
                       "(GITHUB_TOKEN, GITLAB_TOKEN, HF_TOKEN or --token-env)")
    if response.status_code == 404:
        raise NotFound(f"{label}: no such organisation, group or user (HTTP 404), "
                       "or the token may not see it")
    if response.status_code >= 400:
        raise OrgError(f"{label}: the API answered HTTP {response.status_code}")
    return response


def _next_page(response: httpx.Response) -> httpx.URL | str | None:
    link = response.links.get("next", {}).get("url")
    if link:
        return link
    page = response.headers.get("X-Next-Page", "").strip()
    if page.isdigit():
        return response.request.url.copy_set_param("page", page)
    return None
