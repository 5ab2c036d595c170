"""Statistical disclosure control for the published build.

Counts from 1 to a threshold (default 4) in victim-based figures (sexual
offences, child sexual exploitation, hate crime strands, domestic abuse, MARAC)
are withheld, as official crime and health statistics do. Secondary suppression
then hides one more cell wherever a hidden one could be worked out: from a
total and its other parts, a county and its other districts (this year and
each year of the trend, alike in every report of the county), a period and its
other months, or from the change column; such a cell is marked ``secondary``
(shown as ``[c]``: it is not small itself). A month-by-month (XmR) chart with a
withheld month, or whose figure is withheld, is withheld whole, and so is the
size of each monthly fall (``largest_falls``). ``figures.json`` of a published
build lists every withheld value; the analyst's internal build
(``--no-suppression``) shows everything.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from .contract import ASSAULTS, HATE_STRANDS

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
NOT_COUNTS = ("_rank_in_county", "_districts_rising", "_months_lower", "_quarters_lower", "_age_known")
# totals and the parts that add up to them (or nearly: a hate crime can carry several strands)
TOTALS = {
    "sexual_offences": ["rape", "sexual_assault", "other_sexual_offence"],
    "domestic_assaults": [f"domestic_{k}" for k in ASSAULTS],
    "hate_crime": [f"hate_crime_{s}" for s in HATE_STRANDS],
}
XMR_STATS = ("points", "mean", "mr_bar", "ucl", "lcl", "trial", "signals", "label")
DERIVED = {
    "value": ("change", "pct_change", "share", "rate"),
    "previous": ("change", "pct_change", "previous_share", "previous_rate"),
}


def threshold_from(root: Path | None) -> int:
    """``[disclosure] threshold`` of ``csp.toml`` in the project folder, else the default."""
    path = (root or Path.cwd()) / "csp.toml"
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
    """A copy of figures.json with small victim-based counts withheld."""
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
    # secondary suppression until nothing more can be worked out: a total less its other parts, a
    # county less its other districts, a period less its other months
    while _secondary_round(out):
        pass
    out["disclosure"] = {
        "threshold": threshold,
        "rule": f"victim-based counts from 1 to {threshold} are withheld, with secondary suppression",
        "suppressed": sorted(fid for fid, fig in f.items() if fig.get("suppressed")),
    }
    return out


def _withhold_xmr(out: dict, fid: str) -> None:
    """One withheld month could be worked out from the chart's mean and the months shown, and its
    limits and signals narrow down the others; its months add up to the year's figures: withheld whole."""
    out["series"]["xmr"][fid] = {**dict.fromkeys(XMR_STATS), "points": [], "signals": [], "suppressed": list(XMR_STATS)}
    if fid in out["figures"]:
        fig = out["figures"][fid]
        fig["variation"] = None
        fig["suppressed"] = sorted({*fig.get("suppressed", []), "variation"})


def _secondary_round(out: dict) -> bool:
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
