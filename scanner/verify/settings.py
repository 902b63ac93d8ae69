"""Verification settings from the config file's ``[verify]`` table and ``--endpoint PROVIDER=URL`` flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from secret_sprawl.scanner.errors import InputError


@dataclass(frozen=True, slots=True)
class VerifySettings:
    """How hard and where to verify. ``endpoints`` maps a provider id to an operator-chosen base URL."""

    endpoints: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 8
    rate_per_host: float = 5.0  # requests per second to any one host
    timeout: float = 10.0
    retries: int = 2  # extra attempts after a 429, a 5xx or a network error
    backoff: float = 0.5  # seconds; doubled on every retry

    @classmethod
    def from_config(cls, config: Mapping[str, Any], cli_endpoints: Iterable[str] = ()) -> VerifySettings:
        """``[verify]`` (concurrency, rate_per_host, timeout, retries, backoff, endpoints) + flags."""
        table = config.get("verify", {})
        if not isinstance(table, dict):
            raise InputError("config [verify] must be a table")
        configured = table.get("endpoints", {})
        if not isinstance(configured, dict):
            raise InputError("config [verify.endpoints] must be a table of PROVIDER = URL")
        endpoints = {p: _check_url(p, url, "config [verify.endpoints]") for p, url in configured.items()}
        for item in cli_endpoints:
            provider, sep, url = item.partition("=")
            if not sep or not provider:
                raise InputError(f"--endpoint expects PROVIDER=URL, got {item!r}")
            endpoints[provider.strip()] = _check_url(provider, url.strip(), "--endpoint")
        default = cls()
        try:
            return cls(
                endpoints=endpoints,
                concurrency=max(1, int(table.get("concurrency", default.concurrency))),
                rate_per_host=float(table.get("rate_per_host", default.rate_per_host)),
                timeout=float(table.get("timeout", default.timeout)),
                retries=max(0, int(table.get("retries", default.retries))),
                backoff=max(0.0, float(table.get("backoff", default.backoff))),
            )
        except (TypeError, ValueError) as exc:
            raise InputError(f"config [verify]: {exc}") from exc


def _check_url(provider: str, url: object, where: str) -> str:
    if not isinstance(url, str):
        raise InputError(f"{where}: endpoint for {provider} must be a URL string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{where}: endpoint for {provider} must be an http(s) URL, got {url!r}")
    return url.rstrip("/")
