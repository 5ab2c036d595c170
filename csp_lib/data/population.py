"""Residents from an ONS mid-year population estimates file, read as downloaded, for rates per 1,000.

A data folder may hold the file the ONS publishes (the "MYE2 - Persons" sheet of
``ukpopestimatesmid2022on2021geography.xlsx``, the long ``MYEB1`` CSV of local
authorities by sex and age, or a Nomis CSV), beside or instead of a ``population``
column in ``areas.csv``. ``find`` picks it by its name (``pop`` or ``mye`` in it, ``.csv``
or ``.xlsx``); ``read`` finds the header row under the file's notes, the local authority
code and name columns and the residents column (``All ages``, else the latest
``population_YYYY``, ``Mid-YYYY`` or ``YYYY``), keeps persons of all ages where the file
splits them by sex or age (and adds them up where it does not), and leaves out countries,
regions and counties; ``fill`` gives each district of areas.csv its residents, by the
optional ``code`` column of areas.csv or else by name (``Kingston upon Hull, City of`` is
``Kingston upon Hull``). areas.csv's own population wins where it has one.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from .contract import DataError

# the column names of ONS and Nomis files: Name / laname21 / LAD23NM / "local authority: district / unitary ..."
NAME = re.compile(r"^(name|lad? ?name\w*|lad\d\d ?nm|local authority(?!.*code).*|area( name)?|geography name)$", re.I)
CODE = re.compile(r"^(code|lad? ?code\w*|lad\d\d ?cd|local authority code|mnemonic|area code|geography code)$", re.I)
YEAR = re.compile(r"^(?:population[ _]|mid-?)?((?:19|20)\d\d)$", re.I)
NOT_DISTRICTS = {"country", "region", "county", "metropolitan county", "inner london", "outer london"}
ALL_PERSONS = {"persons", "all persons", "all", "total", "people", "0"}
ALL_AGES = {"all ages", "all", "total"}
HINT = (
    "keep the ONS mid-year estimates file as downloaded (the MYE2 - Persons sheet, or the MYEB1 CSV), or give "
    "areas.csv a population column"
)


def find(folder) -> Path | None:
    """The folder's population file (a ``.csv`` or ``.xlsx`` with ``pop`` or ``mye`` in its name), or None."""
    found = sorted(
        p
        for p in Path(folder).glob("*")
        if p.is_file() and p.suffix.lower() in (".csv", ".xlsx") and re.search(r"pop|mye", p.name, re.I)
    )
    if len(found) > 1:
        raise DataError(found[1], f"a second population file (also {found[0].name})", hint="keep one of them")
    return found[0] if found else None


def _rows(path: Path) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) of each sheet: one for a CSV; for a workbook, the Persons sheet first."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        return [("", list(csv.reader(io.StringIO(text))))]
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = sorted(book.sheetnames, key=lambda n: (not re.search(r"person|all", n, re.I), book.sheetnames.index(n)))
        return [(n, [list(r) for r in book[n].iter_rows(values_only=True)]) for n in names]
    finally:
        book.close()


def _header(rows: list[list]) -> tuple[int, dict] | None:
    """The header row under the file's notes: its index and the columns found in it."""
    for i, row in enumerate(rows[:40]):
        cells = [str(c).strip() if c is not None else "" for c in row]
        cols = {"name": None, "code": None, "population": None, "geography": None, "sex": None, "age": None}
        years = {}
        for j, c in enumerate(cells):
            low = c.lower()
            if NAME.match(c) and cols["name"] is None:
                cols["name"] = j
            elif CODE.match(c) and cols["code"] is None:
                cols["code"] = j
            elif low in ("all ages", "population", "all persons", "value", "obs_value"):
                cols["population"] = j if cols["population"] is None else cols["population"]
            elif low in ("geography", "geography type"):
                cols["geography"] = j
            elif low in ("sex", "gender"):
                cols["sex"] = j
            elif low == "age":
                cols["age"] = j
            elif m := YEAR.match(c):
                years[int(m[1])] = j
        if cols["population"] is None and years:
            cols["year"] = max(years)
            cols["population"] = years[max(years)]
        if (cols["name"] is not None or cols["code"] is not None) and cols["population"] is not None:
            return i, cols
    return None


def _year(path: Path, sheet: str, rows: list[list], cols: dict) -> int | None:
    """The estimates' year: the column's, else the first 'mid-YYYY' in the notes, sheet or file name."""
    if cols.get("year"):
        return cols["year"]
    text = " ".join([path.name, sheet, *(str(c) for r in rows[:10] for c in r if c is not None)])
    m = re.search(r"mid[- ]?((?:19|20)\d\d)", text, re.I) or re.search(r"mid((?:\d\d))\b", text, re.I)
    if m:
        return int(m[1]) if len(m[1]) == 4 else 2000 + int(m[1])
    return None


def read(path) -> tuple[pd.DataFrame, dict]:
    """The file's local authorities: a frame of code, name, population (persons, all ages), and what was read
    (file, sheet, year)."""
    path = Path(path)
    try:
        sheets = _rows(path)
    except (OSError, ValueError, KeyError) as e:
        raise DataError(path, f"cannot be read ({e})", hint=HINT) from None
    found = next(((sheet, rows, h) for sheet, rows in sheets if (h := _header(rows)) is not None), None)
    if found is None:
        raise DataError(
            path,
            "no header row with a local authority code or name column and a population column "
            "(such as 'Code', 'Name', 'All ages') in its first 40 rows",
            hint=HINT,
        )
    sheet, rows, (at, cols) = found
    body, lines = [], []
    for line, r in enumerate(rows[at + 1 :], start=at + 2):
        if not any(c not in (None, "") for c in r):
            if body:
                break  # the table ends at its first empty row: notes may follow
            continue
        body.append(list(r))
        lines.append(line)

    def col(key):
        j = cols.get(key)
        return [None if j is None or j >= len(r) or r[j] is None else str(r[j]).strip() for r in body]

    df = pd.DataFrame({k: col(k) for k in ("code", "name", "geography", "sex", "age")})
    df["line"] = lines
    raw = pd.Series(col("population"), dtype="object")
    df["population"] = pd.to_numeric(raw.str.replace(",", ""), errors="coerce")
    for key, everyone in (("sex", ALL_PERSONS), ("age", ALL_AGES)):
        if cols.get(key) is not None and df[key].str.lower().isin(everyone).any():
            df = df[df[key].str.lower().isin(everyone)]  # a total row is given: the others are its parts
    if cols.get("geography") is not None:
        df = df[~df["geography"].str.lower().isin(NOT_DISTRICTS)]
    bad = df["population"].isna()
    if bad.any():
        raise DataError(
            path,
            f"the population '{raw[df.index[bad][0]] or ''}' is not a number",
            line=int(df.loc[bad, "line"].iloc[0]),
            column=str(rows[at][cols["population"]]),
            hint=HINT,
        )
    keys = [k for k in ("code", "name") if cols.get(k) is not None]
    out = df.groupby(keys, as_index=False, dropna=False)["population"].sum()
    for k in ("code", "name"):
        if k not in out:
            out[k] = None
    out["population"] = out["population"].round().astype("int64")
    what = {"file": path.name, "sheet": sheet or None, "year": _year(path, sheet, rows, cols)}
    return out[["code", "name", "population"]], what


def key(name: str) -> str:
    """A local authority's name as areas.csv and the ONS may both spell it: lower case, '&' as 'and', without
    ', City of' or 'City of ', punctuation as spaces."""
    s = str(name).lower().replace("&", " and ")
    s = re.sub(r",\s*(city|county) of\s*$", "", s)
    s = re.sub(r"^(city|county) of\s+", "", s)
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def fill(areas: pd.DataFrame, folder) -> tuple[pd.DataFrame, dict | None, list[str]]:
    """areas.csv with its districts' residents from the folder's population file (where areas.csv has none),
    what was read, and a warning for each district the file does not have."""
    path = find(folder)
    if path is None:
        return areas, None, []
    table, what = read(path)
    by_code = dict(zip(table["code"].dropna(), table["population"])) if table["code"].notna().any() else {}
    by_name = {key(n): p for n, p in zip(table["name"], table["population"]) if n}
    out = areas.copy()
    have = out["population"] if "population" in out else pd.Series(pd.NA, index=out.index)
    values, missing = [], []
    for i, row in out.iterrows():
        if pd.notna(have.get(i)):
            values.append(have[i])
            continue
        code = row.get("code") if "code" in out else None
        v = by_code.get(code) if code else None
        v = by_name.get(key(row["district"])) if v is None else v
        if v is None:
            missing.append(str(row["district"]))
        values.append(v)
    out["population"] = pd.array(values, dtype="Int64")
    what["districts"] = len(out) - len(missing)
    warnings = (
        [f"{path.name} has no population for {', '.join(missing)}: their rates per 1,000 residents are not given"]
        if missing
        else []
    )
    return out, what, warnings


__all__ = ["find", "read", "fill", "key"]
