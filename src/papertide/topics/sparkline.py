"""Server-rendered SVG charts of weekly volume: a sparkline and a larger chart.

Colours come from the stylesheet (classes, ``currentColor``), not from
``style`` attributes, so the pages keep their strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"


def _points(values: Sequence[int], width: float, height: float, pad: float
            ) -> list[tuple[float, float]]:
    peak = max(max(values, default=0), 1)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return [(pad + i * step, height - pad - (value / peak) * (height - 2 * pad))
            for i, value in enumerate(values)]


def sparkline(values: Sequence[int], highlight_from: int, label: str,
              width: int = 120, height: int = 32) -> Markup:
    """A small line chart; weeks from index ``highlight_from`` on are shaded as "recent"."""
    pad = 2.0
    points = _points(values, width, height, pad)
    parts = [f'<svg xmlns="{SVG_NS}" class="sparkline" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">',
             f"<title>{escape(label)}</title>"]
    if points:
        if 0 < highlight_from < len(points):
            x = points[highlight_from][0] - (points[1][0] - points[0][0]) / 2
            parts.append(f'<rect class="spark-recent" x="{x:.1f}" y="0" '
                         f'width="{width - x:.1f}" height="{height}"/>')
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        area = f"{points[0][0]:.1f},{height - pad} {line} {points[-1][0]:.1f},{height - pad}"
        parts.append(f'<polygon class="spark-area" points="{area}"/>')
        parts.append(f'<polyline class="spark-line" points="{line}" fill="none"/>')
        last_x, last_y = points[-1]
        parts.append(f'<circle class="spark-dot" cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def volume_chart(values: Sequence[int], highlight_from: int, label: str,
                 first_label: str, last_label: str, width: int = 640, height: int = 160) -> Markup:
    """A larger bar chart for a topic's page, with its peak and its first and last week."""
    left, bottom, top = 34.0, 22.0, 10.0
    peak = max(max(values, default=0), 1)
    plot_width = width - left - 4
    bar = plot_width / max(len(values), 1)
    parts = [f'<svg xmlns="{SVG_NS}" class="volume-chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">',
             f"<title>{escape(label)}</title>",
             f'<line class="chart-axis" x1="{left}" y1="{height - bottom}" x2="{width - 4}" '
             f'y2="{height - bottom}"/>',
             f'<text class="chart-label" x="{left - 6}" y="{top + 4}" '
             f'text-anchor="end">{peak}</text>',
             f'<text class="chart-label" x="{left - 6}" y="{height - bottom}" '
             f'text-anchor="end">0</text>']
    for i, value in enumerate(values):
        bar_height = (value / peak) * (height - bottom - top)
        kind = "chart-bar recent" if i >= highlight_from else "chart-bar"
        parts.append(f'<rect class="{kind}" x="{left + i * bar + 0.5:.1f}" '
                     f'y="{height - bottom - bar_height:.1f}" width="{max(bar - 1, 0.5):.1f}" '
                     f'height="{bar_height:.1f}"><title>{value}</title></rect>')
    parts.append(f'<text class="chart-label" x="{left}" y="{height - 6}">'
                 f"{escape(first_label)}</text>")
    parts.append(f'<text class="chart-label" x="{width - 4}" y="{height - 6}" '
                 f'text-anchor="end">{escape(last_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
