"""Verification settings: the config's ``[verify]`` table, ``--endpoint PROVIDER=URL`` flags, and the
rule that a secret goes to another host than its provider's official one only with
``--allow-endpoint-overrides`` (or ``[verify] allow_endpoint_overrides = true`` in the operator's own
config: ``--config`` or the user config dir, as scheduled scans have no command line)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from secret_sprawl.detectors.verification import VerifierCatalog, load_verifiers
from secret_sprawl.scanner.errors import InputError
from secret_sprawl.tracker.config_schema import Config, VerifyTable, check_http_url

_DEFAULTS = VerifyTable()


@dataclass(frozen=True, slots=True)
class VerifySettings:
    """How hard and where to verify. ``endpoints`` maps a provider id to an operator-chosen base URL."""

    endpoints: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = _DEFAULTS.concurrency
    rate_per_host: float = _DEFAULTS.rate_per_host  # requests per second to any one host
    timeout: float = _DEFAULTS.timeout
    retries: int = _DEFAULTS.retries  # extra attempts after a 429, a 5xx or a network error
    backoff: float = _DEFAULTS.backoff  # seconds; doubled on every retry

    @classmethod
    def from_config(cls, config: Config, cli_endpoints: Iterable[str] = (), *, allow_overrides: bool = False,
                    catalog: VerifierCatalog | None = None) -> VerifySettings:
        """``[verify]`` (validated already) + ``--endpoint`` flags; InputError for an override that would
        send secrets away from the provider's official host without ``allow_overrides``."""
        table = config.verify
        endpoints = dict(table.endpoints)
        for item in cli_endpoints:
            provider, sep, url = item.partition("=")
            if not sep or not provider.strip():
                raise InputError(f"--endpoint expects PROVIDER=URL, got {item!r}")
            try:
                endpoints[provider.strip()] = check_http_url(url.strip())
            except ValueError as exc:
                raise InputError(f"--endpoint {provider.strip()}: {exc}, got {url.strip()!r}") from None
        allowed = allow_overrides or table.allow_endpoint_overrides
        _check_overrides(endpoints, catalog or load_verifiers(), allowed)
        return cls(endpoints=endpoints, concurrency=table.concurrency, rate_per_host=table.rate_per_host,
                   timeout=table.timeout, retries=table.retries, backoff=table.backoff)


def _check_overrides(endpoints: Mapping[str, str], catalog: VerifierCatalog, allowed: bool) -> None:
    for provider, url in sorted(endpoints.items()):
        spec = catalog.providers.get(provider)
        if spec is None:
            raise InputError(f"endpoint override for unknown provider {provider!r}")
        official = urlsplit(spec.base_url or "")
        wanted = urlsplit(url)
        if allowed or (wanted.scheme == "https" and official.hostname
                       and wanted.hostname == official.hostname and wanted.port == official.port):
            continue
        raise InputError(f"the endpoint override for {provider} sends its secrets to {wanted.hostname}, "
                         f"not {official.hostname or 'its provider'}: pass --allow-endpoint-overrides "
                         "if you mean it")


def add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """``--endpoint`` and ``--allow-endpoint-overrides``, the same on every command that sends secrets
    to their providers (verify, identify, revoke); ``VerifySettings.from_config`` reads them."""
    parser.add_argument("--endpoint", metavar="PROVIDER=URL", action="append", default=[],
                        help="send PROVIDER's calls to this base URL (a gateway or a test server)")
    parser.add_argument("--allow-endpoint-overrides", action="store_true",
                        help="allow --endpoint / [verify.endpoints] to point at a non-official host")
