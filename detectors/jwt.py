"""Decode a JSON Web Token just enough to tell its lifetime from the ``exp`` claim.

No signature is checked: the question is only "is this a JWT, and does it expire soon?". A token
whose header is not a JSON object with ``alg`` is not a JWT and the match is dropped. A signed token
(JWS) with ``exp`` is short-lived when it was issued for at most 24 hours (``exp - iat``, or
``exp - now`` without ``iat``), else long-lived; without ``exp`` it never expires (long-lived).
An encrypted token (JWE, five parts) hides its claims, so its lifetime is unknown.
"""

from __future__ import annotations

import base64
import binascii
import json
import time

SHORT_LIVED_SECONDS = 24 * 3600


def jwt_lifetime(token: str, *, now: float | None = None) -> str | None:
    """``"short-lived"``, ``"long-lived"`` or ``"unknown"``; None when ``token`` is not a JWT."""
    parts = token.split(".")
    if len(parts) not in (3, 5):
        return None
    header = _json_segment(parts[0])
    if header is None or not isinstance(header.get("alg"), str):
        return None
    if len(parts) == 5:
        return "unknown"
    claims = _json_segment(parts[1])
    if claims is None:
        return None
    expires = _number(claims.get("exp"))
    if expires is None:
        return "long-lived"
    issued = _number(claims.get("iat"))
    start = issued if issued is not None else (time.time() if now is None else now)
    return "short-lived" if expires - start <= SHORT_LIVED_SECONDS else "long-lived"


def _json_segment(segment: str) -> dict | None:
    """A base64url segment decoded as a JSON object, or None."""
    if not segment:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def jwt_is_public(token: str) -> bool:
    """True for a token meant to ship to browsers: a Supabase ``anon`` key (``role`` claim ``anon``)."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    claims = _json_segment(parts[1])
    return claims is not None and claims.get("role") == "anon"
