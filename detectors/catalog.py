"""Load and validate the rule catalog: the TOML files in ``detectors/rules/`` plus users' own files.

A rules file is a list of ``[[rules]]`` tables (see ``Rule`` for the fields). Examples are inline
tables ``{ text = "...", secret = "..." }``; negative examples are plain strings. Validation here
is structural (fields, types, kebab-case ids, the pattern compiles and has a ``secret`` group, each
example mentions a keyword); running the examples through the engine is ``detectors.selftest``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import regex
from secret_sprawl.detectors import cache, types
from secret_sprawl.detectors.checksum import CHECKSUMS
from secret_sprawl.detectors.types import CATEGORIES, LIFETIMES, SEVERITIES, Example, Rule

_ID = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PROVIDER = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "name", "provider", "category", "lifetime", "lifetime_note", "pattern", "keywords",
             "references", "examples", "negative_examples")
_OPTIONAL = ("severity", "min_entropy", "allow", "window", "generic", "remediation", "decoder", "checksum",
             "public", "requires")
_DECODERS = frozenset({"jwt"})


class CatalogError(ValueError):
    """A rules file that cannot be used; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """The validated rules in load order, with a digest that identifies this exact set."""

    rules: tuple[Rule, ...]
    digest: str

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def providers(self) -> set[str]:
        return {rule.provider for rule in self.rules}


def builtin_rule_files() -> list[Path]:
    """The catalog shipped with the package, one TOML file per provider family, sorted by name."""
    folder = resources.files("secret_sprawl.detectors") / "rules"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def load_catalog(extra_files: Sequence[str | Path] = (), *, builtin: bool = True) -> Catalog:
    """Load the built-in catalog plus ``extra_files`` (``--rules``); a later rule id must be new.

    A catalog validated before (same files' bytes, same code) is read from the cache instead
    (``detectors.cache``): parsing and validating every rule is most of a scan's start-up.
    """
    files = [*(builtin_rule_files() if builtin else []), *(Path(f) for f in extra_files)]
    contents = [_read(path) for path in files]
    digest = hashlib.sha256(b"".join(contents)).hexdigest()
    entry = f"catalog-{cache.key(digest, *map(str, files), _code_hash())}.json"
    cached = _from_cache(cache.read(entry), digest)
    if cached is not None:
        return cached
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path, data in zip(files, contents, strict=True):
        for rule in parse_rules(data, source=str(path)):
            if rule.id in seen:
                raise CatalogError(f"{path}: rule id {rule.id!r} already defined in {seen[rule.id]}")
            seen[rule.id] = path
            rules.append(rule)
    catalog = Catalog(rules=tuple(rules), digest=digest)
    cache.write(entry, json.dumps([dataclasses.asdict(rule) for rule in rules]).encode())
    return catalog


@functools.cache
def _code_hash() -> str:
    return cache.source_hash(__file__, types.__file__)


def _from_cache(data: bytes | None, digest: str) -> Catalog | None:
    """The catalog stored by an earlier load, or None (absent, or from another shape of ``Rule``)."""
    if data is None:
        return None
    try:
        rules = []
        for fields in json.loads(data):
            values = {name: tuple(value) if isinstance(value, list) else value
                      for name, value in fields.items()}
            values["examples"] = tuple(Example(**example) for example in fields["examples"])
            rules.append(Rule(**values))
    except (ValueError, TypeError, KeyError):
        return None
    return Catalog(rules=tuple(rules), digest=digest)


def parse_rules(data: bytes, *, source: str = "<rules>") -> list[Rule]:
    """Parse and validate one rules file's bytes."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{source}: not valid TOML: {exc}") from exc
    tables = doc.get("rules")
    if not isinstance(tables, list) or not tables:
        raise CatalogError(f"{source}: expected one or more [[rules]] tables")
    return [_rule(table, f"{source}: rules[{index}]") for index, table in enumerate(tables)]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read rules file: {exc.strerror or exc}") from exc


def _rule(table: object, where: str) -> Rule:
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: a rule must be a table")
    missing = [key for key in _REQUIRED if key not in table]
    if missing:
        raise CatalogError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(unknown)}")
    where = f"{where} ({table['id']})"
    rule_id = _text(table, "id", where)
    if not _ID.match(rule_id):
        raise CatalogError(f"{where}: id must be kebab-case")
    provider = _text(table, "provider", where)
    if not _PROVIDER.match(provider):
        raise CatalogError(f"{where}: provider must be a lowercase word")
    category = _choice(table, "category", CATEGORIES, where)
    lifetime = _choice(table, "lifetime", LIFETIMES, where)
    severity = _choice(table, "severity", SEVERITIES, where) if "severity" in table else "high"
    pattern = _text(table, "pattern", where)
    try:
        compiled = regex.compile(pattern)
    except regex.error as exc:
        raise CatalogError(f"{where}: pattern does not compile: {exc}") from exc
    if "secret" not in compiled.groupindex:
        raise CatalogError(f"{where}: pattern needs a named group 'secret'")
    keywords = _strings(table, "keywords", where, minimum=1)
    allow = _strings(table, "allow", where, minimum=0) if "allow" in table else ()
    for allowed in allow:
        try:
            regex.compile(allowed)
        except regex.error as exc:
            raise CatalogError(f"{where}: allow pattern {allowed!r} does not compile: {exc}") from exc
    examples = tuple(_example(item, where) for item in _list(table, "examples", where, minimum=2))
    negatives = _strings(table, "negative_examples", where, minimum=2)
    for example in examples:
        if not _mentions_keyword(example.text, keywords):
            raise CatalogError(f"{where}: example {example.text[:60]!r} contains none of the keywords")
    requires = _requires(table, examples, where)
    min_entropy = table.get("min_entropy")
    if min_entropy is not None and not isinstance(min_entropy, int | float):
        raise CatalogError(f"{where}: min_entropy must be a number")
    window = table.get("window", 256)
    if not isinstance(window, int) or not 16 <= window <= 65536:
        raise CatalogError(f"{where}: window must be an integer between 16 and 65536")
    generic = table.get("generic", False)
    if not isinstance(generic, bool):
        raise CatalogError(f"{where}: generic must be true or false")
    decoder = table.get("decoder")
    if decoder is not None and decoder not in _DECODERS:
        raise CatalogError(f"{where}: decoder must be one of {', '.join(sorted(_DECODERS))}")
    checksum = table.get("checksum")
    if checksum is not None and checksum not in CHECKSUMS:
        raise CatalogError(f"{where}: checksum must be one of {', '.join(sorted(CHECKSUMS))}")
    public = table.get("public", False)
    if not isinstance(public, bool):
        raise CatalogError(f"{where}: public must be true or false")
    return Rule(
        id=rule_id,
        name=_text(table, "name", where),
        provider=provider,
        category=category,
        lifetime=lifetime,
        lifetime_note=_text(table, "lifetime_note", where),
        pattern=pattern,
        keywords=keywords,
        references=_strings(table, "references", where, minimum=1),
        examples=examples,
        negative_examples=negatives,
        severity=severity,
        min_entropy=float(min_entropy) if min_entropy is not None else None,
        allow=allow,
        window=window,
        generic=generic,
        remediation=_text(table, "remediation", where) if "remediation" in table else "",
        decoder=decoder,
        checksum=checksum,
        requires=requires,
        public=public,
    )


def _mentions_keyword(text: str, keywords: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(keyword.lower() in lowered for keyword in keywords)


def _text(table: dict, key: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: {key} must be a non-empty string")
    return value


def _requires(table: dict, examples: tuple[Example, ...], where: str) -> str | None:
    """The optional byte pattern every match contains; each example must contain it."""
    if "requires" not in table:
        return None
    text = _text(table, "requires", where)
    try:
        compiled = re.compile(text.encode("utf-8"))
    except re.error as exc:
        raise CatalogError(f"{where}: requires pattern does not compile (Python re, bytes): {exc}") from exc
    for example in examples:
        if not compiled.search(example.text.encode("utf-8")):
            raise CatalogError(f"{where}: example {example.text[:60]!r} has no match of requires")
    return text


def _choice(table: dict, key: str, allowed: frozenset[str], where: str) -> str:
    value = _text(table, key, where)
    if value not in allowed:
        raise CatalogError(f"{where}: {key} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _list(table: dict, key: str, where: str, *, minimum: int) -> list:
    value = table[key]
    if not isinstance(value, list) or len(value) < minimum:
        raise CatalogError(f"{where}: {key} must be a list of at least {minimum}")
    return value


def _strings(table: dict, key: str, where: str, *, minimum: int) -> tuple[str, ...]:
    values = _list(table, key, where, minimum=minimum)
    if not all(isinstance(v, str) and v for v in values):
        raise CatalogError(f"{where}: {key} must contain only non-empty strings")
    return tuple(values)


def _example(item: object, where: str) -> Example:
    if not isinstance(item, dict) or set(item) != {"text", "secret"}:
        raise CatalogError(f"{where}: each example must be {{ text = ..., secret = ... }}")
    text, secret = item["text"], item["secret"]
    if not isinstance(text, str) or not isinstance(secret, str) or not secret or secret not in text:
        raise CatalogError(f"{where}: example secret must be a non-empty part of its text")
    return Example(text=text, secret=secret)
