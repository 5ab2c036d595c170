"""Deterministic demo data: the 14 districts of Lancashire, 2012/13 to 2016/17.

Calibrated so that every figure and statement of the golden section of
docs/figures.md holds exactly for Blackpool 2016/17, while every other
district and year follows plausible, varied patterns. No real person is in it:
every record is drawn from a fixed-seed random generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .data import contract
from .figures.measures import pct_change

SEED = 2017
COUNTY = "Lancashire"
FIRST_FY, LAST_FY = 2012, 2016  # 2012/13 .. 2016/17
MARAC_LAST = (2016, 12)  # the MARAC extract ends in December 2016

# district: (population mid-2016, households, relative crime volume)
DISTRICTS = {
    "Blackburn with Darwen": (147_500, 60_100, 11_500),
    "Blackpool": (139_600, 64_000, None),
    "Burnley": (87_300, 38_300, 7_600),
    "Chorley": (115_600, 49_800, 5_600),
    "Fylde": (78_200, 35_400, 3_400),
    "Hyndburn": (80_500, 34_600, 6_300),
    "Lancaster": (142_500, 60_200, 9_100),
    "Pendle": (90_600, 38_600, 6_200),
    "Preston": (141_300, 58_900, 13_300),
    "Ribble Valley": (59_300, 25_200, 2_100),
    "Rossendale": (70_300, 30_200, 4_300),
    "South Ribble": (110_100, 47_300, 5_100),
    "West Lancashire": (113_900, 48_600, 5_600),
    "Wyre": (110_600, 50_400, 4_800),
}
OTHERS = [d for d in DISTRICTS if d != "Blackpool"]
ADJUST = "Preston"  # absorbs the last few offences so county totals are exact

# --- the golden figures (docs/figures.md), Blackpool 2015/16 and 2016/17
BP = {
    2015: dict(
        all=16605,
        vap=5144,
        theft=6827,
        sexual=516,
        serious=149,
        less=2372,
        noninj=1947,
        rape=175,
        sa=188,
        u16=257,
        da=1783,
        da_assault=(31, 662, 532),
        asb=13643,
        hate=dict(race=81, religion=8, sexual_orientation=32, transgender=5, disability=13),
        hate_n=132,
        racist=158,
        homophobic=65,
        rape_kinds=(75, 45, 55),
        nonrecent_other=(45, 60),
    ),
    2016: dict(
        all=18664,
        vap=5895,
        theft=7735,
        sexual=690,
        serious=164,
        less=2818,
        noninj=2021,
        rape=220,
        sa=245,
        u16=361,
        da=1997,
        da_assault=(35, 703, 574),
        asb=13261,
        hate=dict(race=139, religion=11, sexual_orientation=33, transgender=10, disability=23),
        hate_n=201,
        racist=150,
        homophobic=51,
        rape_kinds=(114, 36, 70),
        nonrecent_other=(60, 85),
    ),
}
COUNTY_ALL = {2015: 96_648, 2016: 107_086}
COUNTY_VAP_PCT, COUNTY_ASB_PCT = 18.6, -1.5
# Blackpool months, April..March
BP_ASB_2015 = [1150, 1180, 1260, 1420, 1380, 1150, 1130, 1040, 1000, 940, 950, 1043]
BP_ASB_CHANGE = [-20, 15, -30, -140, 10, -25, -120, 12, -40, 8, -27, -25]
BP_DA_2016 = [160, 165, 167, 172, 168, 160, 155, 158, 206, 158, 150, 178]
BP_MARAC = {2015: (310, 345, 65), 2016: (368, 378, 95)}  # April-December: cases, children, repeats
BP_TOOLS = {
    2014: {"ASB": dict(CPW=140, CPN=30, **{"CPN breach": 2}, FPN=1, CBO=2)},
    2015: {
        "ASB": dict(
            CPW=350,
            CPN=80,
            **{"CPN breach": 6},
            FPN=3,
            **{"Civil injunction": 5},
            CBO=6,
            PSPO=12,
            **{"Court undertaking": 2},
        )
    },
    2016: {
        "ASB": dict(
            CPW=408,
            CPN=95,
            **{"CPN breach": 8},
            FPN=1,
            **{"Civil injunction": 4},
            CBO=4,
            PSPO=25,
            **{"Court undertaking": 1},
        ),
        "CSE": dict(CPW=105, CPN=9),
    },
}
BP_REFERRALS = {  # programme: {fy: (referrals, complied or None)}
    "Avert": {2014: (84, 41), 2015: (118, 61), 2016: (131, 72)},
    "ASBRAC": {2012: (85, None), 2013: (82, None), 2014: (78, None), 2015: (71, None), 2016: (47, None)},
    "Operation Safeguard": {2016: (38, None)},
}

# 2016/17 growth on 2015/16 for the other districts, in %
GROWTH = {
    #                       VAP   theft  sexual  DA    ASB
    "Blackburn with Darwen": (22.0, 9.0, 28.0, 18.0, -3.0),
    "Burnley": (11.0, 14.0, 22.0, 14.5, 1.0),
    "Chorley": (19.5, 6.0, 35.0, 10.1, -2.0),
    "Fylde": (17.0, 4.0, 18.0, 16.0, 2.5),
    "Hyndburn": (13.9, 11.0, 30.0, 19.0, -4.0),
    "Lancaster": (21.0, 8.0, 26.0, 13.2, 0.5),
    "Pendle": (12.5, 16.0, 24.0, 21.0, -1.0),
    "Preston": (20.5, 12.0, 31.0, 15.0, 0.0),
    "Ribble Valley": (16.2, -3.0, 15.0, 24.0, 3.0),
    "Rossendale": (24.0, 7.0, 38.0, 17.5, -5.0),
    "South Ribble": (18.8, 5.0, 27.0, 13.8, 1.5),
    "West Lancashire": (19.9, 10.0, 20.0, 22.0, -2.5),
    "Wyre": (17.8, 3.0, 33.0, 8.4, -1.5),
}
# growth into each earlier year (from the year before), all districts, in %
BACK = {
    "vap": {2013: 8, 2014: 10, 2015: 15},
    "theft": {2013: -6, 2014: -5, 2015: 2},
    "sexual": {2013: 15, 2014: 25, 2015: 30},
    "other": {2013: -5, 2014: -4, 2015: 3},
    "da": {2013: 6, 2014: 8, 2015: 9},
    "asb": {2013: -6, 2014: -7, 2015: -5},
}

SPLIT = {
    "vap_rest": {"Harassment": 0.83, "Other violence": 0.17},
    "vap": {
        "Serious assault": 0.029,
        "Less serious assault": 0.46,
        "Non-injury assault": 0.38,
        "Harassment": 0.10,
        "Other violence": 0.031,
    },
    "theft": {"Burglary": 0.22, "Vehicle offence": 0.18, "Shoplifting": 0.25, "Other theft": 0.35},
    "sexual": {"Rape": 0.34, "Sexual assault": 0.36, "Other sexual offence": 0.30},
    "other": {
        "Robbery": 0.03,
        "Criminal damage": 0.50,
        "Drug offence": 0.12,
        "Possession of weapons": 0.03,
        "Public order offence": 0.25,
        "Other crime": 0.07,
    },
    "da_assault": {"Serious assault": 0.025, "Less serious assault": 0.54, "Non-injury assault": 0.435},
    "da_other": {"Harassment": 0.5, "Criminal damage": 0.35, "Other crime": 0.15},
    "hate_offence": {
        "Public order offence": 0.6,
        "Less serious assault": 0.15,
        "Non-injury assault": 0.15,
        "Harassment": 0.10,
    },
    "strands": {"race": 0.64, "religion": 0.06, "sexual_orientation": 0.16, "transgender": 0.04, "disability": 0.10},
    "asb_category": {"personal": 0.25, "nuisance": 0.65, "environmental": 0.10},
}
SEASON = {  # April..March
    "crime": [1.00, 1.04, 1.05, 1.08, 1.07, 1.02, 1.01, 0.97, 0.96, 0.93, 0.90, 0.97],
    "asb": [1.00, 1.08, 1.12, 1.25, 1.22, 1.00, 0.98, 0.88, 0.85, 0.80, 0.82, 0.95],
    "da": [0.98, 1.00, 1.02, 1.04, 1.03, 0.98, 0.99, 0.99, 1.08, 0.97, 0.93, 0.99],
}


def apportion(total: int, weights) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    rest = int(total - out.sum())
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    return dict(zip(shares, apportion(total, list(shares.values()))))


def _r(x: float) -> int:
    return int(np.floor(x + 0.5))


def _fy_months(fy: int) -> np.ndarray:
    """Month indexes (year*12 + month-1) of a financial year, April first."""
    return np.arange(fy * 12 + 3, fy * 12 + 15)


class _Plan:
    """Annual counts per district and year, before any record is drawn."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.groups: dict[tuple[str, int], dict[str, int]] = {}
        self._current_years()
        self._back_cast()

    def _current_years(self):
        weights = [DISTRICTS[d][2] for d in OTHERS]
        others15 = apportion(COUNTY_ALL[2015] - BP[2015]["all"], weights)
        for fy in (2015, 2016):
            b = BP[fy]
            self.groups["Blackpool", fy] = dict(
                vap=b["vap"],
                theft=b["theft"],
                sexual=b["sexual"],
                other=b["all"] - b["vap"] - b["theft"] - b["sexual"],
                da=b["da"],
                asb=b["asb"],
            )
        for d, t in zip(OTHERS, others15):
            g = dict(vap=_r(t * 0.30), theft=_r(t * 0.38), sexual=_r(t * 0.028))
            g["other"] = int(t) - sum(g.values())
            g["da"] = _r(t * 0.105)
            g["asb"] = _r(t * 0.62)
            self.groups[d, 2015] = g
            gv, gt, gs, gd, ga = GROWTH[d]
            self.groups[d, 2016] = dict(
                vap=_r(g["vap"] * (1 + gv / 100)),
                theft=_r(g["theft"] * (1 + gt / 100)),
                sexual=_r(g["sexual"] * (1 + gs / 100)),
                da=_r(g["da"] * (1 + gd / 100)),
                asb=_r(g["asb"] * (1 + ga / 100)),
            )
        self._fix_county_pct("vap", COUNTY_VAP_PCT)
        self._fix_county_pct("asb", COUNTY_ASB_PCT)
        # other crime takes what is left of the county's all-crime total
        left = (
            COUNTY_ALL[2016]
            - BP[2016]["all"]
            - sum(self.groups[d, 2016][k] for d in OTHERS for k in ("vap", "theft", "sexual"))
        )
        other = apportion(left, [self.groups[d, 2015]["other"] * (1.02 + 0.01 * i) for i, d in enumerate(OTHERS)])
        for d, n in zip(OTHERS, other):
            self.groups[d, 2016]["other"] = int(n)

    def _fix_county_pct(self, key: str, pct: float):
        prev = sum(self.groups[d, 2015][key] for d in DISTRICTS)
        cur = sum(self.groups[d, 2016][key] for d in DISTRICTS)
        target = _r(prev * (1 + pct / 100))
        self.groups[ADJUST, 2016][key] += target - cur
        assert pct_change(target, prev) == pct, (key, target, prev)

    def _back_cast(self):
        for d in DISTRICTS:
            noise = 1 + self.rng.uniform(-0.02, 0.02, size=3)
            for fy in (2014, 2013, 2012):
                nxt = self.groups[d, fy + 1]
                self.groups[d, fy] = {k: _r(nxt[k] / (1 + BACK[k][fy + 1] / 100 * noise[2014 - fy])) for k in nxt}


def _months_for(total: int, season: str, rng, fy: int) -> np.ndarray:
    w = np.array(SEASON[season]) * rng.uniform(0.96, 1.04, size=12)
    return np.repeat(_fy_months(fy), apportion(total, w))


def _ages(n: int, bands: list[tuple[int, int, int]], rng) -> np.ndarray:
    """``n`` ages, exactly ``count`` of them in each (lo, hi, count); the rest spread 30-85."""
    parts = [rng.integers(lo, hi + 1, size=c) for lo, hi, c in bands]
    rest = n - sum(c for _, _, c in bands)
    parts.append(rng.integers(30, 86, size=rest))
    out = np.concatenate(parts)
    rng.shuffle(out)
    return out


def _strands(counts: dict[str, int], n: int) -> list[str]:
    """``n`` strand sets whose strand totals are ``counts`` (extra strands paired up)."""
    items = [s for s, c in sorted(counts.items(), key=lambda kv: -kv[1]) for _ in range(c)]
    sets = [{s} for s in items[:n]]
    i = 0
    for s in items[n:]:
        while s in sets[i % n]:
            i += 1
        sets[i % n].add(s)
        i += 1
    return [";".join(sorted(x)) for x in sets]


def _crimes(plan: _Plan, rng) -> pd.DataFrame:
    frames = []
    for (d, fy), g in sorted(plan.groups.items()):
        bp = BP.get(fy) if d == "Blackpool" else None
        # offence counts
        off: dict[str, int] = {}
        if bp:
            off.update(
                {
                    "Serious assault": bp["serious"],
                    "Less serious assault": bp["less"],
                    "Non-injury assault": bp["noninj"],
                }
            )
            off.update(_split(bp["vap"] - bp["serious"] - bp["less"] - bp["noninj"], SPLIT["vap_rest"]))
            off.update(
                {
                    "Rape": bp["rape"],
                    "Sexual assault": bp["sa"],
                    "Other sexual offence": bp["sexual"] - bp["rape"] - bp["sa"],
                }
            )
        else:
            off.update(_split(g["vap"], SPLIT["vap"]))
            off.update(_split(g["sexual"], SPLIT["sexual"]))
        off.update(_split(g["theft"], SPLIT["theft"]))
        off.update(_split(g["other"], SPLIT["other"]))
        # domestic abuse: assaults by severity, the rest from harassment, damage, other
        if bp:
            da_assault = dict(zip(SPLIT["da_assault"], bp["da_assault"]))
        else:
            da_assault = _split(_r(g["da"] * 0.69), SPLIT["da_assault"])
        da_off = dict(da_assault)
        for o, n in _split(g["da"] - sum(da_assault.values()), SPLIT["da_other"]).items():
            da_off[o] = da_off.get(o, 0) + n
        da_list = np.repeat(list(da_off), list(da_off.values()))
        rng.shuffle(da_list)
        if bp and fy == 2016:
            da_months = np.repeat(_fy_months(fy), BP_DA_2016)
        else:
            da_months = _months_for(len(da_list), "da", rng, fy)
        rows_off = [da_list]
        rows_month = [da_months]
        rows_da = [np.ones(len(da_list), bool)]
        for o, n in off.items():
            k = n - da_off.get(o, 0)
            assert k >= 0, (d, fy, o)
            rows_off.append(np.repeat(o, k))
            rows_month.append(_months_for(k, "crime", rng, fy))
            rows_da.append(np.zeros(k, bool))
        f = pd.DataFrame(
            {
                "offence": np.concatenate(rows_off),
                "month": np.concatenate(rows_month),
                "domestic_abuse": np.concatenate(rows_da),
            }
        )
        f["district"], f["fy"] = d, fy
        f["hate_strands"] = ""
        # hate crimes, drawn from non-domestic rows
        if bp:
            strands, n_hate = bp["hate"], bp["hate_n"]
        else:
            n_hate = max(3, _r((sum(g[k] for k in ("vap", "theft", "sexual", "other"))) * 0.009))
            strands = _split(_r(n_hate * 1.07), SPLIT["strands"])
        sets = _strands(strands, n_hate)
        chosen = []
        for o, n in _split(n_hate, SPLIT["hate_offence"]).items():
            pool = np.flatnonzero((f["offence"] == o).to_numpy() & ~f["domestic_abuse"].to_numpy())
            chosen.append(rng.choice(pool, size=n, replace=False))
        f.loc[np.concatenate(chosen), "hate_strands"] = sets
        _people(f, d, fy, bp, rng)
        frames.append(f)
    crimes = pd.concat(frames, ignore_index=True)
    # dates: a day in the month, then when it happened
    y, m = crimes["month"] // 12, crimes["month"] % 12 + 1
    start = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": 1}))
    days = start.dt.days_in_month.to_numpy()
    crimes["recorded_date"] = start + pd.to_timedelta(np.floor(rng.random(len(crimes)) * days), "D")
    _committed(crimes, rng)
    return crimes


def _people(f: pd.DataFrame, d: str, fy: int, bp, rng):
    """Victim and offender ages, CSE and night-time-economy flags."""
    f["victim_age"] = pd.array([pd.NA] * len(f), dtype="Int64")
    f["offender_age"] = pd.array([pd.NA] * len(f), dtype="Int64")
    grp = f["offence"].map({o: g for o, (g, _) in contract.OFFENCES.items()})
    vap = np.flatnonzero((grp == contract.VAP).to_numpy())
    n = len(vap)
    jitter = 0 if (d == "Blackpool" and fy == 2015) else rng.uniform(-0.03, 0.03)
    v1524 = _r(n * (0.27 + jitter))
    f.loc[f.index[vap], "victim_age"] = _ages(n, [(15, 24, v1524), (10, 14, _r(n * 0.04)), (25, 29, _r(n * 0.14))], rng)
    f.loc[f.index[vap], "offender_age"] = _ages(
        n, [(15, 24, _r(n * (0.29 + jitter))), (25, 29, _r(n * (0.16 + jitter / 2))), (10, 14, _r(n * 0.02))], rng
    )
    sex = np.flatnonzero((grp == contract.SEXUAL).to_numpy())
    u16 = bp["u16"] if bp else _r(len(sex) * rng.uniform(0.40, 0.50))
    ages = np.concatenate([rng.integers(4, 16, size=u16), rng.integers(16, 70, size=len(sex) - u16)])
    rng.shuffle(ages)
    f.loc[f.index[sex], "victim_age"] = ages
    f.loc[f.index[sex], "offender_age"] = rng.integers(14, 70, size=len(sex))
    f["cse"] = False
    young = f.index[sex][ages < 18]
    f.loc[rng.choice(young, size=_r(len(young) * 0.12), replace=False), "cse"] = True
    f["night_time_economy"] = False
    f.loc[rng.choice(f.index[vap], size=_r(n * 0.18), replace=False), "night_time_economy"] = True


def _committed(crimes: pd.DataFrame, rng):
    """When each crime took place: days before recording, controlled for sexual offences.

    Rapes are split into three kinds per district and year: committed in the same
    financial year as recorded, in the year before but within 365 days
    (recent), and more than two years before (non-recent).
    """
    n = len(crimes)
    lag = np.minimum(rng.geometric(0.2, size=n) - 1, 60)
    rec = crimes["recorded_date"]
    fy_start = pd.to_datetime(pd.DataFrame({"year": crimes["fy"], "month": 4, "day": 1}))
    since = (rec - fy_start).dt.days.to_numpy()
    sexual = crimes["offence"].isin(contract.offences_in_group(contract.SEXUAL)).to_numpy()
    lag[sexual] = np.minimum(rng.geometric(1 / 40, size=sexual.sum()), 365)
    for (d, fy), grp in crimes[sexual].groupby(["district", "fy"]):
        bp = BP.get(fy) if d == "Blackpool" else None
        for o, idx in grp.groupby("offence", observed=True).groups.items():
            idx = rng.permutation(np.asarray(idx))
            m = len(idx)
            if o == "Rape":
                same, prior, old = (
                    bp["rape_kinds"] if bp else (_r(m * 0.52), _r(m * 0.18), m - _r(m * 0.52) - _r(m * 0.18))
                )
                early = idx[since[idx] <= 330]
                prior_ix = early[:prior]
                rest = np.setdiff1d(idx, prior_ix)
                rest = rng.permutation(rest)
                old_ix, same_ix = rest[:old], rest[old:]
                assert len(same_ix) == same
                lag[same_ix] = np.floor(rng.random(len(same_ix)) * (since[same_ix] + 1))
                lo = since[prior_ix] + 1
                lag[prior_ix] = lo + np.floor(rng.random(len(prior_ix)) * (366 - lo))
            else:
                k = {"Sexual assault": 0, "Other sexual offence": 1}[o]
                old = bp["nonrecent_other"][k] if bp else _r(m * rng.uniform(0.22, 0.32))
                old_ix = idx[:old]
            lag[old_ix] = 731 + rng.integers(0, 9000, size=len(old_ix))
    crimes["committed_date"] = rec - pd.to_timedelta(lag, "D")


def _spread_dates(months: np.ndarray, rng) -> pd.Series:
    y, m = months // 12, months % 12 + 1
    start = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": 1}))
    return start + pd.to_timedelta(np.floor(rng.random(len(months)) * start.dt.days_in_month), "D")


def _asb(plan: _Plan, rng) -> pd.DataFrame:
    parts = []
    for (d, fy), g in sorted(plan.groups.items()):
        if d == "Blackpool" and fy in (2015, 2016):
            counts = np.array(BP_ASB_2015) + (np.array(BP_ASB_CHANGE) if fy == 2016 else 0)
            months = np.repeat(_fy_months(fy), counts)
        else:
            months = _months_for(g["asb"], "asb", rng, fy)
        cats = np.repeat(list(SPLIT["asb_category"]), apportion(len(months), list(SPLIT["asb_category"].values())))
        rng.shuffle(cats)
        parts.append(pd.DataFrame({"district": d, "month": months, "asb_category": cats}))
    out = pd.concat(parts, ignore_index=True)
    out["date"] = _spread_dates(out["month"].to_numpy(), rng)
    return out


def _hate_incidents(plan: _Plan, rng) -> pd.DataFrame:
    parts = []
    for (d, fy), g in sorted(plan.groups.items()):
        if d == "Blackpool" and fy in BP:
            n = {"Racist incident": BP[fy]["racist"], "Homophobic incident": BP[fy]["homophobic"]}
        else:
            base = g["vap"] / 5144 * (1 + 0.04 * (2016 - fy))
            n = {"Racist incident": _r(150 * base), "Homophobic incident": _r(55 * base)}
        for t, k in n.items():
            parts.append(pd.DataFrame({"district": d, "incident_type": t, "month": _months_for(k, "crime", rng, fy)}))
    out = pd.concat(parts, ignore_index=True)
    out["date"] = _spread_dates(out["month"].to_numpy(), rng)
    return out


def _interventions(rng) -> pd.DataFrame:
    rows = []
    case_no = 0
    for d in DISTRICTS:
        scale = DISTRICTS[d][2] or 0
        for fy in range(2014, LAST_FY + 1):
            if d == "Blackpool":
                plan = BP_TOOLS.get(fy, {})
            else:
                cpw = _r(scale / 100 * {2014: 0.2, 2015: 0.6, 2016: 0.8}[fy])
                plan = {
                    "ASB": {
                        "CPW": cpw,
                        "CPN": _r(cpw * 0.2),
                        "CPN breach": _r(cpw * 0.015),
                        "CBO": _r(scale / 4000),
                        "Civil injunction": _r(scale / 5000),
                    }
                }
                if fy == 2016 and d in ("Preston", "Blackburn with Darwen", "Burnley"):
                    plan["CSE"] = {"CPW": _r(scale / 2500), "CPN": 1}
            first_day = pd.Timestamp(fy, 10 if fy == 2014 else 4, 1)  # the 2014 Act: 20 October 2014
            span = (pd.Timestamp(fy + 1, 3, 31) - first_day).days
            for ctx, types in plan.items():
                chain = []  # (case_ref, date) of the step before
                for typ in ("CPW", "CPN", "CPN breach", "FPN", "Civil injunction", "CBO", "PSPO", "Court undertaking"):
                    n = types.get(typ, 0)
                    linked = [c for c in chain if (pd.Timestamp(fy + 1, 3, 31) - c[1]).days > 40]
                    new_chain = []
                    for i in range(n):
                        if typ in ("CPN", "CPN breach") and i < len(linked):
                            ref, prev = linked[i]
                            date = prev + pd.Timedelta(days=int(rng.integers(14, 36)))
                        else:
                            case_no += 1
                            ref = f"K{case_no:06d}"
                            date = first_day + pd.Timedelta(days=int(rng.integers(0, span + 1)))
                        new_chain.append((ref, date))
                        rows.append((d, date, typ, ctx, ref))
                    if typ in ("CPW", "CPN"):
                        chain = sorted(new_chain, key=lambda c: c[1])
    out = pd.DataFrame(rows, columns=["district", "date", "type", "context", "case_ref"])
    return out


def _marac(plan: _Plan, rng) -> pd.DataFrame:
    parts = []
    last = MARAC_LAST[0] * 12 + MARAC_LAST[1] - 1
    for (d, fy), g in sorted(plan.groups.items()):
        months = _fy_months(fy)
        months = months[months <= last]
        if d == "Blackpool" and fy in BP_MARAC:
            cases, children, repeats = BP_MARAC[fy]
            m9 = np.repeat(months[:9], apportion(cases, SEASON["da"][:9]))
            extra = _months_for(_r(cases / 3 * 0.95), "da", rng, fy)
            extra = extra[(extra > months[8]) & (extra <= last)]
            m = np.concatenate([m9, extra])
            kids = np.concatenate(
                [rng.multinomial(children, np.ones(cases) / cases), rng.poisson(1.05, size=len(extra))]
            )
            rep = np.zeros(len(m), bool)
            rep[rng.choice(cases, size=repeats, replace=False)] = True
            rep[cases + np.flatnonzero(rng.random(len(extra)) < 0.22)] = True
        else:
            m = _months_for(_r(g["da"] * 0.19), "da", rng, fy)
            m = m[m <= last]
            kids = rng.poisson(1.05, size=len(m))
            rep = rng.random(len(m)) < 0.21
        parts.append(pd.DataFrame({"district": d, "month": m, "children": kids, "repeat": rep}))
    out = pd.concat(parts, ignore_index=True)
    out["listed_date"] = _spread_dates(out["month"].to_numpy(), rng)
    return out


def _referrals(plan: _Plan, rng) -> pd.DataFrame:
    parts = []
    for d in DISTRICTS:
        for fy in range(FIRST_FY, LAST_FY + 1):
            if d == "Blackpool":
                todo = {p: v[fy] for p, v in BP_REFERRALS.items() if fy in v}
            elif fy >= 2014:
                n = _r(plan.groups[d, fy]["vap"] * 0.02)
                todo = {"Avert": (n, _r(n * rng.uniform(0.45, 0.65)))}
            else:
                todo = {}
            for prog, (n, complied) in todo.items():
                comp = np.full(n, "", dtype=object)
                if complied is not None:
                    comp[:] = "0"
                    comp[rng.choice(n, size=complied, replace=False)] = "1"
                parts.append(
                    pd.DataFrame(
                        {"district": d, "programme": prog, "complied": comp, "month": _months_for(n, "crime", rng, fy)}
                    )
                )
    out = pd.concat(parts, ignore_index=True)
    out["date"] = _spread_dates(out["month"].to_numpy(), rng)
    return out


def _with_refs(df: pd.DataFrame, date_col: str, ref_col: str, prefix: str, cols: list[str]) -> pd.DataFrame:
    df = df.sort_values([date_col, "district"], kind="stable").reset_index(drop=True)
    df.insert(0, ref_col, [f"{prefix}{i:07d}" for i in range(1, len(df) + 1)])
    return df[[ref_col] + cols]


def _iso(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d")


# the demo's most similar groups (families.csv): invented, for the comparison beyond the county; a real
# partnership takes its group from iQuanta's most similar groups or CIPFA's nearest neighbours
URBAN = ("Blackpool", "Blackburn with Darwen", "Burnley", "Hyndburn", "Pendle", "Preston")
FAMILY_OF = {d: "urban centres" if d in URBAN else "towns, coast and country" for d in DISTRICTS}


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every table of the data contract, as frames of text ready to write."""
    rng = np.random.default_rng(seed)
    plan = _Plan(rng)
    areas = pd.DataFrame(
        [(d, COUNTY, p, h) for d, (p, h, _) in DISTRICTS.items()],
        columns=["district", "county", "population", "households"],
    )
    c = _crimes(plan, rng)
    c = _with_refs(
        c,
        "recorded_date",
        "crime_ref",
        "CR",
        [
            "recorded_date",
            "committed_date",
            "district",
            "offence",
            "victim_age",
            "offender_age",
            "domestic_abuse",
            "hate_strands",
            "cse",
            "night_time_economy",
        ],
    )
    for b in ("domestic_abuse", "cse", "night_time_economy"):
        c[b] = c[b].astype(int)
    a = _with_refs(_asb(plan, rng), "date", "incident_ref", "ASB", ["date", "district", "asb_category"])
    h = _with_refs(_hate_incidents(plan, rng), "date", "incident_ref", "HI", ["date", "district", "incident_type"])
    iv = _with_refs(
        _interventions(rng), "date", "intervention_ref", "TP", ["date", "district", "type", "context", "case_ref"]
    )
    mc = _with_refs(
        _marac(plan, rng), "listed_date", "case_ref", "MC", ["listed_date", "district", "children", "repeat"]
    )
    mc["repeat"] = mc["repeat"].astype(int)
    rf = _with_refs(_referrals(plan, rng), "date", "referral_ref", "RF", ["date", "district", "programme", "complied"])
    tables = {
        "areas": areas,
        "families": pd.DataFrame(
            [(d, FAMILY_OF[d]) for d in DISTRICTS], columns=["district", "family"]
        ),  # invented most similar groups, so the demo shows a comparison beyond the county
        "crimes": c,
        "asb_incidents": a,
        "hate_incidents": h,
        "interventions": iv,
        "marac_cases": mc,
        "referrals": rf,
    }
    for df in tables.values():
        for col in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[col]):
                df[col] = _iso(df[col])
    return tables


def write(folder, seed: int = SEED) -> dict[str, int]:
    """Write the demo tables as CSV into ``folder``; returns rows per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, df in generate(seed).items():
        tmp = folder / f".{name}.csv.tmp"
        df.to_csv(tmp, index=False, lineterminator="\n")
        tmp.replace(folder / f"{name}.csv")
        rows[name] = len(df)
    (folder / contract.DEMO_MARKER).write_text(
        "Demonstration data written by `csp demo-data`: invented records, calibrated to the published\n"
        "Blackpool 2016/17 report. No real person is in them. Every report built from this folder is\n"
        "labelled as demonstration data.\n",
        encoding="utf-8",
    )
    return rows
