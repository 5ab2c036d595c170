"""One data folder, two sources: a Home Office police recorded crime table beside data.police.uk street files
(data-contract.md, "The Home Office tables beside police.uk street files").

The report is the Home Office report (its areas, offence counts, quarters and comparisons: homeoffice.py);
police.uk gives what the tables lack: antisocial behaviour, neighbourhoods, hotspot maps and outcomes. The
two name areas apart: the table's ``CSP Name`` is matched to the police.uk districts (the LSOA names'
district, or areas.csv's) by :func:`match`: by areas.csv's optional ``csp`` column where it gives one, else
by name with the usual variants (:func:`name_key`: case, spaces and punctuation, "&" and "and", "City of",
"County of", "UA"). A CSP may be several districts (a merged partnership); a force area is its CSPs'
districts. Every CSP of a force the files cover that has no district, and every district that has no CSP,
is listed (:attr:`Match.unmatched`): on the data quality page and in a warning.

police.uk's counts are by month; the report counts quarters, so they are counted by quarter too (each at the
quarter's first month, as the tables' are), over the whole quarters the files cover without a break: the
last unbroken run of whole quarters, so that no total of them ever spans a missing month.

The data quality page reconciles the two (:meth:`CombinedData.reconciliation`): for each quarter both cover,
police.uk's all crime of the area's districts against the tables' total recorded crime (fraud excluded),
their difference and its share, with why they differ: the report's own quarters one by one, the others summed
by financial year (:func:`report_quarters`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from .homeoffice import HomeOfficeData, normalise
from .periods import month_key, month_label
from .policeuk import ASB, StreetData
from .readers import table_path

SOURCE_POLICEUK = "police.uk"
SOURCE_HOMEOFFICE = "homeoffice"
FRAUD = "fraud offences"  # the offence group no area's all crime counts (figures/homeoffice.py's FRAUD)
POLICEUK_IDS = ("asb_incidents",)  # the figures police.uk counts in a report with both sources
# why police.uk's all crime is not the tables' total, for the data quality page
REASONS = [
    "police.uk publishes each month's file once and does not revise it, while the Home Office tables count "
    "crimes as the force had recorded them when the tables were made (police.uk's snapshot date is earlier: "
    "crimes recorded late, reclassified or cancelled since are in one count and not the other)",
    "crimes police.uk could not place on its map (no location, or a location outside the force's area) are in "
    "no district's count of the street files, but in the Home Office tables' count of their area",
    "police.uk counts crimes by the district of their map point (the LSOA); the tables count them by the CSP "
    "the force recorded them in",
    "fraud is in neither: Action Fraud records it, not the forces",
]


def name_key(name) -> str:
    """An area's name as the table and police.uk may both spell it: no case, '&' as 'and', punctuation and
    runs of spaces as one space, without 'City of' / 'County of' (before or after, as ', City of') and a last
    'UA' (unitary authority)."""
    s = str(name).casefold().replace("&", " and ")
    s = " ".join(re.sub(r"[^\w]+", " ", s).split())
    s = re.sub(r"\s+\bua$", "", s)
    s = re.sub(r"\s+(city|county) of$", "", s)
    s = re.sub(r"^(city|county) of\s+", "", s)
    return s


@dataclass
class Match:
    """The table's CSPs and the police.uk districts, matched."""

    districts_of: dict[str, list[str]]  # CSP -> its police.uk districts (none: unmatched)
    how: dict[str, str]  # CSP -> "name", "lookup" (areas.csv's csp column)
    unmatched_csps: list[tuple[str, str]]  # (CSP, force) of forces the files cover, with no district
    unmatched_districts: list[tuple[str, str]]  # (district, why) of the files, with no CSP
    forces_without: list[str]  # forces of the table no police.uk district is matched to

    @property
    def unmatched(self) -> list[dict]:
        """Every area that could not be matched, for the data quality page."""
        out = [
            {
                "area": csp,
                "source": "Home Office table (CSP Name)",
                "why": f"no police.uk district of this name ({force})",
            }
            for csp, force in self.unmatched_csps
        ]
        out += [
            {"area": d, "source": "police.uk street files (LSOA name)", "why": why}
            for d, why in self.unmatched_districts
        ]
        return out

    def warning(self) -> str | None:
        if not self.unmatched_csps and not self.unmatched_districts:
            return None
        parts = []
        if self.unmatched_csps:
            parts.append("CSPs with no police.uk district: " + ", ".join(c for c, _ in self.unmatched_csps))
        if self.unmatched_districts:
            parts.append("police.uk districts with no CSP: " + ", ".join(d for d, _ in self.unmatched_districts))
        return (
            "areas of the Home Office table and the police.uk files that could not be matched by name ("
            + "; ".join(parts)
            + "): their antisocial behaviour, neighbourhoods, maps and outcomes are not given; name the CSP of each "
            "district in areas.csv's csp column"
        )


def match(csps: pd.DataFrame, districts: pd.DataFrame) -> Match:
    """Match the table's CSPs (columns ``csp``, ``force``) to the police.uk districts (areas.csv or the 1% rule:
    ``district``, and ``csp`` where areas.csv has that column): by the lookup where a district has one, else by
    :func:`name_key`."""
    by_key: dict[str, list[str]] = {}
    for csp in csps["csp"].astype(str):
        by_key.setdefault(name_key(csp), []).append(csp)
    force_of = dict(zip(csps["csp"].astype(str), csps["force"].astype(str)))
    districts_of: dict[str, list[str]] = {c: [] for c in force_of}
    how: dict[str, str] = {}
    unmatched: list[tuple[str, str]] = []
    lookup = districts["csp"] if "csp" in districts else pd.Series(pd.NA, index=districts.index)
    for district, named in zip(districts["district"].astype(str), lookup):
        given = None if pd.isna(named) or not str(named).strip() else str(named).strip()
        if given is not None:
            found = [given] if given in force_of else by_key.get(name_key(given), [])
            kind = "lookup"
            if not found:
                unmatched.append((district, f"areas.csv's csp column names '{given}', which is not in the table"))
                continue
        else:
            found, kind = by_key.get(name_key(district), []), "name"
            if not found:
                unmatched.append((district, "no CSP of this name in the Home Office table"))
                continue
        if len(found) > 1:
            unmatched.append(
                (district, "more than one CSP of this name: " + ", ".join(found) + " (name it in areas.csv)")
            )
            continue
        districts_of[found[0]].append(district)
        how[found[0]] = "lookup" if kind == "lookup" or how.get(found[0]) == "lookup" else "name"
    covered = {force_of[c] for c, ds in districts_of.items() if ds}
    return Match(
        districts_of={c: sorted(ds) for c, ds in districts_of.items()},
        how=how,
        unmatched_csps=sorted((c, f) for c, f in force_of.items() if f in covered and not districts_of[c]),
        unmatched_districts=sorted(unmatched),
        forces_without=sorted(set(force_of.values()) - covered),
    )


def quarter_first(months: pd.Series) -> pd.Series:
    """The first month (index) of each month's financial quarter: April, July, October, January."""
    m = months.astype("int64")
    return m - (m % 12 - 3) % 3


def whole_quarters(months: set[int]) -> tuple[int, int] | None:
    """(first month, last month) of the last unbroken run of whole quarters in ``months``; None without one."""
    firsts = sorted({m - (m % 12 - 3) % 3 for m in months})
    whole = [q for q in firsts if all(q + i in months for i in range(3))]
    if not whole:
        return None
    end = start = whole[-1]
    while start - 3 in whole:
        start -= 3
    return start, end + 2


def financial_year(month: int) -> int:
    """The first calendar year of a month's financial year (April to March): 2019 for January 2020."""
    year, m = divmod(int(month), 12)
    return year if m >= 3 else year - 1


def share_of(a: int, b: int) -> float | None:
    """``a - b`` as a percentage of ``b``, to 1 decimal; None when ``b`` is 0."""
    return None if not b else round(100 * (a - b) / b, 1)


def report_quarters(period) -> tuple[int, int]:
    """(first month, last month's quarter's first month) of the quarters the data quality page shows one by one
    in a report's reconciliation: its period and comparison, and at least the two years to the period's end
    (eight quarters for a year's or a quarter's report); the others are summed by financial year."""
    first = min(period.previous().first, period.last - 23)
    return first, period.last - 2


@dataclass
class CombinedData(HomeOfficeData):
    """A Home Office table and police.uk street files in one folder: the Home Office report, with antisocial
    behaviour, neighbourhoods, hotspot maps and outcomes from police.uk for the areas matched to its districts."""

    street: StreetData | None = None
    matched: Match | None = None
    _street_counts: pd.DataFrame | None = field(default=None, repr=False)

    described = "these Home Office tables (CSPs, and force areas as '<Force Name> police force area')"

    # -- which police.uk districts an area is -------------------------------------------------
    def street_districts(self, area: str) -> list[str]:
        """The police.uk districts of a report area: a CSP's matched districts; a force area's CSPs' (none unless
        every CSP of the force is matched: a force's count must not be a part of it)."""
        if area not in set(self.areas["district"].astype(str)):
            return []
        if self.level_of(area) == "csp":
            return list(self.matched.districts_of.get(area, []))
        force = str(self.areas.loc[self.areas["district"] == area, "force"].iloc[0])
        csps = self.areas[(self.areas["level"] == "csp") & (self.areas["force"] == force)]["district"].astype(str)
        each = [self.matched.districts_of.get(c, []) for c in csps]
        if not each or not all(each):
            return []
        return sorted(d for ds in each for d in ds)

    @property
    def street_window(self) -> tuple[int, int] | None:
        """The months (whole quarters, no break) the police.uk figures count."""
        return whole_quarters(self.street.months)

    def street_counts(self) -> pd.DataFrame:
        """police.uk's antisocial behaviour by (report area, quarter's first month), over :attr:`street_window`."""
        if self._street_counts is None:
            cube = self.street.cube
            window = self.street_window
            rows = []
            if window is not None:
                asb = cube[(cube["crime_type"] == ASB) & cube["month"].between(*window) & cube["district"].notna()]
                by = asb.assign(month=quarter_first(asb["month"])).groupby(["district", "month"])["n"].sum()
                for area in self.areas["district"].astype(str):
                    mine = [d for d in self.street_districts(area) if d in by.index.get_level_values(0)]
                    if not self.street_districts(area):
                        continue
                    part = by.loc[mine].groupby(level="month").sum() if mine else pd.Series(dtype="int64")
                    rows += [(area, int(m), int(n)) for m, n in part.items()]
            frame = pd.DataFrame(rows, columns=["district", "month", "asb_incidents"])
            self._street_counts = frame.set_index(["district", "month"]).astype("int64")
        return self._street_counts

    def unavailable(self, measure: str, districts: list[str]) -> str | None:
        """Why a police.uk figure of these areas is not given (an area no police.uk district is matched to);
        None when it is."""
        if measure not in POLICEUK_IDS:
            return None
        missing = [d for d in districts if not self.street_districts(d)]
        if not missing:
            return None
        if len(districts) == 1:
            return "not in the police.uk street files: no police.uk district is matched to this area"
        return (
            "not given: the police.uk street files have no district matched to "
            + ", ".join(missing[:5])
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        )

    def covers(self, measure: str, district: str) -> bool:
        return measure not in POLICEUK_IDS or bool(self.street_districts(district))

    # -- the finer police.uk cubes, by report area -----------------------------------------------
    def _finer(self, area: str, read) -> pd.DataFrame | None:
        frames = [read(d) for d in self.street_districts(area)]
        frames = [f for f in frames if f is not None and len(f)]
        if not self.street_districts(area):
            return None
        window = self.street_window
        if not frames:
            return read(self.street_districts(area)[0])
        frame = pd.concat(frames, ignore_index=True)
        if window is not None and "month" in frame:
            frame = frame[frame["month"].between(*window)].reset_index(drop=True)
        return frame

    def lsoa(self, district: str) -> pd.DataFrame | None:
        frame = self._finer(district, self.street.lsoa)
        if frame is None:
            return None
        keys = [c for c in frame.columns if c != "n"]
        return frame.groupby(keys, as_index=False)["n"].sum()

    def points(self, district: str) -> pd.DataFrame | None:
        return self._finer(district, self.street.points)

    def outcomes(self, district: str) -> pd.DataFrame | None:
        return self._finer(district, self.street.outcomes)

    # -- what the pages say of the two sources -----------------------------------------------------
    def reconciliation(self, area: str, period=None) -> dict:
        """For each quarter both sources cover (the tables' quarters and police.uk's whole quarters): police.uk's
        all crime of the area's districts, the tables' total recorded crime (fraud excluded), the difference
        (police.uk less the tables) and its share of the tables'; and the police.uk crimes with no location in
        those quarters (the files' forces: they are in no district). With the report's ``period``, each quarter
        says whether it is ``in_report`` (:func:`report_quarters`), and ``years`` sums the others by financial
        year, as the data quality page shows them."""
        districts = self.street_districts(area)
        out = {"area": area, "districts": districts, "quarters": [], "reasons": list(REASONS)}
        if period is not None:
            out["years"] = []
        window = self.street_window
        if not districts or window is None:
            return out
        cube = self.street.cube
        crimes = cube[(cube["crime_type"] != ASB) & cube["month"].between(*window)]
        mine = crimes[crimes["district"].isin(districts)]
        pol = mine.assign(q=quarter_first(mine["month"])).groupby("q")["n"].sum()
        nowhere = crimes[crimes["district"].isna()]
        nowhere = nowhere.assign(q=quarter_first(nowhere["month"])).groupby("q")["n"].sum()
        rows = self.rows()
        rows = rows[rows["district"] == area]
        fraud = rows["offence_group"].map(lambda g: normalise(g) == FRAUD)  # all crime, as the tables count it
        ho = rows[~fraud.astype(bool)].groupby("month")["n"].sum()
        shown = report_quarters(period) if period is not None else None
        others: dict[int, list[tuple[int, dict]]] = {}  # financial year -> (quarter, its row) outside the report's
        for q in range(window[0], window[1] + 1, 3):
            if q not in ho.index:
                continue
            a, b = int(pol.get(q, 0)), int(ho[q])
            fy = financial_year(q)
            row = {
                "quarter": f"{fy}/{(fy + 1) % 100:02d}-Q{(q % 12 - 3) % 12 // 3 + 1}",
                "start": month_key(q),
                "name": f"{month_label(q)} to {month_label(q + 2)}",
                "policeuk": a,
                "homeoffice": b,
                "difference": a - b,
                "share": share_of(a, b),
                "no_location": int(nowhere.get(q, 0)),
            }
            if shown is not None:
                row["in_report"] = shown[0] <= q <= shown[1]
                if not row["in_report"]:
                    others.setdefault(fy, []).append((q, row))
            out["quarters"].append(row)
        for fy, quarters in others.items():
            first, last = quarters[0][0], quarters[-1][0]
            a, b = (sum(r[k] for _, r in quarters) for k in ("policeuk", "homeoffice"))
            out["years"].append(
                {
                    "year": f"{fy}/{(fy + 1) % 100:02d}",
                    "start": month_key(first),
                    "name": f"{month_label(first)} to {month_label(last + 2)}",
                    "quarters": len(quarters),
                    "policeuk": a,
                    "homeoffice": b,
                    "difference": a - b,
                    "share": share_of(a, b),
                    "no_location": sum(r["no_location"] for _, r in quarters),
                }
            )
        return out

    def source(self, coverage: dict) -> dict:
        out = super().source(coverage)
        if len(out["files"]) > 12:  # a year of street files: the first and last named, as for police.uk folders
            out["files"] = [out["files"][0], "...", out["files"][-1]]
        window = self.street_window
        files = [f.path for f in self.street.files]
        from .readers import content_hash

        out["policeuk"] = {
            "files": len(files),
            "months": f"{month_key(min(self.street.months))} to {month_key(max(self.street.months))}",
            "counted": None if window is None else f"{month_key(window[0])} to {month_key(window[1])}",
            "hash": "sha256:" + content_hash(files),
        }
        return out

    def paths(self) -> list[Path]:
        out = set(super().paths()) | {f.path for f in self.street.files}
        if (areas := table_path(self.folder, "areas")) is not None:
            out.add(areas)
        return sorted(out)

    def sources(self, coverage: dict) -> dict:
        out = super().sources(coverage)
        asb = self.street.sources(coverage).get("asb_incidents")
        if asb is not None:
            out["policeuk_asb_incidents"] = asb
        return out

    def quality(self, area: str, period, coverage: dict) -> dict:
        out = super().quality(area, period, coverage)
        window = self.street_window
        mine = self.street_districts(area)
        cube = self.street.cube
        asb = cube[(cube["crime_type"] == ASB) & cube["district"].isin(mine)]
        out["tables"].append(
            {
                "table": f"antisocial behaviour ({len(self.street.files)} police.uk street files)",
                "rows": int(cube.loc[cube["crime_type"] == ASB, "n"].sum()),
                "area_rows": int(asb["n"].sum()),
                "first_month": month_key(min(self.street.months)),
                "last_month": month_key(max(self.street.months)),
                "window": "no whole quarter"
                if window is None
                else f"{month_label(window[0])} to {month_label(window[1])} (whole quarters without a break)",
                "gaps": [
                    month_key(m) for m in self.street.missing_months(min(self.street.months), max(self.street.months))
                ],
                "area_gaps": [],
            }
        )
        out["missing"] = [m for m in out["missing"] if not m["column"].startswith(("antisocial", "outcomes"))]
        out["excluded"] += [  # police.uk's rows in no report area, over the same two years
            {**e, "reason": f"police.uk street files: {e['reason']}"} for e in self.street.excluded(period)
        ]
        out["reconciliation"] = self.reconciliation(area, period)
        out["unmatched"] = self.matched.unmatched
        out["matched"] = {
            "districts": mine,
            "how": self.matched.how.get(area) if self.level_of(area) == "csp" else "its CSPs",
        }
        return out


def load(folder, ho: HomeOfficeData) -> CombinedData:
    """The Home Office data ``ho`` of ``folder`` with the folder's police.uk street files beside it, matched."""
    from . import policeuk

    street = policeuk.load(folder, allow_partial=True)
    csps = ho.areas[ho.areas["level"] == "csp"].rename(columns={"district": "csp"})[["csp", "force"]]
    matched = match(csps, street.areas)
    data = CombinedData(**{f.name: getattr(ho, f.name) for f in fields(ho) if f.init}, street=street, matched=matched)
    data.warnings = list(ho.warnings) + list(street.warnings)
    if (w := matched.warning()) is not None:
        data.warnings.append(w)
        print(f"csp: warning: {w}", file=sys.stderr)
    return data


__all__ = [
    "CombinedData",
    "Match",
    "match",
    "name_key",
    "load",
    "whole_quarters",
    "report_quarters",
    "POLICEUK_IDS",
    "REASONS",
]
