"""Inline suppressions: a marker on the line of a match silences it.

``sprawl:allow`` is ours; ``gitleaks:allow`` and ``pragma: allowlist secret`` (detect-secrets) are
honoured so teams migrating from those tools keep their reviewed exceptions. Markers are matched
exactly (case-sensitive), as those tools do, so a suppression is never broader than written.
"""

from __future__ import annotations

MARKERS: tuple[bytes, ...] = (b"sprawl:allow", b"gitleaks:allow", b"pragma: allowlist secret")


def is_suppressed(line: bytes) -> bool:
    """True when ``line`` (the raw bytes of the line(s) a match sits on) carries a marker."""
    return any(marker in line for marker in MARKERS)
