"""The SVG charts: well-formed, labelled for screen readers, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from papertide.topics.sparkline import sparkline, volume_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, standalone


def test_a_sparkline_draws_one_point_per_week_and_highlights_the_recent_ones() -> None:
    svg = _parse(sparkline([0, 1, 4, 2, 8], 3, "Weekly papers mentioning agents"))
    assert svg.get("role") == "img" and svg.get("aria-label") == "Weekly papers mentioning agents"
    line = svg.find(f"{SVG}polyline")
    assert line is not None
    points = [tuple(map(float, point.split(","))) for point in (line.get("points") or "").split()]
    assert len(points) == 5
    assert min(points, key=lambda p: p[1]) == points[4]  # the peak is highest on screen
    assert points[0][1] == max(p[1] for p in points)     # zero sits on the baseline
    assert svg.find(f"{SVG}rect") is not None            # the recent weeks, shaded


def test_labels_are_escaped() -> None:
    markup = sparkline([1, 2], 1, '<script>alert("x")</script> & co')
    assert "<script>" not in markup
    svg = _parse(markup)
    assert svg.get("aria-label") == '<script>alert("x")</script> & co'


def test_an_empty_or_flat_series_still_draws() -> None:
    _parse(sparkline([], 0, "nothing"))
    flat = _parse(sparkline([0, 0, 0], 1, "flat"))
    assert flat.find(f"{SVG}polyline") is not None


def test_the_volume_chart_has_a_bar_per_week_and_its_peak() -> None:
    svg = _parse(volume_chart([3, 0, 9], 2, "label", "Jan 05, 2026", "week of Jan 19, 2026"))
    bars = list(svg.iter(f"{SVG}rect"))
    assert len(bars) == 3
    assert [bar.get("class") for bar in bars] == ["chart-bar", "chart-bar", "chart-bar recent"]
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "9" in texts and "Jan 05, 2026" in texts
