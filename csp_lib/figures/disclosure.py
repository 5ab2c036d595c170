"""Statistical disclosure control: the one gate every published number passes.

Counts from 1 to a threshold (default 4) in victim-based figures (sexual
offences, child sexual exploitation, hate crime strands, domestic abuse, MARAC)
are withheld, as official crime and health statistics do. Secondary suppression
then hides one more cell wherever a hidden one could be worked out: from a
total and its other parts (all crime and its nine groups too), a county and its
other districts, a period and its other months (or quarters), or from the
change column, a share or a rate; such a cell is marked ``secondary`` (it is not
small itself). The same count reached another way (the data quality page's
"of", a funnel step, a district's row in another report, a month row of a year
report) is withheld with it. :func:`apply_all` runs on every report of a county
at once, every period of a build included, so reading them together gives
nothing more away. A month-by-month (XmR) chart with a withheld month, or whose
figure is withheld, is withheld whole, and so is the size of each monthly fall
(``largest_falls``). The last step reads every number of figures.json: one at a
place :data:`FIELDS` does not know, or a small count left anywhere, stops the
build. ``figures.json`` of a published build lists every withheld value; the
analyst's internal build (``--no-suppression``) shows everything.
"""

from __future__ import annotations

import copy
import functools
import re
import tomllib
from pathlib import Path

from ..data.contract import ASSAULTS, HATE_STRANDS
from ..data.periods import parse
from .sections import GROUP_IDS

DEFAULT_THRESHOLD = 4
VICTIM_BASED = (
    "sexual_offences",
    "rape",
    "sexual_assault",
    "other_sexual_offence",
    "cse_",
    "hate_crime",
    "domestic_",
    "marac_",
)
NOT_COUNTS = ("_rank_in_county", "_rank_in_family", "_districts_rising", "_months_lower", "_quarters_lower")
# totals and the parts that add up to them (or nearly: a hate crime can carry several strands); all crime is
# the sum of the nine Home Office offence groups, so a withheld group could be worked out from the others; the
# Home Office tables' sexual offences are their rape and other sexual offences (figures/homeoffice.py)
TOTALS = {
    "sexual_offences": ["rape", "sexual_assault", "other_sexual_offence", "other_sexual_offences"],
    "domestic_assaults": [f"domestic_{k}" for k in ASSAULTS],
    "hate_crime": [f"hate_crime_{s}" for s in HATE_STRANDS],
    "all_crime": GROUP_IDS,
}
XMR_STATS = (
    *("points", "mean", "mr_bar", "ucl", "lcl", "trial", "signals", "label", "icon"),
    *("baseline", "basis", "recalculated", "segments"),  # csp.toml's [spc]: each segment's limits
)
DERIVED = {
    "value": (
        "change",
        "pct_change",
        "share",
        "rate",
        "significance",
        "rate_ci95",
        "rate_band_county",
        "rate_band_family",
    ),
    "previous": ("change", "pct_change", "previous_share", "previous_rate", "significance"),
}


def threshold_from(root: Path | None) -> int:
    """``[disclosure] threshold`` of ``csp.toml`` in the project folder (``None``: the nearest one at or
    above the working folder, as from a notebook), else the default."""
    places = [root] if root else [Path.cwd(), *Path.cwd().resolve().parents]
    for path in (p / "csp.toml" for p in places):
        if path.exists():
            with path.open("rb") as fh:
                return int(tomllib.load(fh).get("disclosure", {}).get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


def victim_based(fid: str) -> bool:
    base = fid.removeprefix("county_")
    return base.startswith(VICTIM_BASED) and not base.endswith(NOT_COUNTS)


def small(v, threshold: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= threshold


def _hide(f: dict, key: str, secondary: bool = False) -> bool:
    """Withhold ``key`` of a figure or series row, and what is derived from it. ``secondary``: it is not
    small itself but would give a small one away (shown as ``[c]``, not "fewer than 5").
    Returns whether anything new was hidden."""
    if key in f.get("suppressed", []) or f.get(key) is None:
        return False
    hidden = set(f.get("suppressed", []))
    for k in (key, *DERIVED.get(key, ())):
        if k in f:
            f[k] = None
            hidden.add(k)
    f["suppressed"] = sorted(hidden)
    if secondary:
        f["secondary"] = sorted({*f.get("secondary", []), key})
    return True


def apply(figs: dict, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """A copy of one report's figures.json with small victim-based counts withheld. A report published
    beside the other districts' reports of its county must go through :func:`apply_all` with them."""
    return apply_all({figs["area"]: figs}, threshold)[figs["area"]]


def apply_all(reports: dict, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """Copies of the figures.json of the reports of one county (any key -> figures: its districts, for one
    period or several), withheld together: a count is withheld alike wherever it is published (a district's
    own report, the rows for it in the others, a month report and a year report's month row), whichever
    report's rule withheld it, and where a period and the periods that tile it (its quarters, its months)
    are published, they cannot be subtracted to give a withheld one. Reading every report of the book
    together gives nothing more away than reading one."""
    outs = {a: _primary(figs, threshold) for a, figs in reports.items()}
    cells = _cells(outs)  # the places of each count (the dicts are changed in place from here on)
    changed = True
    while changed:  # secondary suppression until nothing more can be worked out, in any report
        changed = False
        for out in outs.values():
            while _secondary_round(out, threshold):
                changed = True
        changed |= _alike(cells)
    for out in outs.values():
        _funnels(out)
        _tables(out)
        _sweep(out, threshold)
        out["disclosure"] = {
            "threshold": threshold,
            "rule": f"victim-based counts from 1 to {threshold} are withheld, with secondary suppression",
            "suppressed": sorted(fid for fid, fig in out["figures"].items() if fig.get("suppressed")),
        }
    return outs


def _month(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def _span(p: dict, label: str = "label") -> tuple[int, int]:
    """First and last month of a period (or trend row) of figures.json: from its start and end, else its label."""
    if p.get("start"):
        return _month(p["start"]), _month(p["end"])
    q = parse(p[label])
    return q.first, q.last


def _cells(outs: dict) -> dict[tuple, list[tuple[dict, str]]]:
    """Every place a count of a district is published, by what it counts: (id, district, first month, last
    month) -> [(the dict holding it, its key)]: its own figure, the other reports' districts rows, trend
    rows, monthly rows, in every report given (several periods too)."""
    cells: dict[tuple, list[tuple[dict, str]]] = {}

    def add(fid, district, first, last, holder, key):
        cells.setdefault((fid, district, first, last), []).append((holder, key))

    for out in outs.values():
        area, f, series = out["area"], out["figures"], out.get("series", {})
        now, before = _span(out["period"]), _span(out["previous"])
        for fid, fig in f.items():
            if not victim_based(fid) or fid.startswith("county_") or "value" not in fig:
                continue
            a = (_month(fig["start"]), _month(fig["end"])) if fig.get("start") else now
            b = (_month(fig["previous_start"]), _month(fig["previous_end"])) if fig.get("previous_start") else before
            for key, (first, last) in (("value", a), ("previous", b)):
                add(fid, area, first, last, fig, key)
                for r in series.get("districts", {}).get(fid, []):
                    add(fid, r["district"], first, last, r, key)
        for fid, rows in series.get("trend", {}).items():
            for r in rows:
                first, last = _span(r, "period")
                add(fid, area, first, last, r, "area")
                for d in r.get("districts", []):
                    add(fid, d["district"], first, last, d, "value")
        for fid, rows in series.get("monthly", {}).items():
            for r in rows:
                m = _month(r["month"])
                add(fid, area, m, m, r, "value")
                add(fid, area, m - 12, m - 12, r, "previous")
    return cells


def _alike(cells: dict) -> bool:
    """Withhold a count everywhere it is withheld anywhere (the same district, id and months: its own
    figure, the other reports' rows for it, a month report's figure and a year report's month row); and
    where a period's count and the counts of periods that tile it (its quarters, its months) are all
    published but one, withhold one more."""
    changed = False
    for places in cells.values():
        if any(withheld(h, k) for h, k in places):
            for h, k in places:
                changed |= _hide(h, k, secondary=True)
    by_count: dict[tuple, dict[tuple, list]] = {}
    for (fid, district, first, last), places in cells.items():
        if victim_based(fid):
            by_count.setdefault((fid, district), {})[first, last] = places
    for windows in by_count.values():
        for (first, last), places in windows.items():
            for tiles in _tilings(windows, first, last):
                group = [places, *[windows[t] for t in tiles]]
                hidden = [g for g in group if withheld(*g[0])]
                if len(hidden) != 1:
                    continue
                shown = [g for g in group[1:] if not withheld(*g[0]) and g[0][0].get(g[0][1])]
                pick = min(shown, key=lambda g: g[0][0][g[0][1]]) if shown else places
                for h, k in pick:
                    changed |= _hide(h, k, secondary=True)
    return changed


def _tilings(windows: dict, first: int, last: int) -> list[list[tuple[int, int]]]:
    """Ways the published windows strictly inside first..last add up to it: by single months, and by the
    longest windows first (quarters of a year)."""
    out = []
    if last > first and all((m, m) in windows for m in range(first, last + 1)):
        out.append([(m, m) for m in range(first, last + 1)])
    tiles, m = [], first
    while m <= last:
        ends = [b for (a, b) in windows if a == m and b <= last and (a, b) != (first, last)]
        if not ends:
            return out
        tiles.append((m, max(ends)))
        m = max(ends) + 1
    if tiles and tiles not in out and len(tiles) > 1:
        out.append(tiles)
    return out


def _primary(figs: dict, threshold: int) -> dict:
    """A copy of figures.json with every small victim-based count withheld (and what shows it whole)."""
    out = copy.deepcopy(figs)
    f = out["figures"]
    series = out.get("series", {})
    for fid, fig in f.items():
        if victim_based(fid):
            for key in ("value", "previous"):
                if small(fig.get(key), threshold):
                    _hide(fig, key)
    for fid, fig in f.items():
        if fid.endswith(("_months_lower", "_quarters_lower")) and victim_based(fid.rsplit("_", 2)[0]):
            # a fall and the month a year earlier would give a withheld month away: the falls keep their order
            for fall in fig.get("largest_falls", []):
                if fall.get("change") is not None:
                    fall["change"] = None
                    fig["suppressed"] = sorted({*fig.get("suppressed", []), "largest_falls.change"})
    for fid, chart in series.get("xmr", {}).items():
        if victim_based(fid) and any(small(p.get("value"), threshold) for p in chart["points"]):
            _withhold_xmr(out, fid)
    for kind in ("trend", "monthly", "districts"):
        for fid, rows in series.get(kind, {}).items():
            if victim_based(fid):
                for row in rows:
                    for key in ("area", "county", "value", "previous"):
                        if small(row.get(key), threshold):
                            _hide(row, key)
                    for d in row.get("districts", []):  # a trend row's districts
                        if small(d["value"], threshold):
                            _hide(d, "value")
    return out


def _funnels(out: dict) -> None:
    """A funnel step is its figure (``id``): withheld with it, and a share with either of its two steps
    (the step before, or the first)."""
    f = out["figures"]
    for steps in out.get("series", {}).get("funnels", {}).values():
        before = None
        for step in steps:
            fig = f.get(step.get("id"), {})
            if withheld(fig):
                _hide(step, "value", secondary=secondary(fig))
            if before is not None and (withheld(step) or withheld(before)):
                _hide(step, "share_of_previous")
            if before is not None and (withheld(step) or withheld(steps[0])):
                _hide(step, "share_of_first")
            before = step


def _tables(out: dict) -> None:
    """A table whose every record a victim-based figure counts (marac_cases): its records, for the area and
    in all, are sums of that figure over the table's months (``area_rows`` less the years shown gives a
    withheld year, ``rows`` less the other districts' ``area_rows`` a withheld district, in this county's
    reports or another's): withheld in every published report, whatever it holds. Other tables' records
    (all crimes, ASB incidents, interventions...) count no victim-based figure whole and are shown."""
    for t in out.get("quality", {}).get("tables", []):
        if victim_based(t.get("table", "")):
            _hide(t, "rows", secondary=True)
            _hide(t, "area_rows", secondary=True)
    for name, src in out.get("sources", {}).items():
        if victim_based(name):
            _hide(src, "rows", secondary=True)


def _quality(out: dict, threshold: int) -> bool:
    """The data quality page's missing values: ``of`` counts the same records as its figure and is withheld
    with it; ``blank`` is a victim-based count too; ``of`` = ``blank`` + the figure's records with an age
    (``<figure>_age_known``), so where one of the three parts is hidden another is."""
    changed = False
    for row in out.get("quality", {}).get("missing", []):
        fid = row.get("figure")
        if not fid or not victim_based(fid) or fid not in out["figures"]:
            continue
        fig = out["figures"][fid]
        if withheld(fig) and not withheld(row, "of"):
            changed |= _hide(row, "of", secondary=secondary(fig))
        if small(row.get("blank"), threshold):
            changed |= _hide(row, "blank")
        if withheld(row, "of") and row.get("blank"):
            changed |= _hide(row, "blank", secondary=True)
        known = out["figures"].get(f"{fid}_age_known") if row.get("column") == "victim_age" else None
        if known is not None and not withheld(row, "of"):
            blank = {"value": row.get("blank"), "suppressed": ["value"] if withheld(row, "blank") else []}
            if _sum_rule({"value": row["of"], "suppressed": []}, [known, blank]) and withheld(blank):
                changed |= _hide(row, "blank", secondary=True)
    return changed


def _shares(out: dict) -> bool:
    """A share and its part give the whole away: a share (``share_of``) goes with its whole."""
    changed = False
    for fig in out["figures"].values():
        whole = out["figures"].get(fig.get("share_of"), {})
        for key, share in (("value", "share"), ("previous", "previous_share")):
            if withheld(whole, key) and fig.get(share) is not None:
                changed |= _hide(fig, share)
    return changed


def _bands(out: dict) -> bool:
    """A rate's band against the county (``rate_band_county``) says where the county's rate lies: it goes
    with the county's count. The band against the most similar group (``rate_band_family``) says where the
    group's rate lies, the sum of its members' counts over their residents: with the other members' counts
    (their rows in ``series.districts``, or their own reports) it bounds a withheld one, and the bands of the
    group's other reports, against the same rate, close in on it. It goes when any member's count is withheld
    (in any report: :func:`_alike` withholds a count in every row that shows it) or is not shown at all."""
    changed = False
    members = out.get("family", {}).get("districts", [])
    for fid, fig in out["figures"].items():
        if fig.get("rate_band_county") is not None and withheld(out["figures"].get(f"county_{fid}", {})):
            changed |= _hide(fig, "rate_band_county")
        if fig.get("rate_band_family") is not None:
            rows = {r.get("district"): r for r in out.get("series", {}).get("districts", {}).get(fid, [])}
            if not members or any(d not in rows or withheld(rows[d], "value") for d in members):
                changed |= _hide(fig, "rate_band_family")
    return changed


class DisclosureError(Exception):
    """figures.json holds a number the gate does not know: it is not published until a rule says what it counts."""


# Every number a published figures.json may hold, by where it sits (``<id>`` a figure or series id):
# "count" is a count of the records of its id, withheld when victim-based and small (or to protect one);
# "derived" is worked out from counts and withheld with them; "safe" counts no person (a rank, an index, a
# table's size over every district and year). A number anywhere else stops the build.
FIELDS = [
    (r"figures\.(?P<id>\w+)\.(value|previous)", "count"),
    (r"figures\.\w+\.(change|pct_change|share|previous_share|rate|previous_rate)", "derived"),
    (r"figures\.\w+\.significance\.(p_value|ratio)", "derived"),  # the test of value against previous
    (r"figures\.\w+\.significance\.ratio_ci95\[\]", "derived"),
    (r"figures\.\w+\.rate_ci95\[\]", "derived"),  # the exact Poisson interval of value, per 1,000
    (r"figures\.\w+\.(of|higher)", "safe"),
    (r"figures\.\w+\.largest_falls\[\]\.change", "derived"),
    (r"series\.(districts|monthly)\.(?P<id>\w+)\[\]\.(value|previous)", "count"),
    (r"series\.districts\.\w+\[\]\.(change|pct_change)", "derived"),
    (r"series\.districts\.\w+\[\]\.significance\.(p_value|ratio)", "derived"),  # withheld with the row's counts
    (r"series\.districts\.\w+\[\]\.significance\.ratio_ci95\[\]", "derived"),
    (r"series\.trend\.(?P<id>\w+)\[\]\.(area|county)", "count"),
    (r"series\.trend\.(?P<id>\w+)\[\]\.districts\[\]\.value", "count"),
    (r"series\.xmr\.(?P<id>\w+)\.points\[\]\.value", "count"),
    (r"series\.xmr\.\w+\.(mean|mr_bar|ucl|lcl)", "derived"),
    (r"series\.xmr\.\w+\.signals\[\]\.points\[\]", "safe"),
    (r"series\.xmr\.\w+\.segments\[\]\.(mean|mr_bar|ucl|lcl)", "derived"),  # each segment's limits, as the chart's
    (r"series\.xmr\.\w+\.segments\[\]\.(points|baseline_points)", "safe"),  # how many months: not counts
    (r"series\.xmr\.\w+\.baseline", "safe"),  # csp.toml's [spc] baseline, a number of points
    (r"series\.(?P<id>neighbourhoods(_asb)?)\[\]\.(value|previous)", "count"),
    (r"series\.rolling\.(?P<id>\w+)\[\]\.value", "count"),
    (r"series\.(?P<id>hotspots(_asb)?)\[\]\.value", "count"),
    (r"series\.(?P<id>outcomes)\[\]\.(value|previous)", "count"),
    (r"series\.outcomes\[\]\.(share|previous_share)", "derived"),
    (r"series\.outcomes_by_type\.(?P<id>\w+)\[\]\.value", "count"),
    (r"series\.outcomes_by_type\.\w+\[\]\.share", "derived"),
    (r"series\.neighbourhoods(_asb)?\[\]\.change", "derived"),
    (r"series\.funnels\.\w+\[\]\.value", "count"),
    (r"series\.funnels\.\w+\[\]\.share_of_previous", "derived"),
    (r"series\.funnels\.\w+\[\]\.share_of_first", "derived"),
    (r"quality\.missing\[\]\.(of|blank)", "count"),
    (r"quality\.tables\[\]\.(rows|area_rows)", "count"),  # the holder's "table" names what they count
    (r"quality\.excluded\[\]\.(rows|districts)", "safe"),
    (r"quality\.files", "safe"),
    # police.uk beside the Home Office tables (data/combined.py): all crime by quarter in each source
    (r"quality\.reconciliation\.quarters\[\]\.(policeuk|homeoffice|no_location)", "count"),
    (r"quality\.reconciliation\.quarters\[\]\.(difference|share)", "derived"),
    (r"quality\.reconciliation\.years\[\]\.(policeuk|homeoffice|no_location)", "count"),  # quarters summed
    (r"quality\.reconciliation\.years\[\]\.(difference|share)", "derived"),
    (r"quality\.reconciliation\.years\[\]\.quarters", "safe"),  # how many quarters a year's row sums
    (r"source\.file_count", "safe"),
    (r"source\.policeuk\.files", "safe"),  # how many street files beside the Home Office tables
    (r"(period|previous)\.(months_counted|months)", "safe"),
    (r"sources\.(?P<id>\w+)\.rows", "count"),
    (r"disclosure\.threshold", "safe"),
    (r"population\.(year|districts)", "safe"),
    # editions (publish/editions.py): the numbers of earlier editions, each published through this gate then
    (r"edition\.number", "safe"),
    (r"revisions\[\]\.(edition|revised_in)", "safe"),
    (r"revisions\[\]\.figures\[\]\.(old|new)", "count"),
    (r"revisions\[\]\.figures\[\]\.difference", "derived"),
    (r"revisions\[\]\.data\[\]\.(old|new)", "count"),
    (r"earlier_revisions\[\]\.(published|now)", "count"),
    (r"earlier_revisions\[\]\.difference", "derived"),
    (r"earlier_revisions\[\]\.edition", "safe"),
]
_FIELDS = [(re.compile(p), kind) for p, kind in FIELDS]


def numbers(tree, path: str = ""):
    """(path, value, the dict holding it) of every number in a figures.json tree; lists read ``[]``."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                yield f"{path}.{k}".lstrip("."), v, tree
            else:
                yield from numbers(v, f"{path}.{k}".lstrip("."))
    elif isinstance(tree, list):
        for v in tree:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                yield f"{path}[]", v, None
            else:
                yield from numbers(v, f"{path}[]")


def _sweep(out: dict, threshold: int) -> None:
    """The last step of the gate: every number must be of a kind it knows, and no count of a victim-based
    id from 1 to the threshold may be left, wherever it sits (a new figure, series or field included)."""
    for path, value, holder in numbers(out):
        known = _kind(path)
        if known is None:
            raise DisclosureError(f"figures.json has a number at {path} that disclosure.FIELDS does not know")
        kind, fid = known
        fid = fid or next((holder[k] for k in ("id", "figure", "table") if (holder or {}).get(k)), "")
        if kind == "count" and victim_based(fid) and small(value, threshold):
            raise DisclosureError(f"a count from 1 to {threshold} of {fid} is left at {path}")


@functools.lru_cache(maxsize=8192)
def _kind(path: str) -> tuple[str, str | None] | None:
    """(kind, the figure id the path names, if it does) of the first of FIELDS that ``path`` matches; None when
    none does. Paths repeat from report to report (a list's items share one), so each is matched once."""
    for rx, kind in _FIELDS:
        if m := rx.fullmatch(path):
            return kind, m.groupdict().get("id")
    return None


def _withhold_xmr(out: dict, fid: str) -> None:
    """One withheld month could be worked out from the chart's mean and the months shown, and its
    limits and signals narrow down the others; its months add up to the year's figures: withheld whole."""
    out["series"]["xmr"][fid] = {
        **dict.fromkeys(XMR_STATS),
        **{"points": [], "signals": [], "recalculated": [], "segments": []},
        "suppressed": list(XMR_STATS),
    }
    if fid in out["figures"]:
        fig = out["figures"][fid]
        fig["variation"] = None
        hidden = {"variation"} | ({"variation_icon"} if "variation_icon" in fig else set())
        if "variation_icon" in fig:
            fig["variation_icon"] = None
        fig["suppressed"] = sorted({*fig.get("suppressed", []), *hidden})


def _secondary_round(out: dict, threshold: int) -> bool:
    f, series, changed = out["figures"], out.get("series", {}), False
    for fid, chart in series.get("xmr", {}).items():  # the months shown would add up to a figure withheld
        if fid in f and not chart.get("suppressed") and (withheld(f[fid]) or withheld(f[fid], "previous")):
            _withhold_xmr(out, fid)
            changed = True
    in_series = set(series.get("districts", {}))
    for prefix in ("", "county_"):
        for total, parts in TOTALS.items():
            present = [p for p in (prefix + q for q in parts) if p in f]
            # a part that other reports show district by district is hidden last (they would not hide it)
            last = {i for i, p in enumerate(present) if p.removeprefix(prefix) in in_series}
            changed |= _sum_rule(f.get(prefix + total), [f[p] for p in present], last)
    for fid, rows in series.get("districts", {}).items():
        if not victim_based(fid):
            continue
        for key in ("value", "previous"):
            if fid in f:
                changed |= _parts(_county(out, fid), rows, key, "district", f[fid], key, out.get("area"))
    for fid, rows in series.get("trend", {}).items():
        if not victim_based(fid):
            continue
        for col, fig in (("area", f.get(fid)), ("county", f.get(f"county_{fid}"))):
            for key, period in (("value", out["period"]["label"]), ("previous", out["previous"]["label"])):
                if fig and secondary(fig, key):
                    for r in rows:
                        if r["period"] == period:
                            changed |= _hide(r, col, secondary=True)
        for r in rows:  # each year's county is the sum of its districts, as for this year's
            county = {"value": r.get("county"), "suppressed": ["value"] if withheld(r, "county") else []}
            changed |= _parts(county, r.get("districts", []), "value", "district", r, "area", out.get("area"))
    for fid, rows in series.get("monthly", {}).items():
        if not victim_based(fid):
            continue
        for key in ("value", "previous"):
            changed |= _parts(f.get(fid), rows, key, "month")
    changed |= _quality(out, threshold)
    changed |= _shares(out)
    changed |= _bands(out)
    return changed


def _county(out: dict, fid: str) -> dict | None:
    """The county's value and previous for ``fid``: its figure, or else its trend rows (charted)."""
    if (county := out["figures"].get(f"county_{fid}")) is not None:
        return county
    rows = {r["period"]: r for r in out.get("series", {}).get("trend", {}).get(fid, [])}
    now, before = rows.get(out["period"]["label"]), rows.get(out["previous"]["label"])
    if now is None and before is None:
        return None
    return {
        "value": now and now.get("county"),
        "previous": before and before.get("county"),
        "suppressed": [k for k, r in (("value", now), ("previous", before)) if r and withheld(r, "county")],
    }


def _parts(total: dict | None, rows: list[dict], key: str, name: str, own=None, own_key=None, area=None) -> bool:
    """Rows that add up to ``total`` (districts to a county, months to a period). Where exactly one row is
    withheld, one more is: the smallest, ties broken by ``name``, so that every report of the county picks
    the same one. Where the total is withheld, the rows shown must not add up to it. ``own``, this
    report's figure or trend row (its ``own_key``), and the row of ``area`` are withheld alike."""
    changed = False
    mine = next((r for r in rows if area is not None and r[name] == area), None)
    if mine is not None and withheld(own, own_key):
        changed |= _hide(mine, key, secondary=True)
    hidden = [r for r in rows if withheld(r, key)]
    shown = [r for r in rows if not withheld(r, key) and r.get(key) is not None]
    if total and total.get(key) is not None and len(hidden) == 1 and shown:
        row = min(shown, key=lambda r: (r[key], r[name]))
        changed |= _hide(row, key, secondary=True)
        if row is mine:
            _hide(own, own_key, secondary=True)
    elif total and withheld(total, key) and not hidden:
        nonzero = [r for r in shown if r[key]]
        changed |= bool(nonzero) and _hide(min(nonzero, key=lambda r: (r[key], r[name])), key, secondary=True)
    return changed


def _sum_rule(total: dict | None, parts: list[dict], last: set[int] = frozenset()) -> bool:
    """Where exactly one part of a total is hidden, hide the next smallest part (those in ``last`` only
    when no other will do), or else the total."""
    if total is None:
        return False
    changed = False
    for key in ("value", "previous"):
        if key in total.get("suppressed", []):
            continue
        hidden = [p for p in parts if key in p.get("suppressed", [])]
        if len(hidden) != 1:
            continue
        others = sorted((i in last, p[key], i) for i, p in enumerate(parts) if p not in hidden and p.get(key))
        changed |= _hide(parts[others[0][2]] if others else total, key, secondary=True)
    return changed


def withheld(fig: dict, key: str = "value") -> bool:
    return key in fig.get("suppressed", [])


def secondary(fig: dict, key: str = "value") -> bool:
    """Withheld only so that a small count elsewhere cannot be worked out: not itself small."""
    return key in fig.get("secondary", [])
