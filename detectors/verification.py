"""Verification specs as data: how to ask a provider, read-only, whether a credential is live.

``detectors/verifiers.toml`` holds one table per provider id of the rule catalog (``[providers.X]``)
and optional per-rule overrides (``[rules.Y]``). This module loads and validates it and answers
``spec_for(provider, rule_id)``; it does no network I/O. The official base URLs live here so the
only other way a secret leaves the machine is an operator's explicit endpoint override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from secret_sprawl.detectors.spec_file import read_spec_file

KINDS = frozenset({"header", "aws-sigv4"})
METHODS = frozenset({"GET", "POST"})
_FIELDS = frozenset({"kind", "base_url", "method", "path", "headers", "body", "live", "invalid",
                     "invalid_markers", "region", "service", "context_hosts", "only_rules"})


class VerifierSpecError(ValueError):
    """A verifiers file that cannot be used; the message names the file and the table."""


@dataclass(frozen=True, slots=True)
class VerifierSpec:
    """One provider's (or rule's) read-only liveness check."""

    provider: str
    kind: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    live: frozenset[int]
    invalid: frozenset[int]
    base_url: str | None = None  # None: taken from the scanned context, limited to context_hosts
    body: str = ""
    invalid_markers: tuple[str, ...] = ()
    region: str = ""
    service: str = ""
    context_hosts: tuple[str, ...] = ()
    only_rules: tuple[str, ...] = ()  # when set, the provider's other rules are not verifiable this way

    def render_headers(self, secret: str) -> dict[str, str]:
        return {name: value.replace("{secret}", secret) for name, value in self.headers}


@dataclass(frozen=True, slots=True)
class VerifierCatalog:
    providers: Mapping[str, VerifierSpec]
    rules: Mapping[str, VerifierSpec]

    def spec_for(self, provider: str, rule_id: str | None = None) -> VerifierSpec | None:
        """The rule's own spec, else its provider's (if it covers the rule), else None (not verifiable)."""
        if rule_id and rule_id in self.rules:
            return self.rules[rule_id]
        spec = self.providers.get(provider)
        if spec is None or (rule_id and spec.only_rules and rule_id not in spec.only_rules):
            return None
        return spec


def load_verifiers(path: str | Path | None = None) -> VerifierCatalog:
    """Load and validate the verifiers file (the built-in one by default)."""
    doc, source = read_spec_file(path, "verifiers.toml", VerifierSpecError)
    return parse_verifiers(doc, source=source)


def parse_verifiers(doc: Mapping[str, Any], *, source: str = "<verifiers>") -> VerifierCatalog:
    unknown = sorted(set(doc) - {"providers", "rules"})
    if unknown:
        raise VerifierSpecError(f"{source}: unknown table(s) {', '.join(unknown)}")
    providers = {name: _spec(name, table, f"{source}: providers.{name}")
                 for name, table in _tables(doc, "providers", source).items()}
    rules: dict[str, VerifierSpec] = {}
    for rule_id, table in _tables(doc, "rules", source).items():
        where = f"{source}: rules.{rule_id}"
        provider = table.get("provider") if isinstance(table, dict) else None
        if not isinstance(provider, str) or provider not in providers:
            raise VerifierSpecError(f"{where}: needs provider = one of the [providers] tables")
        own = {k: v for k, v in table.items() if k != "provider"}
        merged = {**_raw(doc, provider), "only_rules": [], **own}
        rules[rule_id] = _spec(provider, merged, where)
    return VerifierCatalog(providers=providers, rules=rules)


def host_allowed(url: str, patterns: tuple[str, ...]) -> bool:
    """True when ``url`` is https, has no credentials or odd port, and its host matches a ``*.suffix``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443) or not host:
        return False
    for pattern in patterns:
        suffix = pattern.removeprefix("*").lower()
        if pattern.startswith("*.") and host.endswith(suffix) and len(host) > len(suffix):
            label = host[: -len(suffix)]
            if "." not in label and label.replace("-", "").isalnum():
                return True
    return False


def _tables(doc: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise VerifierSpecError(f"{source}: [{key}] must be a table of tables")
    return value


def _raw(doc: Mapping[str, Any], provider: str) -> dict[str, Any]:
    return dict(doc["providers"][provider])


def _spec(provider: str, table: object, where: str) -> VerifierSpec:
    if not isinstance(table, dict):
        raise VerifierSpecError(f"{where}: must be a table")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise VerifierSpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    kind = table.get("kind", "header")
    if kind not in KINDS:
        raise VerifierSpecError(f"{where}: kind must be one of {', '.join(sorted(KINDS))}")
    method = table.get("method", "GET")
    if method not in METHODS:
        raise VerifierSpecError(f"{where}: method must be GET or POST (read-only calls only)")
    path = table.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise VerifierSpecError(f"{where}: path must start with /")
    base_url = table.get("base_url")
    context_hosts = tuple(table.get("context_hosts", ()))
    if base_url is None and not context_hosts:
        raise VerifierSpecError(f"{where}: needs base_url (or context_hosts for a per-tenant endpoint)")
    if base_url is not None and (not isinstance(base_url, str) or urlsplit(base_url).scheme != "https"):
        raise VerifierSpecError(f"{where}: base_url must be an https URL")
    if not all(isinstance(h, str) and h.startswith("*.") for h in context_hosts):
        raise VerifierSpecError(f"{where}: context_hosts entries must look like *.example.com")
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise VerifierSpecError(f"{where}: headers must be a table of strings")
    if kind == "header" and not any("{secret}" in v for v in headers.values()):
        raise VerifierSpecError(f"{where}: one header must carry {{secret}}")
    if kind == "aws-sigv4" and not (table.get("region") and table.get("service")):
        raise VerifierSpecError(f"{where}: aws-sigv4 needs region and service")
    live, invalid = _statuses(table, "live", where), _statuses(table, "invalid", where)
    if live & invalid:
        raise VerifierSpecError(f"{where}: a status cannot be both live and invalid")
    markers = table.get("invalid_markers", [])
    if not isinstance(markers, list) or not all(isinstance(m, str) and m for m in markers):
        raise VerifierSpecError(f"{where}: invalid_markers must be a list of strings")
    only_rules = table.get("only_rules", [])
    if not isinstance(only_rules, list) or not all(isinstance(r, str) and r for r in only_rules):
        raise VerifierSpecError(f"{where}: only_rules must be a list of rule ids")
    return VerifierSpec(
        provider=provider, kind=kind, method=method, path=path, headers=tuple(headers.items()),
        live=live, invalid=invalid, base_url=base_url, body=str(table.get("body", "")),
        invalid_markers=tuple(markers), region=str(table.get("region", "")),
        service=str(table.get("service", "")), context_hosts=context_hosts, only_rules=tuple(only_rules),
    )


def _statuses(table: dict, key: str, where: str) -> frozenset[int]:
    value = table.get(key)
    statuses_ok = isinstance(value, list) and all(isinstance(s, int) and 100 <= s <= 599 for s in value)
    if not value or not statuses_ok:
        raise VerifierSpecError(f"{where}: {key} must be a non-empty list of HTTP statuses")
    return frozenset(value)
