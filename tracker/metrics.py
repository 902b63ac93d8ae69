"""Remediation metrics for leadership: MTTR, SLA compliance, open-secret ageing, exposure, ownership.

Definitions (all "as of" a fixed instant, so a report can be reproduced):

- A secret exists as of ``as_of`` if it was exposed by then. It counts as *open* as of ``as_of``
  unless it has a ``resolved_at`` at or before ``as_of`` (states are read from the current rows,
  so a secret reopened since is open throughout; the owner is the current one).
- MTTR population: secrets resolved as ``revoked`` or ``rotated`` by ``as_of`` (and at or after
  ``since`` when given), excluding those found already inactive at discovery. False positives,
  test credentials and accepted risks are never in it. Time exposed (the MTTR) = ``resolved_at -
  exposed_at``; time to remediate after detection = ``resolved_at - first_seen_at`` (0 when it was
  resolved before sprawl saw it).
- mean and median are the usual ones (the median of an even count is the mean of the two middle
  values); p90 uses the **nearest-rank** method: the value at rank ``ceil(0.9 * n)`` of the sorted
  durations, always a duration that actually occurred.
- within_sla_share: the share of the MTTR population resolved no later than its SLA deadline (the
  deadline follows ``[sla] clock``, see ``tracker.sla``); resolved_late_count: the others.
- By how remediated: ``sprawl`` when a revoked secret has a ``revoked-by-sprawl`` event (by
  ``as_of``, not followed by a ``reopened`` one), ``people`` for every other remediation.
- Time to owner: first detection (``first_seen_at``) to the secret's first ``assigned`` event, over
  the secrets first assigned by ``as_of`` (and at or after ``since``). Owner known share: the open
  secrets with an owner, over the open secrets.
- Triage outcomes (resolved_by_reason): resolutions by reason, counted like ``resolved_count``.
- Open secrets by age bucket, in days since exposure: ``0-7`` is [0, 7), ``7-14`` [7, 14),
  ``14-21`` [14, 21), ``21-27`` [21, 27], ``>27`` beyond 27 days. Breached: open secrets past their
  SLA deadline. Exposure: the sum of the ages, in days since exposure, of the open secrets
  (secret-days: one secret open for ten days is ten secret-days).
- per_month: MTTR per calendar month (UTC) of resolution, the trend line.
- group_by: the same numbers per target, organisation (``host/org`` of targets named
  ``host/org/repo``), provider, category, owner, or month of exposure; a secret found in several
  targets (or organisations) counts in each of them.
- min_confidence: only secrets at that confidence or higher count anywhere (default medium, so
  placeholders and test fixtures recorded at low confidence do not move the SLA or MTTR).

:func:`compute_report` adds what only the leadership report shows: the weekly open-backlog trend,
the breached secrets, monthly snapshots and several breakdowns at once.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from secret_sprawl.detectors.types import Confidence
from secret_sprawl.tracker.confidence import DEFAULT_FLOOR, at_least
from secret_sprawl.tracker.models.core import RESOLVED_STATUSES, Event, Occurrence, Secret, Target
from secret_sprawl.tracker.revocation import REVOKED_BY_SPRAWL  # written once the provider confirms
from secret_sprawl.tracker.sla import SlaPolicy, SlaState
from sqlalchemy import func, select
from sqlmodel import Session

GROUP_BY = ("target", "org", "provider", "category", "owner", "month")
# host/org/... of an organisation's repository (github.com/acme/agents, huggingface.co/datasets/acme/x)
_ORG_TARGET = re.compile(r"^([a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)/(?:(?:datasets|spaces)/)?([^/]+)/[^/]")
AGE_BUCKETS = ("0-7", "7-14", "14-21", "21-27", ">27")
MTTR_STATUSES = frozenset({"revoked", "rotated"})
METHODS = ("sprawl", "people")  # how a remediation was done
ASSIGNED = "assigned"
REOPENED = "reopened"
UNASSIGNED = "(unassigned)"
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Durations:
    """Count, mean, median and nearest-rank p90 of a set of durations in seconds (None when empty)."""

    count: int = 0
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> Durations:
        ordered = sorted(values)
        if not ordered:
            return cls()
        return cls(len(ordered), statistics.fmean(ordered), statistics.median(ordered),
                   nearest_rank(ordered, 90))


@dataclass(frozen=True, slots=True)
class MonthStat:
    month: str  # YYYY-MM of resolution
    count: int
    mean_seconds: float
    median_seconds: float


@dataclass(frozen=True, slots=True)
class WeekPoint:
    at: datetime  # the end of the week (the report's as_of, then 7, 14, ... days before)
    open_count: int
    breached_count: int


@dataclass(frozen=True, slots=True)
class BreachedSecret:
    id: int
    provider: str
    rule_id: str
    owner: str | None
    redacted: str  # the tracker's redacted preview, never the value
    exposed_at: datetime
    deadline: datetime
    days_overdue: float


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
    sla_clock: str = "exposed"
    resolved_late_count: int = 0  # remediated (revoked/rotated) after the SLA deadline
    after_detection: Durations = Durations()  # time to remediate after detection
    by_method: dict[str, Durations] = field(default_factory=lambda: dict.fromkeys(METHODS, Durations()))
    time_to_owner: Durations = Durations()
    open_with_owner_count: int = 0
    resolved_by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESOLVED_STATUSES, 0))
    # Only from compute_report:
    backlog_weekly: list[WeekPoint] = field(default_factory=list)
    breached: list[BreachedSecret] = field(default_factory=list)
    monthly: list[Metrics] = field(default_factory=list)  # snapshots at each month's end, oldest first
    breakdowns: dict[str, dict[str, Metrics]] = field(default_factory=dict)

    @property
    def owner_known_share(self) -> float | None:
        return self.open_with_owner_count / self.open_count if self.open_count else None


class _Row(NamedTuple):
    id: int
    status: str
    provider: str
    category: str
    lifetime: str
    owner: str | None
    exposed_at: datetime
    first_seen_at: datetime
    resolved_at: datetime | None
    inactive_at_discovery: bool
    rule_id: str
    redacted: str
    assigned_at: datetime | None = None  # first "assigned" event
    sprawl_revoked_at: datetime | None = None  # latest "revoked-by-sprawl" event
    reopened_at: datetime | None = None  # latest "reopened" event


_SECRET_COLUMNS = _Row._fields[:12]


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
    rows = _load(session, as_of, min_confidence)
    return _with_groups(session, rows, policy, as_of, since, group_by, min_confidence)


def _with_groups(
    session: Session, rows: list[_Row], policy: SlaPolicy, as_of: datetime, since: datetime | None,
    group_by: str | None, floor: Confidence,
) -> Metrics:
    metrics = _summarise(rows, policy, as_of, since, floor)
    if group_by is None:
        return metrics
    return replace(metrics, group_by=group_by, groups=_grouped(session, rows, group_by, policy, as_of, since,
                                                                floor))


def compute_report(
    session: Session, policy: SlaPolicy, *, as_of: datetime, since: datetime | None = None,
    group_by: str | None = None, min_confidence: Confidence = DEFAULT_FLOOR,
    breakdowns: Sequence[str] = (), weeks: int = 12, months: int = 12,
) -> Metrics:
    """:func:`compute_metrics` plus the open backlog at the end of each of the last ``weeks`` weeks,
    the breached secrets (most overdue first), snapshots at the end of each of the last ``months``
    calendar months (each counting the remediations of its month: as_of its end, since its start) and
    one grouping per name in ``breakdowns``."""
    rows = _load(session, as_of, min_confidence)
    metrics = _with_groups(session, rows, policy, as_of, since, group_by, min_confidence)

    def snapshot(instant: datetime, start: datetime | None) -> Metrics:
        exposed = [row for row in rows if row.exposed_at <= instant]
        return _summarise(exposed, policy, instant, start, min_confidence)

    week_ends = [as_of - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    return replace(
        metrics, backlog_weekly=_backlog(rows, policy, week_ends), breached=_breached(rows, policy, as_of),
        monthly=[snapshot(end, start) for start, end in month_spans(as_of, months)],
        breakdowns={name: _grouped(session, rows, name, policy, as_of, since, min_confidence)
                    for name in breakdowns},
    )


def month_spans(as_of: datetime, months: int) -> list[tuple[datetime, datetime]]:
    """(start, end) of the last ``months`` calendar months (UTC), oldest first; the current month
    ends at ``as_of``."""
    spans = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(as_of.year * 12 + as_of.month - 1 - back, 12)
        start = datetime(year, month + 1, 1, tzinfo=as_of.tzinfo)
        next_year, next_month = divmod(year * 12 + month + 1, 12)
        next_start = datetime(next_year, next_month + 1, 1, tzinfo=as_of.tzinfo)
        end = min(as_of, next_start - timedelta(microseconds=1))
        spans.append((start, end))
    return spans


def _load(session: Session, as_of: datetime, floor: Confidence) -> list[_Row]:
    columns = [getattr(Secret, name) for name in _SECRET_COLUMNS]
    query = select(*columns).where(Secret.exposed_at <= as_of, at_least(Secret.confidence, floor))
    events = _event_times(session, as_of)
    return [_Row(*row, *events.get(row[0], (None, None, None))) for row in session.execute(query)]


def _event_times(session: Session, as_of: datetime) -> dict[int, tuple[datetime | None, ...]]:
    """secret id -> (first assigned, latest revoked-by-sprawl, latest reopened), events by ``as_of``."""
    slots = {ASSIGNED: 0, REVOKED_BY_SPRAWL: 1, REOPENED: 2}
    query = (
        select(Event.secret_id, Event.kind, func.min(Event.at), func.max(Event.at))
        .where(Event.kind.in_(list(slots)), Event.at <= as_of, Event.secret_id.is_not(None))
        .group_by(Event.secret_id, Event.kind)
    )
    times: dict[int, list[datetime | None]] = {}
    for secret_id, kind, first, last in session.execute(query):
        times.setdefault(secret_id, [None, None, None])[slots[kind]] = first if kind == ASSIGNED else last
    return {key: tuple(value) for key, value in times.items()}


def _grouped(
    session: Session, rows: list[_Row], group_by: str, policy: SlaPolicy, as_of: datetime,
    since: datetime | None, floor: Confidence,
) -> dict[str, Metrics]:
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    groups: dict[str, list[_Row]] = {}
    targets = _targets_by_secret(session) if group_by in ("target", "org") else {}
    for row in rows:
        for key in _group_keys(row, group_by, targets):
            groups.setdefault(key, []).append(row)
    return {key: _summarise(groups[key], policy, as_of, since, floor) for key in sorted(groups)}


def _method(row: _Row) -> str:
    by_sprawl = (row.status == "revoked" and row.sprawl_revoked_at is not None
                 and (row.reopened_at is None or row.reopened_at < row.sprawl_revoked_at))
    return "sprawl" if by_sprawl else "people"


def _summarise(
    rows: Iterable[_Row], policy: SlaPolicy, as_of: datetime, since: datetime | None, floor: Confidence
) -> Metrics:
    durations: list[float] = []
    after_detection: list[float] = []
    by_method: dict[str, list[float]] = {method: [] for method in METHODS}
    to_owner: list[float] = []
    within = resolved = inactive = approaching = breached = with_owner = 0
    exposure_days = 0.0
    buckets = dict.fromkeys(AGE_BUCKETS, 0)
    reasons = dict.fromkeys(RESOLVED_STATUSES, 0)
    by_provider: dict[str, int] = {}
    months: dict[str, list[float]] = {}
    open_count = count = 0
    for row in rows:
        count += 1
        assigned = row.assigned_at
        if assigned is not None and assigned <= as_of and (since is None or assigned >= since):
            to_owner.append(max(0.0, (row.assigned_at - row.first_seen_at).total_seconds()))
        if row.resolved_at is not None and row.resolved_at <= as_of:
            if since is not None and row.resolved_at < since:
                continue
            resolved += 1
            reasons[row.status] = reasons.get(row.status, 0) + 1
            if row.inactive_at_discovery:
                inactive += 1
            elif row.status in MTTR_STATUSES:
                seconds = (row.resolved_at - row.exposed_at).total_seconds()
                durations.append(seconds)
                after_detection.append(max(0.0, (row.resolved_at - row.first_seen_at).total_seconds()))
                by_method[_method(row)].append(seconds)
                months.setdefault(row.resolved_at.strftime("%Y-%m"), []).append(seconds)
                status = policy.status(row.exposed_at, row.category, row.lifetime, now=as_of,
                                       resolved_at=row.resolved_at, detected_at=row.first_seen_at)
                within += not status.late
            continue
        status = policy.status(row.exposed_at, row.category, row.lifetime, now=as_of,
                               detected_at=row.first_seen_at)
        open_count += 1
        with_owner += row.owner is not None
        approaching += status.state == SlaState.APPROACHING
        breached += status.state == SlaState.BREACHED
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
        min_confidence=floor.value, sla_clock=policy.clock.value,
        resolved_late_count=len(durations) - within, after_detection=Durations.of(after_detection),
        by_method={method: Durations.of(values) for method, values in by_method.items()},
        time_to_owner=Durations.of(to_owner), open_with_owner_count=with_owner, resolved_by_reason=reasons,
    )


def _backlog(rows: Iterable[_Row], policy: SlaPolicy, instants: list[datetime]) -> list[WeekPoint]:
    """Open and breached counts at each instant (the same rules as :func:`_summarise`, which would
    compute everything else too): each secret's deadline is computed once."""
    spans = [(row.exposed_at, row.resolved_at,
              policy.status(row.exposed_at, row.category, row.lifetime, now=row.exposed_at,
                            detected_at=row.first_seen_at).deadline) for row in rows]
    points = []
    for instant in instants:
        open_count = breached = 0
        for exposed_at, resolved_at, deadline in spans:
            if exposed_at <= instant and (resolved_at is None or resolved_at > instant):
                open_count += 1
                breached += instant > deadline
        points.append(WeekPoint(instant, open_count, breached))
    return points


def _breached(rows: Iterable[_Row], policy: SlaPolicy, as_of: datetime) -> list[BreachedSecret]:
    found = []
    for row in rows:
        if row.resolved_at is not None and row.resolved_at <= as_of:
            continue
        status = policy.status(row.exposed_at, row.category, row.lifetime, now=as_of,
                               detected_at=row.first_seen_at)
        if status.state == SlaState.BREACHED:
            found.append(BreachedSecret(row.id, row.provider, row.rule_id, row.owner, row.redacted,
                                        row.exposed_at, status.deadline, -status.days_left))
    return sorted(found, key=lambda item: (-item.days_overdue, item.id))


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
