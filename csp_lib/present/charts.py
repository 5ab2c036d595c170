"""Charts read from figures.json, as Vega-Lite specs that the reader's browser draws, in accessible HTML figures.

A chart is a small JSON spec on the page (its data are figures.json's, already through disclosure
control), drawn as SVG by Vega, Vega-Lite and vega-embed, which the site serves from its own ``_static``
folder (``js/package.json``: nothing is fetched from elsewhere). The build writes the spec; it draws
nothing, so a report's 15 charts cost milliseconds instead of seconds (benchmarks/README.md). JupyterLab
draws the same spec in a notebook (its Vega-Lite renderer), beside which a notebook run alone carries the
chart drawn as SVG (``svg``) for nbconvert's HTML, which has no Vega-Lite renderer; the committee paper's
Chromium draws it before printing.

Every chart has a title that states the finding, labelled axes, a text alternative (the spec's
``description``, which Vega gives its SVG as ``aria-label``, and the page's ``<noscript>``), a
caption, and uses one colour-blind-safe palette (seaborn's).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import seaborn as sns

from ..data.periods import parse
from ..figures.measures import pct_change
from ..figures.sections import county_name, label
from .icons import mdc_icon
from .narrative import capital, fewer, pct, period_name, quarters_why, short, what_counted
from .text import raw


def _hex(colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in colour))


PALETTE = [_hex(c) for c in sns.color_palette("colorblind")]
# counts a trend title must not read as a measure of the problem (a rise or fall of the flag is not one)
NOT_PERFORMANCE = {"cse_flagged_crimes": "counts of a flag that depend on recording practice, not a measure of CSE"}
AREA, COUNTY, PREVIOUS, OTHER = PALETTE[0], PALETTE[1], PALETTE[7], "#b8b8b8"
# bars in seaborn's saturation (0.75), as its barplot draws them
BAR = {c: _hex(sns.desaturate(c, 0.75)) for c in (AREA, COUNTY, PREVIOUS, OTHER)}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # names the spec's version: nothing fetches it
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
CONFIG = {  # seaborn's "whitegrid", as the charts were drawn before
    "font": FONT,
    "view": {"stroke": "#cccccc"},
    "axis": {
        "gridColor": "#e3e3e3",
        "domain": False,
        "tickColor": "#cccccc",
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelColor": "#262626",
        "titleColor": "#262626",
    },
    "axisBand": {"grid": False},  # no grid across categories
    "legend": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "orient": "bottom",
        "direction": "horizontal",
        "labelLimit": 320,
    },
    "title": {"fontSize": 13, "fontWeight": "bold", "anchor": "start", "offset": 10, "subtitleFontSize": 11},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "text": {"fontSize": 10},
    # one text alternative for the chart (the spec's description, on its SVG), not one for each mark: Vega left
    # some marks (lines and limits, a layer with no point to show) as unnamed images a screen reader stops at
    "mark": {"aria": False},
}
COUNT = {"title": "Count (records)", "axis": {"format": ",d", "tickMinStep": 1}}  # a count axis: whole numbers
MONTHS = {"timeUnit": "utcyearmonth", "type": "temporal"}  # "2016-04-01" is a UTC date: no slip to March
SPEC = re.compile(r'<script type="application/json" class="csp-spec">(.*?)</script>', re.S)


def _title(text: str, width: int = 78) -> list[str]:
    """A chart title in lines of at most ``width`` characters: Vega does not wrap a title to the chart."""
    return textwrap.wrap(text, width) or [""]


# a wide chart's width in pixels, padding included: what JupyterLab and nbconvert draw; the site gives it the page's
WIDE = 720


def _wide(title: str, height: int | dict = 220) -> dict:
    """What a chart as wide as the page has: its title, a fixed width (``WIDE``) fitted to (``autosize: fit-x``),
    ``height`` (pixels, or a step a row).

    Never ``"width": "container"`` in the spec: JupyterLab froze on it (every cell left at ``[*]``, the tab dead,
    issue 31). The site's own script (``book/_static/csp.js``) sets it when it embeds a ``fit-x`` chart, so on the
    site the chart still follows the page's width."""
    return {
        "title": _title(title),
        "width": WIDE,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
    }


def _figure(spec: dict, alt: str, caption: str) -> str:
    """The chart as the page holds it: its spec (drawn in the browser by ``book/_static/csp.js``), the text
    alternative for a reader without JavaScript, and the caption."""
    full = {"$schema": SCHEMA, "description": alt, "usermeta": {"caption": caption}, "config": CONFIG, **spec}
    # "<" as its JSON escape: no name in the data can close the script element or open a comment in it
    data = json.dumps(full, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")
    return (
        '<figure class="csp-chart"><div class="csp-vega"></div>'
        f'<script type="application/json" class="csp-spec">{data}</script>'
        f"<noscript><p>{html.escape(alt)}</p></noscript>"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


# draws a spec as SVG in Node.js with the project's own Vega and Vega-Lite (js/node_modules, as the site serves them)
SVG_SCRIPT = Path(__file__).resolve().parents[2] / "js" / "svg.js"


def svg(spec: dict) -> str | None:
    """The chart of ``spec`` drawn as SVG by the project's own Vega (``js/svg.js``, in Node.js), the picture
    nbconvert's HTML shows of a notebook's chart (JupyterLab draws the spec itself). None when Node.js or the chart
    scripts are not installed here (``make book`` installs them): the notebook then shows the spec, and nbconvert
    its text alternative; a warning when they are and the chart could not be drawn."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or not (SVG_SCRIPT.parent / "node_modules" / "vega-lite").is_dir():
        return None
    try:
        res = subprocess.run(
            [node, str(SVG_SCRIPT)],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        warnings.warn(f"chart not drawn as SVG for nbconvert ({SVG_SCRIPT.name}): {e}", stacklevel=2)
        return None
    if res.returncode != 0 or not res.stdout.startswith("<svg"):
        warnings.warn(f"chart not drawn as SVG for nbconvert ({SVG_SCRIPT.name}): {res.stderr[-500:]}", stacklevel=2)
        return None
    return res.stdout


def spec_of(chart: str | None) -> dict | None:
    """The Vega-Lite spec of a chart's HTML (None for a note in place of a chart)."""
    m = SPEC.search(chart or "")
    return json.loads(m[1]) if m else None


def _counted(asb: bool) -> tuple[str, str]:
    """A map's subject and unit: ("Crime", "crimes") or ("Antisocial behaviour", "incidents")."""
    what, unit = what_counted(asb)
    return what.capitalize(), unit + "s"


def _n(v) -> str:
    return "withheld" if v is None or pd.isna(v) else f"{int(v):,}"


def _count(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _change_words(first, last) -> str:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return "(small counts withheld)"
    if not first:
        return "no earlier count"
    c = pct_change(int(last), int(first))  # the report's one rounding rule (half away from zero)
    return f"{'up' if c > 0 else 'down'} {pct(abs(c))}" if c else "unchanged"


def unavailable(figs: dict, fid: str) -> str | None:
    """A short note in place of a chart whose figure the data cannot give (police.uk, absent table)."""
    figs = raw(figs)
    f = figs["figures"].get(fid, {})
    if f.get("value") is None and f.get("note"):
        return f'<p class="csp-note"><em>No chart: {f["note"]}.</em></p>'
    return None


def _years(figs: dict, n: int) -> tuple[str, str]:
    """Axis label and caption words for a trend of ``n`` periods of the report's kind."""
    kind = parse(figs["period"]["label"]).kind
    if kind == "fy":
        return "Financial year", f"over the last {n} financial years"
    if kind == "quarter":
        return "Quarter", f"in the same quarter of the last {n} years"
    if len(parse(figs["period"]["label"]).months) == 1:
        return "Month", f"in the same month of the last {n} years"
    return "Months", f"in the same months of the last {n} years"


def trend(figs: dict, fid: str) -> str | None:
    """Four-year trend, district and county side by side (their scales differ)."""
    figs = raw(figs)
    if note := unavailable(figs, fid):
        return note
    rows = figs["series"]["trend"].get(fid) or []
    if len(rows) < 2:
        return None
    # "Nov 2018–Oct 2019" and "Q3 2016/17" on two lines, so that four fit under a panel
    ticks = [re.sub(r"^(Q\d) ", "\\1\n", r.get("short", r["period"]).replace("\u2013", "\u2013\n")) for r in rows]
    xlabel, over = _years(figs, len(rows))

    now = figs["period"]["label"]

    def test_words(col: str, r: dict) -> str:
        """The test of this period's change on a year earlier, on its own bar only."""
        if r["period"] != now:
            return "tested for the latest period only"
        sig = figs["figures"].get(fid if col == "area" else f"county_{fid}", {}).get("significance") or {}
        if sig.get("p_value") is None:
            return "not tested"
        return f"{_tested({'significance': sig})['p']}: {VERDICT_WORDS[sig['verdict']]}"

    def panel(col: str, name: str, colour: str) -> dict:
        values = [
            {"period": t, "count": _count(r[col]) or 0, "label": _n(r[col]), "test": test_words(col, r)}
            for t, r in zip(ticks, rows)
        ]
        frame = {"title": name, "width": 215, "height": 200}
        if all(_count(r[col]) is None for r in rows):
            return {
                **frame,
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": {"value": "small counts withheld"}},
            }
        x = {
            "field": "period",
            "type": "nominal",
            "sort": None,
            "title": xlabel,
            "axis": {"labelAngle": 0, "labelExpr": "split(datum.label, '\\n')"},
        }
        y = {"field": "count", "type": "quantitative", **COUNT}
        if not any(v["count"] for v in values):  # every bar 0: an axis from 0 up
            y["scale"] = {"domain": [0, 1]}
        return {
            **frame,
            "data": {"values": values},
            "encoding": {"x": x, "y": y},
            "layer": [
                {
                    "mark": {"type": "bar", "color": BAR[colour], "width": {"band": 0.8}},
                    "encoding": {
                        "tooltip": [
                            {"field": "label", "title": name},
                            {"field": "test", "title": "Change on a year earlier (exact test, 5% level)"},
                        ]
                    },
                },
                {"mark": {"type": "text", "baseline": "bottom", "dy": -2}, "encoding": {"text": {"field": "label"}}},
            ],
        }

    first = rows[0].get("short", rows[0]["period"])
    if fid in NOT_PERFORMANCE:  # a flag's count moves with recording practice: no change is claimed
        title = f"{label(fid)} since {first}: {NOT_PERFORMANCE[fid]}"
    else:
        title = (
            f"{label(fid)} since {first}: {figs['area']} {_change_words(rows[0]['area'], rows[-1]['area'])}, "
            f"{county_name(figs, article=False)} {_change_words(rows[0]['county'], rows[-1]['county'])}"
        )
    spec = {
        "title": _title(title),
        "hconcat": [panel("area", figs["area"], AREA), panel("county", county_name(figs, article=False), COUNTY)],
        "resolve": {"scale": {"y": "independent"}},
        "spacing": 24,
    }
    values = "; ".join(
        f"{r.get('short', r['period'])}: {_n(r['area'])} in {figs['area']}, {_n(r['county'])} in {county_name(figs)}"
        for r in rows
    )
    alt = f"Bar charts of {label(fid).lower()} by {xlabel.lower()}. {values}."
    caption = (
        f"{label(fid)} in {figs['area']} (left) and {county_name(figs)} (right) {over}. "
        "Separate scales: the county is larger."
    )
    return _figure(spec, alt, caption)


BEYOND = "change beyond chance"
VERDICT_WORDS = {
    "increase": "an increase beyond chance",
    "reduction": "a reduction beyond chance",
    "no clear change": "within chance",
}


def _tested(row: dict) -> dict:
    """A row's test (its ``significance``) in words for a chart: whether its change is beyond chance, and the
    p-value; "not tested" where the test is withheld or there is none."""
    sig = row.get("significance") or {}
    if sig.get("p_value") is None:
        return {"test": "not tested", "p": ""}
    verdict = BEYOND if sig["verdict"] in ("increase", "reduction") else "within chance"
    p = sig["p_value"]
    return {"test": verdict, "p": "p < 0.001" if p < 0.001 else f"p = {p:.3f}"}


def ranking(figs: dict, fid: str) -> str | None:
    """% change of every district of the county, the report's area highlighted."""
    figs = raw(figs)
    if note := unavailable(figs, fid):
        return note
    rows = [r for r in figs["series"]["districts"].get(fid, []) if r["pct_change"] is not None]
    if len(rows) < 2:
        return None
    rows = sorted(rows, key=lambda r: r["pct_change"])
    area = figs["area"]
    values = [
        {"district": r["district"], "change": r["pct_change"], "label": pct(r["pct_change"], True)} | _tested(r)
        for r in rows
    ]
    beyond = [r["district"] for r in values if r["test"] == BEYOND]
    rank = figs["figures"].get(f"{fid}_rank_in_county", {})
    place = f"{rank.get('value')} of {rank.get('of')}" if rank.get("value") else "not ranked"
    is_area = f"datum.district === {json.dumps(area)}"
    spec = {
        **_wide(f"{label(fid)}: {area} is {place} (1 = lowest % change)", {"step": 20}),
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "height": {"band": 0.8}},
                "encoding": {
                    "y": {
                        "field": "district",
                        "type": "nominal",
                        "sort": None,
                        "title": None,
                        "axis": {
                            "labelFontWeight": {
                                "condition": {"test": f"datum.value === {json.dumps(area)}", "value": "bold"},
                                "value": "normal",
                            },
                            "labelLimit": 220,
                        },
                    },
                    "x": {
                        "field": "change",
                        "type": "quantitative",
                        "title": f"% change, {short(figs)} on {short(figs, 'previous')}",
                    },
                    "color": {"condition": {"test": is_area, "value": BAR[AREA]}, "value": BAR[OTHER]},
                    "tooltip": [
                        {"field": "district", "title": "District"},
                        {"field": "label", "title": "% change"},
                        {"field": "test", "title": "Test (5% level)"},
                        {"field": "p", "title": "p-value"},
                    ],
                },
            },
            {"mark": {"type": "rule", "color": "black", "strokeWidth": 0.8}, "encoding": {"x": {"datum": 0}}},
            {  # a diamond at the end of each bar whose change is beyond chance: a shape with a legend, not colour
                "transform": [{"filter": f"datum.test === {json.dumps(BEYOND)}"}],
                "mark": {"type": "point", "filled": True, "size": 70, "color": "black", "opacity": 1},
                "encoding": {
                    "y": {"field": "district", "type": "nominal", "sort": None},
                    "x": {"field": "change", "type": "quantitative"},
                    "shape": {
                        "field": "test",
                        "type": "nominal",
                        "scale": {"domain": [BEYOND], "range": ["diamond"]},
                        "legend": {"title": None, "orient": "bottom", "labelLimit": 400},
                    },
                },
            },
        ],
    }
    said = (
        "Changes beyond chance (the exact test at the 5% level): " + ", ".join(beyond) + "."
        if beyond
        else "No district's change is beyond chance (the exact test at the 5% level)."
    )
    alt = (
        f"Horizontal bar chart of the % change in {label(fid).lower()} for each district of "
        f"{county_name(figs)}: "
        + "; ".join(f"{r['district']} {r['label']} ({r['test']})" for r in values)
        + ". "
        + said
    )
    caption = (
        f"{label(fid)}: % change by district of {county_name(figs)}, lowest first; {area} highlighted; "
        "a diamond marks a change beyond chance."
    )
    return _figure(spec, alt, caption)


def monthly(figs: dict, fid: str) -> str | None:
    """Each month of the period against the same month a year earlier."""
    figs = raw(figs)
    if note := unavailable(figs, fid):
        return note
    rows = figs["series"]["monthly"].get(fid) or []
    if not rows:
        return None
    this, before = short(figs), short(figs, "previous")
    values = [  # each month by its label ("May 2016", one a place), shown by its first three letters
        {"month": r["label"], "year": year, "count": _count(r[col]), "label": _n(r[col])}
        for year, col in ((this, "value"), (before, "previous"))
        for r in rows
        if _count(r[col]) is not None
    ]
    cmp = figs["figures"].get(f"{fid}_months_lower", {})
    lower, higher, of = cmp.get("value", 0), cmp.get("higher", 0), cmp.get("of", len(rows))
    finding = f"{higher} of {of} months higher" if higher > lower else f"{lower} of {of} months lower"
    year = {"field": "year", "type": "nominal", "title": None, "sort": [this, before]}
    spec = {
        **_wide(f"{label(fid)} in {figs['area']} by month: {finding} than a year earlier"),
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 40, "filled": True}},
        "encoding": {
            "x": {
                "field": "month",
                "type": "ordinal",
                "sort": [r["label"] for r in rows],
                "title": "Month",
                "axis": {"labelAngle": 0, "labelExpr": "slice(datum.label, 0, 3)"},
            },
            "y": {"field": "count", "type": "quantitative", **COUNT},
            "color": {**year, "scale": {"domain": [this, before], "range": [AREA, PREVIOUS]}},
            "shape": {**year, "scale": {"domain": [this, before], "range": ["circle", "cross"]}},
            "tooltip": [
                {"field": "month", "title": "Month"},
                {"field": "year", "title": "Year"},
                {"field": "label", "title": "Count"},
            ],
        },
    }
    alt = (
        f"Line chart of {label(fid).lower()} in {figs['area']} by month: "
        + "; ".join(f"{r['label']} {_n(r['value'])} (a year earlier {_n(r['previous'])})" for r in rows)
        + "."
    )
    caption = f"{label(fid)} in {figs['area']}, each month of {this} and of {before}."
    return _figure(spec, alt, caption)


def strands(figs: dict, ids: list[str]) -> str | None:
    """Hate crime by strand, this period and the one before."""
    figs = raw(figs)
    this, before = short(figs), short(figs, "previous")
    rows = []
    for fid in ids:
        f = figs["figures"].get(fid, {})
        if f.get("value") is None:
            continue
        rows.append({"strand": label(fid), "year": this, "count": f["value"], "label": f"{f['value']:,}"})
        if f.get("previous") is not None:
            rows.append({"strand": label(fid), "year": before, "count": f["previous"], "label": f"{f['previous']:,}"})
    if not rows:
        return None
    top = max((r for r in rows if r["year"] == this), key=lambda r: r["count"])
    years = {"domain": [before, this], "range": [BAR[PREVIOUS], BAR[AREA]]}
    spec = {
        **_wide(f"Hate crime in {figs['area']} by strand: {top['strand'].lower()} is the most common"),
        "data": {"values": rows},
        "encoding": {
            "x": {
                "field": "strand",
                "type": "nominal",
                "sort": None,
                "title": "Strand (a crime can carry more than one)",
                "axis": {"labelAngle": 0},
            },
            "xOffset": {"field": "year", "sort": [before, this]},
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": "Crimes",
                "axis": {"format": ",d", "tickMinStep": 1},
            },
        },
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "color": {"field": "year", "type": "nominal", "title": None, "scale": years},
                    "tooltip": [
                        {"field": "strand", "title": "Strand"},
                        {"field": "year", "title": "Year"},
                        {"field": "label", "title": "Crimes"},
                    ],
                },
            },
            {"mark": {"type": "text", "baseline": "bottom", "dy": -2}, "encoding": {"text": {"field": "label"}}},
        ],
    }
    alt = (
        "Bar chart of hate crimes by strand: "
        + "; ".join(f"{r['strand']} {r['year']} {r['count']}" for r in rows)
        + "."
    )
    caption = f"Hate crimes in {figs['area']} by strand, {before} and {this}."
    return _figure(spec, alt, caption)


def _legend(names: list[str], colours: list[str]) -> dict:
    """A colour scale whose legend lists the layers of a chart, each layer naming itself (``datum``)."""
    return {"scale": {"domain": names, "range": colours}, "legend": {"title": None, "symbolType": "stroke"}}


def xmr(figs: dict, fid: str) -> str | None:
    """XmR chart of the area's monthly counts over the four-year window, special causes marked."""
    figs = raw(figs)
    if note := unavailable(figs, fid):
        return note
    chart = figs["series"].get("xmr", {}).get(fid)
    if chart and chart.get("suppressed"):
        withheld = f"months with {fewer(figs)} are withheld, and the chart with them"
        return f'<p class="csp-note"><em>No chart: {withheld}.</em></p>'
    if not chart or len(chart["points"]) < 2:
        return None
    points = chart["points"]
    quarterly = bool(points[0].get("quarter"))  # the Home Office tables: a point a quarter, at its first month
    unit = "quarter" if quarterly else "month"
    values = [
        {
            "month": f"{p['month']}-01",
            "count": _count(p["value"]),
            "label": _n(p["value"]),
            "special": bool(p["special"]),
            **({"quarter": p["quarter"]} if quarterly else {}),
        }
        for p in points
    ]
    last = pd.Timestamp(points[-1]["month"] + "-01") + (pd.DateOffset(months=2) if quarterly else pd.DateOffset())
    end = (last + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    shaded, limits = short(figs), "Process limits"
    names = [shaded, "Quarter" if quarterly else "Month", "Special cause", "Mean", limits]
    colour = _legend(names, ["#eeeeee", AREA, COUNTY, "black", "black"])
    x = {
        "field": "month",
        **MONTHS,
        "title": "Quarter (from its first month)" if quarterly else "Month",
        "axis": {"format": "%b %Y", "tickCount": {"interval": "month", "step": 6}},
    }
    when = (
        {"field": "quarter", "type": "nominal", "title": "Quarter"}
        if quarterly
        else {"field": "month", **MONTHS, "format": "%B %Y", "title": "Month"}
    )
    layers = [
        {
            "data": {"values": [{"start": figs["period"]["start"], "end": end}]},
            "mark": {"type": "rect", "color": "#eeeeee"},
            "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}, "color": {"datum": shaded, **colour}},
        },
        {
            "mark": {"type": "line", "point": {"size": 16, "filled": True}},
            "encoding": {
                "x": x,
                "y": {"field": "count", "type": "quantitative", **COUNT},
                "color": {"datum": names[1]},
                "tooltip": [when, {"field": "label", "title": "Count"}],
            },
        },
        {
            "transform": [{"filter": "datum.special && datum.count != null"}],
            "mark": {"type": "point", "filled": True, "size": 40, "opacity": 1},
            "encoding": {"x": x, "y": {"field": "count", "type": "quantitative"}, "color": {"datum": "Special cause"}},
        },
    ]
    segments = chart.get("segments") or []
    if len(segments) > 1:  # recalculated after a step change (csp.toml): each period's mean and limits apart
        layers += _xmr_segments(segments, chart.get("recalculated") or [], x, limits)
    else:
        layers.append(
            {
                "mark": {"type": "rule", "strokeWidth": 1},
                "encoding": {"y": {"datum": chart["mean"]}, "color": {"datum": "Mean"}},
            }
        )
        for y in (chart["ucl"], chart["lcl"]):
            if y >= 0:
                layers.append(
                    {
                        "mark": {"type": "rule", "strokeWidth": 0.8, "strokeDash": [4, 3]},
                        "encoding": {"y": {"datum": y}, "color": {"datum": limits}},
                    }
                )
    finding = "shows special causes" if chart["label"].startswith("special") else "within normal variation"
    spec = {
        **_wide(f"{label(fid)} in {figs['area']} by {unit}: {shaded} {finding}"),
        "data": {"values": values},
        "layer": layers,
    }
    trial = f" Trial limits (fewer than 12 {unit}s)." if chart["trial"] else ""
    flagged = sum(1 for p in points if p["special"])
    name = (lambda p: p["quarter"]) if quarterly else (lambda p: p["month"])
    long = (lambda p: p["quarter"]) if quarterly else (lambda p: _month_name(p["month"]))
    recalculated = [_month_name(m) for m in chart.get("recalculated") or []]
    since = f"limits recalculated from {' and from '.join(recalculated)}" if len(segments) > 1 else ""
    if since:
        each = "; ".join(
            f"{_month_name(g['first'])} to {_month_name(g['last'])} mean {g['mean']:,.1f}, process limits "
            f"{max(g['lcl'], 0):,.1f} to {g['ucl']:,.1f}"
            for g in segments
        )
        reading = f"{since}: {each}"
    else:
        reading = f"mean {chart['mean']:,.1f}, process limits {max(chart['lcl'], 0):,.1f} to {chart['ucl']:,.1f}"
    basis = ""
    if chart.get("basis") == "baseline":
        n = chart["baseline"]
        basis = f" The mean and limits are computed from the first {n} {unit}s{' of each period' if since else ''}."
        if not since and segments and segments[0]["baseline_points"] == n:
            basis = (
                f" The mean and limits are computed from the first {n} {unit}s ({long(points[0])} "
                f"to {long(points[n - 1])}), the baseline, and extended over the {unit}s after it."
            )
    alt = (
        f"XmR chart of {label(fid).lower()} in {figs['area']} by {unit} from {name(points[0])} to "
        f"{name(points[-1])}: {reading}; {flagged} {unit}s flagged as special cause; "
        f"{shaded}: {chart['label']}.{basis}{trial}"
    )
    caption = (
        f"{label(fid)} in {figs['area']}, each {unit}, with the mean and process limits (mean ± 2.66 × "
        f"the mean moving range). Orange points are special causes under the Making Data Count rules; "
        f"the shaded {unit}s are {shaded}.{basis}"
        + (
            f" The process changed: {since}, each period's mean and limits drawn apart and its {unit}s judged "
            "against them."
            if since
            else ""
        )
        + trial
        + (f" {capital(quarters_why(figs, fid))}: the chart is of quarters, not months." if quarterly else "")
    )
    icon = mdc_icon(chart.get("icon"))  # the section's reading, as its headline tile shows it
    lead = f'<p class="csp-mdc-line">Making Data Count, {html.escape(shaded)}: {icon}</p>' if icon else ""
    return lead + _figure(spec, alt, caption)


def _month_name(key: str) -> str:
    """``October 2016`` from ``2016-10``."""
    return parse(key).long_label


def _xmr_segments(segments: list[dict], changes: list[str], x: dict, limits: str) -> list[dict]:
    """An XmR chart's mean and limits drawn as one segment a period, as Making Data Count shows a recalculation
    after a step change, and a vertical marker, labelled, at each month where the limits were recalculated."""
    rows = [
        {
            "start": f"{g['first']}-01",
            "end": f"{g['last']}-01",
            "mean": g["mean"],
            "ucl": g["ucl"],
            "lcl": g["lcl"] if g["lcl"] >= 0 else None,
        }
        for g in segments
    ]
    layers = [
        {
            "data": {"values": rows},
            "mark": {"type": "rule", "strokeWidth": 1},
            "encoding": {
                "x": {**x, "field": "start"},
                "x2": {"field": "end"},
                "y": {"field": "mean", "type": "quantitative", **COUNT},
                "color": {"datum": "Mean"},
            },
        }
    ]
    for side in ("ucl", "lcl"):
        layers.append(
            {
                "data": {"values": rows},
                "transform": [{"filter": f"datum.{side} != null"}],
                "mark": {"type": "rule", "strokeWidth": 0.8, "strokeDash": [4, 3]},
                "encoding": {
                    "x": {**x, "field": "start"},
                    "x2": {"field": "end"},
                    "y": {"field": side, "type": "quantitative", **COUNT},
                    "color": {"datum": limits},
                },
            }
        )
    marks = [{"month": f"{m}-01", "text": f"Limits recalculated from {_month_name(m)}"} for m in changes]
    layers.append(
        {
            "data": {"values": marks},
            "mark": {"type": "rule", "strokeWidth": 1.5, "color": "#505050", "strokeDash": [2, 2]},
            "encoding": {"x": {**x, "field": "month"}},
        }
    )
    first, last = segments[0]["first"], segments[-1]["last"]
    for row in marks:  # the label on the side with room: one past the chart's edge would narrow the whole chart
        late = (parse(row["month"][:7]).first - parse(first).first) * 2 > parse(last).first - parse(first).first
        layers.append(
            {
                "data": {"values": [row]},
                "mark": {
                    "type": "text",
                    "align": "right" if late else "left",
                    "baseline": "top",
                    "dx": -4 if late else 4,
                    "dy": 2,
                    "color": "#303030",
                },
                "encoding": {"x": {**x, "field": "month"}, "y": {"value": 0}, "text": {"field": "text"}},
            }
        )
    return layers


def rolling(figs: dict, fid: str) -> str | None:
    """The area's 12-month total to each month the data cover, the report's last month marked: where a month
    or a quarter sits in the year around it."""
    figs = raw(figs)
    rows = figs["series"].get("rolling", {}).get(fid) or []
    if len(rows) < 2:
        return None
    by_month = {r["month"]: r for r in rows}
    quarterly = bool(rows[0].get("quarter"))  # the Home Office tables: the four quarters to each quarter's end
    # a month (quarter) with no data breaks the line instead of joining across it (a null is not drawn)
    step = "3MS" if quarterly else "MS"
    months = pd.date_range(min(by_month) + "-01", max(by_month) + "-01", freq=step).strftime("%Y-%m")
    values = [
        {
            "month": f"{m}-01",
            "total": _count((by_month.get(m) or {}).get("value")),
            "label": _n((by_month.get(m) or {}).get("value")),
        }
        for m in months
    ]
    end = f"{figs['period']['end'][:7]}-01"
    span = "Four quarters" if quarterly else "12 months"
    marked = f"{span} to {short(figs)}"
    x = {
        "field": "month",
        **MONTHS,
        "title": f"{span} to",
        "axis": {"format": "%b %Y", "tickCount": {"interval": "month", "step": 6}},
    }
    here = [v for v in values if v["month"] == end and v["total"] is not None]
    layers = [
        {
            "mark": {"type": "line", "strokeWidth": 2, "color": AREA},
            "encoding": {
                "x": x,
                "y": {"field": "total", "type": "quantitative", **COUNT},
                "tooltip": [
                    {"field": "month", **MONTHS, "format": "%B %Y", "title": f"{span} to"},
                    {"field": "label", "title": "Total"},
                ],
            },
        }
    ]
    if here:
        layers.append(
            {
                "data": {"values": here},
                "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
                "encoding": {
                    "x": x,
                    "y": {"field": "total", "type": "quantitative"},
                    "color": {
                        "datum": marked,
                        "scale": {"domain": [marked], "range": [COUNTY]},
                        "legend": {"title": None},
                    },
                },
            }
        )
    spec = {
        **_wide(
            f"{label(fid)} in {figs['area']}: "
            + ("four-quarter total to each quarter" if quarterly else "12-month total to each month")
        ),
        "data": {"values": values},
        "layer": layers,
    }
    what, each = ("four-quarter total", "quarter") if quarterly else ("12-month total", "month")
    alt = (
        f"Line chart of the {what} of {label(fid).lower()} in {figs['area']}, to each {each}: "
        + "; ".join(f"{r.get('quarter') or r['label']} {_n(r['value'])}" for r in rows)
        + "."
    )
    caption = (
        (
            f"{label(fid)} in {figs['area']}: each point is the total of the four quarters to that quarter's last "
            f"month ({quarters_why(figs, fid)}: this is the rolling four quarters in place of the rolling "
            "12 months); the marked point ends with the report's last quarter. A break is a quarter with no data."
        )
        if quarterly
        else (
            f"{label(fid)} in {figs['area']}: each point is the total of the 12 months to that month; the marked "
            "point ends with the report's last month. A break is a month with no data."
        )
    )
    return _figure(spec, alt, caption)


# -- maps -----------------------------------------------------------------------------------
BREAKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)


def classes(top: int, most: int = 6) -> list[int]:
    """The lower bounds of a map's shading classes (1, 2, 5, 10...; at most ``most``), up to ``top``."""
    breaks = [b for b in BREAKS if b <= max(top, 1)]
    while len(breaks) > most:
        breaks = breaks[:1] + breaks[2::2] if len(breaks) % 2 == 0 else breaks[::2]
    return breaks


def _class_labels(breaks: list[int]) -> list[str]:
    upper = [f"{b:,} to {n - 1:,}" if n - 1 > b else f"{b:,}" for b, n in zip(breaks, breaks[1:])]
    return upper + [f"{breaks[-1]:,} or more"]


def _ring(coords) -> list:
    return [[round(x, 3), round(y, 3)] for x, y in coords]  # to the metre


def _map(title: str, shapes: list, rows: list[dict], legend_title: str, unit: str) -> dict:
    """The spec of a map of ``shapes`` (shapely polygons in km, north up), each shaded by its row's ``value``
    in classes (1, 2, 5, 10...), with a legend, a north arrow, a scale bar and a tooltip (the row's
    neighbourhood, ``lsoa_name``, and its count of ``unit``). Drawn in the plane the shapes are in (Vega's
    identity projection, y up): no map tiles, no projection."""
    import shapely

    breaks = classes(max((r["value"] for r in rows), default=1))
    labels = _class_labels(breaks)
    names, colours = labels, [_hex(c) for c in sns.color_palette("rocket_r", len(breaks) + 1)[1:]]
    if any(r["value"] < 1 for r in rows):  # a neighbourhood with none: pale grey, named in the legend
        names, colours = ["0", *names], ["#f2f2f2", *colours]
    features = []
    for geom, r in zip(shapes, rows):
        geom = shapely.simplify(geom, 0.005)  # 5 m: no line a reader could see, a tenth of the points
        polys = [shapely.geometry.polygon.orient(p) for p in getattr(geom, "geoms", [geom])]
        cls = max((i for i, b in enumerate(breaks) if r["value"] >= b), default=None)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[_ring(p.exterior.coords), *(_ring(i.coords) for i in p.interiors)] for p in polys],
                },
                "properties": {
                    "value": r["value"],
                    "lsoa_name": r.get("lsoa_name"),
                    "class": labels[cls] if cls is not None else "0",
                },
            }
        )
    x0, y0, x1, y1 = shapely.GeometryCollection(shapes).bounds
    width = 520
    height = round(min(620, max(260, width * (y1 - y0) / max(x1 - x0, 1e-9))))
    bar = max((b for b in (0.5, 1, 2, 5, 10, 20, 50) if b <= (x1 - x0) / 4), default=0.25)
    below = y0 - 0.05 * (y1 - y0)
    plane = {"type": "identity", "reflectY": True}
    layers = [
        {
            "data": {"values": features, "format": {"type": "json"}},
            "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.4},
            "encoding": {
                "color": {
                    "field": "properties.class",
                    "type": "ordinal",
                    "title": legend_title,
                    "scale": {"domain": names, "range": colours},
                    "legend": {"orient": "right", "direction": "vertical", "symbolType": "square"},
                },
                "tooltip": [
                    {"field": "properties.lsoa_name", "title": "Neighbourhood"},
                    {"field": "properties.value", "title": unit.capitalize(), "format": ","},
                ],
            },
        },
        {  # the scale bar, under the map's south-west corner, and its length
            "data": {"values": [{"x": x0, "y": below, "x2": x0 + bar, "y2": below}]},
            "mark": {"type": "rule", "strokeWidth": 3, "color": "black"},
            "encoding": {
                "longitude": {"field": "x"},
                "latitude": {"field": "y"},
                "longitude2": {"field": "x2"},
                "latitude2": {"field": "y2"},
            },
        },
        {
            "data": {"values": [{"x": x0 + bar / 2, "y": below, "text": f"{bar:g} km"}]},
            "mark": {"type": "text", "dy": 10, "baseline": "top", "fontSize": 10},
            "encoding": {"longitude": {"field": "x"}, "latitude": {"field": "y"}, "text": {"field": "text"}},
        },
        {  # north up: an arrow in the north-east corner
            "data": {"values": [{"x": x1, "y": y1, "text": "\u25b2\nN"}]},
            "mark": {"type": "text", "baseline": "top", "fontSize": 12, "fontWeight": "bold", "lineBreak": "\n"},
            "encoding": {"longitude": {"field": "x"}, "latitude": {"field": "y"}, "text": {"field": "text"}},
        },
    ]
    return {"title": _title(title), "width": width, "height": height, "projection": plane, "layer": layers}


def hotspot_map(figs: dict, key: str = "hotspots") -> str | None:
    """A map of the district in hexagonal cells (H3) shaded by the records whose map point falls in each:
    drawn from figures.json alone (no tiles, no boundaries), north up, with a scale."""
    figs = raw(figs)
    import h3
    import shapely

    from ..data.boundaries import plane

    rows = [r for r in figs["series"].get(key) or [] if r.get("value")]
    if not rows:
        return None
    what, unit = _counted(key != "hotspots")
    rings = [h3.cell_to_boundary(r["cell"]) for r in rows]
    lat0 = sum(lat for ring in rings for lat, _ in ring) / sum(len(ring) for ring in rings)
    shapes = [shapely.Polygon([plane(lon, lat, lat0) for lat, lon in ring]) for ring in rings]
    area = h3.average_hexagon_area(h3.get_resolution(rows[0]["cell"]), unit="km^2")
    title = f"{what} in {figs['area']}, {short(figs)}: where it was recorded"
    spec = _map(title, shapes, rows, f"{unit.capitalize()} in a cell", unit)
    busiest = list(dict.fromkeys(r["lsoa_name"] for r in rows[:3]))
    alt = (
        f"Map of {figs['area']}, north up, in {len(rows):,} hexagonal cells of about {area:.1g} square km, each "
        f"shaded by the number of {unit} recorded in it in {period_name(figs)} (darker: more). The busiest "
        f"cell holds {rows[0]['value']:,} {unit}; the busiest cells are in {', '.join(busiest)}."
    )
    caption = (
        f"{what} in {figs['area']} by hexagonal cell (H3, about {area:.1g} km² each), from the map points "
        "police.uk gives each record: points it has already moved to the centre of the street or place they "
        "are in, so that no address is shown. Cells with none are not drawn. The table of every cell is in "
        "the download."
    )
    return _figure(spec, alt, caption)


def choropleth(figs: dict, shapes: dict, key: str = "neighbourhoods") -> str | None:
    """The district's neighbourhoods (LSOAs) shaded by their count, from the boundaries in the data folder."""
    figs = raw(figs)
    rows = [r for r in figs["series"].get(key) or [] if r.get("value") is not None and r["lsoa_code"] in shapes]
    if not rows:
        return None
    what, unit = _counted(key != "neighbourhoods")
    title = f"{what} in {figs['area']}'s neighbourhoods, {short(figs)}"
    spec = _map(title, [shapes[r["lsoa_code"]] for r in rows], rows, unit.capitalize(), unit)
    left = len(figs["series"].get(key) or []) - len(rows)
    alt = (
        f"Map of {figs['area']}'s {len(rows)} neighbourhoods (LSOAs), north up, each shaded by the number of "
        f"{unit} recorded in it in {period_name(figs)} (darker: more). The most: {rows[0]['lsoa_name']}, "
        f"{rows[0]['value']:,}."
    )
    caption = (
        f"{what} in each neighbourhood (LSOA) of {figs['area']}: counts, not rates (neighbourhoods have about the "
        "same number of residents, 1,000 to 3,000). Boundaries: ONS, from the file in the data folder."
        + (f" {left} neighbourhoods are not in that file and are not drawn." if left else "")
    )
    return _figure(spec, alt, caption)
