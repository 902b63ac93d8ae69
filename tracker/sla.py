"""The remediation SLA: how long a secret may stay exposed, and where each secret stands against it.

Default: revoke within 27 days of exposure, "approaching" from 75 % of the window (day 20.25).
The ``[sla]`` table of the config file may set ``days`` and ``warn_ratio`` and override the window
per category (``[sla.category] ai = 7``) or per lifetime (``[sla.lifetime] short-lived = 2``).
When both apply, the category override wins: the category says what the key unlocks, which is
what the window is about.

States for a secret exposed at ``E`` with window ``W`` days, at time ``now``:
``within`` before ``E + warn_ratio*W``; ``approaching`` from that instant up to and including the
deadline ``E + W``; ``breached`` strictly after the deadline; ``resolved`` once it has a
``resolved_at`` (then age and days left are measured at resolution).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from secret_sprawl.detectors.types import CATEGORIES, LIFETIMES
from secret_sprawl.tracker.models.core import Secret


class SlaState(StrEnum):
    """Where a secret stands against its window, most urgent first."""

    BREACHED = "breached"
    APPROACHING = "approaching"
    WITHIN = "within"
    RESOLVED = "resolved"


OPEN_SLA_STATES = (SlaState.WITHIN, SlaState.APPROACHING, SlaState.BREACHED)
DEFAULT_DAYS = 27.0
DEFAULT_WARN_RATIO = 0.75
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class SlaStatus:
    state: SlaState
    age_days: float
    days_left: float  # negative when overdue
    deadline: datetime
    window_days: float


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    days: float = DEFAULT_DAYS
    warn_ratio: float = DEFAULT_WARN_RATIO
    category_days: Mapping[str, float] = field(default_factory=dict)
    lifetime_days: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SlaPolicy:
        """Read the ``[sla]`` table of a parsed config; raises ``ValueError`` naming a bad key."""
        table = config.get("sla", {})
        if not isinstance(table, Mapping):
            raise ValueError("[sla] must be a table")
        unknown = sorted(set(table) - {"days", "warn_ratio", "category", "lifetime"})
        if unknown:
            raise ValueError(f"[sla] has unknown key(s): {', '.join(unknown)}")
        days = _positive(table.get("days", DEFAULT_DAYS), "sla.days")
        warn_ratio = table.get("warn_ratio", DEFAULT_WARN_RATIO)
        if isinstance(warn_ratio, bool) or not isinstance(warn_ratio, int | float) or not 0 < warn_ratio < 1:
            raise ValueError("sla.warn_ratio must be a number between 0 and 1")
        return cls(
            days=days,
            warn_ratio=float(warn_ratio),
            category_days=_overrides(table.get("category", {}), "category", CATEGORIES),
            lifetime_days=_overrides(table.get("lifetime", {}), "lifetime", LIFETIMES),
        )

    def window_days(self, category: str, lifetime: str) -> float:
        """The window for a secret: category override, else lifetime override, else ``days``."""
        if category in self.category_days:
            return self.category_days[category]
        return self.lifetime_days.get(lifetime, self.days)

    def evaluate(self, secret: Secret, now: datetime) -> SlaStatus:
        """Where ``secret`` stands at ``now`` (measured at its resolution if it is resolved)."""
        return self.status(secret.exposed_at, secret.category, secret.lifetime, now=now,
                           resolved_at=secret.resolved_at)

    def status(
        self, exposed_at: datetime, category: str, lifetime: str, *, now: datetime,
        resolved_at: datetime | None = None,
    ) -> SlaStatus:
        """The SLA status of a secret given by its fields (for callers holding plain rows)."""
        window = self.window_days(category, lifetime)
        deadline = exposed_at + timedelta(days=window)
        until = resolved_at if resolved_at is not None else now
        if resolved_at is not None:
            state = SlaState.RESOLVED
        elif until > deadline:
            state = SlaState.BREACHED
        elif until >= exposed_at + timedelta(days=self.warn_ratio * window):
            state = SlaState.APPROACHING
        else:
            state = SlaState.WITHIN
        return SlaStatus(
            state=state,
            age_days=(until - exposed_at).total_seconds() / _DAY,
            days_left=(deadline - until).total_seconds() / _DAY,
            deadline=deadline,
            window_days=window,
        )


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number of days")
    return float(value)


def _overrides(table: Any, kind: str, allowed: frozenset[str]) -> dict[str, float]:
    if not isinstance(table, Mapping):
        raise ValueError(f"[sla.{kind}] must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"[sla.{kind}] has unknown {kind}(s): {', '.join(unknown)}")
    return {key: _positive(value, f"sla.{kind}.{key}") for key, value in table.items()}
