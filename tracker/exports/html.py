"""The leadership report: one self-contained HTML file with inline SVG charts and inline CSS.

Charts: MTTR per month of resolution against the SLA line, open secrets by age bucket, and the
providers with the most open secrets. The page states when it was generated, the "as of" time and
the SLA it used; it is responsive (viewport meta, fluid SVG) and has print styles. Every piece of
text from the database is HTML-escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from secret_sprawl.tracker.metrics import Metrics

_DAY = 86_400
_TOP_PROVIDERS = 8
_STYLESHEET = Path(__file__).resolve().parent / "report.css"


def metrics_html(metrics: Metrics, *, generated_at: datetime) -> str:
    css = _STYLESHEET.read_text(encoding="utf-8")
    since = f" · resolutions since {_e(_day(metrics.since))}" if metrics.since else ""
    sla = f"SLA: revoke within {metrics.sla_days:g} days of exposure, warning from {metrics.warn_ratio:.0%}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Secret sprawl: remediation report</title>",
        f"<style>{css}</style></head><body>",
        "<h1>Secret sprawl: remediation report</h1>",
        f'<p class="meta">Generated {_e(_stamp(generated_at))} · as of {_e(_stamp(metrics.as_of))}{since}'
        f"<br>{_e(sla)}</p>",
        _kpis(metrics),
        "<h2>Time to remediate by month</h2>",
        _bar_chart(
            [(m.month, m.mean_seconds / _DAY) for m in metrics.per_month], unit="days",
            reference=metrics.sla_days,
            caption=f"Mean days from exposure to revocation or rotation, per month of resolution; "
                    f"dashed line: the {metrics.sla_days:g}-day SLA.",
        ),
        "<h2>Open secrets by age</h2>",
        _bar_chart(
            [(f"{bucket} days", count) for bucket, count in metrics.age_buckets.items()], unit="secrets",
            highlight={">27 days"}, caption="Open secrets by days since exposure.",
        ),
        "<h2>Top providers (open secrets)</h2>",
        _bar_chart(
            list(metrics.open_by_provider.items())[:_TOP_PROVIDERS], unit="secrets",
            caption=f"The {_TOP_PROVIDERS} providers with the most open secrets.",
        ),
        _groups(metrics),
        "</body></html>",
        "",
    ])


def _kpis(metrics: Metrics) -> str:
    share = "n/a" if metrics.within_sla_share is None else f"{metrics.within_sla_share:.0%}"
    cards = [
        ("MTTR (mean)", _days(metrics.mttr_mean_seconds), False),
        ("MTTR (median)", _days(metrics.mttr_median_seconds), False),
        ("MTTR (p90)", _days(metrics.mttr_p90_seconds), False),
        ("Remediated", str(metrics.mttr_count), False),
        ("Within SLA", share, False),
        ("Open", str(metrics.open_count), False),
        ("Open, SLA breached", str(metrics.breached_count), metrics.breached_count > 0),
        ("Exposure (secret-days)", f"{metrics.exposure_secret_days:,.1f}", False),
    ]
    items = "".join(
        f'<div class="kpi{" bad" if bad else ""}"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div></div>'
        for label, value, bad in cards
    )
    return f'<section class="kpis">{items}</section>'


def _bar_chart(
    items: list[tuple[str, float]], *, unit: str, caption: str, reference: float | None = None,
    highlight: frozenset[str] | set[str] = frozenset(),
) -> str:
    if not items:
        return f'<p class="empty">No data yet. {_e(caption)}</p>'
    label_w, chart_w, row_h, pad = 110, 420, 26, 6
    scale_max = max([value for _, value in items] + ([reference] if reference else [])) or 1.0
    height = len(items) * row_h + 2 * pad + (16 if reference else 0)
    parts = [
        f'<svg viewBox="0 0 {label_w + chart_w + 70} {height}" role="img" '
        f'aria-label="{_e(caption)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(items):
        y = pad + index * row_h
        width = chart_w * value / scale_max
        over = label in highlight or (reference is not None and value > reference)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row_h * 0.65:.1f}" text-anchor="end">{_e(label)}</text>'
            f'<rect class="bar{" over" if over else ""}" x="{label_w}" y="{y + 3}" width="{width:.1f}" '
            f'height="{row_h - 6}"><title>{_e(f"{label}: {value:,.1f} {unit}")}</title></rect>'
            f'<text x="{label_w + width + 4:.1f}" y="{y + row_h * 0.65:.1f}">{_short(value)}</text>'
        )
    if reference is not None:
        x = label_w + chart_w * reference / scale_max
        bottom = pad + len(items) * row_h
        parts.append(
            f'<line class="sla" x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{bottom}"/>'
            f'<text x="{x:.1f}" y="{bottom + 13}" text-anchor="middle">SLA {reference:g} {_e(unit)}</text>'
        )
    parts.append("</svg>")
    return f'<figure>{"".join(parts)}<figcaption>{_e(caption)}</figcaption></figure>'


def _groups(metrics: Metrics) -> str:
    if not metrics.groups:
        return ""
    header = ("Group", "Open", "Breached", "Remediated", "MTTR mean (days)", "MTTR p90 (days)", "Within SLA")
    rows = []
    for key, group in metrics.groups.items():
        share = "n/a" if group.within_sla_share is None else f"{group.within_sla_share:.0%}"
        cells = (group.open_count, group.breached_count, group.mttr_count, _days(group.mttr_mean_seconds),
                 _days(group.mttr_p90_seconds), share)
        rows.append(f"<tr><td>{_e(key)}</td>" + "".join(f'<td class="num">{_e(str(c))}</td>' for c in cells)
                    + "</tr>")
    head = "".join(f'<th{"" if i == 0 else " class=num"}>{_e(h)}</th>' for i, h in enumerate(header))
    return (f"<h2>By {_e(metrics.group_by or 'group')}</h2>"
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></div>")


def _short(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _days(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / _DAY:,.1f} d"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _day(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d")


def _e(text: str) -> str:
    return escape(text, quote=True)
