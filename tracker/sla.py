"""The remediation SLA: how long a secret may stay exposed, and where each secret stands against it.

Default: revoke within 27 days of exposure, "approaching" from 75 % of the window (day 20.25).
``[sla] clock`` says when the window starts: ``"exposed"`` (default: the first commit that held the
secret) or ``"detected"`` (when sprawl first saw it, never before its exposure), so a team's first
scan of years of history does not start every old secret out breached. :meth:`SlaPolicy.start` is the
one place that answers "when did this secret's SLA start"; every caller asks it. The age of a secret
(and the exposure in secret-days) is always measured from its exposure, whatever the clock.
The ``[sla]`` table of the config file may set ``days`` and ``warn_ratio`` and override the window
per category (``[sla.category] ai = 7``) or per lifetime (``[sla.lifetime] short-lived = 2``).
When both apply, the category override wins: the category says what the key unlocks, which is
what the window is about.

States for a secret whose SLA starts at ``S`` (see above) with window ``W`` days, at time ``now``:
``within`` before ``S + warn_ratio*W``; ``approaching`` from that instant up to and including the
deadline ``S + W``; ``breached`` strictly after the deadline; ``resolved`` once it has a
``resolved_at`` (then age and days left are measured at resolution).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from secret_sprawl.tracker.config_schema import Config
from secret_sprawl.tracker.models.core import Secret


class SlaClock(StrEnum):
    """When the remediation window starts."""

    EXPOSED = "exposed"
    DETECTED = "detected"


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

    @property
    def late(self) -> bool:
        """Resolved after its deadline (``resolved late``), or still open past it."""
        return self.days_left < 0


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    days: float = DEFAULT_DAYS
    warn_ratio: float = DEFAULT_WARN_RATIO
    category_days: Mapping[str, float] = field(default_factory=dict)
    lifetime_days: Mapping[str, float] = field(default_factory=dict)
    clock: SlaClock = SlaClock.EXPOSED

    @classmethod
    def from_config(cls, config: Config) -> SlaPolicy:
        """The policy of a validated config's ``[sla]`` table."""
        table = config.sla
        return cls(days=table.days, warn_ratio=table.warn_ratio, category_days=dict(table.category),
                   lifetime_days=dict(table.lifetime), clock=SlaClock(table.clock))

    def start(self, exposed_at: datetime, detected_at: datetime | None) -> datetime:
        """When a secret's SLA starts under this policy's clock: its exposure, or its first detection
        (``Secret.first_seen_at``; never earlier than the exposure, and the exposure when unknown)."""
        if self.clock == SlaClock.DETECTED and detected_at is not None:
            return max(exposed_at, detected_at)
        return exposed_at

    def window_days(self, category: str, lifetime: str) -> float:
        """The window for a secret: category override, else lifetime override, else ``days``."""
        if category in self.category_days:
            return self.category_days[category]
        return self.lifetime_days.get(lifetime, self.days)

    def evaluate(self, secret: Secret, now: datetime) -> SlaStatus:
        """Where ``secret`` stands at ``now`` (measured at its resolution if it is resolved)."""
        return self.status(secret.exposed_at, secret.category, secret.lifetime, now=now,
                           resolved_at=secret.resolved_at, detected_at=secret.first_seen_at)

    def status(
        self, exposed_at: datetime, category: str, lifetime: str, *, now: datetime,
        resolved_at: datetime | None = None, detected_at: datetime | None = None,
    ) -> SlaStatus:
        """The SLA status of a secret given by its fields (for callers holding plain rows); pass
        ``detected_at`` (``first_seen_at``) so a ``detected`` clock can apply."""
        window = self.window_days(category, lifetime)
        start = self.start(exposed_at, detected_at)
        deadline = start + timedelta(days=window)
        until = resolved_at if resolved_at is not None else now
        if resolved_at is not None:
            state = SlaState.RESOLVED
        elif until > deadline:
            state = SlaState.BREACHED
        elif until >= start + timedelta(days=self.warn_ratio * window):
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
