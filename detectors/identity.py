"""Identity specs as data: which read-only calls tell who a credential belongs to and what it can reach.

``detectors/identities.toml`` holds one table per provider id (see its header for the fields). This
module loads and validates it against the verification catalog (every provider with an identity spec
has a verification spec, which gives the official host and how the secret is carried); it does no I/O
beyond reading the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secret_sprawl.detectors.spec_file import read_spec_file
from secret_sprawl.detectors.verification import METHODS, VerifierCatalog

FIELDS = ("principal", "account", "token_type", "expires_at", "scopes")
_KEYS = frozenset({*FIELDS, "calls", "vars", "admin", "never_expires_when", "only_rules"})
_CALL_KEYS = frozenset({"name", "path", "method", "body", "headers", "base_url", "service", "ok",
                        "optional", "needs"})
_PARTS = frozenset({"body", "header"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class IdentitySpecError(ValueError):
    """An identities file that cannot be used; the message names the file and the table."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where one value comes from: a path into a call's answer, one text per element, or a constant."""

    call: str = ""
    part: str = ""  # body | header
    path: tuple[str, ...] = ()
    text: str | None = None  # set for {each, text}: a template filled from each element
    value: str | None = None  # set for {value}: a constant


@dataclass(frozen=True, slots=True)
class IdentityCall:
    name: str
    path: str
    method: str | None = None  # None: the verification spec's
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # added to (and overriding) the verification spec's
    base_url: str | None = None  # None: the verification spec's (or the operator's endpoint)
    service: str | None = None  # AWS signing service, None: the verification spec's
    ok: frozenset[int] = frozenset({200})
    optional: bool = False
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    source: Source
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class IdentitySpec:
    provider: str
    calls: tuple[IdentityCall, ...]
    fields: Mapping[str, tuple[Source, ...]]
    variables: tuple[Variable, ...] = ()
    admin: tuple[str, ...] = ()
    never_expires_when_absent: bool = False
    only_rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityCatalog:
    providers: Mapping[str, IdentitySpec]

    def spec_for(self, provider: str, rule_id: str) -> IdentitySpec | None:
        spec = self.providers.get(provider)
        if spec is None or (spec.only_rules and rule_id not in spec.only_rules):
            return None
        return spec


def load_identities(verifiers: VerifierCatalog, path: str | Path | None = None) -> IdentityCatalog:
    """Load and validate the identities file (the built-in one by default)."""
    doc, source = read_spec_file(path, "identities.toml", IdentitySpecError)
    return parse_identities(doc, verifiers, source=source)


def parse_identities(doc: Mapping[str, Any], verifiers: VerifierCatalog, *,
                     source: str = "<identities>") -> IdentityCatalog:
    if set(doc) - {"providers"} or not isinstance(doc.get("providers", {}), dict):
        raise IdentitySpecError(f"{source}: only a [providers] table of tables is allowed")
    specs = {}
    for name, table in doc.get("providers", {}).items():
        where = f"{source}: providers.{name}"
        if name not in verifiers.providers:
            raise IdentitySpecError(f"{where}: no verification spec for this provider in verifiers.toml")
        specs[name] = _spec(name, table, where)
    return IdentityCatalog(providers=specs)


def _spec(provider: str, table: object, where: str) -> IdentitySpec:
    if not isinstance(table, dict):
        raise IdentitySpecError(f"{where}: must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise IdentitySpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    raw_calls = table.get("calls")
    if not isinstance(raw_calls, list) or not raw_calls:
        raise IdentitySpecError(f"{where}: calls must be a non-empty list of tables")
    calls = tuple(_call(item, f"{where}: calls[{i}]") for i, item in enumerate(raw_calls))
    names = [call.name for call in calls]
    if len(set(names)) != len(names):
        raise IdentitySpecError(f"{where}: call names must be unique")
    if calls[0].optional or calls[0].needs:
        raise IdentitySpecError(f"{where}: the first call can be neither optional nor need variables")
    variables = tuple(_variable(name, value, set(names), f"{where}: vars.{name}")
                      for name, value in _table(table, "vars", where).items())
    known_vars = {v.name for v in variables}
    for call in calls:
        used = set(_PLACEHOLDER.findall(call.path + (call.body or "")))
        if used - known_vars or used != set(call.needs):
            raise IdentitySpecError(f"{where}: call {call.name} must list exactly the variables it uses "
                                    "in needs, each defined in vars")
    fields = {name: tuple(_source(item, set(names), f"{where}: {name}") for item in _list(table, name, where))
              for name in FIELDS}
    never = table.get("never_expires_when")
    if never not in (None, "absent"):
        raise IdentitySpecError(f'{where}: never_expires_when can only be "absent"')
    return IdentitySpec(provider=provider, calls=calls, fields=fields, variables=variables,
                        admin=tuple(_strings(table, "admin", where)),
                        never_expires_when_absent=never == "absent",
                        only_rules=tuple(_strings(table, "only_rules", where)))


def _call(item: object, where: str) -> IdentityCall:
    if not isinstance(item, dict):
        raise IdentitySpecError(f"{where}: must be a table")
    unknown = sorted(set(item) - _CALL_KEYS)
    if unknown:
        raise IdentitySpecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name, path = item.get("name"), item.get("path")
    if not isinstance(name, str) or not name.isidentifier():
        raise IdentitySpecError(f"{where}: name must be an identifier")
    if not isinstance(path, str) or not path.startswith("/"):
        raise IdentitySpecError(f"{where}: path must start with /")
    method = item.get("method")
    if method is not None and method not in METHODS:
        raise IdentitySpecError(f"{where}: method must be GET or POST (read-only calls only)")
    base_url = item.get("base_url")
    if base_url is not None and (not isinstance(base_url, str) or not base_url.startswith("https://")):
        raise IdentitySpecError(f"{where}: base_url must be an https URL")
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise IdentitySpecError(f"{where}: headers must be a table of strings")
    ok = item.get("ok", [200])
    if not isinstance(ok, list) or not ok or not all(isinstance(s, int) and 200 <= s < 300 for s in ok):
        raise IdentitySpecError(f"{where}: ok must be a list of 2xx statuses")
    return IdentityCall(
        name=name, path=path, method=method, body=_optional_str(item, "body", where),
        headers=tuple(headers.items()),
        base_url=base_url, service=_optional_str(item, "service", where), ok=frozenset(ok),
        optional=item.get("optional", False) is True, needs=tuple(_strings(item, "needs", where)),
    )


def _variable(name: str, value: object, calls: set[str], where: str) -> Variable:
    if not isinstance(value, dict) or set(value) - {"from", "pattern"} or "from" not in value:
        raise IdentitySpecError(f"{where}: must be {{ from = SOURCE, pattern = regex }}")
    pattern = value.get("pattern")
    try:
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error as exc:
        raise IdentitySpecError(f"{where}: pattern is not a regular expression: {exc}") from exc
    if compiled is not None and compiled.groups != 1:
        raise IdentitySpecError(f"{where}: pattern needs exactly one group")
    return Variable(name, _source(value["from"], calls, where), compiled)


def _source(item: object, calls: set[str], where: str) -> Source:
    if isinstance(item, dict) and set(item) == {"value"} and isinstance(item["value"], str):
        return Source(value=item["value"])
    if isinstance(item, dict) and set(item) == {"each", "text"} and isinstance(item["text"], str):
        return Source(**{**_path(item["each"], calls, where), "text": item["text"]})
    return Source(**_path(item, calls, where))


def _path(item: object, calls: set[str], where: str) -> dict[str, Any]:
    parts = item.split(".") if isinstance(item, str) else []
    if len(parts) < 3 or parts[0] not in calls or parts[1] not in _PARTS or not all(parts):
        raise IdentitySpecError(f"{where}: {item!r} is not CALL.body.PATH or CALL.header.NAME of a call")
    if parts[1] == "header" and len(parts) != 3:
        raise IdentitySpecError(f"{where}: {item!r}: a header source names one header")
    return {"call": parts[0], "part": parts[1], "path": tuple(parts[2:])}


def _table(table: dict, key: str, where: str) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise IdentitySpecError(f"{where}: {key} must be a table")
    return value


def _list(table: dict, key: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise IdentitySpecError(f"{where}: {key} must be a list")
    return value


def _strings(table: dict, key: str, where: str) -> list[str]:
    value = _list(table, key, where)
    if not all(isinstance(s, str) and s for s in value):
        raise IdentitySpecError(f"{where}: {key} must be a list of strings")
    return value


def _optional_str(table: dict, key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise IdentitySpecError(f"{where}: {key} must be a string")
    return value
