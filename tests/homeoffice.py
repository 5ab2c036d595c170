"""Hand-made Home Office police recorded crime open data tables for the tests, counted by hand.

The CSP table: Testshire (CSPs Alpha and Beta) and Otherforce (CSP Gamma), financial years 2015/16 and
2016/17, quarters 1 to 4, and Action Fraud's rows (not an area). Each (CSP, offence code) has a count a
quarter in 2016/17 (``Q1..Q4`` below); 2015/16 has one fewer in each quarter.

| CSP   | code | description (group / subgroup)                                       | Q1 | Q2 | Q3 | Q4 |
|-------|------|----------------------------------------------------------------------|---:|---:|---:|---:|
| Alpha | 8N   | Assault with injury (VAP / Violence with injury)                     | 5  | 6  | 7  | 8  |
| Alpha | 105A | Assault without injury (VAP / Violence without injury)               | 3  | 3  | 3  | 3  |
| Alpha | 8Q   | Stalking (VAP / Stalking and harassment)                             | 1  | 2  | 1  | 2  |
| Alpha | 19C  | Rape of a female aged 16 and over (Sexual offences / Rape)           | 1  | 1  | 1  | 1  |
| Alpha | 28E  | Burglary in a dwelling (Theft offences / Domestic burglary)          | 4  | 4  | 4  | 4  |
| Beta  | 8N   | Assault with injury                                                  | 2  | 2  | 2  | 2  |
| Beta  | 46   | Shoplifting (Theft offences / Shoplifting)                           | 10 | 10 | 10 | 10 |
| Gamma | 8N   | Assault with injury                                                  | 1  | 1  | 1  | 1  |

Alpha 2016/17: VAP 26 + 12 + 6 = 44, violence with injury 26, rape 4, domestic burglary 16; all 64.
Alpha 2015/16: each quarter one fewer: 8N 22, 105A 8, 8Q 2, 19C 0, 28E 12 = 44.
Testshire (Alpha + Beta) 2016/17: 64 + 8 + 40 = 112. Action Fraud (Testshire's file): 7 a quarter.

The PFA table: Testshire and Otherforce (the sums of their CSPs above), British Transport Police (3 a quarter
of code 8N) and Action Fraud (7 a quarter).
"""

from __future__ import annotations

import csv
from pathlib import Path

GROUPS = {  # code: (description, group, subgroup)
    "8N": ("Assault with injury", "Violence against the person", "Violence with injury"),
    "105A": ("Assault without injury", "Violence against the person", "Violence without injury"),
    "8Q": ("Stalking", "Violence against the person", "Stalking and harassment"),
    "19C": ("Rape of a female aged 16 and over", "Sexual offences", "Rape"),
    "28E": ("Burglary in a dwelling", "Theft offences", "Domestic burglary"),
    "46": ("Shoplifting", "Theft offences", "Shoplifting"),
    "53F": ("Fraud recorded by Action Fraud", "Fraud offences", "Fraud offences"),
}
FORCES = {"Alpha": "Testshire", "Beta": "Testshire", "Gamma": "Otherforce"}
PLAN = {  # (CSP, code): the counts of 2016/17's quarters 1 to 4
    ("Alpha", "8N"): (5, 6, 7, 8),
    ("Alpha", "105A"): (3, 3, 3, 3),
    ("Alpha", "8Q"): (1, 2, 1, 2),
    ("Alpha", "19C"): (1, 1, 1, 1),
    ("Alpha", "28E"): (4, 4, 4, 4),
    ("Beta", "8N"): (2, 2, 2, 2),
    ("Beta", "46"): (10, 10, 10, 10),
    ("Gamma", "8N"): (1, 1, 1, 1),
}
ACTION_FRAUD = ("Action Fraud", "53F", 7)  # (force, code, a quarter)
BTP = ("British Transport Police", "8N", 3)
YEARS = {2015: "2015/16", 2016: "2016/17"}
TITLE = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "CSP Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]
STYLES = {  # header variants of the releases
    "title": TITLE,
    "snake": [c.lower().replace(" ", "_") for c in TITLE],
    "upper": [c.upper() for c in TITLE],
    "mixed": [c.replace(" ", "_") + (" " if i % 2 else "") for i, c in enumerate(TITLE)],
    # the CSP tables as published (prc-csp-...-tables.ods/.xlsx): the force "Police Force", the count "Offence Count"
    "published": [{"Force Name": "Police Force", "Number of Offences": "Offence Count"}.get(c, c) for c in TITLE],
}
NOTES = ["Police recorded crime by Community Safety Partnership area", "Source: hand-made for the tests"]


def count(year: int, quarters: tuple[int, ...]) -> list[int]:
    return [q if year == 2016 else max(q - 1, 0) for q in quarters]


def rows(level: str = "csp", csps=("Alpha", "Beta", "Gamma"), years=(2015, 2016)) -> list[list]:
    """The table's rows (without header), as the Home Office orders them: year, quarter, force, CSP, code."""
    out = []
    for year in years:
        for q in range(4):
            if level == "csp":
                for (csp, code), counts in PLAN.items():
                    if csp in csps:
                        desc, group, sub = GROUPS[code]
                        out.append(
                            [YEARS[year], q + 1, FORCES[csp], csp, desc, group, sub, code, count(year, counts)[q]]
                        )
                if "Alpha" in csps:
                    force, code, n = ACTION_FRAUD
                    desc, group, sub = GROUPS[code]
                    out.append([YEARS[year], q + 1, force, force, desc, group, sub, code, n])
            else:
                sums: dict[tuple[str, str], int] = {}
                for (csp, code), counts in PLAN.items():
                    key = (FORCES[csp], code)
                    sums[key] = sums.get(key, 0) + count(year, counts)[q]
                for (force, code), n in sums.items():
                    desc, group, sub = GROUPS[code]
                    out.append([YEARS[year], q + 1, force, desc, group, sub, code, n])
                for force, code, n in (BTP, ACTION_FRAUD):
                    desc, group, sub = GROUPS[code]
                    out.append([YEARS[year], q + 1, force, desc, group, sub, code, n])
    return out


def header(level: str = "csp", style: str = "title") -> list[str]:
    cols = STYLES[style]
    return list(cols) if level == "csp" else [c for i, c in enumerate(cols) if i != 3]


def write(
    folder,
    name: str = "prc-csp-tables",
    fmt: str = "csv",
    level: str = "csp",
    style: str = "title",
    notes: bool = False,
    table=None,
) -> Path:
    """Write a table (``table``: its rows, header first; else this module's) as ``name.<fmt>`` (csv, xlsx, ods).
    ``notes`` puts notes rows above the header and a cover sheet before the data, as the workbooks have."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = table if table is not None else [header(level, style), *rows(level)]
    above = [[n] for n in NOTES] + [[]] if notes else []
    path = folder / f"{name}.{fmt}"
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([*above, *table])
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        book.active.title = "Cover" if notes else "Data"
        if notes:
            book.active.append(["Police recorded crime open data tables"])
            sheet = book.create_sheet("Data")
        else:
            sheet = book.active
        for row in [*above, *table]:
            sheet.append(row)
        book.save(path)
    elif fmt == "ods":
        import pandas as pd

        with pd.ExcelWriter(path, engine="odf") as writer:
            if notes:
                pd.DataFrame([["Police recorded crime open data tables"]]).to_excel(
                    writer, sheet_name="Cover", header=False, index=False
                )
            width = max(len(r) for r in table)
            padded = [[*r, *[None] * (width - len(r))] for r in [*above, *table]]
            pd.DataFrame(padded).to_excel(writer, sheet_name="Data", header=False, index=False)
    else:
        raise ValueError(fmt)
    return path


# -- a table beside the police.uk street files of street.py (tests/test_homeoffice_policeuk.py) --------------------
# Testshire's CSPs Alpha and Beta, as street.py's districts, and Otherforce's Gamma (no street files), financial
# years 2019/20 to 2021/22, every quarter alike within a year:
#
# | CSP   | code | a quarter in 2019/20 | 2020/21 | 2021/22 |
# |-------|------|---------------------:|--------:|--------:|
# | Alpha | 8N   | 6                    | 8       | 10      |
# | Beta  | 46   | 5                    | 5       | 5       |
# | Gamma | 8N   | 1                    | 1       | 1       |
#
# and Action Fraud's 7 a quarter of 53F (not an area, not all crime).
BESIDE = {("Alpha", "8N"): (6, 8, 10), ("Beta", "46"): (5, 5, 5), ("Gamma", "8N"): (1, 1, 1)}
BESIDE_YEARS = (2019, 2020, 2021)


def beside_rows(names: dict[str, str] | None = None, forces: dict[str, str] | None = None) -> list[list]:
    """The CSP table (header first) to put beside street.py's files; ``names`` renames CSPs as the table
    writes them (``{"Alpha": "ALPHA"}``), ``forces`` adds CSPs (name -> force) with 1 a quarter of 8N."""
    names = names or {}
    plan = dict(BESIDE) | {(csp, "8N"): (1, 1, 1) for csp in (forces or {})}
    force_of = FORCES | (forces or {})
    out = [header("csp")]
    for i, year in enumerate(BESIDE_YEARS):
        label = f"{year}/{(year + 1) % 100:02d}"
        for q in range(1, 5):
            for (csp, code), counts in plan.items():
                desc, group, sub = GROUPS[code]
                out.append([label, q, force_of[csp], names.get(csp, csp), desc, group, sub, code, counts[i]])
            desc, group, sub = GROUPS["53F"]
            out.append([label, q, "Action Fraud", "Action Fraud", desc, group, sub, "53F", 7])
    return out


def figures(folder: Path, tmp_path: Path, *args: str, suppression: bool = False) -> dict:
    """``csp figures --data folder ARGS`` (small counts shown unless ``suppression``), its figures.json read
    and validated against the schema."""
    import json

    from conftest import validate
    from csp_lib import cli

    out = tmp_path / "figures.json"
    argv = ["figures", "--data", str(folder), *args, "-o", str(out)]
    assert cli.main(argv + ([] if suppression else ["--no-suppression"])) == 0
    figs = json.loads(out.read_text(encoding="utf-8"))
    validate(figs)
    return figs


def pair(figs: dict, fid: str) -> tuple:
    """A figure's value and previous count."""
    f = figs["figures"][fid]
    return f["value"], f["previous"]
