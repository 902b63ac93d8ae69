"""Inline SVG charts for the HTML report: every chart has labelled axes with ticks and a unit.

Charts are drawn in a 360-unit-wide view box with 13-unit text, so that on a 390 px phone (about
360 px of content) the text renders at 12 px or more, and the page scales them up on wider screens.
Callers pass text already made safe for HTML (:func:`secret_sprawl.tracker.safe_text.html_text`);
numbers are formatted here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 360
_FONT = 13
_CHAR = _FONT * 0.6  # a generous average glyph width, to keep x labels apart
_LEFT, _RIGHT, _TOP = 44, 10, 22


@dataclass(frozen=True, slots=True)
class Series:
    name: str  # legend text, HTML-safe
    values: Sequence[float]
    css: str  # class of the bars: "bar", "bar alt", "bar bad"


def ticks(top: float, *, whole: bool = False) -> list[float]:
    """Axis ticks from 0 to at least ``top``: about four steps of 1, 2, 2.5 or 5 times a power of ten
    (whole numbers only when ``whole``, for counts)."""
    raw = max(top, 1e-9 if not whole else 1) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = 10 * power
    for multiple in (1, 2, 2.5, 5):
        candidate = multiple * power
        if candidate >= raw - 1e-9 and not (whole and candidate != int(candidate)):
            step = candidate
            break
    if whole:
        step = max(1.0, step)
    steps = max(1, math.ceil(max(top, 0) / step - 1e-9))
    return [step * index for index in range(steps + 1)]


def number(value: float) -> str:
    """A short label: integers without decimals, others with one."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def columns(
    labels: Sequence[str], series: Sequence[Series], *, y_unit: str, x_title: str, title: str,
    reference: tuple[float, str] | None = None, whole: bool = False,
) -> str:
    """Vertical (grouped) columns: one group per label, one bar per series; a y axis in ``y_unit``
    with four ticks, an x axis titled ``x_title``, a legend when there is more than one series, and an
    optional dashed horizontal reference line (value, HTML-safe caption)."""
    height, bottom = 230, 58
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, height - _TOP - bottom
    top = max([value for item in series for value in item.values] + [reference[0] if reference else 0])
    marks = ticks(top, whole=whole)
    y = _scaler(plot_h, marks[-1])
    parts = [_open(height, title), _y_axis(marks, y, plot_w, y_unit)]
    slot = plot_w / max(1, len(labels))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    for index, label in enumerate(labels):
        x0 = _LEFT + index * slot + slot * 0.1
        for offset, item in enumerate(series):
            value = item.values[index]
            top = y(value)
            parts.append(f'<rect class="{item.css}" x="{x0 + offset * bar_w:.1f}" y="{top:.1f}" '
                         f'width="{bar_w:.1f}" height="{_TOP + plot_h - top:.1f}">'
                         f"<title>{label}: {item.name} {number(value)} {y_unit}</title></rect>")
    step = max(1, math.ceil(max((len(label) for label in labels), default=1) * _CHAR / slot))
    for index in range(len(labels) - 1, -1, -step):  # always label the newest
        parts.append(f'<text x="{_LEFT + (index + 0.5) * slot:.1f}" y="{_TOP + plot_h + 16}" '
                     f'text-anchor="middle">{labels[index]}</text>')
    parts.append(f'<text class="axis-title" x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h + 34}" '
                 f'text-anchor="middle">{x_title}</text>')
    if reference is not None:
        level = y(reference[0])
        parts.append(f'<line class="sla" x1="{_LEFT}" y1="{level:.1f}" x2="{_LEFT + plot_w}" '
                     f'y2="{level:.1f}"/>'
                     f'<text class="sla-label" x="{_LEFT + plot_w}" y="{level - 4:.1f}" '
                     f'text-anchor="end">{reference[1]}</text>')
    if len(series) > 1:
        parts.append(_legend(series, height - 8))
    parts.append("</svg>")
    return "".join(parts)


def hbars(
    items: Sequence[tuple[str, float]], *, x_unit: str, title: str, css: str = "bar", whole: bool = True,
) -> str:
    """Horizontal bars, one per (HTML-safe label, value), with an x axis in ``x_unit``."""
    row_h, label_w = 24, 112
    plot_w = WIDTH - label_w - 28
    plot_h = len(items) * row_h
    height = _TOP + plot_h + 44
    marks = ticks(max((value for _, value in items), default=0), whole=whole)
    scale_max = marks[-1]
    parts = [_open(height, title)]
    for tick in marks:
        x = label_w + plot_w * tick / scale_max
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{_TOP + plot_h}"/>'
                     f'<text x="{x:.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{number(tick)}</text>')
    for index, (label, value) in enumerate(items):
        top = _TOP + index * row_h
        width = plot_w * value / scale_max
        parts.append(f'<text x="{label_w - 6}" y="{top + row_h * 0.68:.1f}" text-anchor="end">{label}</text>'
                     f'<rect class="{css}" x="{label_w}" y="{top + 4}" width="{width:.1f}" '
                     f'height="{row_h - 8}">'
                     f"<title>{label}: {number(value)} {x_unit}</title></rect>")
    parts.append(f'<line class="axis" x1="{label_w}" y1="{_TOP + plot_h}" x2="{label_w + plot_w}" '
                 f'y2="{_TOP + plot_h}"/>'
                 f'<text class="axis-title" x="{label_w + plot_w / 2:.1f}" y="{_TOP + plot_h + 34}" '
                 f'text-anchor="middle">{x_unit}</text></svg>')
    return "".join(parts)


def _open(height: int, title: str) -> str:
    return (f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>')


def _scaler(plot_h: float, scale_max: float) -> Callable[[float], float]:
    return lambda value: _TOP + plot_h - plot_h * value / scale_max


def _y_axis(marks: list[float], y: Callable[[float], float], plot_w: float, unit: str) -> str:
    parts = [f'<text class="axis-title" x="4" y="{_TOP - 8}">{unit}</text>']
    for tick in marks:
        level = y(tick)
        parts.append(f'<line class="grid" x1="{_LEFT}" y1="{level:.1f}" x2="{_LEFT + plot_w}" '
                     f'y2="{level:.1f}"/>'
                     f'<text x="{_LEFT - 5}" y="{level + 4:.1f}" text-anchor="end">{number(tick)}</text>')
    parts.append(f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{y(0):.1f}"/>'
                 f'<line class="axis" x1="{_LEFT}" y1="{y(0):.1f}" x2="{_LEFT + plot_w}" y2="{y(0):.1f}"/>')
    return "".join(parts)


def _legend(series: Sequence[Series], baseline: float) -> str:
    parts, x = [], _LEFT
    for item in series:
        parts.append(f'<rect class="{item.css}" x="{x}" y="{baseline - 10}" width="12" height="12"/>'
                     f'<text x="{x + 16}" y="{baseline}">{item.name}</text>')
        x += 28 + len(item.name) * _CHAR
    return "".join(parts)
