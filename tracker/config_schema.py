"""The config file's tables as typed, range-checked models: one definition of every setting.

``Config.model_validate(toml_dict)`` rejects unknown tables and keys, wrong types (a string for a
number, a number for a URL, ``true`` for a count) and values out of range (``nan``, ``inf``, SLA
windows of ``1e17`` days, a million retries). :func:`config_problem` turns pydantic's error into one
line naming the table and the key. Defaults here are the documented defaults.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator
from secret_sprawl.detectors.posture.shared import DEFAULT_SHARED_JOBS_THRESHOLD
from secret_sprawl.detectors.types import CATEGORIES, LIFETIMES

MAX_SLA_DAYS = 3650.0  # ten years: anything longer is a typo, not a policy
_ENV_REF = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")


def check_http_url(value: str) -> str:
    """``value`` without a trailing slash when it is an http(s) URL with a host; ValueError otherwise."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    return value.rstrip("/")


def _env_ref(value: str) -> str:
    if not _ENV_REF.match(value):
        raise ValueError('must name an environment variable, as "env:NAME"')
    return value


def _url_or_env(value: str) -> str:
    return value if _ENV_REF.match(value) else check_http_url(value)


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
UrlOrEnv = Annotated[str, AfterValidator(_url_or_env)]
EnvRef = Annotated[str, AfterValidator(_env_ref)]
Days = Annotated[float, Field(gt=0, le=MAX_SLA_DAYS)]


class _Table(BaseModel):
    """Strict: TOML values are typed already, so ``"10"`` is not a number and ``true`` not a count."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class SlaTable(_Table):
    # When the remediation window starts: at exposure (first commit) or at first detection by sprawl
    # (so a first scan of years of history does not start every old secret out breached).
    clock: Literal["exposed", "detected"] = "exposed"
    days: Days = 27.0
    warn_ratio: float = Field(0.75, gt=0, lt=1)
    category: dict[str, Days] = Field(default_factory=dict)
    lifetime: dict[str, Days] = Field(default_factory=dict)

    @field_validator("category")
    @classmethod
    def _categories(cls, value: dict[str, float]) -> dict[str, float]:
        return _known_keys(value, CATEGORIES, "category")

    @field_validator("lifetime")
    @classmethod
    def _lifetimes(cls, value: dict[str, float]) -> dict[str, float]:
        return _known_keys(value, LIFETIMES, "lifetime")


class VerifyTable(_Table):
    concurrency: int = Field(8, ge=1, le=64)
    rate_per_host: float = Field(5.0, gt=0, le=1000)  # requests per second to any one host
    timeout: float = Field(10.0, gt=0, le=300)  # seconds per request
    retries: int = Field(2, ge=0, le=10)  # extra attempts after a 429, a 5xx or a network error
    backoff: float = Field(0.5, ge=0, le=60)  # seconds; doubled on every retry
    endpoints: dict[str, HttpUrl] = Field(default_factory=dict)
    # The operator's consent, as --allow-endpoint-overrides, to send secrets to a non-official host.
    allow_endpoint_overrides: bool = False


WebhookShape = Literal["slack", "teams", "json"]


class NotifyTable(_Table):
    url: UrlOrEnv | None = None
    shape: WebhookShape = "slack"  # the payload of the global webhook (and of any not in ``shapes``)
    shapes: dict[Annotated[str, AfterValidator(_url_or_env)], WebhookShape] = Field(default_factory=dict)
    retry_seconds: float = Field(60.0, gt=0, le=86_400)  # first wait after a refused delivery; doubled
    max_attempts: int = Field(10, ge=1, le=1000)  # then the notice is ``failed`` until retried


class InventoryTable(_Table):
    shared_jobs_threshold: int = Field(DEFAULT_SHARED_JOBS_THRESHOLD, ge=1, le=1_000_000)


class TrackerTable(_Table):
    fingerprint_key: EnvRef | None = None  # keyed HMAC-SHA-256 fingerprints: tracker/fingerprints.py


class RevokeTable(_Table):
    """``[revoke]``: which providers' keys a scan revokes on its own (none unless named), and how long
    the re-check waits for the provider to reject a revoked key."""

    automatic: list[str] = Field(default_factory=list)
    recheck_attempts: int = Field(3, ge=1, le=20)
    recheck_delay: float = Field(2.0, ge=0, le=60)  # seconds between re-checks

    @field_validator("automatic")
    @classmethod
    def _providers(cls, value: list[str]) -> list[str]:
        from secret_sprawl.detectors.revocation import load_revocations

        known = frozenset(load_revocations().providers)
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"no revocation API for {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(known))})")
        return value


class OwnersTable(RootModel[dict[str, str]]):
    """``[owners]``: identity (``"provider:principal"`` or ``"provider:account"``, globs allowed) -> owner."""

    model_config = ConfigDict(strict=True, frozen=True)

    @field_validator("root")
    @classmethod
    def _entries(cls, value: dict[str, str]) -> dict[str, str]:
        for identity, owner in value.items():
            provider, sep, who = identity.partition(":")
            if not (sep and provider.strip() and who.strip()):
                raise ValueError(f'{identity!r} must look like "provider:principal" (globs allowed)')
            if not owner.strip():
                raise ValueError(f"the owner of {identity!r} must not be empty")
        return value


class Config(_Table):
    sla: SlaTable = Field(default_factory=SlaTable)
    verify: VerifyTable = Field(default_factory=VerifyTable)
    notify: NotifyTable = Field(default_factory=NotifyTable)
    inventory: InventoryTable = Field(default_factory=InventoryTable)
    tracker: TrackerTable = Field(default_factory=TrackerTable)
    owners: OwnersTable = Field(default_factory=lambda: OwnersTable({}))
    revoke: RevokeTable = Field(default_factory=RevokeTable)


def config_problem(error: ValidationError) -> str:
    """The first problem of a validation error as ``[table] key: what is wrong``."""
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    if first["type"] == "extra_forbidden":
        where = f"[{'.'.join(location[:-1])}] " if len(location) > 1 else ""
        kind = "key" if len(location) > 1 else "table"
        return f"{where}unknown {kind} {location[-1]!r}"
    if len(location) == 1:
        return f"[{location[0]}]: {_message(first)}"
    table, key = ".".join(location[:-1]), location[-1]
    return f"[{table}] {key}: {_message(first)}"


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "finite_number":
        return "must be a finite number"
    if error["type"] in ("model_type", "dict_type"):
        return "must be a table"
    return message[:1].lower() + message[1:]


def _known_keys(value: dict[str, float], allowed: frozenset[str], kind: str) -> dict[str, float]:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"unknown {kind}(s) {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
    return value
