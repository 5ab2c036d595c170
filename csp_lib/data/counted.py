"""A force extract's large tables (crimes, ASB incidents) counted, not held: what a report needs of them.

Every figure, the data quality page and the neighbourhoods read a table through its :class:`Counted`: the
records grouped by what any of them asks (district, month, offence, the age bands, the flags, hate strands...)
with the number of records in each group. Its size is the number of such groups, not of records: a force's
five years, or a national extract of 30 million rows, count into about the same few hundred thousand groups.

Two ways make the same :class:`Counted`:

* :func:`count_csv`: DuckDB reads a plain CSV file (``readers._plain_csv``) as text, checks every value with
  the rules of ``readers._convert`` (stricter where in doubt) and counts the groups in one pass, out of core:
  memory does not grow with the rows. Any value in doubt, any file DuckDB cannot read as the other readers
  would, returns None: the file is then read by ``readers.read_table`` (Arrow, then pandas value by value),
  which names the first problem's file, line and column, or reads it, and :func:`from_frame` counts it.
* :func:`from_frame`: a table read into a frame by ``readers.read_table`` (Parquet, gzip, a file with a
  byte-order mark, Windows-1252 text, blank lines...), grouped by pandas.

``tests/test_counted.py`` checks that the two give the same groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract

COUNTED = ("crimes", "asb_incidents")  # the tables of a force extract that grow with the years and the force
NON_RECENT_DAYS = 365  # a crime recorded more than a year after it took place is non-recent

# an age is kept as the step it reaches: every age band and threshold a figure asks about (contract.AGE_BANDS,
# under 16) starts at a step, so any age and its step answer every such question alike
AGE_STEPS = {
    "victim_age": tuple(
        sorted({contract.CHILD_AGE} | {x for lo, hi in contract.AGE_BANDS["victim"] for x in (lo, hi + 1)})
    ),
    "offender_age": tuple(sorted({x for lo, hi in contract.AGE_BANDS["offender"] for x in (lo, hi + 1)})),
}
FLAGS = ("domestic_abuse", "cse", "night_time_economy")


@dataclass
class Counted:
    """A table counted: ``groups`` (district, month, the table's other grouping columns, n records) and,
    when the table has LSOA codes, ``lsoa`` (district, lsoa_code, lsoa_name, month, n), the records with a
    code, each named by its lsoa_name (its code when that is empty)."""

    path: Path
    rows: int
    groups: pd.DataFrame
    lsoa: pd.DataFrame | None = None
    columns: tuple[str, ...] = ()  # the contract's columns the file has

    def months(self) -> np.ndarray:
        """The month of each group (its records' month)."""
        return self.groups["month"].to_numpy()


def _step(age: pd.Series, steps: tuple[int, ...]) -> pd.Series:
    """Each age as the largest step it reaches (0 below the first), missing ages missing."""
    known = age.notna().to_numpy()
    values = np.asarray(age.fillna(0).to_numpy(dtype="int64"))
    at = np.asarray((0, *steps), dtype="int64")[np.searchsorted(np.asarray(steps), values, side="right")]
    return pd.Series(pd.array(np.where(known, at, 0), dtype="Int64"), index=age.index).where(known)


def _normal(groups: pd.DataFrame) -> pd.DataFrame:
    """The groups with one type per column, sorted by every column: the same however they were counted."""
    out = pd.DataFrame(index=groups.index)
    for name in groups.columns:
        col = groups[name]
        if name in ("district", "offence", "hate_strands", "lsoa_code", "lsoa_name"):
            out[name] = col.astype(str)
        elif name == "month":
            out[name] = col.to_numpy(dtype="int32")  # as read_table's month
        elif name == "n":
            out[name] = col.to_numpy(dtype="int64")
        elif name in ("victim_age", "offender_age", "cmonth"):
            out[name] = col.astype("Int64")
        else:
            out[name] = col.astype("boolean")
    keys = [c for c in out.columns if c != "n"]
    return out.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)


def from_frame(name: str, df: pd.DataFrame) -> Counted:
    """A table read into a frame (readers.read_table), counted by pandas."""
    keys = {"district": df["district"].astype(str), "month": df["month"]}
    if name == "crimes":
        keys["offence"] = df["offence"].astype(str)
        for col, steps in AGE_STEPS.items():
            if col in df:
                keys[col] = _step(df[col], steps)
        for col in FLAGS:
            if col in df:
                keys[col] = df[col]
        if "hate_strands" in df:
            keys["hate_strands"] = df["hate_strands"].fillna("")
        if "committed_date" in df:
            committed, recorded = df["committed_date"], df["recorded_date"]
            keys["non_recent"] = ((recorded - committed).dt.days > NON_RECENT_DAYS).where(committed.notna())
            rape = (df["offence"] == "Rape").to_numpy(dtype=bool) & committed.notna().to_numpy()
            cm = (committed.dt.year * 12 + committed.dt.month - 1).astype("Int64")
            keys["cmonth"] = cm.where(rape)
    frame = pd.DataFrame(keys)
    groups = frame.groupby(list(frame.columns), dropna=False, observed=True).size().rename("n").reset_index()
    lsoa = None
    if "lsoa_code" in df:
        has = df["lsoa_code"].notna().to_numpy()
        d = df[has]
        names = d["lsoa_name"].replace("", pd.NA).fillna(d["lsoa_code"]) if "lsoa_name" in d else d["lsoa_code"]
        part = pd.DataFrame(
            {
                "district": d["district"].astype(str),
                "lsoa_code": d["lsoa_code"],
                "lsoa_name": names,
                "month": d["month"],
            }
        )
        lsoa = _normal(part.groupby(list(part.columns), observed=True).size().rename("n").reset_index())
    table = contract.TABLES[name]
    columns = tuple(c.name for c in table.columns if c.name in df)
    return Counted(Path(df.attrs.get("path", "")), int(len(df)), _normal(groups), lsoa, columns)


# --- DuckDB ---------------------------------------------------------------------------------------------------

# contract.HIDDEN in RE2's syntax (DuckDB's regular expressions)
HIDDEN_RE2 = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{ad}\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2060}-\x{2069}\x{feff}]"
BOOLS = ("1", "0", "true", "false", "yes", "no")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _doubt(col: contract.Column, v: str, typed: str, districts) -> list[str]:
    """SQL conditions true for a value ``v`` (the column's stripped text; ``typed`` its date or number) that
    readers._convert might refuse (or read otherwise than it is counted here): any of them sends the file to
    the careful readers. Stricter than _convert where that is simpler: a doubt costs only time."""
    out = []
    if col.required and col.kind != "strands":
        out.append(f"{v} = ''")
    if col.kind == "date":
        out.append(f"{v} <> '' AND NOT coalesce({typed} BETWEEN DATE '1900-01-01' AND $today, false)")
    elif col.kind == "int":
        most = 120 if col.name.endswith("_age") else 10**15
        out.append(f"{v} <> '' AND NOT coalesce({typed} <= {most}, false)")
    elif col.kind == "bool":
        values = ", ".join(_lit(b) for b in BOOLS)
        out.append(
            f"{v} NOT IN ('', '0', '1') AND NOT (regexp_full_match({v}, '[A-Za-z0-9]+') AND lower({v}) IN ({values}))"
        )
    elif col.kind == "offence":
        out.append(f"{v} NOT IN ({', '.join(_lit(o) for o in contract.OFFENCES)})")
    elif col.kind == "district":
        out.append(f"{v} NOT IN ({', '.join(_lit(d) for d in sorted(districts))})")
    elif col.kind == "choice":
        values = ", ".join(_lit(c.lower()) for c in col.choices)
        out.append(f"{v} <> '' AND NOT (regexp_full_match({v}, '[A-Za-z0-9 ]*') AND lower({v}) IN ({values}))")
    elif col.kind == "lsoa":
        out.append(f"{v} <> '' AND NOT regexp_full_match({v}, '[EW]01[0-9]{{6}}')")
    elif col.kind == "strands":
        known = "[" + ", ".join(_lit(s) for s in contract.HATE_STRANDS) + "]"
        out.append(
            f"{v} <> '' AND NOT (regexp_full_match({v}, '[A-Za-z_; ]*') AND len(list_filter(string_split("
            f"replace(lower({v}), ' ', ''), ';'), lambda x: x <> '' AND NOT list_contains({known}, x))) = 0)"
        )
    elif not col.name.endswith("_ref"):
        out.append(f"regexp_matches({v}, '{HIDDEN_RE2}')")
    return out


def _month(d: str) -> str:
    return f"(year({d}) * 12 + month({d}) - 1)"


def _typed(col: contract.Column, v: str) -> str | None:
    """The date or number a value is read as (NULL when empty, or not written as the exact readers surely read
    it: YYYY-MM-DD, digits), or None for a column kept as text. DuckDB's own casts are looser than the exact
    reader (they read '5.5' as 6, '2016-6-1' and '2016-06-01 00:00:00' as dates): the text is matched first."""
    if col.kind == "date":
        return f"CASE WHEN regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({v} AS DATE) END"
    if col.kind == "int":
        return f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,15}}') THEN CAST({v} AS BIGINT) END"
    return None


SOURCE = """read_csv($path, header = true, auto_detect = false, columns = $columns, quote = '"', escape = '"',
                 delim = ',', strict_mode = true)"""


def _strip(padded: bool) -> str:
    return "trim({}, ' ')" if padded else "{}"


def count_sql(name: str, names: list[str], districts, padded: bool = True) -> tuple[str, list[str]]:
    """The query that checks and counts a table whose file has the header ``names``, and its grouping
    columns (those of Counted.groups but n). Three layers, so that each value is stripped, then typed, once:
    the text, the dates and numbers, then the groups' keys and whether any value is in doubt."""
    table = contract.TABLES[name]
    have = {c.name: c for c in table.columns if c.name in names}
    v = {n: f"v{i}" for i, n in enumerate(have)}  # each column's stripped text, by a short name
    ty = {n: f"t{i}" for i, n in enumerate(have) if _typed(have[n], v[n]) is not None}
    # spaces around a value are stripped (the only whitespace a plain file has: readers._plain_csv), when any
    # value may have them: DuckDB's trim costs as much again as reading the file
    text = ", ".join(f"coalesce({_strip(padded).format(_q(n))}, '') AS {v[n]}" for n in have)
    typed = ", ".join(f"{_typed(have[n], v[n])} AS {t}" for n, t in ty.items())
    doubts = [d for n, col in have.items() for d in _doubt(col, v[n], ty.get(n, ""), districts)]
    # not stripped: whether any value begins or ends with a space (then counted again, stripped)
    pad = " OR ".join(f"{v[n]}[1] = ' ' OR {v[n]}[-1] = ' '" for n in have) if not padded else "false"
    date = ty[table.date_column]
    keys = {"district": v["district"], "month": _month(date)}
    if name == "crimes":
        keys["offence"] = v["offence"]
        for col, steps in AGE_STEPS.items():
            if col in have:
                when = " ".join(f"WHEN {ty[col]} >= {s} THEN {s}" for s in reversed(steps))
                keys[col] = f"CASE WHEN {ty[col]} IS NULL THEN NULL {when} ELSE 0 END"
        for col in FLAGS:
            if col in have:
                keys[col] = (
                    f"CASE {v[col]} WHEN '1' THEN true WHEN '0' THEN false WHEN '' THEN NULL "
                    f"ELSE lower({v[col]}) IN ('true', 'yes') END"
                )
        if "hate_strands" in have:
            hs = v["hate_strands"]
            keys["hate_strands"] = (
                f"CASE WHEN {hs} = '' THEN '' ELSE array_to_string(list_sort(list_distinct(list_filter(string_split("
                f"replace(lower({hs}), ' ', ''), ';'), lambda x: x <> ''))), ';') END"
            )
        if "committed_date" in have:
            committed = ty["committed_date"]
            doubts.append(f"{committed} IS NOT NULL AND {committed} > {date}")  # readers._check_crimes names it
            keys["non_recent"] = f"date_diff('day', {committed}, {date}) > {NON_RECENT_DAYS}"
            keys["cmonth"] = f"CASE WHEN {v['offence']} = 'Rape' THEN {_month(committed)} END"
    bad = " OR ".join(f"coalesce({d}, true)" for d in doubts) or "false"
    select = ", ".join(f"{e} AS {k}" for k, e in keys.items())
    sets = [f"({', '.join(keys)})"]
    lsoa, by = "", "1"
    if "lsoa_code" in have:
        name_ = f"nullif({v['lsoa_name']}, '')" if "lsoa_name" in have else "NULL"
        code = f"nullif({v['lsoa_code']}, '')"
        lsoa = f", {code} AS lsoa_code, coalesce({name_}, {code}) AS lsoa_name"
        sets.append("(district, lsoa_code, lsoa_name, month)")
        by = "grouping(lsoa_code)"
    sql = f"""
    SELECT {", ".join(keys)}{", lsoa_code, lsoa_name" if lsoa else ""},
           {by} AS by_groups, count(*) AS n, count(*) FILTER (WHERE bad) AS bad, count(*) FILTER (WHERE pad) AS padded
    FROM (SELECT {select}{lsoa}, ({bad}) AS bad, ({pad}) AS pad
          FROM (SELECT *, {typed} FROM (SELECT {text} FROM {SOURCE})))
    GROUP BY GROUPING SETS ({", ".join(sets)})
    """
    return sql, list(keys)


def count_csv(path: Path, name: str, districts, plain) -> Counted | None:
    """The table at ``path`` (a plain CSV: readers._plain_csv, ``plain``), checked and counted by DuckDB; None
    when a value is in doubt, the file cannot be read so, or its rows are not its lines."""
    import duckdb

    table = contract.TABLES[name]
    params = {"path": str(path), "columns": {n: "VARCHAR" for n in plain.names}}
    ref = next(c.name for c in table.columns if c.unique)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        for padded in (False, True):  # DuckDB's trim costs as much again as reading: only when a value needs it
            sql, keys = count_sql(name, plain.names, districts or (), padded)
            frame = con.execute(sql, {**params, "today": dt.date.today()}).fetchdf()
            if padded or not int(frame["padded"].sum()):
                break
        unique = con.execute(
            f"SELECT count(DISTINCT hash(coalesce({_strip(padded).format(_q(ref))}, ''))) FROM {SOURCE}", params
        ).fetchone()[0]
    except duckdb.Error:
        return None  # a broken line, a byte that is not UTF-8...: the careful readers name it
    finally:
        con.close()
    grouped = frame[frame["by_groups"] == 1]
    rows = int(grouped["n"].sum())
    if not rows or rows != plain.rows or int(frame["bad"].sum()) or unique != rows:
        return None
    groups = _normal(grouped[[*keys, "n"]])
    lsoa = None
    if "lsoa_code" in frame:
        part = frame[(frame["by_groups"] == 0) & frame["lsoa_code"].notna()]
        lsoa = _normal(part[["district", "lsoa_code", "lsoa_name", "month", "n"]])
    columns = tuple(c.name for c in table.columns if c.name in plain.names)
    return Counted(Path(path), rows, groups, lsoa, columns)
