"""figures.json for one area and period: the single source of every number, read off the cube
(:mod:`.cube`) of the records; ``published`` is the same after disclosure control, county-wide."""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path

import h3
import pandas as pd

from .. import __version__
from ..data import contract, load
from ..data.periods import Period, month_key, month_label, month_runs, parse
from ..data.policeuk import crime_type_id
from ..data.readers import Data
from . import disclosure, measures, significance, spc
from . import store as store_
from .cube import Cube, build_cube
from .sections import AGE_BANDS, COUNTY_IDS, RANK_IDS, RATE_IDS, RISING_IDS, STAND_INS, TREND_IDS


class Figures:
    """Computes the figures.json of one area and period from a cube."""

    def __init__(self, data: Data, cube: Cube, area: str, period: Period, settings: spc.Settings | None = None):
        self.data, self.cube = data, cube
        self.area = data.check_area(area)
        self.period = period
        data.check_period(period.first, period.last, period.label)
        self.spc = settings or spc.Settings()  # csp.toml's [spc]: the XmR charts' baseline and recalculations
        check_spc(self.spc, cube)
        self.county = data.county_of(self.area)
        self.districts = data.districts_of(self.county)
        self.prev = period.previous()
        self._district_changes: dict[str, dict[str, tuple[int, int]]] = {}

    # -- windows -----------------------------------------------------------
    def _window(self, measure: str) -> tuple[Period | None, Period | None]:
        """Months of the period (and of the comparison) that a measure's source covers."""
        table = self.cube.source.get(measure, "crimes")
        if table == "crimes_committed":
            return self.period, self.prev
        first, last = self.cube.coverage[table]
        cur = self.period.clip(first, last)
        if cur is None:
            return None, None
        # like for like: the months that have data in both years (a source that starts or ends inside the
        # period or its comparison, police.uk files missing); compared only when they run without a break
        both = [m for m in cur.months if m not in self.cube.gaps and m - 12 >= first and m - 12 not in self.cube.gaps]
        if both == list(cur.months):
            return cur, cur.previous()
        if both and both[-1] - both[0] + 1 == len(both) and not self.cube.has_gap(cur):
            w = Period(both[0], both[-1])
            return w, w.previous()
        return cur, None

    def counted(self) -> tuple[dict, dict]:
        """What the report's period and comparison count when the crimes data lack months (police.uk files
        that start late or end early): ``counted`` names the months, for every title, tile and sentence."""
        cur, prev = self._window("all_crime")
        if cur == self.period and prev == self.prev:
            return {}, {}
        now = {"counted": cur.long_label, "counted_short": cur.short, "months_counted": len(cur)}
        now |= {"months": len(self.period), "counted_start": cur.start.isoformat(), "counted_end": cur.end.isoformat()}
        if prev is None:
            return now, {"counted": None, "compared": False}
        before = {"counted": prev.long_label, "counted_short": prev.short, "months_counted": len(prev)}
        return now, before | {"counted_start": prev.start.isoformat(), "counted_end": prev.end.isoformat()}

    def count(self, measure: str, districts=None, window: Period | None = None) -> int:
        w = window or self.period
        return self.cube.total(measure, districts or [self.area], w.first, w.last)

    def figure(self, measure: str, districts=None) -> dict:
        if measure in self.cube.missing:
            return {**measures.change(None, None), "note": self.cube.missing[measure]}
        if (why := self.data.unavailable(measure, districts or [self.area])) is not None:
            return {**measures.change(None, None), "note": why}
        cur, prev = self._window(measure)
        if cur is None:
            table = self.cube.source[measure]
            a, b = self.cube.coverage[table]
            return {
                **measures.change(None, None),
                "note": f"the {table} data cover {month_label(a)} to {month_label(b)}, not {self.period.long_label}",
            }
        value = self.count(measure, districts, cur)
        previous = self.count(measure, districts, prev) if prev else None
        out = measures.change(value, previous)
        if prev is not None:
            out["significance"] = self.test(measure, value, previous)
        if self.cube.has_gap(cur) or (prev is None and self.cube.has_gap(cur.previous())):
            out.update(self._gap_note(cur))
        if cur != self.period:
            out.update({"start": cur.start.isoformat(), "end": cur.end.isoformat(), "partial": True})
            if prev:
                out.update({"previous_start": prev.start.isoformat(), "previous_end": prev.end.isoformat()})
        return out

    def test(self, measure: str, value: int, previous: int) -> dict | None:
        """Beyond chance? ``value`` against ``previous`` over the months each of the measure's windows counts
        (fewer where data are missing); None when a window counts no month or there is no comparison."""
        cur, prev = self._window(measure)
        if cur is None or prev is None:
            return None
        t, t0 = (len(w) - sum(m in self.cube.gaps for m in w.months) for w in (cur, prev))
        return significance.poisson_test(value, previous, t, t0) if t and t0 else None

    def _gap_note(self, cur: Period) -> dict:
        """Months missing from the period or its comparison (police.uk folders with gaps)."""
        prev = cur.previous()
        here = [m for m in cur.months if m in self.cube.gaps]
        before = [m for m in prev.months if m in self.cube.gaps]
        out: dict = {"partial": True, "start": cur.start.isoformat(), "end": cur.end.isoformat()}
        notes = []
        if here:
            out["missing_months"] = [month_key(m) for m in here]
            notes.append(f"counts {len(cur) - len(here)} of {len(cur)} months (no data for {month_runs(here)})")
        if before:
            out["previous_missing_months"] = [month_key(m) for m in before]
            notes.append(f"no comparison with {prev.long_label}: no data for {month_runs(before)}")
        out["partial_note"] = "; ".join(notes)
        return out

    def district_changes(self, measure: str) -> dict[str, tuple[int, int]]:
        """(value, previous) of every district of the county; ranks, rising counts and the
        district series all read it, so it is counted once per measure."""
        if measure not in self._district_changes:
            self._district_changes[measure] = self.changes_of(measure, self.districts)
        return self._district_changes[measure]

    @cached_property
    def family(self) -> tuple[str, list[str]] | None:
        """The district's most similar group (families.csv): its name and districts, or None."""
        return self.data.family_of(self.area)

    def changes_of(self, measure: str, districts: list[str]) -> dict[str, tuple[int, int]]:
        """(value, previous) of ``districts`` (a most similar group, say) over the measure's windows."""
        cur, prev = self._window(measure)
        if cur is None or prev is None or measure in self.cube.missing:
            return {}
        districts = [d for d in districts if self.data.covers(measure, d)]  # a source of some areas only
        return {d: (self.count(measure, [d], cur), self.count(measure, [d], prev)) for d in districts}

    @property
    def stand_ins(self) -> list[str]:
        """Open-data categories drawn where the report's own figure is not in the data (sections.STAND_INS):
        police.uk's violence and sexual offences, with a trend, months and a county ranking of its own."""
        return [s for s in dict.fromkeys(STAND_INS.values()) if s in self.cube.counts.columns]

    # -- the whole file ------------------------------------------------------
    def compute(self) -> dict:
        f: dict[str, dict] = {}
        measure_ids = [c for c in self.cube.counts.columns] + list(self.cube.missing)
        for mid in dict.fromkeys(contract.REQUIRED_IDS + measure_ids):
            if mid.startswith(("county_",)) or mid.endswith("_rank_in_county"):
                continue
            f[mid] = self.figure(mid)
        for mid in COUNTY_IDS + self.cube.county_ids:
            f[f"county_{mid}"] = self.figure(mid, self.districts)
        for mid in RANK_IDS + self.stand_ins:
            f[f"{mid}_rank_in_county"] = measures.rank_lowest_first(self.district_changes(mid), self.area)
        for mid in RISING_IDS + self.stand_ins:
            f[f"{mid}_districts_rising"] = measures.count_rising(self.district_changes(mid))
        if family := self.family:  # families.csv: the district's most similar group too
            for mid in RANK_IDS + self.stand_ins:
                changes = self.changes_of(mid, family[1])
                f[f"{mid}_rank_in_family"] = measures.rank_lowest_first(changes, self.area)
        for prog, rid in self.cube.programmes.items():
            f[rid]["name"] = prog
        self._rates(f)
        self._shares(f)
        self._peaks(f)
        self._comparisons(f)
        if self.data.format == "home office":
            self._provenance(f)
        series = self._series()
        for mid, chart in series["xmr"].items():
            f[mid]["variation"] = chart["label"]
            f[mid]["variation_icon"] = chart["icon"]
        now, before = self.counted()
        family = self.family
        return {
            "area": self.area,
            "county": self.county,
            "level": self.data.level_of(self.area),
            **({"family": {"name": family[0], "districts": family[1]}} if family else {}),
            **({"population": self.data.population} if self.data.population else {}),
            "period": self.period.as_json() | {"name": self.period.long_label, "short": self.period.short} | now,
            "previous": self.prev.as_json() | {"name": self.prev.long_label, "short": self.prev.short} | before,
            "figures": dict(sorted(f.items())),
            "series": series,
            "source": self.data.source(self.cube.coverage),
            "sources": self.data.sources(self.cube.coverage),
            "quality": self.data.quality(self.area, self.period, self.cube.coverage),
            "data_format": self.data.format,
            "generated_by": f"csp_lib {__version__}",
        }

    def _provenance(self, f: dict) -> None:
        """Home Office tables: each figure's ``provenance`` (the source; for the tables' figures the table, the
        areas a comparison sums, the offence group or subgroup; for police.uk's, the districts of the street
        files it counts), so that a reader can tell which source counted it."""
        from ..data.homeoffice import NATION
        from .homeoffice import policeuk_provenance, provenance
        from .sections import comparison_name

        table = self.data.table_of(self.area)
        pfa = self.data.level_of(self.area) == "pfa"
        region = pfa and self.county != NATION  # a region of areas.csv
        of = f"the force areas of {comparison_name(self.county, 'pfa')}" if region else "the force areas"
        whole = f"{of} in the tables" if pfa else f"the CSPs of {self.county} in the tables"
        street = hasattr(self.data, "street_districts")
        for fid, fig in f.items():
            base = fid[len("county_") :] if fid.startswith("county_") else fid
            if street and self.cube.source.get(base) == "asb_incidents" and fig.get("value") is not None:
                districts = [self.area] if base == fid else self.districts
                counted = sorted({d for a in districts for d in self.data.street_districts(a)})
                areas = f"the police.uk districts matched to {of if pfa else 'the CSPs of ' + self.county}"
                fig["provenance"] = policeuk_provenance(base, counted, None if base == fid else areas)
                continue
            where = provenance(base, table, whole) if base != fid else provenance(fid, table)
            if where is not None:
                fig["provenance"] = where

    def _shares(self, f: dict) -> None:
        """Add ``share`` (and ``previous_share``) of the whole each part belongs to."""
        parts = {
            "sexual_offences_under_16": "sexual_offences_age_known",
            "sexual_offences_non_recent": "sexual_offences",
            "vap_night_time_economy": "vap",
            **{f"vap_victim_age_{lo}_{hi}": "vap_victim_age_known" for lo, hi in AGE_BANDS["victim"]},
            **{f"vap_offender_age_{lo}_{hi}": "vap_offender_age_known" for lo, hi in AGE_BANDS["offender"]},
            **{k: k[: -len("_complied")] for k in f if k.endswith("_complied")},
            **{f"hate_crime_{s}": "hate_crime" for s in contract.HATE_STRANDS},
        }
        for part, whole in parts.items():
            if part in f and whole in f and f[part]["value"] is not None:
                f[part]["share_of"] = whole  # disclosure control withholds the share with its whole
                f[part]["share"] = measures.share(f[part]["value"], f[whole]["value"])
                if f[part]["previous"] is not None and f[whole]["previous"] is not None:
                    f[part]["previous_share"] = measures.share(f[part]["previous"], f[whole]["previous"])

    def _rates(self, f: dict) -> None:
        """``rate`` and ``previous_rate`` per 1,000 residents (households for burglary)."""
        areas = self.data.areas
        names = areas["district"].astype(str).tolist()
        for mid in RATE_IDS:
            base = "households" if mid == "burglary" else "population"
            if base not in areas or mid not in f:
                continue
            size = dict(zip(names, areas[base].tolist()))  # a dict, not .loc: this runs for every report
            for fid, districts in ((mid, [self.area]), (f"county_{mid}", self.districts)):
                denom = [size[d] for d in districts]
                if any(pd.isna(v) for v in denom) or not sum(denom) or f[fid].get("value") is None:
                    continue
                n = int(sum(denom))
                f[fid]["rate"] = measures.rate(f[fid]["value"], n)
                f[fid]["rate_ci95"] = rate_ci95(f[fid]["value"], n)
                if f[fid].get("previous") is not None:
                    f[fid]["previous_rate"] = measures.rate(f[fid]["previous"], n)
                f[fid]["rate_per"] = f"1,000 {'households' if base == 'households' else 'residents'}"
            mine = f[mid]
            if mine.get("rate_ci95") and f.get(f"county_{mid}", {}).get("rate") is not None:
                mine["rate_band_county"] = significance.rate_band(mine["rate_ci95"], f[f"county_{mid}"]["rate"])
            if mine.get("rate_ci95") and (group := self._family_rate(mid, size)) is not None:
                mine["rate_band_family"] = significance.rate_band(mine["rate_ci95"], group)
            # the district's rate among the county's: a fair comparison of districts of different sizes
            if not any(pd.isna(size[d]) for d in self.districts) and f[mid].get("rate") is not None:
                counts = {d: (v, int(size[d])) for d, (v, _) in self.district_changes(mid).items()}
                f[f"{mid}_rate_rank_in_county"] = measures.rank_highest_rate(counts, self.area)

    def _family_rate(self, mid: str, size: dict) -> float | None:
        """The most similar group's average rate: its districts' count over the measure's window per 1,000 of
        their residents (households), the area's own included, as the county's; None without a group."""
        cur, _ = self._window(mid)
        if not self.family or cur is None or mid in self.cube.missing:
            return None
        members = self.family[1]
        denom = [size.get(d) for d in members]  # residents (households) of each member, by district
        if any(v is None or pd.isna(v) for v in denom) or not sum(denom):
            return None
        return measures.rate(self.count(mid, members, cur), int(sum(denom)))

    @property
    def quarterly(self) -> bool:
        """Counts by quarter (the Home Office tables): no month by month; rolling four quarters; XmR on quarters."""
        return self.data.format == "home office"

    def _trend(self) -> list[Period]:
        """The trend's periods: four years (the period and the three before it); Home Office tables, as many
        years as they cover."""
        if not self.quarterly:
            return self.period.trend()
        first, _ = self.cube.coverage["crimes"]
        return self.period.trend(max(4, (self.period.last - first + 1) // 12))

    def _trend_window(self) -> Period:
        t = self._trend()
        return Period(t[0].first, t[-1].last)

    def _peaks(self, f: dict) -> None:
        """Highest quarter and month of domestic abuse over the four-year window."""
        if "domestic_abuse" in self.cube.missing:
            return
        first, _ = self.cube.coverage["crimes"]
        w = self._trend_window().clip(first, self.period.last)
        monthly = self.cube.by_month("domestic_abuse", [self.area], w.first, w.last)
        months = monthly.rename(index=month_label)
        quarters = pd.Series({q.long_label: int(monthly.loc[q.first : q.last].sum()) for q in w.quarters()})
        window = {"start": w.start.isoformat(), "end": w.end.isoformat()}
        for key, series in (("quarter", quarters), ("month", months)):
            p = measures.peak(series)
            f[f"domestic_abuse_peak_{key}"] = {
                "value": p["value"],
                "label": p["label"],
                **window,
                "in_period": p["label"] in _labels(self.period, key),
            }

    def _comparisons(self, f: dict) -> None:
        """Quarter-by-quarter and month-by-month comparison with a year earlier."""
        for mid in ("asb_incidents", "domestic_abuse", "all_crime"):
            if mid in self.cube.missing or self.data.unavailable(mid, [self.area]):
                continue
            cur, prev = self._window(mid)
            if cur is None or prev is None:
                continue
            now = self.cube.by_month(mid, [self.area], cur.first, cur.last)
            before = self.cube.by_month(mid, [self.area], prev.first, prev.last)
            before.index = before.index + 12
            if not self.quarterly:  # the tables count quarters: a month of them is no count
                f[f"{mid}_months_lower"] = measures.compare(
                    now.rename(index=month_label), before.rename(index=month_label)
                )
            qs = cur.quarters()
            if qs:
                qn = pd.Series({q.long_label: int(now.loc[q.first : q.last].sum()) for q in qs})
                qb = pd.Series({q.long_label: int(before.loc[q.first : q.last].sum()) for q in qs})
                f[f"{mid}_quarters_lower"] = measures.compare(qn, qb)

    def _neighbourhoods(self) -> dict:
        """``series.neighbourhoods`` (all crime) and ``neighbourhoods_asb``: every LSOA of the district, the most
        first, over the months the all-crime (or ASB) figure counts and the same months a year earlier."""
        frame = self.data.lsoa(self.area)
        if frame is None:
            return {}
        asb = frame["crime_type"] == contract.POLICE_UK_ASB
        out = {}
        for key, mid in NEIGHBOURHOODS.items():
            cur, prev = self._window(mid)
            out[key] = neighbourhood_rows(frame[asb if mid == "asb_incidents" else ~asb], cur, prev)
        return out

    def _hotspots(self) -> dict:
        """``series.hotspots`` (all crime) and ``hotspots_asb``: the period's records by hexagonal cell (H3) of
        their map point, the busiest first, each with the LSOA most of its records are in; both at the finest
        resolution at which all crime fills at most HOTSPOT_CELLS cells, so that the two maps compare."""
        frame = self.data.points(self.area)
        if frame is None:
            return {}
        frame = _within(frame, self._window("all_crime")[0])
        asb = frame["asb"].astype(bool)
        resolution = hotspot_resolution(frame[~asb])
        return {
            key: hotspot_rows(frame[asb if mid == "asb_incidents" else ~asb], resolution)
            for key, mid in HOTSPOTS.items()
        }

    def _rolling(self) -> dict:
        """``series.rolling``: the area's 12-month total to each month the data cover (all crime and ASB), so a
        report of one month or one quarter shows where it sits in the year; a total that would include a month
        with no data is not given."""
        out = {}
        for mid in ROLLING_IDS:
            if mid in self.cube.missing or self.data.unavailable(mid, [self.area]):
                continue
            first, last = self.cube.coverage[self.cube.source.get(mid, "crimes")]
            monthly = self.cube.by_month(mid, [self.area], first, last)
            rows = []
            # the Home Office tables: the four quarters to each quarter's end (their counts at the quarters'
            # first months), never a window that ends inside a quarter
            ends = range(first + 11, last + 1, 3) if self.quarterly else range(first + 11, last + 1)
            for m in ends:
                window = Period(m - 11, m)
                if not self.cube.has_gap(window):
                    row = {"month": month_key(m), "label": month_label(m), "value": int(monthly.loc[m - 11 : m].sum())}
                    if self.quarterly:
                        row["quarter"] = Period(m - 2, m, "quarter").label
                    rows.append(row)
            out[mid] = rows
        return out

    def _outcomes(self) -> dict:
        """``series.outcomes``: the period's crimes by their last outcome (police.uk's ``Last outcome category``;
        blank: "No outcome recorded"), each with its share, and the same months a year earlier;
        ``outcomes_by_type``: the same for each crime type, for the period."""
        frame = self.data.outcomes(self.area)
        if frame is None:  # police.uk beside the Home Office tables: an area with no district matched
            return {}
        frame["outcome"] = frame["outcome"].replace("", NO_OUTCOME)
        cur, prev = self._window("all_crime")
        now, before = _total_by(frame, cur, "outcome"), _total_by(frame, prev, "outcome")
        total, total_before = int(now.sum()), int(before.sum())
        rows = [
            {
                "outcome": o,
                "value": int(now.get(o, 0)),
                "share": measures.share(int(now.get(o, 0)), total),
                "previous": int(before.get(o, 0)) if prev is not None else None,
                "previous_share": measures.share(int(before.get(o, 0)), total_before) if prev is not None else None,
            }
            for o in set(now.index) | set(before.index)
        ]
        by_type = {}
        inside = _within(frame, cur)
        for crime_type, part in inside.groupby("crime_type"):
            counts = part.groupby("outcome")["n"].sum()
            by_type[crime_type_id(crime_type)] = sorted(
                (
                    {"outcome": o, "value": int(n), "share": measures.share(int(n), int(counts.sum()))}
                    for o, n in counts.items()
                ),
                key=lambda r: (-r["value"], r["outcome"]),
            )
        return {
            "outcomes": sorted(rows, key=lambda r: (-r["value"], r["outcome"])),
            "outcomes_by_type": dict(sorted(by_type.items())),
        }

    def _series(self) -> dict:
        s: dict = {"trend": {}, "monthly": {}, "districts": {}, "funnels": {}}
        first, last = self.cube.coverage["crimes"]
        for mid in TREND_IDS + self.stand_ins:
            if mid in self.cube.missing or self.data.unavailable(mid, [self.area]):
                continue
            rows = []
            for p in self._trend():
                table = self.cube.source.get(mid, "crimes")
                a, b = self.cube.coverage[table]
                if p.first < a or p.last > b or self.cube.has_gap(p):
                    continue
                rows.append(
                    {
                        "period": p.label,
                        "short": p.short,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "area": self.count(mid, None, p),
                        "county": self.count(mid, self.districts, p),
                        # every district, so that small counts are withheld alike in every report of the county
                        "districts": [{"district": d, "value": self.count(mid, [d], p)} for d in self.districts],
                    }
                )
            s["trend"][mid] = rows
            if self.quarterly:  # no month by month: the tables count quarters (the XmR chart is of quarters)
                continue
            cur, prev = self._window(mid)
            now = self.cube.by_month(mid, [self.area], cur.first, cur.last)
            before = self.cube.by_month(mid, [self.area], prev.first, prev.last) if prev else None
            s["monthly"][mid] = [
                {
                    "month": month_key(i),
                    "label": month_label(i),
                    "value": int(now.loc[i]),
                    "previous": None if before is None else int(before.loc[i - 12]),
                }
                for i in now.index
            ]
        # every district's count wherever the county's is published: a county less its other districts'
        # own reports gives a district away, so small counts must be withheld alike in every report
        for mid in dict.fromkeys(TREND_IDS + COUNTY_IDS + self.stand_ins):
            if mid not in self.cube.missing:
                s["districts"][mid] = [  # each district's change with its test, as the area's figure
                    {"district": d, **measures.change(v, p), "significance": self.test(mid, v, p)}
                    for d, (v, p) in self.district_changes(mid).items()
                ]
        s["xmr"] = {}
        for mid in TREND_IDS + self.stand_ins:
            if mid in self.cube.missing or self.data.unavailable(mid, [self.area]):
                continue
            a, b = self.cube.coverage[self.cube.source.get(mid, "crimes")]
            # quarters (the Home Office tables): every quarter the tables give up to the period's end
            w = (
                Period(a, self.period.last)
                if self.quarterly
                else self._trend_window().clip(a, min(b, self.period.last))
            )
            gaps = [m for m in self.cube.gaps if w is not None and w.first <= m <= w.last]
            if w is not None and gaps:  # an XmR chart needs consecutive months: start after the last gap
                w = w.clip(max(gaps) + 1, w.last)
            if w is None or len(w) < 2:
                continue
            monthly = self.cube.by_month(mid, [self.area], w.first, w.last)
            if self.quarterly:  # one point a quarter (its count is at its first month), labelled as the quarter
                rows = [
                    {"month": month_key(q.first), "quarter": q.label, "value": int(monthly.loc[q.first : q.last].sum())}
                    for q in w.quarters()
                ]
                within = range(
                    sum(r["month"] < month_key(self.period.first) for r in rows),
                    sum(r["month"] <= month_key(self.period.last) for r in rows),
                )
                if len(rows) >= 2:
                    s["xmr"][mid] = spc.xmr(rows, within, self.spc.baseline, self.spc.recalculate, unit="quarter")
                continue
            rows = [{"month": month_key(i), "value": int(monthly.loc[i])} for i in monthly.index]
            within = range(max(0, self.period.first - w.first), self.period.last - w.first + 1)
            s["xmr"][mid] = spc.xmr(rows, within, self.spc.baseline, self.spc.recalculate)
        s["rolling"] = self._rolling()
        s.update(self._neighbourhoods())  # where the data place records in LSOAs
        s.update(self._hotspots())  # where they place them on a map (police.uk)
        if hasattr(self.data, "outcomes"):  # police.uk: what happened next
            s.update(self._outcomes())
        for ctx in ("asb", "cse"):
            steps = [("CPW", f"{ctx}_cpw"), ("CPN", f"{ctx}_cpn"), ("CPN breach", f"{ctx}_cpn_breach")]
            if all(i not in self.cube.missing for _, i in steps):
                s["funnels"][ctx] = [
                    {**row, "id": i}
                    for row, (_, i) in zip(measures.funnel([(n, self.count(i)) for n, i in steps]), steps)
                ]
        return s


NEIGHBOURHOODS = {"neighbourhoods": "all_crime", "neighbourhoods_asb": "asb_incidents"}


def rate_ci95(count: int, base: int, per: int = 1000) -> list[float]:
    """The exact Poisson 95% interval of ``count``, per ``per`` of ``base``, to 1 decimal as the rate (the
    lower end rounded down and the upper up, so that the interval shown holds the one worked)."""
    lo, hi = significance.poisson_interval(count)
    return [math.floor(lo * per / base * 10) / 10, math.ceil(hi * per / base * 10) / 10]


def _within(frame: pd.DataFrame, window: Period | None) -> pd.DataFrame:
    """The rows of ``frame`` (with a ``month`` index column) in the months of ``window``; none without one."""
    if window is None:
        return frame.iloc[:0]
    return frame[(frame["month"] >= window.first) & (frame["month"] <= window.last)]


def _total_by(frame: pd.DataFrame, window: Period | None, by: str) -> pd.Series:
    """``n`` summed by ``by`` over the months of ``window`` (nothing without one)."""
    if window is None:
        return pd.Series(dtype="int64")
    return _within(frame, window).groupby(by)["n"].sum()


HOTSPOTS = {"hotspots": "all_crime", "hotspots_asb": "asb_incidents"}
HOTSPOT_RESOLUTIONS = (9, 8, 7)  # H3 cells of about 0.1, 0.7 and 5 square km (edges of 200 m, 530 m, 1.4 km)
HOTSPOT_CELLS = 400  # the most cells a map shows: finer than this, a district's map is speckle


def _cells(frame: pd.DataFrame, resolution: int) -> pd.Series:
    """The H3 cell of each row's map point (lon, lat), each distinct point worked out once."""
    points = frame[["lon", "lat"]].drop_duplicates()
    cell = {(lon, lat): h3.latlng_to_cell(lat, lon, resolution) for lon, lat in points.itertuples(index=False)}
    return pd.Series([cell[p] for p in zip(frame["lon"], frame["lat"])], index=frame.index, dtype="object")


def hotspot_resolution(frame: pd.DataFrame) -> int:
    """The finest of HOTSPOT_RESOLUTIONS at which the map points of ``frame`` fall in at most HOTSPOT_CELLS
    cells (the coarsest when none does)."""
    points = frame[["lon", "lat"]].drop_duplicates()
    for r in HOTSPOT_RESOLUTIONS:
        if _cells(points, r).nunique() <= HOTSPOT_CELLS:
            return r
    return HOTSPOT_RESOLUTIONS[-1]


def hotspot_rows(frame: pd.DataFrame, resolution: int) -> list[dict]:
    """Every H3 cell (at ``resolution``) of ``frame``'s map points (lsoa_code, lsoa_name, lon, lat, n) with its
    count, the busiest first (ties by cell id), and the LSOA most of the cell's records are in (ties: the
    lowest code)."""
    if frame.empty:
        return []
    frame = frame.assign(cell=_cells(frame, resolution))
    by_lsoa = frame.groupby(["cell", "lsoa_code"], as_index=False).agg(n=("n", "sum"), lsoa_name=("lsoa_name", "min"))
    top = by_lsoa.sort_values(["cell", "n", "lsoa_code"], ascending=[True, False, True]).drop_duplicates("cell")
    totals = frame.groupby("cell")["n"].sum()
    rows = [
        {"cell": r.cell, "value": int(totals[r.cell]), "lsoa_code": r.lsoa_code, "lsoa_name": r.lsoa_name}
        for r in top.itertuples(index=False)
    ]
    return sorted(rows, key=lambda r: (-r["value"], r["cell"]))


NO_OUTCOME = "No outcome recorded"
ROLLING_IDS = ("all_crime", "asb_incidents")  # counts of no victim group: a 12-month total to every month


def neighbourhood_rows(frame: pd.DataFrame, cur: Period | None, prev: Period | None) -> list[dict]:
    """Every LSOA of ``frame`` (lsoa_code, lsoa_name, month, n) counted over ``cur`` and ``prev``: the most
    first, ties by code; an LSOA with records in either window is listed, with 0 in the other."""
    names = frame.groupby("lsoa_code")["lsoa_name"].min()
    now, before = _total_by(frame, cur, "lsoa_code"), _total_by(frame, prev, "lsoa_code")
    rows = []
    for code in sorted(set(now.index) | set(before.index)):
        value, previous = int(now.get(code, 0)), (int(before.get(code, 0)) if prev is not None else None)
        rows.append(
            {
                "lsoa_code": code,
                "lsoa_name": names[code],
                "value": value,
                "previous": previous,
                "change": None if previous is None else value - previous,
            }
        )
    return sorted(rows, key=lambda r: (-r["value"], r["lsoa_code"]))


def _labels(period: Period, key: str) -> set[str]:
    if key == "quarter":
        return {q.long_label for q in period.quarters()}
    return {month_label(i) for i in period.months}


def check_spc(settings: spc.Settings, cube: Cube) -> None:
    """Refuse a recalculation month of csp.toml outside the months the data cover."""
    if settings.recalculate and cube.coverage:
        settings.check(min(a for a, _ in cube.coverage.values()), max(b for _, b in cube.coverage.values()))


def compute(data: Data, area: str, period, cube: Cube | None = None, settings: spc.Settings | None = None) -> dict:
    """figures.json (as a dict) for ``area`` and ``period`` of loaded ``data``; ``settings``: csp.toml's
    ``[spc]`` (spc.settings_from), None for every point of each XmR chart."""
    return Figures(data, cube or build_cube(data), area, parse(period), settings).compute()


def compute_from_folder(
    folder, area: str, period, allow_partial: bool = False, settings: spc.Settings | None = None
) -> dict:
    return compute(load(folder, allow_partial), area, period, settings=settings)


def published(
    folder,
    area: str,
    period,
    threshold: int,
    allow_partial: bool = False,
    store: store_.FiguresCache | None = None,
    settings: spc.Settings | None = None,
) -> dict:
    """figures.json of ``area`` as a build publishes it: every district of its county is computed and
    withheld together (disclosure.apply_all), so a district's small counts read alike in every report.
    With a ``store`` (figures.store), each district's internal figures are the cached ones the build or an
    earlier run made from the same data, code and ``[spc]`` settings, and those it lacks are kept there: a
    notebook run again, or after ``make book``, reads no record."""
    p = parse(period)
    settings = settings or spc.Settings()
    state: dict = {}

    def data() -> tuple[Data, Cube]:
        if not state:
            state["data"] = load(folder, allow_partial)
            state["cube"] = build_cube(state["data"])
        return state["data"], state["cube"]

    if store is None:
        d, cube = data()
        area = d.check_area(area)
        every = {x: compute(d, x, p, cube, settings) for x in d.districts_of(d.county_of(area))}
        return disclosure.apply_all(every, threshold)[area]
    data_key = store_.data_digest(folder)
    label = p.label + (" partial" if allow_partial else "")

    def internal(district: str) -> dict:
        key = store.figures_key(data_key, district, label, settings.key())
        figs = store.get_figures(key)
        if figs is None:
            d, cube = data()
            figs = compute(d, district, p, cube, settings)
            store.put_figures(key, figs)
        return figs

    key = store.figures_key(data_key, area, label, settings.key())
    if not store.has_figures(key):
        d, _ = data()
        area = d.check_area(area)  # the name as the data spell it, or the nearest named
    figs = internal(area)
    county = [r["district"] for r in figs["series"]["districts"].get("all_crime", [])] or [area]
    every = {x: figs if x == area else internal(x) for x in county}
    return disclosure.apply_all(every, threshold)[area]


def dumps(figs: dict) -> str:
    return json.dumps(figs, indent=2, ensure_ascii=False) + "\n"


def write(figs: dict, path) -> Path:
    """Write figures.json atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(dumps(figs), encoding="utf-8")
    tmp.replace(path)
    return path


def read(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


__all__ = ["compute", "compute_from_folder", "published", "build_cube", "dumps", "write", "read"]
