"""Charts drawn on the server as inline SVG: no JavaScript, readable without colour.

Each chart carries <title> and <desc> and is meant to sit in a <figure> next to a table
with the same numbers, for screen readers and for people who prefer to read figures.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1b1b1b"
GRID = "#c8c8c8"
# Okabe-Ito-based colours, each at least 3:1 against white (WCAG 1.4.11) and told apart
# with common colour-vision deficiencies; each line also has its own dash pattern and
# marker, so colour is never the only cue.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#AA4499", "#555555")
DASHES = ("", "6 4", "2 3", "8 3 2 3", "")
MARKERS = ("circle", "square", "diamond", "circle", "square")
FONT = "system-ui, sans-serif"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def axis(value: float, count: int = 4) -> tuple[int, int]:
    """(maximum, step) of a y axis that holds value in about `count` round whole steps."""
    if value <= 0:
        return 1, 1
    raw = value / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    return step * math.ceil(value / step), step


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def bar_chart(
    chart_id: str, title: str, desc: str, items: Sequence[tuple[str, int]], width: int = 640
) -> Markup:
    """Horizontal bars, one per (label, value), the value written at the end of each bar."""
    row, top, label_width, value_room = 26, 8, 170, 60
    height = top * 2 + row * max(len(items), 1)
    plot = width - label_width - value_room
    biggest = max((value for _label, value in items), default=0) or 1
    parts = [_open(chart_id, width, height, title, desc)]
    for index, (label, value) in enumerate(items):
        y = top + index * row
        bar = round(plot * value / biggest, 1)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{bar}" height="{row - 8}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + bar + 6}" y="{y + 17}">{value}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" '
        f'stroke="{INK}"/></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}"/>'
    if kind == "diamond":
        points = f"{x},{y - 5} {x + 5},{y} {x},{y + 5} {x - 5},{y}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/>'


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 300,
) -> Markup:
    """Lines over labelled points (months), with a legend, y grid and value markers."""
    left, right, top, bottom = 44, 28, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    maximum, step = axis(max((v for s in series for v in s.values), default=0))
    steps = max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return round(left + plot_w * i / steps, 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / maximum), 1)

    parts = [_open(chart_id, width, height, title, desc)]
    for tick in range(0, maximum + 1, step):
        parts.append(
            f'<line x1="{left}" y1="{y(tick)}" x2="{width - right}" y2="{y(tick)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i)}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    legend_x = left
    for n, line in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(line.values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        parts.extend(
            _marker(MARKERS[n % len(MARKERS)], x(i), y(v), colour)
            for i, v in enumerate(line.values)
        )
        parts.append(
            f'<line x1="{legend_x}" y1="14" x2="{legend_x + 28}" y2="14" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
            + _marker(MARKERS[n % len(MARKERS)], legend_x + 14, 14, colour)
            + f'<text x="{legend_x + 34}" y="18">{escape(line.name)}</text>'
        )
        legend_x += 44 + 8 * len(line.name)
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}"/></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
