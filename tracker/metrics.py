"""Remediation metrics for leadership: MTTR, SLA compliance, open-secret ageing and exposure.

Definitions (all "as of" a fixed instant, so a report can be reproduced):

- A secret exists as of ``as_of`` if it was exposed by then. It counts as *open* as of ``as_of``
  unless it has a ``resolved_at`` at or before ``as_of`` (states are read from the current rows,
  so a secret reopened since is open throughout).
- MTTR population: secrets resolved as ``revoked`` or ``rotated`` by ``as_of`` (and at or after
  ``since`` when given), excluding those found already inactive at discovery. False positives,
  test credentials and accepted risks are never in it. Time to remediate = ``resolved_at -
  exposed_at``.
- mean and median are the usual ones (the median of an even count is the mean of the two middle
  values); p90 uses the **nearest-rank** method: the value at rank ``ceil(0.9 * n)`` of the sorted
  durations, always a duration that actually occurred.
- within_sla_share: the share of the MTTR population resolved no later than its SLA deadline.
- Open secrets by age bucket, in days since exposure: ``0-7`` is [0, 7), ``7-14`` [7, 14),
  ``14-21`` [14, 21), ``21-27`` [21, 27], ``>27`` beyond 27 days. Breached: open secrets past their
  SLA deadline. Exposure: the sum of the ages, in days, of the open secrets (secret-days).
- per_month: MTTR per calendar month (UTC) of resolution, the trend line.
- group_by: the same numbers per target, organisation (``host/org`` of targets named
  ``host/org/repo``), provider, category, owner, or month of exposure; a secret found in several
  targets (or organisations) counts in each of them.
- min_confidence: only secrets at that confidence or higher count anywhere (default medium, so
  placeholders and test fixtures recorded at low confidence do not move the SLA or MTTR).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, at_least
from secret_sprawl.tracker.models.core import Occurrence, Secret, Target
from secret_sprawl.tracker.sla import SlaPolicy
from sqlalchemy import select
from sqlmodel import Session

GROUP_BY = ("target", "org", "provider", "category", "owner", "month")
# host/org/... of an organisation's repository (github.com/acme/agents, huggingface.co/datasets/acme/x)
_ORG_TARGET = re.compile(r"^([a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)/(?:(?:datasets|spaces)/)?([^/]+)/[^/]")
AGE_BUCKETS = ("0-7", "7-14", "14-21", "21-27", ">27")
MTTR_STATUSES = frozenset({"revoked", "rotated"})
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True, slots=True)
class MonthStat:
    month: str  # YYYY-MM of resolution
    count: int
    mean_seconds: float
    median_seconds: float


@dataclass(frozen=True, slots=True)
class Metrics:
    as_of: datetime
    since: datetime | None
    sla_days: float
    warn_ratio: float
    secrets_count: int  # secrets exposed by as_of, whatever their state
    mttr_count: int
    mttr_mean_seconds: float | None
    mttr_median_seconds: float | None
    mttr_p90_seconds: float | None
    mttr_min_seconds: float | None
    mttr_max_seconds: float | None
    within_sla_share: float | None
    resolved_count: int  # every resolution by as_of (and since), whatever the reason
    inactive_at_discovery_count: int
    open_count: int
    approaching_count: int
    breached_count: int
    exposure_secret_days: float
    age_buckets: dict[str, int]
    open_by_provider: dict[str, int]
    per_month: list[MonthStat]
    group_by: str | None = None
    groups: dict[str, Metrics] = field(default_factory=dict)
    # CI workload federation posture (tracker.inventory.inventory_metrics), when included.
    ci_inventory: dict[str, Any] | None = None
    min_confidence: str = DEFAULT_FLOOR.value


class _Row(NamedTuple):
    id: int
    status: str
    provider: str
    category: str
    lifetime: str
    owner: str | None
    exposed_at: datetime
    resolved_at: datetime | None
    inactive_at_discovery: bool


def nearest_rank(sorted_values: list[float], percent: float) -> float:
    """The nearest-rank percentile of already sorted values (``percent`` in (0, 100])."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def compute_metrics(
    session: Session, policy: SlaPolicy, *, as_of: datetime, since: datetime | None = None,
    group_by: str | None = None, min_confidence: Confidence = DEFAULT_FLOOR,
) -> Metrics:
    if group_by is not None and group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    columns = [getattr(Secret, name) for name in _Row._fields]
    query = select(*columns).where(Secret.exposed_at <= as_of, at_least(Secret.confidence, min_confidence))
    rows = [_Row(*row) for row in session.execute(query)]
    metrics = _summarise(rows, policy, as_of, since, min_confidence)
    if group_by is None:
        return metrics
    groups: dict[str, list[_Row]] = {}
    targets = _targets_by_secret(session) if group_by in ("target", "org") else {}
    for row in rows:
        for key in _group_keys(row, group_by, targets):
            groups.setdefault(key, []).append(row)
    summaries = {key: _summarise(groups[key], policy, as_of, since, min_confidence) for key in sorted(groups)}
    return replace(metrics, group_by=group_by, groups=summaries)


def _summarise(
    rows: Iterable[_Row], policy: SlaPolicy, as_of: datetime, since: datetime | None, floor: Confidence
) -> Metrics:
    durations: list[float] = []
    within = resolved = inactive = approaching = breached = 0
    exposure_days = 0.0
    buckets = dict.fromkeys(AGE_BUCKETS, 0)
    by_provider: dict[str, int] = {}
    months: dict[str, list[float]] = {}
    open_count = count = 0
    for row in rows:
        count += 1
        if row.resolved_at is not None and row.resolved_at <= as_of:
            if since is not None and row.resolved_at < since:
                continue
            resolved += 1
            if row.inactive_at_discovery:
                inactive += 1
            elif row.status in MTTR_STATUSES:
                seconds = (row.resolved_at - row.exposed_at).total_seconds()
                durations.append(seconds)
                months.setdefault(row.resolved_at.strftime("%Y-%m"), []).append(seconds)
                status = policy.status(row.exposed_at, row.category, row.lifetime, now=as_of,
                                       resolved_at=row.resolved_at)
                within += status.days_left >= 0
            continue
        status = policy.status(row.exposed_at, row.category, row.lifetime, now=as_of)
        open_count += 1
        approaching += status.state == "approaching"
        breached += status.state == "breached"
        exposure_days += status.age_days
        buckets[_bucket(status.age_days)] += 1
        by_provider[row.provider] = by_provider.get(row.provider, 0) + 1
    durations.sort()
    return Metrics(
        as_of=as_of, since=since, sla_days=policy.days, warn_ratio=policy.warn_ratio,
        secrets_count=count, mttr_count=len(durations),
        mttr_mean_seconds=statistics.fmean(durations) if durations else None,
        mttr_median_seconds=statistics.median(durations) if durations else None,
        mttr_p90_seconds=nearest_rank(durations, 90) if durations else None,
        mttr_min_seconds=durations[0] if durations else None,
        mttr_max_seconds=durations[-1] if durations else None,
        within_sla_share=within / len(durations) if durations else None,
        resolved_count=resolved, inactive_at_discovery_count=inactive,
        open_count=open_count, approaching_count=approaching, breached_count=breached,
        exposure_secret_days=exposure_days, age_buckets=buckets,
        open_by_provider=dict(sorted(by_provider.items(), key=lambda item: (-item[1], item[0]))),
        per_month=[
            MonthStat(month, len(values), statistics.fmean(values), statistics.median(values))
            for month, values in sorted(months.items())
        ],
        min_confidence=floor.value,
    )


def _bucket(age_days: float) -> str:
    if age_days < 7:
        return "0-7"
    if age_days < 14:
        return "7-14"
    if age_days < 21:
        return "14-21"
    return "21-27" if age_days <= 27 else ">27"


def _targets_by_secret(session: Session) -> dict[int, list[str]]:
    query = (
        select(Occurrence.secret_id, Target.name)
        .join(Target, Target.id == Occurrence.target_id)
        .distinct()
    )
    targets: dict[int, list[str]] = {}
    for secret_id, name in session.execute(query):
        targets.setdefault(secret_id, []).append(name)
    return targets


def _group_keys(row: _Row, group_by: str, targets: dict[int, list[str]]) -> list[str]:
    if group_by == "target":
        return targets.get(row.id, [])
    if group_by == "org":
        return sorted({organisation(name) for name in targets.get(row.id, [])})
    if group_by == "owner":
        return [row.owner or UNASSIGNED]
    if group_by == "month":
        return [row.exposed_at.strftime("%Y-%m")]
    return [getattr(row, group_by)]


def organisation(target: str) -> str:
    """``host/org`` of an organisation repository's target name (``github.com/acme/agents`` ->
    ``github.com/acme``; a GitLab subgroup's project counts under its top group); any other target
    (a path, a URL) is its own group."""
    match = _ORG_TARGET.match(target)
    return f"{match.group(1)}/{match.group(2)}" if match else target
