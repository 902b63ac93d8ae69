"""The leadership report: one self-contained HTML file (inline CSS, inline SVG, no script, no link).

Sections: headline figures (each with a "based on N secrets" note when N is small), the open backlog
per week (open and breached), time to remediate per month against the SLA line, how secrets were
remediated (through sprawl or by people), open secrets by age, triage outcomes, breakdowns by owner
or team, provider and repository, the breached secrets (redacted previews only) and what each figure
means. Every chart has axes with units (``tracker.exports.svg``). Every piece of text that comes from
the tracker goes through :func:`secret_sprawl.tracker.safe_text.html_text`. The page is responsive
(viewport meta, fluid charts, no text under 12 px on a 390 px phone) and has print styles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from secret_sprawl.tracker.exports.svg import Series, columns, hbars, number
from secret_sprawl.tracker.metrics import Metrics
from secret_sprawl.tracker.safe_text import html_text as _e

_DAY = 86_400
SMALL_N = 5  # below this many secrets, a figure says how many it is based on
_MONTHS_SHOWN = 12
_BREACHED_SHOWN = 100
_STYLESHEET = Path(__file__).resolve().parent / "report.css"
_BREAKDOWNS = (("owner", "By owner or team"), ("provider", "By provider"), ("target", "By repository"))
BREAKDOWNS = tuple(name for name, _ in _BREAKDOWNS)
_REASONS = {"false-positive": "False positive", "used-in-tests": "Used in tests",
            "accepted-risk": "Accepted risk", "revoked": "Revoked", "rotated": "Rotated"}


def metrics_html(metrics: Metrics, *, generated_at: datetime) -> str:
    css = _STYLESHEET.read_text(encoding="utf-8")
    since = f" · remediations since {_day(metrics.since)}" if metrics.since else ""
    start = "first detection by sprawl" if metrics.sla_clock == "detected" else "exposure (first commit)"
    sla = (f"SLA: revoke within {metrics.sla_days:g} days of {start}, warning from {metrics.warn_ratio:.0%}; "
           f"secrets at {metrics.min_confidence} confidence or higher")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Secret sprawl: remediation report</title>",
        f"<style>{css}</style></head><body><main>",
        "<h1>Secret sprawl: remediation report</h1>",
        f'<p class="meta">Generated {_stamp(generated_at)} · as of {_stamp(metrics.as_of)}{since}'
        f"<br>{_e(sla)}</p>",
        _kpis(metrics),
        '<div class="charts">',
        _backlog(metrics),
        _mttr_trend(metrics),
        _figure("Open secrets by age", hbars(
            [(f"{bucket} days", count) for bucket, count in metrics.age_buckets.items()],
            x_unit="open secrets", title="Open secrets by days since exposure", css="bar"),
            "Open secrets by days since exposure; the last bar is past the default SLA."),
        _figure("Triage outcomes", hbars(
            [(label, metrics.resolved_by_reason.get(reason, 0)) for reason, label in _REASONS.items()],
            x_unit="secrets closed", title="Secrets closed, by resolution", css="bar alt"),
            "Secrets closed by resolution: false positives, test credentials and accepted risks are not "
            "in the MTTR."),
        "</div>",
        _methods(metrics),
        *(_breakdown(heading, metrics.breakdowns[name]) for name, heading in _BREAKDOWNS
          if name in metrics.breakdowns),
        _group_by(metrics),
        _breached(metrics),
        _definitions(metrics),
        "</main></body></html>",
        "",
    ])


def _kpis(m: Metrics) -> str:
    share = "n/a" if m.within_sla_share is None else f"{m.within_sla_share:.0%}"
    owner_share = "n/a" if m.owner_known_share is None else f"{m.owner_known_share:.0%}"
    cards = [
        ("Time exposed (MTTR, median)", _days(m.mttr_median_seconds),
         f"mean {_days(m.mttr_mean_seconds)} · p90 {_days(m.mttr_p90_seconds)}{_n(m.mttr_count)}", False),
        ("Time to remediate after detection (median)", _days(m.after_detection.median_seconds),
         f"p90 {_days(m.after_detection.p90_seconds)}{_n(m.after_detection.count)}", False),
        ("Remediated within SLA", share, f"{m.resolved_late_count} resolved late{_n(m.mttr_count)}",
         m.resolved_late_count > 0),
        ("Open secrets", str(m.open_count), f"{m.approaching_count} approaching the SLA", False),
        ("Open, SLA breached", str(m.breached_count), "listed below", m.breached_count > 0),
        ("Exposure (secret-days)", number(m.exposure_secret_days), "days open, summed over open secrets",
         False),
        ("Open secrets with an owner", owner_share, f"{m.open_with_owner_count} of {m.open_count}", False),
        ("Time to owner (median)", _days(m.time_to_owner.median_seconds),
         f"detection to first assignment{_n(m.time_to_owner.count)}", False),
    ]
    items = "".join(
        f'<div class="kpi{" bad" if bad else ""}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div><div class="sub">{_e(sub)}</div></div>'
        for label, value, sub, bad in cards
    )
    return f'<section class="kpis">{items}</section>'


def _backlog(m: Metrics) -> str:
    if not m.backlog_weekly:
        return _figure("Open backlog per week", "", "No weekly backlog in this export.")
    labels = [_e(point.at.strftime("%m-%d")) for point in m.backlog_weekly]
    chart = columns(labels, [
        Series("open", [p.open_count for p in m.backlog_weekly], "bar"),
        Series("SLA breached", [p.breached_count for p in m.backlog_weekly], "bar bad"),
    ], y_unit="secrets", x_title="week ending (month-day, UTC)", title="Open and breached secrets per week",
        whole=True)
    return _figure("Open backlog per week", chart,
                   "Open secrets and, of those, SLA breached, at the end of each of the last "
                   f"{len(labels)} weeks (the last one ends at the report time).")


def _mttr_trend(m: Metrics) -> str:
    months = m.per_month[-_MONTHS_SHOWN:]
    if not months:
        return _figure("Time to remediate by month", "", "No remediation yet: nothing revoked or rotated.")
    chart = columns(
        [_e(stat.month) for stat in months],
        [Series("mean time to remediate", [stat.mean_seconds / _DAY for stat in months], "bar")],
        y_unit="days", x_title="month of resolution (UTC)", title="Mean days to remediate per month",
        reference=(m.sla_days, f"SLA {m.sla_days:g} days"))
    small = [f"{stat.month} (n={stat.count})" for stat in months if stat.count < SMALL_N]
    note = f" Months based on fewer than {SMALL_N} secrets: {', '.join(small)}." if small else ""
    return _figure("Time to remediate by month", chart,
                   "Mean days from exposure to revocation or rotation, per month of resolution; dashed "
                   f"line: the {m.sla_days:g}-day SLA.{note}")


@dataclass(frozen=True, slots=True)
class _Column:
    title: str
    css: str = ""  # num | name | owner | date | preview | note


def _table(columns: Sequence[_Column], rows: Iterable[Sequence[str]]) -> str:
    """A table of already safe cells; on a phone each row becomes a card of "title: value" lines
    (each cell carries its column's title in ``data-label``), so nothing scrolls sideways."""
    head = "".join(f'<th class="{c.css}">{_e(c.title)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c.css}" data-label="{_e(c.title)}">{cell}</td>'
                         for c, cell in zip(columns, row, strict=True)) + "</tr>"
        for row in rows
    )
    return (f'<div class="table-wrap"><table class="cards"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _methods(m: Metrics) -> str:
    rows = [
        ("Revoked through sprawl", m.by_method["sprawl"]),
        ("Remediated by people", m.by_method["people"]),
        ("All remediations, after detection", m.after_detection),
        ("Time to owner (detection to assignment)", m.time_to_owner),
    ]
    columns = (_Column("Measure", "name"), _Column("Secrets", "num"), _Column("Median", "num"),
               _Column("p90", "num"), _Column("Note", "note"))
    cells = [(_e(label), str(stats.count), _e(_days(stats.median_seconds)), _e(_days(stats.p90_seconds)),
              _e(_n(stats.count).strip(" ·"))) for label, stats in rows]
    return ("<h2>How secrets were remediated, and how fast owners were found</h2>" + _table(columns, cells)
            + '<p class="caption">"Through sprawl": revoked by <code>sprawl revoke</code> and confirmed dead '
            "by the provider. Durations for the first two rows run from exposure.</p>")


def _breakdown(heading: str, groups: dict[str, Metrics]) -> str:
    if not groups:
        return f'<h2>{_e(heading)}</h2><p class="empty">No secrets.</p>'
    ordered = sorted(groups.items(), key=lambda item: (-item[1].open_count, -item[1].secrets_count, item[0]))
    columns = (_Column("Name", "name"), *(_Column(title, "num") for title in (
        "Open", "Breached", "Owner known", "Remediated", "MTTR median", "Within SLA")))
    rows = []
    for key, group in ordered:
        share = "n/a" if group.within_sla_share is None else f"{group.within_sla_share:.0%}"
        owned = "n/a" if group.owner_known_share is None else f"{group.owner_known_share:.0%}"
        mttr = _days(group.mttr_median_seconds) + _n(group.mttr_count)
        values = (key, group.open_count, group.breached_count, owned, group.mttr_count, mttr, share)
        rows.append([_e(str(value)) for value in values])
    return f"<h2>{_e(heading)}</h2>" + _table(columns, rows)


def _group_by(m: Metrics) -> str:
    if not m.groups or m.group_by in m.breakdowns:
        return ""
    return _breakdown(f"By {m.group_by}", m.groups)


def _breached(m: Metrics) -> str:
    if not m.breached:
        return "<h2>Breached secrets</h2><p class=\"empty\">No open secret is past its SLA deadline.</p>"
    shown = m.breached[:_BREACHED_SHOWN]
    columns = (_Column("ID", "num"), _Column("Provider", "name"), _Column("Owner", "owner"),
               _Column("Days overdue", "num"), _Column("Exposed", "date"),
               _Column("Preview (redacted)", "preview"))
    rows = [(str(item.id), _e(item.provider), _e(item.owner or "(unassigned)"), _e(number(item.days_overdue)),
             _day(item.exposed_at), f"<code>{_e(item.redacted)}</code>") for item in shown]
    more = (f'<p class="caption">And {len(m.breached) - len(shown)} more: '
            "<code>sprawl secrets list --sla breached</code>.</p>") if len(m.breached) > len(shown) else ""
    return f"<h2>Breached secrets ({len(m.breached)})</h2>" + _table(columns, rows) + more


def _definitions(m: Metrics) -> str:
    start = "first detected by sprawl" if m.sla_clock == "detected" else "first committed (exposed)"
    terms = [
        ("Exposure (secret-days)",
         "For every open secret, the days since it was first committed, added up: three secrets open "
         "for ten days each are 30 secret-days. It grows every day a secret stays open, so it falls "
         "only when secrets are revoked."),
        ("Time exposed (MTTR)",
         "From the first commit that held a secret to its revocation or rotation. Mean, median and p90 "
         "(nearest rank: a duration that actually occurred) over the secrets revoked or rotated."),
        ("Time to remediate after detection", "From when sprawl first found a secret to its remediation."),
        ("SLA", f"A secret must be revoked within {m.sla_days:g} days of when it was {start}; "
                "\"resolved late\" counts those revoked or rotated after that deadline."),
        ("Time to owner", "From detection to the first time someone was made responsible for the secret."),
        ("Small samples", f"A figure based on fewer than {SMALL_N} secrets says so: read it as anecdote."),
    ]
    items = "".join(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>" for term, text in terms)
    return f"<h2>What the numbers mean</h2><dl>{items}</dl>"


def _figure(heading: str, chart: str, caption: str) -> str:
    body = chart or f'<p class="empty">{_e(caption)}</p>'
    tail = f"<figcaption>{_e(caption)}</figcaption>" if chart else ""
    return f"<figure><h2>{_e(heading)}</h2>{body}{tail}</figure>"


def _n(count: int) -> str:
    """The small-sample note, empty from ``SMALL_N`` secrets on."""
    if count == 0 or count >= SMALL_N:
        return ""
    return f" · based on {count} secret{'' if count == 1 else 's'}"


def _days(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / _DAY:,.1f} days"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _day(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d")

