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

import gzip
import tempfile
import zlib
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
#
# DuckDB reads every value as text and groups the records by their values as written: the few values each column
# holds (an offence, a flag, an age, a date) are then checked and converted by readers._convert itself, the
# exact reader's own rules, once a value rather than once a record. Only what would make the groups as many as
# the records is worked out a row at a time, by DuckDB's casts: a date's month (and whether a crime is non-recent,
# the month a rape took place), an age's step. Each cast is checked against _convert's reading of the same value
# (DuckDB reads '2016-06-01 00:00:00' as a date, '5.5' as 6): any difference, like any value _convert refuses,
# any file DuckDB cannot read, returns None and the careful readers read the file.

SOURCE = """read_csv($path, header = true, auto_detect = false, columns = $columns, quote = '"', escape = '"',
                 delim = ',', strict_mode = true)"""
# what a value as written is read as in a row: DuckDB's cast (checked against _convert's, value by value)
CAST = {"date": "DATE", "int": "BIGINT"}
MEMORY_LIMIT = "500MB"  # DuckDB's, for one count
# what Python's str.strip() strips (str.isspace): a reference that begins or ends with one is in doubt
SPACES = ", ".join(str(i) for i in range(0x3001) if chr(i).isspace())  # their code points


@dataclass
class Header:
    names: list[str]  # the header's, stripped
    rows: int  # the lines below it


def plain_header(path: Path) -> Header | None:
    """A CSV file's header and the number of lines below it (read in blocks: memory does not grow with the
    file); None when the header is not plain (a quote, an empty, repeated or undecodable name) or the file
    cannot be read. DuckDB skips a blank line silently where the exact reader reports it: a file whose
    records are fewer than these lines (a blank line, a value holding a line end) is left to the readers."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            first, lines, last = fh.readline(), 0, b"\n"
            for block in iter(lambda: fh.read(1 << 22), b""):
                lines, last = lines + block.count(b"\n"), block
    except (OSError, EOFError, zlib.error):
        return None
    try:
        names = [n.strip() for n in first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n").decode("utf-8").split(",")]
    except UnicodeDecodeError:
        return None
    if b'"' in first or not all(names) or len(set(names)) != len(names):
        return None
    return Header(names, lines + (not last.endswith(b"\n")))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _month(d: str) -> str:
    return f"(year({d}) * 12 + month({d}) - 1)"


def _plan(name: str, names: list[str]) -> tuple[dict, dict, list[list[str]]]:
    """The columns of the query that counts table ``name`` (a file with the header ``names``): {alias: SQL}
    worked out a row at a time, the grouping sets by purpose, and the columns of each."""
    table = contract.TABLES[name]
    have = {c.name: c for c in table.columns if c.name in names}
    row = {}
    for n, col in have.items():
        if col.unique:  # never empty, and unique as written and as the exact reader strips it: no space around
            row["ref_doubt"] = (
                f"{_q(n)} IS NULL OR {_q(n)} = '' OR ord({_q(n)}) IN ({SPACES}) OR ord(right({_q(n)}, 1)) IN ({SPACES})"
            )
            row["ref_hash"] = f"hash({_q(n)})"  # a hash shared by two values is taken for a duplicate
        else:
            row[f"raw_{n}"] = _q(n)
        if col.kind in CAST:
            row[f"cast_{n}"] = f"TRY_CAST({_q(n)} AS {CAST[col.kind]})"
    date = f"cast_{table.date_column}"
    row["month"] = _month(date)
    sets = {}
    if name == "crimes":
        for col, steps in AGE_STEPS.items():
            if col in have:
                when = " ".join(f"WHEN cast_{col} >= {s} THEN {s}" for s in reversed(steps))
                row[f"step_{col}"] = f"CASE WHEN cast_{col} IS NULL THEN NULL {when} ELSE 0 END"
        if "committed_date" in have:
            row["non_recent"] = f"date_diff('day', cast_committed_date, {date}) > {NON_RECENT_DAYS}"
            # a rape's (its offence as written holds the word: count_csv keeps the month of those read as Rape)
            row["cmonth"] = f"CASE WHEN contains(raw_offence, 'Rape') THEN {_month('cast_committed_date')} END"
            row["after"] = f"cast_committed_date > {date}"  # committed after it was recorded: a doubt
        main = ["raw_district", "raw_offence", "month"]
        main += [f"step_{c}" for c in AGE_STEPS if c in have]
        main += [f"raw_{c}" for c in (*FLAGS, "hate_strands") if c in have]
        main += [c for c in ("non_recent", "cmonth", "after") if c in row]
    else:
        main = ["raw_district", "month"]
    main.append("ref_doubt")
    sets["main"] = main
    for n, col in have.items():  # each value as written of a column not in the main set, with its cast
        if f"raw_{n}" in main or col.unique or n in ("lsoa_code", "lsoa_name"):
            continue
        sets[n] = [f"raw_{n}"] + ([f"cast_{n}"] if col.kind in CAST else [])
    sets["refs"] = ["ref_hash"]  # one group a record: only those of two or more are kept (count_sql)
    if "lsoa_code" in have:
        sets["lsoa"] = ["raw_district", "month", "raw_lsoa_code"] + (["raw_lsoa_name"] if "lsoa_name" in have else [])
    return have, row, sets


def count_sql(name: str, names: list[str]) -> tuple[str, dict]:
    """The query, and its grouping sets (``_plan``)."""
    have, row, sets = _plan(name, names)
    first = ("raw_", "cast_", "ref_")
    inner = ", ".join(f"{sql} AS {alias}" for alias, sql in row.items() if alias.startswith(first))
    outer = ", ".join(f"{sql} AS {alias}" for alias, sql in row.items() if not alias.startswith(first))
    every = list(dict.fromkeys(c for cols in sets.values() for c in cols))
    which = "grouping(" + ", ".join(every) + ")"
    grouping = ", ".join("(" + ", ".join(cols) + ")" for cols in sets.values())
    sql = f"""
    SELECT * FROM (
        SELECT {", ".join(every)}, {which} AS which, count(*) AS n
        FROM (SELECT *, {outer} FROM (SELECT {inner} FROM {SOURCE}))
        GROUP BY GROUPING SETS ({grouping})
    ) WHERE which <> {_which(sets, sets["refs"])} OR n > 1
    """
    return sql, sets


def _which(sets: dict, cols: list[str]) -> int:
    """The grouping() bits of the set of ``cols``: 1 for each column of every set that is not in it."""
    every = list(dict.fromkeys(c for cs in sets.values() for c in cs))
    return sum(1 << (len(every) - 1 - i) for i, c in enumerate(every) if c not in cols)


def count_csv(path: Path, name: str, districts, plain: Header, convert) -> Counted | None:
    """The table at ``path`` (a CSV file whose header is ``plain``) checked and counted by DuckDB, its
    values checked and converted by ``convert`` (readers._convert); None when a value is in doubt or refused,
    the file cannot be read so, or its rows are not its lines (the careful readers then read it)."""
    import duckdb

    table = contract.TABLES[name]
    sql, sets = count_sql(name, plain.names)
    params = {"path": str(path), "columns": {n: "VARCHAR" for n in plain.names}}
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="csp-count-") as spill:
            # the references' grouping set (one group a record) spills to disk beyond this: memory does not
            # grow with the rows, and it is no slower (30 million references alone: 6 s at 500 MB against 10 s
            # and 1.8 GB for count(DISTINCT))
            where = spill.replace("'", "''")
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'; SET temp_directory = '{where}'")
            con.execute("SET enable_progress_bar = false")
            frame = con.execute(sql, params).fetchdf()
    except duckdb.Error:
        return None  # a broken line, a byte that is not UTF-8...: the careful readers name it
    finally:
        con.close()
    part = {k: frame[frame["which"] == _which(sets, cols)] for k, cols in sets.items()}
    main = part["main"]
    refs = int(main["n"].sum())
    if not refs or refs != plain.rows or len(part["refs"]) or main["ref_doubt"].fillna(True).astype(bool).any():
        return None
    if "after" in main and main["after"].fillna(False).astype(bool).any():
        return None
    have = {c.name: c for c in table.columns if c.name in plain.names}
    converted = {}  # column -> {value as written: value read}
    try:
        for n, col in have.items():
            if col.unique:
                continue
            source = part["lsoa"] if n in ("lsoa_code", "lsoa_name") else part.get(n, main)
            written = source[f"raw_{n}"].astype(object).where(source[f"raw_{n}"].notna(), "")
            distinct = pd.unique(written.astype(str))
            values = pd.DataFrame({n: pd.Series(distinct, dtype=str).str.strip()})
            got = convert(path, np.zeros(len(values), dtype="int64"), values, col, districts)
            if col.kind in CAST:  # DuckDB's cast of each value must be _convert's reading of it
                cast = source.assign(w=written.astype(str)).drop_duplicates("w").set_index("w")[f"cast_{n}"]
                mine = pd.Series(got.to_numpy(), index=distinct)
                theirs = cast.reindex(distinct)
                if col.kind == "date":
                    mine, theirs = pd.to_datetime(mine), pd.to_datetime(theirs)
                else:
                    mine, theirs = mine.astype("Int64"), theirs.astype("Int64")
                if (
                    not (mine.isna().to_numpy() == theirs.isna().to_numpy()).all()
                    or not (mine[mine.notna()] == theirs[mine.notna()]).all()
                ):
                    return None
            converted[n] = dict(zip(distinct, got.astype(object).where(got.notna(), None)))
    except contract.DataError:
        return None  # the careful readers name it, with its line

    def read(source: pd.DataFrame, n: str) -> pd.Series:
        written = source[f"raw_{n}"].astype(object).where(source[f"raw_{n}"].notna(), "").astype(str)
        return written.map(converted[n])

    keys = {"district": read(main, "district"), "month": main["month"]}
    if name == "crimes":
        keys["offence"] = read(main, "offence")
        for col in AGE_STEPS:
            if col in have:
                keys[col] = main[f"step_{col}"]
        for col in FLAGS:
            if col in have:
                keys[col] = read(main, col).astype("boolean")
        if "hate_strands" in have:
            keys["hate_strands"] = read(main, "hate_strands").fillna("")
        if "committed_date" in have:
            rape = (keys["offence"] == "Rape").to_numpy(dtype=bool)
            keys["non_recent"], keys["cmonth"] = main["non_recent"], main["cmonth"].where(rape)
    grouped = pd.DataFrame(keys).assign(n=main["n"].to_numpy())
    cols = [c for c in grouped.columns if c != "n"]
    groups = grouped.groupby(cols, dropna=False, observed=True, sort=False)["n"].sum().reset_index()
    lsoa = None
    if "lsoa" in part:
        d = part["lsoa"]
        code = read(d, "lsoa_code")
        names = read(d, "lsoa_name").replace("", None) if "lsoa_name" in have else code
        frame = pd.DataFrame(
            {"district": read(d, "district"), "lsoa_code": code, "lsoa_name": names.fillna(code), "month": d["month"]}
        ).assign(n=d["n"].to_numpy())
        frame = frame[frame["lsoa_code"].notna().to_numpy()]
        lsoa = _normal(frame.groupby(["district", "lsoa_code", "lsoa_name", "month"])["n"].sum().reset_index())
    columns = tuple(c.name for c in table.columns if c.name in plain.names)
    return Counted(Path(path), refs, _normal(groups), lsoa, columns)
