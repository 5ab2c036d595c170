"""Data quality of one report: what was read, what is missing, and the figures it affects.

Everything here is a count over many records; nothing names or dates one record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import OFFENCES
from .periods import Period, month_key, month_label

DENSE = ("crimes", "asb_incidents")
FIGURE_OF = {"Sexual offences": "sexual_offences", "Violence against the person": "vap"}  # the rows' own figure
# optional column, the rows it matters for, and the figures that rest on it
MISSING_CHECKS = [
    (
        "crimes",
        "committed_date",
        "sexual offences",
        "Sexual offences",
        "non-recent share; rapes by the date they took place",
    ),
    ("crimes", "victim_age", "sexual offences", "Sexual offences", "offences against children under 16"),
    ("crimes", "victim_age", "violence against the person", "Violence against the person", "age profile of victims"),
    (
        "crimes",
        "offender_age",
        "violence against the person",
        "Violence against the person",
        "age profile of offenders",
    ),
]


def _gaps(months, first: int, last: int) -> list[str]:
    have = set(int(m) for m in pd.unique(np.asarray(months)))
    return [month_key(m) for m in range(first, last + 1) if m not in have]


def _is(column: pd.Series, values) -> np.ndarray:
    """``column.isin(values)`` as a numpy array, missing values False; a categorical column (the loaders'
    district and offence) is compared on its few categories, then looked up by code, not row by row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, hit = column.cat.codes.to_numpy(), np.flatnonzero(column.cat.categories.isin(values))
        return codes == hit[0] if len(hit) == 1 else np.isin(codes, hit)  # code -1 (missing) is never a hit
    return column.isin(values).to_numpy(dtype=bool, na_value=False)


def assess(data, area: str, period: Period, coverage: dict[str, tuple[int, int]]) -> dict:
    """The data quality section of figures.json."""
    tables = []
    for name, df in data.tables.items():
        month = df["month"].to_numpy()
        own_first, own_last = int(month.min()), int(month.max())
        first, last = coverage[name]
        in_area = month[_is(df["district"], [area])]  # the months only: the table's other columns are not read
        window = period.previous().first, period.last
        area_months = in_area[(in_area >= window[0]) & (in_area <= window[1])]
        tables.append(
            {
                "table": name,
                "rows": int(len(df)),
                "area_rows": int(len(in_area)),
                "first_month": month_key(own_first),
                "last_month": month_key(own_last),
                "window": f"{month_label(first)} to {month_label(last)}",
                "gaps": _gaps(month, own_first, own_last),
                # only tables with records every month can show a gap for one area
                "area_gaps": _gaps(area_months, max(window[0], first), min(window[1], last)) if name in DENSE else [],
            }
        )
    missing = []
    crimes = data["crimes"]
    month = crimes["month"].to_numpy()
    scope = np.flatnonzero(_is(crimes["district"], [area]) & (month >= period.first) & (month <= period.last))
    crimes = crimes.iloc[scope]  # the area's crimes of the period: the rows every check counts among
    for table, col, what, grp, affects in MISSING_CHECKS:
        rows = _is(crimes["offence"], [o for o, (g, _) in OFFENCES.items() if g == grp])
        n = int(rows.sum())  # the count of figure FIGURE_OF[grp]: disclosure control treats it as that figure
        if col not in crimes:
            missing.append(
                {
                    "column": col,
                    "rows": what,
                    "blank": None,
                    "of": n,
                    "affects": affects,
                    "note": f"{table}.csv has no {col} column",
                    "figure": FIGURE_OF[grp],
                }
            )
            continue
        blank = int((rows & crimes[col].isna().to_numpy()).sum())
        missing.append(
            {"column": col, "rows": what, "blank": blank, "of": n, "affects": affects, "figure": FIGURE_OF[grp]}
        )
    partial = [name for name, (a, b) in coverage.items() if b < period.last or a > period.previous().first]
    return {"warnings": list(data.warnings), "tables": tables, "missing": missing, "partial_sources": partial}
