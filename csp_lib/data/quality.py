"""Data quality of one report: what was read, what is missing, and the figures it affects.

Everything here is a count over many records; nothing names or dates one record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import OFFENCES
from .periods import Period, month_key, month_label

DENSE = ("crimes", "asb_incidents")
KNOWN_BY = {"committed_date": "non_recent"}  # the column of counted.Counted.groups that is missing where it is
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
    for name in data.tables:
        table = data.counted(name)  # the records counted in groups: each group's month, district and n records
        month, n = table.months(), table.groups["n"].to_numpy()
        own_first, own_last = int(month.min()), int(month.max())
        first, last = coverage[name]
        here = (table.groups["district"] == area).to_numpy()
        in_area = month[here]  # the months only: the table's other columns are not read
        window = period.previous().first, period.last
        area_months = in_area[(in_area >= window[0]) & (in_area <= window[1])]
        tables.append(
            {
                "table": name,
                "rows": table.rows,
                "area_rows": int(n[here].sum()),
                "first_month": month_key(own_first),
                "last_month": month_key(own_last),
                "window": f"{month_label(first)} to {month_label(last)}",
                "gaps": _gaps(month, own_first, own_last),
                # only tables with records every month can show a gap for one area
                "area_gaps": _gaps(area_months, max(window[0], first), min(window[1], last)) if name in DENSE else [],
            }
        )
    missing = []
    table = data.counted("crimes")
    crimes = table.groups
    month = crimes["month"].to_numpy()
    scope = np.flatnonzero((crimes["district"] == area).to_numpy() & (month >= period.first) & (month <= period.last))
    crimes = crimes.iloc[scope]  # the area's crimes of the period: the groups every check counts among
    n = crimes["n"].to_numpy()
    for table_name, col, what, grp, affects in MISSING_CHECKS:
        rows = _is(crimes["offence"], [o for o, (g, _) in OFFENCES.items() if g == grp])
        of = int(n[rows].sum())  # the count of figure FIGURE_OF[grp]: disclosure control treats it as that figure
        if col not in table.columns:
            missing.append(
                {
                    "column": col,
                    "rows": what,
                    "blank": None,
                    "of": of,
                    "affects": affects,
                    "note": f"{table_name}.csv has no {col} column",
                    "figure": FIGURE_OF[grp],
                }
            )
            continue
        # a group's committed_date is known where its non_recent is (counted.py)
        blank = int(n[rows & crimes[KNOWN_BY.get(col, col)].isna().to_numpy()].sum())
        missing.append(
            {"column": col, "rows": what, "blank": blank, "of": of, "affects": affects, "figure": FIGURE_OF[grp]}
        )
    partial = [name for name, (a, b) in coverage.items() if b < period.last or a > period.previous().first]
    return {"warnings": list(data.warnings), "tables": tables, "missing": missing, "partial_sources": partial}
