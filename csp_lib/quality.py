"""Data quality of one report: what was read, what is missing, and the figures it affects.

Everything here is a count over many records; nothing names or dates one record.
"""

from __future__ import annotations

import pandas as pd

from .narrative import short
from .periods import Period, month_key, month_label, month_runs
from .readers import Data
from .tables import WITHHELD, withheld_note

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


def _gaps(months: pd.Series, first: int, last: int) -> list[str]:
    have = set(int(m) for m in months.unique())
    return [month_key(m) for m in range(first, last + 1) if m not in have]


def assess(data: Data, area: str, period: Period, coverage: dict[str, tuple[int, int]]) -> dict:
    """The data quality section of figures.json."""
    from .contract import OFFENCES

    tables = []
    for name, df in data.tables.items():
        own_first, own_last = int(df["month"].min()), int(df["month"].max())
        first, last = coverage[name]
        in_area = df[(df["district"] == area).to_numpy(dtype=bool, na_value=False)]
        window = period.previous().first, period.last
        area_months = in_area["month"][(in_area["month"] >= window[0]) & (in_area["month"] <= window[1])]
        tables.append(
            {
                "table": name,
                "rows": int(len(df)),
                "area_rows": int(len(in_area)),
                "first_month": month_key(own_first),
                "last_month": month_key(own_last),
                "window": f"{month_label(first)} to {month_label(last)}",
                "gaps": _gaps(df["month"], own_first, own_last),
                # only tables with records every month can show a gap for one area
                "area_gaps": _gaps(area_months, max(window[0], first), min(window[1], last)) if name in DENSE else [],
            }
        )
    missing = []
    crimes = data["crimes"]
    group = crimes["offence"].map({o: g for o, (g, _) in OFFENCES.items()})  # categorical: maps the categories
    in_area = (crimes["district"] == area).to_numpy(dtype=bool, na_value=False)
    in_scope = in_area & crimes["month"].between(period.first, period.last).to_numpy()
    for table, col, what, grp, affects in MISSING_CHECKS:
        rows = in_scope & (group == grp)
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
        blank = int((rows & crimes[col].isna()).sum())
        missing.append(
            {"column": col, "rows": what, "blank": blank, "of": n, "affects": affects, "figure": FIGURE_OF[grp]}
        )
    partial = [name for name, (a, b) in coverage.items() if b < period.last or a > period.previous().first]
    return {"warnings": list(data.warnings), "tables": tables, "missing": missing, "partial_sources": partial}


def page(figs: dict) -> str:
    """The data quality page of one report (MyST markdown), from figures.json alone."""
    q = figs["quality"]
    area = figs["area"]
    lines = [
        f"# Data quality: {area}, {short(figs)}",
        "",
        "What the figures of this report were made from, what is missing from it and which "
        "figures that affects. Every value here is a count over many records.",
        "",
        "## Tables read",
        "",
        f"| Table | Records | Records for {area} | Months covered | Months with no records |",
        "|:--|--:|--:|:--|:--|",
    ]
    for t in q["tables"]:
        gaps = month_runs(t["gaps"]) or "none"
        if t["area_gaps"]:
            gaps += f"; for {area} in these two years: " + ", ".join(t["area_gaps"])
        lines.append(f"| {t['table']} | {t['rows']:,} | {t['area_rows']:,} | {t['window']} | {gaps} |")
    if q.get("excluded"):
        lines += [
            "",
            "## Records in no district of the county",
            "",
            f"Counted over {figs['previous']['name']} and {figs['period']['name']} (the files read), and left "
            "out of every district and county figure:",
            "",
            "| Why | Records | Districts |",
            "|:--|--:|--:|",
        ]
        lines += [f"| {e['reason']} | {e['rows']:,} | {e['districts'] or ''} |" for e in q["excluded"]]
    lines += ["", "## Sources that do not cover the whole period", ""]
    partial = [fid for fid, f in figs["figures"].items() if f.get("partial")]
    if partial:
        for fid in partial:
            f = figs["figures"][fid]
            if f.get("partial_note"):
                lines.append(f"- `{fid}`: {f['partial_note']}.")
                continue
            lines.append(
                f"- `{fid}` covers {f['start']} to {f['end']} and is compared with "
                f"{f.get('previous_start', 'no earlier months')} to {f.get('previous_end', '')}."
            )
    else:
        lines.append("None: every source covers the whole period and the year before it.")
    lines += ["", "## Missing values", "", "| Column | In | Blank | Of | Affects |", "|:--|:--|--:|--:|:--|"]
    hidden = False
    for m in q["missing"]:
        blank = "column absent" if m["blank"] is None else f"{m['blank']:,}"
        if m.get("note"):
            blank = m["note"]
        of = f"{m['of']:,}" if m["of"] else ""
        if "blank" in m.get("suppressed", []):
            blank, hidden = WITHHELD, True
        if "of" in m.get("suppressed", []):
            of, hidden = WITHHELD, True
        lines.append(f"| {m['column']} | {m['rows']} | {blank} | {of} | {m['affects']} |")
    if hidden:
        lines += ["", withheld_note(figs.get("disclosure", {}).get("threshold", 4))]
    lines += ["", "Shares (non-recent, under 16, age bands) are of the records with a value.", "", "## Warnings", ""]
    lines += [f"- {w}" for w in q["warnings"]] or ["None: every file was read as it is."]
    d = figs.get("disclosure")
    lines += ["", "## Withheld values", ""]
    if d:
        n = len(d["suppressed"])
        lines.append(
            f"Victim-based counts from 1 to {d['threshold']} are withheld on these pages "
            f"({n} figure{'s' if n != 1 else ''} affected"
            + (": " + ", ".join(f"`{i}`" for i in d["suppressed"][:40]) if n else "")
            + ")."
        )
    else:
        lines.append("This is an internal build: no value is withheld. Do not publish it.")
    return "\n".join(lines) + "\n"
