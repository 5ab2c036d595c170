"""Charts read as a reader's browser gets them: the Vega-Lite spec on the page (its data, titles and text
alternative), the text for a reader without JavaScript, and what the site serves to draw them."""

from __future__ import annotations

import json

import pytest

from csp_lib import figures
from csp_lib.present import charts
from csp_lib.publish import site


@pytest.mark.parametrize(
    "period, ticks, first",
    [
        ("2016/17", ["2015/16", "2016/17"], "2015/16"),
        ("2016/17-Q1", ["Q1\n2015/16", "Q1\n2016/17"], "Q1 2015/16"),  # two lines: four fit under a panel
        ("2016-04..2017-03", ["Apr 2015\u2013\nMar 2016", "Apr 2016\u2013\nMar 2017"], "Apr 2015\u2013Mar 2016"),
    ],
)
def test_trend_tick_labels_are_short_names_on_two_lines(tiny, period, ticks, first):
    figs = figures.compute_from_folder(tiny, "A", period)
    html = charts.trend(figs, "all_crime")
    spec = charts.spec_of(html)
    area, county = spec["hconcat"]
    assert [v["period"] for v in area["data"]["values"]] == ticks  # the district's panel, first
    assert area["title"] == "A" and county["title"] == "X"
    assert " ".join(spec["title"]).startswith(f"All crime since {first}:")
    assert f"{first}: " in spec["description"]  # the text alternative names the period as the page does
    assert f"<noscript><p>{spec['description']}</p></noscript>" in html  # and says it without JavaScript


def test_a_trend_shows_counts_and_says_withheld_ones(tiny):
    figs = figures.compute_from_folder(tiny, "A", "2016/17")
    figs["series"]["trend"]["all_crime"][0]["area"] = None  # withheld by disclosure control
    area = charts.spec_of(charts.trend(figs, "all_crime"))["hconcat"][0]["data"]["values"]
    assert [(v["count"], v["label"]) for v in area] == [(0, "withheld"), (5, "5")]  # c01, c02, c04, c05, c07


def test_the_spec_is_safe_inside_the_page():
    """A name with markup in it cannot close the spec's script element or open another."""
    figs = {
        "area": "A</script><script>alert(1)</script>",
        "county": "X",
        "period": {"label": "2016/17"},
        "previous": {"label": "2015/16"},
        "figures": {},
        "series": {
            "districts": {
                "all_crime": [
                    {"district": "A</script><script>alert(1)</script>", "pct_change": 5.0},
                    {"district": "B", "pct_change": -2.0},
                ]
            }
        },
    }
    html = charts.ranking(figs, "all_crime")
    assert html.count("</script>") == 1 and html.count("<script") == 1 and "<!--" not in html
    spec = charts.spec_of(html)
    assert [v["district"] for v in spec["data"]["values"]] == ["B", figs["area"]]  # lowest first
    bold = spec["layer"][0]["encoding"]["y"]["axis"]["labelFontWeight"]["condition"]["test"]
    assert bold == "datum.value === " + json.dumps(figs["area"])


def _nodes(tree):
    """Every dict of a spec, at any depth (a concatenation's panels, a layer's encodings)."""
    if isinstance(tree, dict):
        yield tree
        for v in tree.values():
            yield from _nodes(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _nodes(v)


def _temporal(tree):
    """Every encoding of a spec whose type is temporal."""
    return (n for n in _nodes(tree) if n.get("type") == "temporal")


def test_months_are_read_as_utc_dates(tiny):
    """ "2016-04-01" is midnight UTC: read in a browser's local time west of Greenwich it would be March."""
    assert charts.MONTHS == {"timeUnit": "utcyearmonth", "type": "temporal"}
    figs = figures.compute_from_folder(tiny, "A", "2016/17")
    for chart in (charts.xmr(figs, "all_crime"), charts.rolling(figs, "all_crime")):
        dates = list(_temporal(charts.spec_of(chart)))
        assert dates and all(d.get("timeUnit") == "utcyearmonth" for d in dates), dates


def test_the_search_index_reads_a_chart_as_its_words_not_its_spec(tiny, tmp_path):
    """The pages Pagefind indexes (books.slim) drop each chart's spec, its data and most of a page's bytes, and
    keep what a reader reads: the values in words and the caption."""
    from csp_lib.publish.books import slim

    chart = charts.trend(figures.compute_from_folder(tiny, "A", "2016/17"), "all_crime")
    page = f'<html lang="en"><head><title>t</title></head><body><article>{chart}</article></body></html>'
    slim(page, tmp_path / "p.html")
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "csp-spec" not in page and "$schema" not in page
    assert "<noscript><p>Bar charts of all crime by financial year." in page
    assert "<figcaption>All crime in A (left) and X (right)" in page


def test_the_site_serves_its_own_chart_scripts():
    """Vega, Vega-Lite and vega-embed from npm (js/package-lock.json), in the versions pinned, nothing from
    elsewhere: _config.yml loads them from the site's _static/vega/."""
    import yaml

    lock = json.loads((site.JS.parent / "package-lock.json").read_text())["packages"]
    assert {n: lock[f"node_modules/{n}"]["version"] for n in ("vega", "vega-lite", "vega-embed")} == {
        "vega": "5.33.0",
        "vega-lite": "5.23.0",
        "vega-embed": "6.29.0",
    }
    config = yaml.safe_load((site.JS.parents[1] / "_config.yml").read_text())
    scripts = config["sphinx"]["config"]["html_js_files"]
    assert scripts[:3] == [f"vega/{p.name}" for p in site.chart_scripts()]
    assert charts.SCHEMA.startswith("https://vega.github.io/schema/vega-lite/v5")  # the major version in use


def test_each_month_has_its_own_place_and_a_short_name():
    """A span of more than 12 months has two Mays: each keeps its place on the axis, shown as "May"."""
    labels = [
        f"{m} {y}"
        for y, months in ((2016, "Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"), (2017, "Jan Feb Mar Apr May"))
        for m in months.split()
    ]
    rows = [{"label": lab, "value": i + 1, "previous": None if i == 3 else i} for i, lab in enumerate(labels)]
    figs = {
        "area": "A",
        "period": {"label": "2016-02..2017-05", "short": "Feb 2016\u2013May 2017"},
        "previous": {"label": "2014-10..2016-01", "short": "Oct 2014\u2013Jan 2016"},
        "figures": {},
        "series": {"monthly": {"all_crime": rows}},
    }
    spec = charts.spec_of(charts.monthly(figs, "all_crime"))
    x = spec["encoding"]["x"]
    assert x["sort"] == labels and len(set(x["sort"])) == 16
    assert x["axis"]["labelExpr"] == "slice(datum.label, 0, 3)"
    points = [(v["month"], v["year"], v["count"]) for v in spec["data"]["values"]]
    assert points[:2] == [("Feb 2016", "Feb 2016\u2013May 2017", 1), ("Mar 2016", "Feb 2016\u2013May 2017", 2)]
    assert ("May 2016", "Oct 2014\u2013Jan 2016", None) not in points and len(points) == 16 + 15  # one withheld


def test_a_neighbourhood_with_none_is_pale_grey_not_a_colour_of_the_classes():
    import shapely

    square = shapely.box(0, 0, 1, 1)
    spec = charts._map("A map", [square, square], [{"value": 7}, {"value": 0}], "Crimes", "crimes")
    shading = spec["layer"][0]["encoding"]["color"]["scale"]
    assert shading["domain"] == ["0", "1", "2 to 4", "5 or more"]
    assert shading["range"][0] == "#f2f2f2"
    assert [f["properties"]["class"] for f in spec["layer"][0]["data"]["values"]] == ["5 or more", "0"]


def _widths(tree):
    """Every view ``width`` of a spec ({"band": 0.8} is a bar's, not a view's)."""
    return (n["width"] for n in _nodes(tree) if "width" in n and not isinstance(n["width"], dict))


def test_a_spec_has_a_fixed_width_and_the_site_makes_a_wide_one_follow_the_page(tiny):
    """Issue 31: JupyterLab froze on ``"width": "container"`` (every cell at [*], the tab dead), so no spec that a
    notebook shows carries it; each has a width in pixels. A wide chart (``autosize: fit-x``) is given the page's
    width by the site's own script when it embeds it, and so still narrows with the page there."""
    figs = figures.compute_from_folder(tiny, "A", "2016/17")
    made = {
        "trend": charts.trend(figs, "all_crime"),
        "ranking": charts.ranking(figs, "all_crime"),
        "xmr": charts.xmr(figs, "all_crime"),
        "rolling": charts.rolling(figs, "all_crime"),
    }
    wide = 0
    for name, chart in made.items():
        spec = charts.spec_of(chart)
        assert "container" not in json.dumps(spec), name
        assert all(isinstance(w, int) and w > 0 for w in _widths(spec)), (name, list(_widths(spec)))
        if spec.get("autosize", {}).get("type") == "fit-x":
            assert spec["width"] == charts.WIDE, name
            wide += 1
    assert wide >= 3  # the ranking, XmR and rolling charts are as wide as the page
    js = (site.JS.parents[1] / "book" / "_static" / "csp.js").read_text(encoding="utf-8")
    assert 'if (spec.autosize && spec.autosize.type === "fit-x") spec.width = "container";' in js
    assert "vegaEmbed(box, responsive(JSON.parse(spec.textContent))" in js


def test_a_chart_is_drawn_as_svg_for_nbconvert(tiny):
    """A notebook run alone carries each chart drawn as SVG by the project's own Vega (js/svg.js), which
    nbconvert's HTML shows; JupyterLab draws the spec beside it (tests/test_lab.py sees both in a browser)."""
    import shutil

    if shutil.which("node") is None or not (charts.SVG_SCRIPT.parent / "node_modules" / "vega-lite").is_dir():
        pytest.skip("Node.js or the chart scripts are not installed (make book installs them)")
    spec = charts.spec_of(charts.xmr(figures.compute_from_folder(tiny, "A", "2016/17"), "all_crime"))
    drawn = charts.svg(spec)
    assert drawn.startswith('<svg role="img" aria-label="XmR chart of all crime in A') and drawn.endswith("</svg>")
    assert f'width="{charts.WIDE}"' in drawn  # fit-x: the width asked for, padding included
    assert "Count (records)" in drawn  # its axis title, as text


def test_the_ranking_marks_changes_beyond_chance_and_the_trend_gives_the_test(tiny):
    """Issue 29, item 3: a diamond (a shape with its legend, not colour alone) on each district whose change
    is beyond chance, said in the text alternative; the trend's tooltip gives the latest period's test."""
    import copy

    from csp_lib.figures import significance as s

    figs = copy.deepcopy(figures.compute_from_folder(tiny, "A", "2016/17"))
    rows = figs["series"]["districts"]["all_crime"]
    rows[0] |= {"value": 690, "previous": 516, "pct_change": 33.7, "significance": s.poisson_test(690, 516)}
    rows[1] |= {"value": 25, "previous": 16, "pct_change": 56.3, "significance": s.poisson_test(25, 16)}
    html = charts.ranking(figs, "all_crime")
    spec = charts.spec_of(html)
    by = {v["district"]: v for v in spec["data"]["values"]}
    assert by[rows[0]["district"]]["test"] == "change beyond chance" and by[rows[0]["district"]]["p"] == "p < 0.001"
    assert by[rows[1]["district"]]["test"] == "within chance" and by[rows[1]["district"]]["p"] == "p = 0.211"
    marks = spec["layer"][-1]
    assert marks["transform"] == [{"filter": 'datum.test === "change beyond chance"'}]
    assert marks["encoding"]["shape"]["scale"]["range"] == ["diamond"] and marks["encoding"]["shape"]["legend"]
    assert f"Changes beyond chance (the exact test at the 5% level): {rows[0]['district']}." in html
    assert f"{rows[1]['district']} +56.3% (within chance)" in html
    for r in rows:
        r["significance"] = None  # withheld: not tested, and nothing marked
    html = charts.ranking(figs, "all_crime")
    assert "No district's change is beyond chance" in html and "change beyond chance)" not in html
    figs["figures"]["all_crime"]["significance"] = s.poisson_test(690, 516)
    trend = charts.spec_of(charts.trend(figs, "all_crime"))
    area = trend["hconcat"][0]
    tips = area["layer"][0]["encoding"]["tooltip"]
    assert {"field": "test", "title": "Change on a year earlier (exact test, 5% level)"} in tips
    latest = {v["period"]: v["test"] for v in area["data"]["values"]}
    assert latest["2016/17"] == "p < 0.001: an increase beyond chance"
    assert latest["2015/16"] == "tested for the latest period only"


def test_the_xmr_chart_leads_with_its_making_data_count_icon(tiny):
    """Issue 29, item 2: each section's month-by-month chart shows the MDC icon of the period, with its words."""
    import copy

    figs = copy.deepcopy(figures.compute_from_folder(tiny, "A", "2016/17"))
    chart = figs["series"]["xmr"]["all_crime"]
    chart["icon"] = "special_cause_concerning"
    html = charts.xmr(figs, "all_crime")
    assert html.startswith('<p class="csp-mdc-line">Making Data Count, 2016/17: <span class="csp-mdc">')
    assert "Special cause variation, concerning: high</span>" in html and html.index("<figure") > html.index("csp-mdc")
    chart["icon"] = None  # withheld with the chart: no icon
    assert "csp-mdc" not in (charts.xmr(figs, "all_crime") or "")
