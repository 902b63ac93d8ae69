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

from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.models.core import Secret


class SlaState(StrEnum):
    """Where a secret stands against its window, most urgent first."""

    BREACHED = "breached"
    APPROACHING = "approaching"
    WITHIN = "within"
    RESOLVED = "resolved"


OPEN_SLA_STATES = (SlaState.WITHIN, SlaState.APPROACHING, SlaState.BREACHED)
DEFAULT_DAYS = Config().sla.days
DEFAULT_WARN_RATIO = Config().sla.warn_ratio
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
    def from_config(cls, config: Config) -> SlaPolicy:
        """The policy of a validated config's ``[sla]`` table."""
        table = config.sla
        return cls(days=table.days, warn_ratio=table.warn_ratio, category_days=dict(table.category),
                   lifetime_days=dict(table.lifetime))

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
