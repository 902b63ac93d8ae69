"""Parse the times a user types (``--as-of``, "revoked at"): a date or an ISO date-time, UTC if no zone."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_when(text: str) -> datetime:
    """``2026-03-01``, ``2026-03-01 14:30`` or ``2026-03-01T14:30:00+02:00`` as an aware UTC datetime."""
    value = text.strip()
    if not value:
        raise ValueError("empty date")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
