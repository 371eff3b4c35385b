"""Server-rendered bar charts as accessible SVG, for the national picture: no JavaScript,
a name and a description (role="img", <title>, <desc>), every bar labelled with its figure
in text, and each series told apart by a pattern as well as a colour, so the chart reads in
greyscale and for colour-blind readers. The same figures are always in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 4.5:1 against white (WCAG 1.4.11 asks 3:1 of graphics).
COLOURS = ["#1f4e79", "#8a3b00", "#2d6a2d", "#5b2a86", "#6b5300", "#005f66", "#7a1f3d", "#333333"]
# Every series also has its own pattern: solid, stripes, cross-hatching, dots …
PATTERNS = ["solid", "stripes", "hatch", "dots", "solid", "stripes", "hatch", "dots"]

WIDTH = 640
LABEL_WIDTH = 200
BAR_HEIGHT = 14
BAR_GAP = 2
GROUP_GAP = 12
LEGEND_ROW = 20
VALUE_ROOM = 48
# Longer category labels are cut in the picture; the table beside it has them whole.
LABEL_CHARS = 30


@dataclass(frozen=True)
class Series:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple[int, ...]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _pattern(chart_id: str, index: int) -> str:
    colour = COLOURS[index % len(COLOURS)]
    kind = PATTERNS[index % len(PATTERNS)]
    pattern_id = f"{chart_id}-p{index}"
    if kind == "solid":
        shapes = f'<rect width="8" height="8" fill="{colour}"/>'
    elif kind == "stripes":
        shapes = (
            '<rect width="8" height="8" fill="#ffffff"/>'
            f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="3"/>'
        )
    elif kind == "hatch":
        shapes = (
            '<rect width="8" height="8" fill="#ffffff"/>'
            f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{colour}" stroke-width="2"/>'
        )
    else:
        shapes = (
            '<rect width="8" height="8" fill="#ffffff"/>'
            f'<circle cx="4" cy="4" r="2.6" fill="{colour}"/>'
        )
    return (
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f"{shapes}</pattern>"
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    rows: Sequence[Row],
) -> SafeString:
    """A horizontal grouped bar chart: one group per row, one bar per series in the group,
    each bar with its figure written after it. `chart_id` must be unique on the page."""
    biggest = max((value for row in rows for value in row.values), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / biggest if biggest else 0
    legend_height = LEGEND_ROW * len(series) + 8
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    height = legend_height + max(len(rows), 1) * group_height + 8
    parts: list[str] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="bank-chart" role="img" '
            'viewBox="0 0 {} {}" width="100%" aria-labelledby="{}-title {}-desc" '
            'font-family="inherit" font-size="12">',
            WIDTH,
            height,
            chart_id,
            chart_id,
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, description),
        "<defs>" + "".join(_pattern(chart_id, i) for i in range(len(series))) + "</defs>",
    ]
    for index, item in enumerate(series):
        y = 4 + index * LEGEND_ROW
        parts.append(
            format_html(
                '<rect x="0" y="{}" width="16" height="14" fill="url(#{}-p{})" '
                'stroke="#222222"/><text x="22" y="{}" fill="#222222">{}</text>',
                y,
                chart_id,
                index,
                y + 11,
                item.label,
            )
        )
    if not rows:
        parts.append(format_html('<text x="0" y="{}" fill="#222222">–</text>', legend_height + 12))
    for row_index, row in enumerate(rows):
        top = legend_height + row_index * group_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="#222222">{}</text>',
                LABEL_WIDTH - 8,
                top + (len(series) * (BAR_HEIGHT + BAR_GAP)) / 2 + 4,
                _short(row.label),
            )
        )
        for index, value in enumerate(row.values):
            y = top + index * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-p{})" '
                    'stroke="#222222" stroke-width="0.5"/>'
                    '<text x="{}" y="{}" fill="#222222">{}</text>',
                    LABEL_WIDTH,
                    y,
                    width,
                    BAR_HEIGHT,
                    chart_id,
                    index,
                    LABEL_WIDTH + width + 4,
                    y + BAR_HEIGHT - 3,
                    value,
                )
            )
    parts.append("</svg>")
    # Every piece above is escaped by format_html or made of fixed markup and numbers.
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308
