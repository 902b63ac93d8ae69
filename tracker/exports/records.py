"""Flat, JSON-ready views of metrics and secret rows, shared by the export formats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secret_sprawl.tracker.metrics import Durations, Metrics
from secret_sprawl.tracker.queries import SecretRow

SUMMARY_FIELDS = (
    "mttr_count", "mttr_mean_seconds", "mttr_median_seconds", "mttr_p90_seconds", "mttr_min_seconds",
    "mttr_max_seconds", "within_sla_share", "resolved_count", "inactive_at_discovery_count", "open_count",
    "approaching_count", "breached_count", "exposure_secret_days",
)
SECRET_FIELDS = (
    "id", "fingerprint", "status", "sla_state", "age_days", "days_left", "deadline", "provider", "rule_id",
    "category", "lifetime", "severity", "places", "targets_count", "shared", "in_head", "owner", "exposed_at",
    "first_seen_at", "last_seen_at", "resolved_at", "resolution_note", "verification_state", "confidence",
    "suggested_resolution", "redacted",
)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def summary(metrics: Metrics) -> dict[str, Any]:
    """The scalar metrics plus open secrets by age bucket (keys ``open_age_<bucket>``) and the
    leadership figures: time after detection, by how remediated, time to owner, owner share, triage."""
    values: dict[str, Any] = {name: getattr(metrics, name) for name in SUMMARY_FIELDS}
    values.update({f"open_age_{bucket}": count for bucket, count in metrics.age_buckets.items()})
    values.update({
        "resolved_late_count": metrics.resolved_late_count,
        "after_detection": durations(metrics.after_detection),
        "by_method": {method: durations(stats) for method, stats in metrics.by_method.items()},
        "time_to_owner": durations(metrics.time_to_owner),
        "open_with_owner_count": metrics.open_with_owner_count,
        "owner_known_share": metrics.owner_known_share,
        "resolved_by_reason": dict(metrics.resolved_by_reason),
    })
    return values


def durations(stats: Durations) -> dict[str, Any]:
    return {"count": stats.count, "mean_seconds": stats.mean_seconds, "median_seconds": stats.median_seconds,
            "p90_seconds": stats.p90_seconds}


def metrics_document(metrics: Metrics, *, generated_at: datetime) -> dict[str, Any]:
    """The whole report as one JSON document."""
    return {
        "generated_at": iso(generated_at),
        "as_of": iso(metrics.as_of),
        "since": iso(metrics.since),
        "min_confidence": metrics.min_confidence,
        "sla": {"days": metrics.sla_days, "warn_ratio": metrics.warn_ratio, "clock": metrics.sla_clock},
        "summary": {**summary(metrics), "open_by_provider": metrics.open_by_provider},
        "per_month": [
            {"month": m.month, "count": m.count, "mean_seconds": m.mean_seconds,
             "median_seconds": m.median_seconds}
            for m in metrics.per_month
        ],
        "backlog_weekly": [{"at": iso(p.at), "open_count": p.open_count, "breached_count": p.breached_count}
                           for p in metrics.backlog_weekly],
        "monthly": [{"month": m.as_of.strftime("%Y-%m"), "since": iso(m.since), "as_of": iso(m.as_of),
                     **summary(m)} for m in metrics.monthly],
        "breached": [{"id": b.id, "provider": b.provider, "rule_id": b.rule_id, "owner": b.owner,
                      "redacted": b.redacted, "exposed_at": iso(b.exposed_at), "deadline": iso(b.deadline),
                      "days_overdue": round(b.days_overdue, 6)} for b in metrics.breached],
        "group_by": metrics.group_by,
        "groups": {key: summary(group) for key, group in metrics.groups.items()},
        "ci_inventory": metrics.ci_inventory,
    }


def secret_record(row: SecretRow) -> dict[str, Any]:
    """A secret with its status and SLA status as of the query's instant, in ``SECRET_FIELDS`` order;
    datetimes as ISO 8601."""
    derived = {
        "status": row.status, "resolved_at": row.resolved_at,
        "sla_state": row.sla.state, "age_days": round(row.sla.age_days, 3),
        "days_left": round(row.sla.days_left, 3), "deadline": row.sla.deadline, "shared": row.shared,
        "suggested_resolution": row.suggestion,
    }
    values = {name: derived[name] if name in derived else getattr(row.secret, name) for name in SECRET_FIELDS}
    return {name: iso(value) if isinstance(value, datetime) else value for name, value in values.items()}
