"""Records counted once into a cube (district x month x measure): every figure, county total,
rank, peak and series of figures.json is read off it, so the same count is never made two ways.
A police.uk folder arrives counted already (by DuckDB); the contract's tables are counted here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import contract
from ..data.counted import Counted
from ..data.periods import Period
from ..data.policeuk import UNAVAILABLE
from ..data.readers import Data
from .sections import AGE_BANDS, COUNTY_IDS, SECTIONS, TREND_IDS


@dataclass
class Cube:
    """Counts per (district, month) for every measure, plus where each comes from."""

    counts: pd.DataFrame  # index (district, month), one column per measure id
    source: dict[str, str] = field(default_factory=dict)  # measure -> table
    missing: dict[str, str] = field(default_factory=dict)  # measure -> why it is absent
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> months
    programmes: dict[str, str] = field(default_factory=dict)  # referral programme -> figure id
    gaps: set[int] = field(default_factory=set)  # months inside the coverage with no data (police.uk)
    county_ids: list[str] = field(default_factory=list)  # measures with a county version beyond COUNTY_IDS

    def has_gap(self, window: Period) -> bool:
        return any(m in self.gaps for m in window.months)

    _dense: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def _array(self) -> tuple:
        """The counts as a district x month x measure array (made once; a report asks hundreds of totals)."""
        if self._dense is None or self._dense[0] is not self.counts:
            c = self.counts
            codes, names = pd.factorize(c.index.get_level_values(0))
            months = np.asarray(c.index.get_level_values(1), dtype=int)
            m0 = int(months.min()) if len(months) else 0
            arr = np.zeros((len(names), (int(months.max()) - m0 + 1) if len(months) else 0, len(c.columns)), "int64")
            arr[codes, months - m0, :] = c.to_numpy(dtype="int64")
            where = {str(d): i for i, d in enumerate(names)}
            self._dense = (c, arr, m0, where, {k: i for i, k in enumerate(c.columns)})
        return self._dense

    def total(self, measure: str, districts, first: int, last: int) -> int:
        _, arr, m0, where, col = self._array()
        if measure not in col:
            return 0
        rows = [where[d] for d in districts if d in where]
        a, b = max(first - m0, 0), min(last - m0, arr.shape[1] - 1)
        if not rows or b < a:
            return 0
        return int(arr[rows, a : b + 1, col[measure]].sum())

    def by_month(self, measure: str, districts, first: int, last: int) -> pd.Series:
        _, arr, m0, where, col = self._array()
        out = np.zeros(last - first + 1, dtype="int64")
        rows = [where[d] for d in districts if d in where]
        a, b = max(first, m0), min(last, m0 + arr.shape[1] - 1)
        if rows and measure in col and b >= a:
            out[a - first : b - first + 1] = arr[rows, a - m0 : b - m0 + 1, col[measure]].sum(axis=0)
        return pd.Series(out, index=range(first, last + 1)).astype(int)


def _flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].fillna(False).astype(bool)


def _crime_measures(c: pd.DataFrame, cube: Cube, table: Counted) -> dict[str, pd.Series]:
    """Each measure of the crimes, True for the groups (counted.Counted.groups) it counts."""
    off = c["offence"].astype(str)
    group = off.map({o: g for o, (g, _) in contract.OFFENCES.items()})
    m = {"all_crime": pd.Series(True, index=c.index)}
    m["theft_offences"] = group == contract.THEFT
    m["vap"] = group == contract.VAP
    for k, name in contract.ASSAULTS.items():
        m[f"vap_{k}"] = off == name
    m["sexual_offences"] = group == contract.SEXUAL
    m["rape"] = off == "Rape"
    m["sexual_assault"] = off == "Sexual assault"
    for g, gid in [
        ("Robbery", "robbery"),
        ("Criminal damage and arson", "criminal_damage_and_arson"),
        ("Drug offences", "drug_offences"),
        ("Possession of weapons offences", "possession_of_weapons_offences"),
        ("Public order offences", "public_order_offences"),
        ("Miscellaneous crimes against society", "miscellaneous_crimes_against_society"),
    ]:
        m[gid] = group == g
    for o in (
        "Burglary",
        "Vehicle offence",
        "Shoplifting",
        "Other theft",
        "Harassment",
        "Other violence",
        "Other sexual offence",
    ):
        m[contract.slug(o)] = off == o

    def need(col, ids):
        if col in table.columns:
            return True
        for i in ids:
            cube.missing[i] = f"{table.path.name} has no {col} column"
        return False

    if need("victim_age", ["sexual_offences_under_16", "vap_victim_age_15_24"]):
        age = c["victim_age"]
        m["sexual_offences_under_16"] = m["sexual_offences"] & (age < 16).fillna(False)
        m["sexual_offences_age_known"] = m["sexual_offences"] & age.notna()
        m["vap_victim_age_known"] = m["vap"] & age.notna()
        for lo, hi in AGE_BANDS["victim"]:
            m[f"vap_victim_age_{lo}_{hi}"] = m["vap"] & age.between(lo, hi).fillna(False)
    if need("offender_age", [f"vap_offender_age_{lo}_{hi}" for lo, hi in AGE_BANDS["offender"]]):
        age = c["offender_age"]
        m["vap_offender_age_known"] = m["vap"] & age.notna()
        for lo, hi in AGE_BANDS["offender"]:
            m[f"vap_offender_age_{lo}_{hi}"] = m["vap"] & age.between(lo, hi).fillna(False)
    if need("committed_date", ["sexual_offences_non_recent", "rape_committed_in_period"]):
        m["sexual_offences_non_recent"] = m["sexual_offences"] & c["non_recent"].fillna(False).astype(bool)
    da_ids = ["domestic_abuse", "domestic_assaults"] + [f"domestic_{k}" for k in contract.ASSAULTS]
    if need("domestic_abuse", da_ids):
        da = _flag(c, "domestic_abuse")
        m["domestic_abuse"] = da
        m["domestic_assaults"] = da & off.isin(list(contract.ASSAULTS.values()))
        for k, name in contract.ASSAULTS.items():
            m[f"domestic_{k}"] = da & (off == name)
    if need("hate_strands", ["hate_crime"] + [f"hate_crime_{s}" for s in contract.HATE_STRANDS]):
        hs = c["hate_strands"].fillna("")
        m["hate_crime"] = hs != ""
        wrapped = ";" + hs[m["hate_crime"]] + ";"  # only hate crimes need the string search
        for s in contract.HATE_STRANDS:
            has = wrapped.str.contains(f";{s};", regex=False)
            m[f"hate_crime_{s}"] = has.reindex(c.index, fill_value=False).astype(bool)
    if need("cse", ["cse_flagged_crimes"]):
        m["cse_flagged_crimes"] = _flag(c, "cse")
    if need("night_time_economy", ["vap_night_time_economy"]):
        m["vap_night_time_economy"] = m["vap"] & _flag(c, "night_time_economy")
    return m


def _count_frame(df: pd.DataFrame, cols: dict[str, pd.Series], month_col="month") -> pd.DataFrame:
    """The measures ``cols`` (a value a row, for each row of ``df``) summed by district and month; each row
    weighs its ``n`` when it has one (a group of counted.Counted: n records alike)."""
    weight = df["n"].to_numpy(dtype="int64") if "n" in df else 1
    frame = pd.DataFrame({k: np.asarray(v, dtype="int64") * weight for k, v in cols.items()}, index=df.index)
    frame["district"] = df["district"].astype(str)
    frame["month"] = df[month_col].to_numpy()
    return frame.groupby(["district", "month"]).sum()


CHUNK_ROWS = 250_000  # crime groups counted so many at a time: their 60-odd measures' columns never span them


def _crime_counts(table: Counted, cube: Cube) -> tuple[pd.DataFrame, list[str]]:
    """The crimes' measures counted by district and month from their groups, a block of groups at a time (a
    measure is one column of the block's length, so memory grows with the block), and the measures' ids."""
    c, parts = table.groups, []
    for start in range(0, len(c), CHUNK_ROWS):
        block = c.iloc[start : start + CHUNK_ROWS]
        cols = _crime_measures(block, cube, table)
        parts.append(_count_frame(block, cols))
    counts = parts[0] if len(parts) == 1 else pd.concat(parts).groupby(level=["district", "month"]).sum()
    return counts, list(cols)


def build_cube(data: Data) -> Cube:
    if data.format == "police.uk":
        return _street_cube(data)
    if data.format == "home office":
        return _home_office_cube(data)
    cube = Cube(pd.DataFrame())
    parts = []
    for name in data.tables:
        cube.coverage[name] = data.coverage(name)
    crimes = data.counted("crimes")
    counts, ids = _crime_counts(crimes, cube)
    parts.append(counts)
    for k in ids:
        cube.source[k] = "crimes"
    if "cmonth" in crimes.groups:  # rapes counted by the month they took place
        c = crimes.groups
        rapes = c[c["cmonth"].notna().to_numpy()]
        rapes = rapes.assign(cmonth=rapes["cmonth"].astype("int32"))
        parts.append(_count_frame(rapes, {"rape_committed_in_period": pd.Series(True, index=rapes.index)}, "cmonth"))
        cube.source["rape_committed_in_period"] = "crimes_committed"

    def absent(table: str, ids: list[str]) -> None:
        cube.missing.update({i: f"{table}.csv is not in the data folder" for i in ids})

    if data.has("asb_incidents"):
        a = data.counted("asb_incidents").groups
        parts.append(_count_frame(a, {"asb_incidents": pd.Series(True, index=a.index)}))
        cube.source["asb_incidents"] = "asb_incidents"
    else:
        absent("asb_incidents", ["asb_incidents"])
    if data.has("hate_incidents"):
        h = data["hate_incidents"]
        t = h["incident_type"].astype(str)
        cols = {contract.hate_incident_id(v): t == v for v in sorted(t.unique())}
        for required in ("hate_incident_racist", "hate_incident_homophobic"):
            cols.setdefault(required, pd.Series(False, index=h.index))
        parts.append(_count_frame(h, cols))
        cube.source.update({k: "hate_incidents" for k in cols})
    else:
        absent("hate_incidents", ["hate_incident_racist", "hate_incident_homophobic"])
    if data.has("interventions"):
        iv = data["interventions"]
        cols = {}
        for ctx in contract.INTERVENTION_CONTEXTS:
            for typ, tid in contract.INTERVENTION_TYPES.items():
                cols[f"{ctx.lower()}_{tid}"] = (iv["context"] == ctx) & (iv["type"] == typ)
        parts.append(_count_frame(iv, cols))
        cube.source.update({k: "interventions" for k in cols})
    else:
        absent("interventions", [f"asb_{t}" for t in contract.INTERVENTION_TYPES.values()] + ["cse_cpw", "cse_cpn"])
    if data.has("marac_cases"):
        mc = data["marac_cases"]
        cols = {
            "marac_cases": pd.Series(1, index=mc.index),
            "marac_children": mc["children"].fillna(0),
            "marac_repeat_cases": _flag(mc, "repeat"),
        }
        parts.append(_count_frame(mc, cols))
        cube.source.update({k: "marac_cases" for k in cols})
    else:
        absent("marac_cases", ["marac_cases", "marac_children", "marac_repeat_cases"])
    if data.has("referrals"):
        r = data["referrals"]
        p = r["programme"].astype(str)
        cols = {}
        for prog in sorted(p.unique()):
            rid = contract.referral_id(prog)
            cube.programmes[prog] = rid
            cols[rid] = p == prog
            if "complied" in r and r.loc[p == prog, "complied"].notna().any():
                cols[rid + "_complied"] = (p == prog) & _flag(r, "complied")
        parts.append(_count_frame(r, cols))
        cube.source.update({k: "referrals" for k in cols})
    counts = pd.concat(parts, axis=1).fillna(0).astype("int64").sort_index()
    cube.counts = counts
    return cube


def _street_cube(data) -> Cube:
    """The cube of a police.uk folder: its crime types, and every other figure marked unavailable."""
    counts, source = data.counts()
    cube = Cube(counts, source)
    cube.coverage = {"crimes": data.coverage("crimes"), "asb_incidents": data.coverage("asb_incidents")}
    first, last = cube.coverage["crimes"]
    cube.gaps = set(data.missing_months(first, last))
    cube.county_ids = [c for c in counts.columns if c not in COUNTY_IDS]
    wanted = contract.REQUIRED_IDS + COUNTY_IDS + TREND_IDS + [i for s in SECTIONS for i in s.table]
    for mid in wanted:
        if mid not in counts and not mid.startswith("county_") and not mid.endswith("_rank_in_county"):
            cube.missing[mid] = UNAVAILABLE
    return cube


def _home_office_cube(data) -> Cube:
    """The cube of a folder of Home Office tables (figures/homeoffice.py): the quarters' counts, each at its
    quarter's first month, and every figure the tables cannot give marked missing, with why."""
    from .homeoffice import NO_EQUIVALENT, NOT_IN_TABLES, no_equivalent_note, wide

    counts = wide(data.rows())
    cube = Cube(counts, {c: "crimes" for c in counts.columns})
    cube.coverage = {"crimes": data.coverage("crimes")}
    if hasattr(data, "street_counts") and data.street_window is not None:  # police.uk beside them (combined.py)
        street = data.street_counts()
        counts = counts.join(street, how="outer").fillna(0).astype("int64").sort_index()
        cube.counts = counts
        cube.source.update({c: "asb_incidents" for c in street.columns})
        cube.coverage["asb_incidents"] = data.street_window
    cube.county_ids = [c for c in counts.columns if c not in COUNTY_IDS and not c.startswith("unlisted_")]
    wanted = contract.REQUIRED_IDS + COUNTY_IDS + TREND_IDS + [i for s in SECTIONS for i in s.table]
    for mid in wanted:
        if mid not in counts and not mid.startswith("county_") and not mid.endswith("_rank_in_county"):
            cube.missing[mid] = no_equivalent_note(mid) if mid in NO_EQUIVALENT else NOT_IN_TABLES
    return cube


__all__ = ["Cube", "build_cube"]
