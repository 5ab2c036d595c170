"""Seaborn charts read from figures.json, returned as accessible HTML figures.

Every chart has a title that states the finding, labelled axes, alt text and a
caption, and uses one colour-blind-safe palette.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ..data.periods import parse  # noqa: E402
from ..figures.measures import pct_change  # noqa: E402
from ..figures.sections import label  # noqa: E402
from .narrative import fewer, pct, period_name, short, what_counted  # noqa: E402

PALETTE = sns.color_palette("colorblind")
# counts a trend title must not read as a measure of the problem (a rise or fall of the flag is not one)
NOT_PERFORMANCE = {"cse_flagged_crimes": "counts of a flag that depend on recording practice, not a measure of CSE"}
AREA, COUNTY, PREVIOUS, OTHER = PALETTE[0], PALETTE[1], PALETTE[7], "#b8b8b8"


def _bars(ax, labels, values, colours, horizontal: bool = False):
    """Bars on a categorical axis as seaborn's barplot draws them (its saturation, no grid across the
    categories, the first category first), by matplotlib directly: a seaborn barplot cost 90 ms, most of
    a chart's drawing, for what is one call here."""
    at = range(len(labels))
    colours = [sns.desaturate(c, 0.75) for c in colours]
    if horizontal:
        ax.barh(at, values, color=colours, height=0.8)
        ax.set_yticks(at, labels)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.yaxis.grid(False)
    else:
        ax.bar(at, values, color=colours, width=0.8)
        ax.set_xticks(at, labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.xaxis.grid(False)


def _months_axis(ax, dates: pd.Series) -> None:
    """A date axis of months ticked each January and July, or each January (or second, third...) over
    longer spans: matplotlib's automatic date ticks are worked out again on every draw, at a cost."""
    import matplotlib.dates as mdates

    years = (dates.max() - dates.min()).days / 365.25
    if years <= 4:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    else:
        ax.xaxis.set_major_locator(mdates.YearLocator(base=max(1, round(years / 8))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _thousands(ax, axis="y"):
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _style():
    sns.set_theme(
        style="whitegrid",
        palette="colorblind",
        font_scale=0.95,
        rc={
            "svg.hashsalt": "csp-book",
            "axes.titleweight": "bold",
            "axes.titlesize": 11,
            # a title at a fixed height over the axes (nothing is drawn above them): matplotlib's
            # search for a clear place measured every artist of the axes, the largest cost of a chart
            "axes.titley": 1.0,
            # text stays text in the SVG: selectable, searchable, a third of the size and quicker to
            # draw; laid out with DejaVu Sans, whose fallbacks are no wider, so nothing overflows
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        },
    )


def _figure_html(fig, alt: str, caption: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue().encode()).decode()
    return (
        f'<figure class="csp-chart"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{html.escape(alt, quote=True)}" style="max-width:100%"/>'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


_DRAWN: dict[str, str] = {}  # this process's last charts, by what they were drawn from (_once)


def _once(draw):
    """Draw a chart once per process for the same figures and arguments: where police.uk has only the combined
    category, the violence and sexual offences pages show the same three charts, and a warm kernel that runs
    both pages of a report (as it mostly does) draws them once. The key is the whole of figures.json, so a
    chart is never taken for another's."""

    @functools.wraps(draw)
    def drawn(figs: dict, *args):
        key = hashlib.sha256(json.dumps([draw.__name__, args, figs], sort_keys=True, default=str).encode()).hexdigest()
        if key not in _DRAWN:
            if len(_DRAWN) >= 32:
                _DRAWN.pop(next(iter(_DRAWN)))
            _DRAWN[key] = draw(figs, *args)
        return _DRAWN[key]

    return drawn


def _counted(asb: bool) -> tuple[str, str]:
    """A map's subject and unit: ("Crime", "crimes") or ("Antisocial behaviour", "incidents")."""
    what, unit = what_counted(asb)
    return what.capitalize(), unit + "s"


def _n(v) -> str:
    return "withheld" if v is None or pd.isna(v) else f"{int(v):,}"


def _change_words(first, last) -> str:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return "(small counts withheld)"
    if not first:
        return "no earlier count"
    c = pct_change(int(last), int(first))  # the report's one rounding rule (half away from zero)
    return f"{'up' if c > 0 else 'down'} {pct(abs(c))}" if c else "unchanged"


def unavailable(figs: dict, fid: str) -> str | None:
    """A short note in place of a chart whose figure the data cannot give (police.uk, absent table)."""
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


@_once
def trend(figs: dict, fid: str) -> str | None:
    """Four-year trend, district and county side by side (their scales differ)."""
    if note := unavailable(figs, fid):
        return note
    rows = figs["series"]["trend"].get(fid) or []
    if len(rows) < 2:
        return None
    _style()
    df = pd.DataFrame(rows)
    df[["area", "county"]] = df[["area", "county"]].apply(pd.to_numeric)  # withheld counts are NaN
    if "short" in df:  # "Nov 2018–Oct 2019" and "Q3 2016/17" on two lines, so that four fit under a panel
        df["period"] = df["short"].str.replace("\u2013", "\u2013\n").str.replace(r"^(Q\d) ", "\\1\n", regex=True)
    xlabel, over = _years(figs, len(df))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
    for ax, col, name, colour in ((axes[0], "area", figs["area"], AREA), (axes[1], "county", figs["county"], COUNTY)):
        if df[col].isna().all():
            ax.text(0.5, 0.5, "small counts withheld", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            _bars(ax, df["period"], df[col].fillna(0), [colour] * len(df))
            for bar, v in zip(ax.patches, df[col]):
                ax.annotate(
                    _n(v),
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Count (records)")
        _thousands(ax)
        ax.margins(y=0.15)
        if not df[col].fillna(0).any():  # every bar 0: an axis from 0 up, not -0 to 0
            ax.set_ylim(0, 1)
            ax.set_yticks([0, 1])
    first = rows[0].get("short", rows[0]["period"])
    if fid in NOT_PERFORMANCE:  # a flag's count moves with recording practice: no change is claimed
        title = f"{label(fid)} since {first}: {NOT_PERFORMANCE[fid]}"
    else:
        title = (
            f"{label(fid)} since {first}: {figs['area']} {_change_words(df['area'].iloc[0], df['area'].iloc[-1])}, "
            f"{figs['county']} {_change_words(df['county'].iloc[0], df['county'].iloc[-1])}"
        )
    fig.suptitle(title, fontsize=11, fontweight="bold", y=0.99)
    # room for the two titles and between the panels; the saved figure is cropped to what is drawn (a
    # tight layout, measuring every label once more, was 40% of the chart's cost)
    fig.subplots_adjust(top=0.8, wspace=0.45)
    values = "; ".join(
        f"{r.get('short', r['period'])}: {_n(r['area'])} in {figs['area']}, {_n(r['county'])} in {figs['county']}"
        for r in rows
    )
    alt = f"Bar charts of {label(fid).lower()} by {xlabel.lower()}. {values}."
    caption = (
        f"{label(fid)} in {figs['area']} (left) and {figs['county']} (right) {over}. "
        "Separate scales: the county is larger."
    )
    return _figure_html(fig, alt, caption)


@_once
def ranking(figs: dict, fid: str) -> str | None:
    """% change of every district of the county, the report's area highlighted."""
    if note := unavailable(figs, fid):
        return note
    rows = [r for r in figs["series"]["districts"].get(fid, []) if r["pct_change"] is not None]
    if len(rows) < 2:
        return None
    _style()
    df = pd.DataFrame(rows).sort_values("pct_change")
    df["is_area"] = df["district"] == figs["area"]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(df) + 1.2))
    _bars(ax, df["district"], df["pct_change"], [AREA if a else OTHER for a in df["is_area"]], horizontal=True)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"% change, {short(figs)} on {short(figs, 'previous')}")
    ax.set_ylabel("")
    rank = figs["figures"].get(f"{fid}_rank_in_county", {})
    place = f"{rank.get('value')} of {rank.get('of')}" if rank.get("value") else "not ranked"
    ax.set_title(f"{label(fid)}: {figs['area']} is {place} (1 = lowest % change)")
    for t in ax.get_yticklabels():
        if t.get_text() == figs["area"]:
            t.set_fontweight("bold")
    alt = (
        f"Horizontal bar chart of the % change in {label(fid).lower()} for each district of "
        f"{figs['county']}: " + "; ".join(f"{r.district} {pct(r.pct_change, True)}" for r in df.itertuples()) + "."
    )
    caption = f"{label(fid)}: % change by district of {figs['county']}, lowest first; {figs['area']} highlighted."
    return _figure_html(fig, alt, caption)


def monthly(figs: dict, fid: str) -> str | None:
    """Each month of the period against the same month a year earlier."""
    if note := unavailable(figs, fid):
        return note
    rows = figs["series"]["monthly"].get(fid) or []
    if not rows:
        return None
    _style()
    df = pd.DataFrame(rows)
    df["m"] = df["label"].str[:3]
    long = pd.concat(
        [
            df.assign(year=short(figs), count=df["value"]),
            df.assign(year=short(figs, "previous"), count=df["previous"]),
        ]
    ).dropna(subset=["count"])
    fig, ax = plt.subplots(figsize=(9, 3.4))
    for (year, rows_of), colour, marker in zip(long.groupby("year", sort=False), (AREA, PREVIOUS), ("o", "X")):
        ax.plot(rows_of.index, rows_of["count"], color=colour, marker=marker, label=year)  # index: the month's place
    ax.set_xticks(range(len(df)), df["m"])
    cmp = figs["figures"].get(f"{fid}_months_lower", {})
    lower, higher, of = cmp.get("value", 0), cmp.get("higher", 0), cmp.get("of", len(df))
    finding = f"{higher} of {of} months higher" if higher > lower else f"{lower} of {of} months lower"
    ax.set_title(f"{label(fid)} in {figs['area']} by month: {finding} than a year earlier")
    ax.set_xlabel("Month")
    ax.set_ylabel("Count (records)")
    _thousands(ax)
    ax.legend(title="")
    alt = (
        f"Line chart of {label(fid).lower()} in {figs['area']} by month: "
        + "; ".join(f"{r['label']} {_n(r['value'])} (a year earlier {_n(r['previous'])})" for r in rows)
        + "."
    )
    caption = f"{label(fid)} in {figs['area']}, each month of {short(figs)} and of {short(figs, 'previous')}."
    return _figure_html(fig, alt, caption)


def strands(figs: dict, ids: list[str]) -> str | None:
    """Hate crime by strand, this period and the one before."""
    rows = []
    for fid in ids:
        f = figs["figures"].get(fid, {})
        if f.get("value") is None:
            continue
        rows.append({"strand": label(fid), "year": short(figs), "count": f["value"]})
        if f.get("previous") is not None:
            rows.append({"strand": label(fid), "year": short(figs, "previous"), "count": f["previous"]})
    if not rows:
        return None
    _style()
    df = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    sns.barplot(
        data=df,
        x="strand",
        y="count",
        hue="year",
        hue_order=[short(figs, "previous"), short(figs)],
        palette=[PREVIOUS, AREA],
        ax=ax,
    )
    for c in ax.containers:
        ax.bar_label(c, fontsize=8, padding=2)
    top = df[df["year"] == short(figs)].sort_values("count").iloc[-1]
    ax.set_title(f"Hate crime in {figs['area']} by strand: {top['strand'].lower()} is the most common")
    ax.set_xlabel("Strand (a crime can carry more than one)")
    ax.set_ylabel("Crimes")
    ax.margins(y=0.15)
    ax.legend(title="")
    alt = (
        "Bar chart of hate crimes by strand: "
        + "; ".join(f"{r.strand} {r.year} {r.count}" for r in df.itertuples())
        + "."
    )
    caption = f"Hate crimes in {figs['area']} by strand, {short(figs, 'previous')} and {short(figs)}."
    return _figure_html(fig, alt, caption)


@_once
def xmr(figs: dict, fid: str) -> str | None:
    """XmR chart of the area's monthly counts over the four-year window, special causes marked."""
    if note := unavailable(figs, fid):
        return note
    chart = figs["series"].get("xmr", {}).get(fid)
    if chart and chart.get("suppressed"):
        withheld = f"months with {fewer(figs)} are withheld, and the chart with them"
        return f'<p class="csp-note"><em>No chart: {withheld}.</em></p>'
    if not chart or len(chart["points"]) < 2:
        return None
    _style()
    df = pd.DataFrame(chart["points"])
    df["value"] = pd.to_numeric(df["value"])
    df["x"] = pd.to_datetime(df["month"] + "-01")
    fig, ax = plt.subplots(figsize=(9, 3.4))
    period_start = pd.Timestamp(figs["period"]["start"])
    ax.axvspan(
        period_start,
        df["x"].iloc[-1] + pd.Timedelta(days=15),
        color="#eeeeee",
        zorder=0,
        label=f"{short(figs)}",
    )
    ax.plot(df["x"], df["value"], color=AREA, marker="o", markersize=3.5, label="Month")
    _months_axis(ax, df["x"])
    special = df[df["special"] & df["value"].notna()]
    ax.scatter(special["x"], special["value"], color=COUNTY, s=26, zorder=3, label="Special cause")
    ax.axhline(chart["mean"], color="black", lw=1, label="Mean")
    for y in (chart["ucl"], chart["lcl"]):
        if y >= 0:
            ax.axhline(y, color="black", lw=0.8, ls="--")
    ax.plot([], [], color="black", lw=0.8, ls="--", label="Process limits")
    finding = "shows special causes" if chart["label"].startswith("special") else "within normal variation"
    ax.set_title(f"{label(fid)} in {figs['area']} by month: {short(figs)} {finding}")
    ax.set_xlabel("Month")
    ax.set_ylabel("Count (records)")
    _thousands(ax)
    ax.legend(loc="upper left", fontsize=8, ncol=5, frameon=False, bbox_to_anchor=(0, -0.18))
    trial = " Trial limits (fewer than 12 months)." if chart["trial"] else ""
    alt = (
        f"XmR chart of {label(fid).lower()} in {figs['area']} by month from {df['month'].iloc[0]} to "
        f"{df['month'].iloc[-1]}: mean {chart['mean']:,.1f}, process limits {max(chart['lcl'], 0):,.1f} "
        f"to {chart['ucl']:,.1f}; {int(df['special'].sum())} months flagged as special cause; "
        f"{short(figs)}: {chart['label']}.{trial}"
    )
    caption = (
        f"{label(fid)} in {figs['area']}, each month, with the mean and process limits (mean ± 2.66 × "
        f"the mean moving range). Orange points are special causes under the Making Data Count rules; "
        f"the shaded months are {short(figs)}.{trial}"
    )
    return _figure_html(fig, alt, caption)


def rolling(figs: dict, fid: str) -> str | None:
    """The area's 12-month total to each month the data cover, the report's last month marked: where a month
    or a quarter sits in the year around it."""
    rows = figs["series"].get("rolling", {}).get(fid) or []
    if len(rows) < 2:
        return None
    _style()
    df = pd.DataFrame(rows)
    df["date"] = pd.to_datetime(df["month"] + "-01")
    # a month with no data breaks the line instead of joining across it
    full = pd.DataFrame({"date": pd.date_range(df["date"].min(), df["date"].max(), freq="MS")})
    df = full.merge(df, on="date", how="left")
    fig, ax = plt.subplots(figsize=(9, 3.2))
    ax.plot(df["date"], df["value"], color=AREA, linewidth=2)
    end = pd.Timestamp(figs["period"]["end"][:7] + "-01")
    here = df[df["date"] == end]
    if not here.empty and pd.notna(here["value"].iloc[0]):
        ax.scatter(here["date"], here["value"], color=COUNTY, zorder=3, s=40, label=f"12 months to {short(figs)}")
        ax.legend(loc="best", frameon=False)
    ax.set_title(f"{label(fid)} in {figs['area']}: 12-month total to each month")
    ax.set_xlabel("12 months to")
    ax.set_ylabel("Count (records)")
    _thousands(ax)
    _months_axis(ax, df["date"])
    alt = (
        f"Line chart of the 12-month total of {label(fid).lower()} in {figs['area']}, to each month: "
        + "; ".join(f"{r['label']} {_n(r['value'])}" for r in rows)
        + "."
    )
    caption = (
        f"{label(fid)} in {figs['area']}: each point is the total of the 12 months to that month; the marked point "
        "ends with the report's last month. A break is a month with no data."
    )
    return _figure_html(fig, alt, caption)


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


def _map_figure(shapes: list):
    """A figure whose map area has the shapes' proportions (a tall district is drawn tall), the legend beside."""
    import shapely

    x0, y0, x1, y1 = shapely.GeometryCollection(shapes).bounds
    height = min(9.0, max(3.5, 5.0 * (y1 - y0) / max(x1 - x0, 1e-9)))
    return plt.subplots(figsize=(7.5, height + 0.8))


def _map(ax, shapes: list, values: list[int], legend_title: str) -> list[int]:
    """Shade ``shapes`` (shapely polygons in km) by ``values`` in classes, with a legend, north arrow and a
    scale bar; returns the classes."""
    import matplotlib.patches as mpatches
    import shapely
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path as MPath

    breaks = classes(max(values, default=1))
    colours = sns.color_palette("rocket_r", len(breaks) + 1)[1:]
    paths, faces = [], []
    for geom, v in zip(shapes, values):
        colour = colours[max(i for i, b in enumerate(breaks) if v >= b)] if v >= 1 else "#f2f2f2"
        for poly in getattr(geom, "geoms", [geom]):
            poly = shapely.geometry.polygon.orient(poly)
            paths.append(
                MPath.make_compound_path(MPath(poly.exterior.coords), *(MPath(r.coords) for r in poly.interiors))
            )
            faces.append(colour)
    # one collection, not a patch a shape: a map of 400 cells draws in a third of the time
    ax.add_collection(PathCollection(paths, facecolors=faces, edgecolors="white", linewidths=0.3), autolim=True)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [mpatches.Patch(facecolor=c, label=t) for c, t in zip(colours, _class_labels(breaks))]
    ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width = x1 - x0
    bar = max((b for b in (0.5, 1, 2, 5, 10, 20, 50) if b <= width / 4), default=0.25)
    ax.plot([x0, x0 + bar], [y0 - 0.04 * (y1 - y0)] * 2, color="black", lw=3, solid_capstyle="butt", clip_on=False)
    ax.text(x0 + bar / 2, y0 - 0.06 * (y1 - y0), f"{bar:g} km", ha="center", va="top", fontsize=8)
    ax.annotate(
        "N",
        xy=(x1, y1),
        xytext=(x1, y1 - 0.1 * (y1 - y0)),
        ha="center",
        va="top",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        annotation_clip=False,
    )
    return breaks


def hotspot_map(figs: dict, key: str = "hotspots") -> str | None:
    """A map of the district in hexagonal cells (H3) shaded by the records whose map point falls in each:
    drawn from figures.json alone (no tiles, no boundaries), north up, with a scale."""
    import h3
    import shapely

    from ..data.boundaries import plane

    rows = [r for r in figs["series"].get(key) or [] if r.get("value")]
    if not rows:
        return None
    _style()
    what, unit = _counted(key != "hotspots")
    rings = [h3.cell_to_boundary(r["cell"]) for r in rows]
    lat0 = sum(lat for ring in rings for lat, _ in ring) / sum(len(ring) for ring in rings)
    shapes = [shapely.Polygon([plane(lon, lat, lat0) for lat, lon in ring]) for ring in rings]
    area = h3.average_hexagon_area(h3.get_resolution(rows[0]["cell"]), unit="km^2")
    fig, ax = _map_figure(shapes)
    _map(ax, shapes, [r["value"] for r in rows], f"{unit.capitalize()} in a cell")
    ax.set_title(f"{what} in {figs['area']}, {short(figs)}: where it was recorded")
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
    return _figure_html(fig, alt, caption)


def choropleth(figs: dict, shapes: dict, key: str = "neighbourhoods") -> str | None:
    """The district's neighbourhoods (LSOAs) shaded by their count, from the boundaries in the data folder."""
    rows = [r for r in figs["series"].get(key) or [] if r.get("value") is not None and r["lsoa_code"] in shapes]
    if not rows:
        return None
    _style()
    what, unit = _counted(key != "neighbourhoods")
    fig, ax = _map_figure([shapes[r["lsoa_code"]] for r in rows])
    _map(ax, [shapes[r["lsoa_code"]] for r in rows], [r["value"] for r in rows], f"{unit.capitalize()}")
    ax.set_title(f"{what} in {figs['area']}'s neighbourhoods, {short(figs)}")
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
    return _figure_html(fig, alt, caption)
