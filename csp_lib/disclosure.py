"""Statistical disclosure control for the published build.

Counts from 1 to a threshold (default 4) in victim-based figures (sexual
offences, child sexual exploitation, hate crime strands, domestic abuse, MARAC)
are withheld, as official crime and health statistics do. Secondary suppression
then hides one more cell wherever a hidden one could be worked out: from a
total and its other parts, or from the change column. A month-by-month (XmR)
chart with a withheld month is withheld whole: its mean, limits and signals
would give the month away; so is the size of each monthly fall (``largest_falls``). ``figures.json`` of a
published build lists every withheld value; the analyst's internal build
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


def _hide(f: dict, key: str) -> None:
    hidden = set(f.get("suppressed", []))
    for k in (key, *DERIVED.get(key, ())):
        if k in f:
            f[k] = None
            hidden.add(k)
    f["suppressed"] = sorted(hidden)


def apply(figs: dict, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """A copy of figures.json with small victim-based counts withheld."""
    out = copy.deepcopy(figs)
    f = out["figures"]
    for fid, fig in f.items():
        if victim_based(fid):
            for key in ("value", "previous"):
                if small(fig.get(key), threshold):
                    _hide(fig, key)
    for prefix in ("", "county_"):
        for total, parts in TOTALS.items():
            _secondary(f, prefix + total, [prefix + p for p in parts])
    for fid, fig in f.items():
        if fid.endswith(("_months_lower", "_quarters_lower")) and victim_based(fid.rsplit("_", 2)[0]):
            # a fall and the month a year earlier would give a withheld month away: the falls keep their order
            for fall in fig.get("largest_falls", []):
                if fall.get("change") is not None:
                    fall["change"] = None
                    fig["suppressed"] = sorted({*fig.get("suppressed", []), "largest_falls.change"})
    series = out.get("series", {})
    for fid, chart in series.get("xmr", {}).items():
        if victim_based(fid) and any(small(p.get("value"), threshold) for p in chart["points"]):
            # one withheld month could be worked out from the mean and the months shown, and the
            # limits and signals narrow down the others: the whole chart is withheld
            series["xmr"][fid] = {
                **dict.fromkeys(XMR_STATS),
                "points": [],
                "signals": [],
                "suppressed": list(XMR_STATS),
            }
            if fid in f:
                f[fid]["variation"] = None
                f[fid]["suppressed"] = sorted({*f[fid].get("suppressed", []), "variation"})
    for kind in ("trend", "monthly", "districts", "xmr"):
        for fid, rows in series.get(kind, {}).items():
            if kind == "xmr":
                rows = rows["points"]
            if victim_based(fid):
                for row in rows:
                    for key in ("area", "county", "value", "previous"):
                        if small(row.get(key), threshold):
                            row[key] = None
                            row.setdefault("suppressed", []).append(key)
                            if key in DERIVED:
                                for d in DERIVED[key]:
                                    if d in row:
                                        row[d] = None
    out["disclosure"] = {
        "threshold": threshold,
        "rule": f"victim-based counts from 1 to {threshold} are withheld, with secondary suppression",
        "suppressed": sorted(fid for fid, fig in f.items() if fig.get("suppressed")),
    }
    return out


def _secondary(f: dict, total: str, parts: list[str]) -> None:
    """Where exactly one part of a total is hidden, hide the next smallest part (or the total)."""
    if total not in f:
        return
    for key in ("value", "previous"):
        if key in f[total].get("suppressed", []):
            continue
        present = [p for p in parts if p in f]
        hidden = [p for p in present if key in f[p].get("suppressed", [])]
        if len(hidden) != 1:
            continue
        others = sorted((f[p][key], p) for p in present if p not in hidden and f[p].get(key))
        if others:
            _hide(f[others[0][1]], key)
        else:
            _hide(f[total], key)


def withheld(fig: dict, key: str = "value") -> bool:
    return key in fig.get("suppressed", [])
