"""Charts read as a reader sees them: the SVG's own text (tick labels, titles) and the alt text."""

from __future__ import annotations

import base64
import re

import pytest

from csp_lib import figures
from csp_lib.present import charts


def _svg_text(html: str) -> list[str]:
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1)).decode()
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize(
    "period, ticks, first",
    [
        ("2016/17", ["2015/16", "2016/17"], "2015/16"),
        ("2016/17-Q1", ["Q1", "2015/16", "Q1", "2016/17"], "Q1 2015/16"),  # two lines: four fit under a panel
        ("2016-04..2017-03", ["Apr 2015\u2013", "Mar 2016", "Apr 2016\u2013", "Mar 2017"], "Apr 2015\u2013Mar 2016"),
    ],
)
def test_trend_tick_labels_are_short_names_on_two_lines(tiny, period, ticks, first):
    figs = figures.compute_from_folder(tiny, "A", period)
    html = charts.trend(figs, "all_crime")
    text = _svg_text(html)
    assert text[: len(ticks)] == ticks  # the district's panel, first
    assert any(t.startswith(f"All crime since {first}:") for t in text)
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert f"{first}: " in alt  # the alt text names the period as the page does, on one line


def test_a_chart_of_the_same_figures_is_drawn_once_per_process(tiny, monkeypatch):
    """police.uk's combined category is charted on the violence and sexual offences pages alike: a kernel that
    runs both draws it once. The same figures give the same chart without drawing; other figures (another
    period here) or another chart are drawn."""
    drawn = []
    plain = charts._figure_html
    monkeypatch.setattr(charts, "_figure_html", lambda *a: drawn.append(1) or plain(*a))
    monkeypatch.setattr(charts, "_DRAWN", {})
    figs = figures.compute_from_folder(tiny, "A", "2016/17")
    first = charts.trend(figs, "all_crime")
    assert charts.trend(json_copy(figs), "all_crime") == first and len(drawn) == 1
    assert charts.xmr(figs, "all_crime") != first
    charts.trend(figures.compute_from_folder(tiny, "A", "2016/17-Q1"), "all_crime")
    assert len(drawn) == 3


def json_copy(figs: dict) -> dict:
    import json

    return json.loads(json.dumps(figs))
