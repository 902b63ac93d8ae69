"""Fingerprint and redact secret values so nothing downstream needs (or shows) the plaintext.

The fingerprint is the SHA-256 of the secret's bytes alone, so one credential found by two rules or
in two repositories is one secret. Redaction shows at most the first 4 and last 2 characters and the
length; short secrets are fully masked and multi-line secrets (PEM keys) keep only their armor line.
"""

from __future__ import annotations

import hashlib

_SHORT = 12
_MASK = "••••"


def fingerprint(secret: str | bytes) -> str:
    """SHA-256 hex of the secret value: its UTF-8 encoding, or the raw bytes as found in a blob.

    Strings decoded with ``surrogateescape`` encode back to their original bytes, so a secret read
    from an invalid UTF-8 blob fingerprints the same as the bytes themselves.
    """
    data = secret if isinstance(secret, bytes) else _encode(secret)
    return hashlib.sha256(data).hexdigest()


def redact(secret: str) -> str:
    """A display form that never reveals enough to use the secret, e.g. ``sk-p…Xz (51 chars)``."""
    length = f"({len(secret)} chars)"
    first_line = secret.splitlines()[0].strip() if secret.strip() else ""
    if first_line != secret.strip():
        # Multi-line material: a PEM armor line names the key type and is safe to show.
        if first_line.startswith("-----BEGIN") and first_line.endswith("-----"):
            return f"{first_line}… {length}"
        return f"{first_line[: min(4, len(first_line) // 4)]}… {length}"
    if len(secret) < _SHORT:
        return f"{_MASK} {length}"
    head, tail = min(4, len(secret) // 4), min(2, len(secret) // 8)
    return f"{secret[:head]}…{secret[-tail:]} {length}"


def _encode(secret: str) -> bytes:
    try:
        return secret.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return secret.encode("utf-8", "surrogatepass")
