"""Server-side SVG charts: accessible names, escaped labels, sensible axes."""

import re
import xml.etree.ElementTree as ET

import pytest

from uitleen.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (1, 1)), (3, (3, 1)), (7, (8, 2)), (43, (60, 20)), (100, (100, 50)), (1234, (1500, 500))],
)
def test_axis_uses_round_steps(value, expected):
    assert charts.axis(value) == expected


def test_bar_chart_is_valid_svg_with_title_desc_and_escaped_labels():
    svg = charts.bar_chart("c1", "Voorraad <nu>", "Per status", [("A & B", 3), ("C", 0)])
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "Voorraad <nu>"
    assert root.find(f"{SVG}desc").text == "Per status"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "A & B" in texts and "3" in texts and "0" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > 0 and widths[1] == 0  # bars scale to the largest value


def test_line_chart_draws_each_series_with_its_own_dash_and_marker():
    series = [charts.Series("In", [1, 5, 3]), charts.Series("Uit", [0, 2, 4])]
    svg = str(charts.line_chart("c2", "In en uit", "Per maand", ["jan", "feb", "mrt"], series))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert len(root.findall(f"{SVG}circle")) == 3 + 1  # three points and the legend mark
    assert len(root.findall(f"{SVG}rect")) == 3 + 1
    ys = [float(y) for y in re.findall(r",([\d.]+)", lines[0].get("points"))]
    assert min(ys) >= 36 and max(ys) <= 300 - 40  # inside the plot area
    assert "<script" not in svg


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [*charts.COLOURS, charts.INK])
def test_chart_colours_have_3_to_1_contrast_on_white(colour):
    assert (1.05) / (_luminance(colour) + 0.05) >= 3.0
