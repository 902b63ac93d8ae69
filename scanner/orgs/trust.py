"""Where an organisation's token may go: the API's own origin, and the host's known git origin.

An API answer is data from the network: a hostile or compromised API (or a man in the middle of a
plain-HTTP test server) could name a clone URL, a next page or a redirect on another host, and the
token sent with it would leak there. Clone URLs are accepted only on the API's own origin (scheme,
host and port; for the default API also the host's git host: github.com for api.github.com), page
and redirect URLs only on the API's own origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL without credentials in it, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port


def clone_origins(api_url: str, default_api_url: str, git_host: str) -> set[tuple[str, str, int]]:
    """The origins a repository of this API may be cloned from (with the token)."""
    api = origin(api_url)
    if api is None:
        return set()
    allowed = {api}
    if api_url.rstrip("/") == default_api_url.rstrip("/"):
        allowed.add(("https", git_host, 443))
    return allowed


def clone_refusal(clone_url: str, api_url: str, default_api_url: str, git_host: str) -> str | None:
    """Why ``clone_url`` is refused (a sentence without the URL's path), or None when it is acceptable."""
    where = origin(clone_url)
    if where is None:
        scheme = urlsplit(clone_url).scheme if "://" in clone_url else "no scheme"
        return f"its clone URL is not a plain http(s) URL ({scheme or 'no scheme'})"
    allowed = clone_origins(api_url, default_api_url, git_host)
    if where in allowed:
        return None
    named = ", ".join(sorted(f"{s}://{h}:{p}" for s, h, p in allowed)) or "none"
    return f"its clone URL points at {where[0]}://{where[1]}:{where[2]}, not the API's host ({named})"
