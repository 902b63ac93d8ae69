"""Keyed fingerprints: with ``[tracker] fingerprint_key = "env:NAME"``, every fingerprint the scanner
reports and the tracker stores is HMAC-SHA-256(key, SHA-256 of the secret) instead of the bare SHA-256.

A bare SHA-256 of a weak password found by a generic rule can be reversed with a word list; a keyed
one cannot without the key, so a copy of the database (or of a JSON report) is no password oracle.
The trade-off: fingerprints made under different keys (or none) never match, so one tracker needs one
key for its whole life, and a baseline file or a report only matches scans made with the same key.
Recommended for a shared PostgreSQL tracker; the key lives in the environment, never in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import replace

from secret_sprawl.detectors.types import TargetResult
from secret_sprawl.tracker.config import ConfigError
from secret_sprawl.tracker.config_schema import Config


def fingerprint_key(config: Config) -> bytes | None:
    """The key named by ``[tracker] fingerprint_key`` (None when not configured); ConfigError when the
    variable it names is not set, so a scan never silently records unkeyed fingerprints."""
    reference = config.tracker.fingerprint_key
    if reference is None:
        return None
    name = reference.removeprefix("env:")
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"[tracker] fingerprint_key names ${name}, which is not set")
    return value.encode("utf-8")


def keyed(fingerprint: str, key: bytes | None) -> str:
    """The fingerprint as stored and reported: HMAC-SHA-256 under ``key``, or unchanged without one."""
    if key is None or not fingerprint:
        return fingerprint
    return hmac.new(key, fingerprint.encode("ascii"), hashlib.sha256).hexdigest()


def rekey(result: TargetResult, key: bytes | None) -> TargetResult:
    """``result`` with every finding's fingerprint keyed (the same object when there is no key)."""
    if key is None:
        return result
    result.findings = [replace(f, fingerprint=keyed(f.fingerprint, key)) for f in result.findings]
    return result
