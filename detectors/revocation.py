"""Revocation specs as data: which calls revoke a leaked credential at its provider.

``detectors/revocation.toml`` holds one table per provider id of the rule catalog. This module loads
and validates it and answers ``spec_for(provider, rule_id)``; it does no network I/O (the executor is
``scanner/revoke``). The official base URLs live here, next to the verification specs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from secret_sprawl.detectors.spec_file import read_spec_file

METHODS = frozenset({"GET", "POST", "DELETE"})
AUTHS = frozenset({"secret", "admin"})
_PROVIDER_FIELDS = frozenset({"base_url", "console", "only_rules", "steps", "admin_env", "admin_steps"})
_STEP_FIELDS = frozenset({"name", "method", "path", "headers", "body", "ok", "ok_field", "items", "collect",
                          "find", "capture", "for_each", "sign", "auth", "region", "service"})
_BUILTIN_VARS = frozenset({"secret", "secret_json", "admin", "aws_key_id"})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class RevocationSpecError(ValueError):
    """A revocation file that cannot be used; the message names the file and the table."""


@dataclass(frozen=True, slots=True)
class Step:
    """One HTTP call of a revocation."""

    name: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    ok: frozenset[int]
    body: str = ""
    ok_field: str = ""
    items: str = ""
    collect: tuple[tuple[str, str], ...] = ()
    find: str = ""
    capture: tuple[tuple[str, str], ...] = ()
    for_each: str = ""
    sign: str = ""
    auth: str = "secret"
    region: str = ""
    service: str = ""


@dataclass(frozen=True, slots=True)
class RevocationSpec:
    """How one provider's credentials are revoked (``steps``), or by an admin (``admin_steps``)."""

    provider: str
    base_url: str
    console: str
    steps: tuple[Step, ...] = ()
    admin_env: tuple[str, ...] = ()
    admin_steps: tuple[Step, ...] = ()
    only_rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RevocationCatalog:
    providers: Mapping[str, RevocationSpec]

    def spec_for(self, provider: str, rule_id: str) -> RevocationSpec | None:
        """The provider's spec when it covers ``rule_id``, else None (revoked by hand)."""
        spec = self.providers.get(provider)
        if spec is None or (spec.only_rules and rule_id not in spec.only_rules):
            return None
        return spec


def load_revocations(path: str | Path | None = None) -> RevocationCatalog:
    """Load and validate the revocation file (the built-in one by default)."""
    doc, source = read_spec_file(path, "revocation.toml", RevocationSpecError)
    return parse_revocations(doc, source=source)


def parse_revocations(doc: Mapping[str, Any], *, source: str = "<revocation>") -> RevocationCatalog:
    unknown = sorted(set(doc) - {"providers"})
    if unknown:
        raise RevocationSpecError(f"{source}: unknown table(s) {', '.join(unknown)}")
    providers = doc.get("providers", {})
    if not isinstance(providers, dict):
        raise RevocationSpecError(f"{source}: [providers] must be a table of tables")
    return RevocationCatalog({name: _provider(name, table, f"{source}: providers.{name}")
                              for name, table in providers.items()})


def _provider(name: str, table: object, where: str) -> RevocationSpec:
    if not isinstance(table, dict):
        raise RevocationSpecError(f"{where}: must be a table")
    unknown = sorted(set(table) - _PROVIDER_FIELDS)
    if unknown:
        raise RevocationSpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    base_url = table.get("base_url")
    if not isinstance(base_url, str) or urlsplit(base_url).scheme != "https":
        raise RevocationSpecError(f"{where}: base_url must be an https URL")
    console = table.get("console")
    if not isinstance(console, str) or not console.startswith("https://"):
        raise RevocationSpecError(f"{where}: console must be an https URL")
    admin_env = _strings(table, "admin_env", where)
    if not all(_ENV_NAME.match(name) for name in admin_env):
        raise RevocationSpecError(f"{where}: admin_env entries must be environment variable names")
    steps = _steps(table, "steps", where)
    admin_steps = _steps(table, "admin_steps", where)
    if not steps and not admin_steps:
        raise RevocationSpecError(f"{where}: needs steps or admin_steps")
    if bool(admin_steps) != bool(admin_env):
        raise RevocationSpecError(f"{where}: admin_steps and admin_env go together")
    return RevocationSpec(provider=name, base_url=base_url.rstrip("/"), console=console, steps=steps,
                          admin_env=admin_env, admin_steps=admin_steps,
                          only_rules=_strings(table, "only_rules", where))


def _steps(table: dict, key: str, where: str) -> tuple[Step, ...]:
    raw = table.get(key, [])
    if not isinstance(raw, list):
        raise RevocationSpecError(f"{where}: {key} must be an array of tables")
    steps: list[Step] = []
    known = set(_BUILTIN_VARS)
    for number, item in enumerate(raw, 1):
        step = _step(item, f"{where}.{key}[{number}]", known)
        known |= {var for var, _ in (*step.collect, *step.capture)}
        steps.append(step)
    return tuple(steps)


def _step(item: object, where: str, known: set[str]) -> Step:
    if not isinstance(item, dict):
        raise RevocationSpecError(f"{where}: must be a table")
    unknown = sorted(set(item) - _STEP_FIELDS)
    if unknown:
        raise RevocationSpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    method = item.get("method", "POST")
    if method not in METHODS:
        raise RevocationSpecError(f"{where}: method must be one of {', '.join(sorted(METHODS))}")
    path = item.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise RevocationSpecError(f"{where}: path must start with /")
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise RevocationSpecError(f"{where}: headers must be a table of strings")
    ok = item.get("ok")
    if not ok or not isinstance(ok, list) or not all(isinstance(s, int) and 200 <= s <= 299 for s in ok):
        raise RevocationSpecError(f"{where}: ok must be a non-empty list of 2xx statuses")
    auth, sign = item.get("auth", "secret"), item.get("sign", "")
    if auth not in AUTHS:
        raise RevocationSpecError(f"{where}: auth must be secret or admin")
    if sign not in ("", "aws-sigv4") or (sign and not (item.get("region") and item.get("service"))):
        raise RevocationSpecError(f"{where}: sign may only be aws-sigv4, with region and service")
    collect, capture = _pairs(item, "collect", where), _pairs(item, "capture", where)
    if (collect or item.get("find")) and not item.get("items"):
        raise RevocationSpecError(f"{where}: collect and find need items")
    for_each = str(item.get("for_each", ""))
    text = " ".join([path, str(item.get("body", "")), *headers.values()])
    used = set(_PLACEHOLDER.findall(text)) | ({for_each} if for_each else set())
    if used - known:
        raise RevocationSpecError(f"{where}: unknown placeholder(s) {', '.join(sorted(used - known))}")
    return Step(
        name=str(item.get("name", f"{method} {path}")), method=method, path=path,
        headers=tuple(headers.items()), ok=frozenset(ok), body=str(item.get("body", "")),
        ok_field=str(item.get("ok_field", "")), items=str(item.get("items", "")), collect=collect,
        find=str(item.get("find", "")), capture=capture, for_each=for_each, sign=sign, auth=auth,
        region=str(item.get("region", "")), service=str(item.get("service", "")),
    )


def _pairs(item: dict, key: str, where: str) -> tuple[tuple[str, str], ...]:
    value = item.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise RevocationSpecError(f"{where}: {key} must be a table of field names")
    return tuple(value.items())


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RevocationSpecError(f"{where}: {key} must be a list of strings")
    return tuple(value)
