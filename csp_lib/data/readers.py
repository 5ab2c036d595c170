"""Read a data folder (docs/data-contract.md) into typed pandas frames.

Every table is ``<name>.csv`` (also gzipped, ``.csv.gz``) or ``<name>.parquet``. Each value is checked; the
first bad one stops the load with a :class:`DataError` that names the file, the
line (CSV, the header being line 1) or row (Parquet), the column and what to do.

Two readers make the same frames: a plain CSV file is read typed by Arrow (:func:`_fast_table`, about
three times quicker); a file it has any doubt about, a bad value included, is read by pandas value by
value (:func:`_exact_table`), which names the first problem.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import contract, counted, quality
from .contract import DataError
from .periods import month_index, month_key

TRUE = {"1", "true", "yes"}
FALSE = {"0", "false", "no"}


def _fail(path, lines, bad: pd.Series, column: str, problem_of, hint=""):
    """Raise for the first True in ``bad`` (a boolean Series aligned with the frame)."""
    if not bad.any():
        return
    pos = int(np.flatnonzero(bad.to_numpy())[0])
    raise DataError(path, problem_of(pos), int(lines[pos]), column, hint, int(bad.sum()) - 1)


def _decode(path: Path, raw: bytes, warnings: list[str]) -> bytes:
    """UTF-8 bytes of the file; Windows-1252 text is converted and reported, not refused."""
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise DataError(
                path, f"not UTF-8 text (a byte on line {line} is not valid)", line, hint="save the file as UTF-8 CSV"
            ) from None
        warnings.append(
            f"{path.name}: not UTF-8; read as Windows-1252 (first such character on "
            f"line {line}). Save the export as UTF-8 to silence this."
        )
        return text.encode("utf-8")


def _read_raw(path: Path, warnings: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """All values as stripped text, and the line (CSV) or row (Parquet) of each record."""
    if path.suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises many types for damaged files
            raise DataError(
                path, f"cannot read Parquet file ({type(e).__name__}: {e})", hint="export the table again"
            ) from None
        df = df.astype(object).where(df.notna(), "").astype(str).apply(lambda s: s.str.strip())
        df.columns = [str(c).strip() for c in df.columns]
        return df, np.arange(len(df)) + 1
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(
                path, f"damaged gzip file ({e})", hint="the download may be incomplete: fetch or compress it again"
            ) from None
    raw = _decode(path, raw.removeprefix(b"\xef\xbb\xbf"), warnings)
    if not raw.strip():
        raise DataError(path, "the file is empty", hint="export it again with its header row")
    body = raw.rstrip(b"\r\n\t ")
    interior_blank = b"\n\n" in body or b"\n\r\n" in body
    opts = dict(dtype=str, keep_default_na=False)
    df = None
    if not interior_blank:  # the fast reader, whose line numbers are exact here
        try:
            df = pd.read_csv(io.BytesIO(raw), engine="pyarrow", **opts)
        except Exception:
            df = None  # let the C reader find and name the problem
    if df is None:
        try:
            df = pd.read_csv(io.BytesIO(raw), skip_blank_lines=False, **opts)
        except pd.errors.EmptyDataError:
            raise DataError(
                path, "line 1 is not a header row", 1, hint="the first line must name the columns"
            ) from None
        except pd.errors.ParserError as e:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
            if m:
                raise DataError(
                    path,
                    f"this line has {m.group(3)} values where the header has {m.group(1)}",
                    int(m.group(2)),
                    hint="check for an unquoted comma or a broken line",
                ) from None
            raise DataError(path, f"not a readable CSV ({e})") from None
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip())
    lines = np.arange(len(df)) + 2
    blank = (df == "").all(axis=1).to_numpy()
    if blank.any():
        inner = int(blank[: len(blank) - int(np.argmin(blank[::-1]))].sum()) if not blank.all() else 0
        if inner:
            warnings.append(f"{path.name}: {inner} blank line{'s' if inner > 1 else ''} skipped")
        df, lines = df[~blank].reset_index(drop=True), lines[~blank]
    return df, lines


def table_path(folder, name: str) -> Path | None:
    """``<name>.csv``, ``<name>.csv.gz`` or ``<name>.parquet`` in ``folder``, the first there is."""
    for ext in (".csv", ".csv.gz", ".parquet"):
        p = Path(folder) / f"{name}{ext}"
        if p.is_symlink() and not p.exists():  # a loop, or a link to a file that is gone: never "absent"
            raise DataError(
                p, "is a symbolic link that leads to no file (to itself, or to a file that is gone)", hint=LINK_HINT
            )
        if p.exists():
            if not p.is_file():
                raise DataError(p, "is a folder, not a file", hint="put the table's file in its place")
            return p
    return None


LINK_HINT = "put the table's file itself in the data folder, or remove the link"


def _check_columns(path, df: pd.DataFrame, table: contract.Table):
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    if missing:
        have = list(df.columns)
        known = {c.name for c in table.columns}
        near = [h for h in have if h.strip().lower().replace(" ", "_") == missing[0]] or difflib.get_close_matches(
            missing[0], [h for h in have if h not in known], n=1, cutoff=0.75
        )
        hint = (
            f"found '{near[0]}': rename it to '{missing[0]}' (names are exact and lower-case)"
            if near
            else "column names are exact and lower-case; see data-contract.md"
        )
        raise DataError(
            path,
            f"required column '{missing[0]}' is missing (columns found: {', '.join(have) or 'none'})",
            1 if path.suffix != ".parquet" else None,
            missing[0],
            hint,
        )


def _convert(path, lines, df: pd.DataFrame, col: contract.Column, districts: set[str] | None):
    raw = df[col.name]
    blank = raw == ""
    name = col.name
    if col.required and col.kind != "strands":
        _fail(path, lines, blank, name, lambda i: "empty value in a required column")
    if col.kind == "date":
        parsed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        _fail(
            path,
            lines,
            parsed.isna() & ~blank,
            name,
            lambda i: f"'{raw.iloc[i]}' is not a date",
            "write dates as YYYY-MM-DD",
        )
        _fail(
            path,
            lines,
            parsed > pd.Timestamp(dt.date.today()),
            name,
            lambda i: f"'{raw.iloc[i]}' is in the future",
            "check the date (YYYY-MM-DD) and the export",
        )
        _fail(
            path,
            lines,
            parsed < pd.Timestamp("1900-01-01"),
            name,
            lambda i: f"'{raw.iloc[i]}' is before 1900",
            "check the date (YYYY-MM-DD) and the export",
        )
        return parsed.astype("datetime64[s]")
    if col.kind == "int":
        num = pd.to_numeric(raw.where(~blank), errors="coerce")
        bad = (num.isna() & ~blank) | (num.notna() & (num % 1 != 0))
        _fail(
            path,
            lines,
            bad,
            name,
            lambda i: f"'{raw.iloc[i]}' is not a whole number",
            "write a whole number" + ("" if col.required else ", or leave it empty when unknown"),
        )
        _fail(
            path, lines, num < 0, name, lambda i: f"'{raw.iloc[i]}' is negative", "counts and ages cannot be below zero"
        )
        if name.endswith("_age"):
            _fail(
                path,
                lines,
                num > 120,
                name,
                lambda i: f"'{raw.iloc[i]}' is not a possible age",
                "ages are whole years from 0 to 120; leave it empty when unknown",
            )
        return num.astype("Int64")
    if col.kind == "bool":
        low = raw.str.lower()
        bad = ~(low.isin(TRUE) | low.isin(FALSE) | blank)
        _fail(
            path, lines, bad, name, lambda i: f"'{raw.iloc[i]}' is not a yes/no value", "use 1/0, true/false or yes/no"
        )
        return pd.Series(np.where(blank, pd.NA, low.isin(TRUE)), index=raw.index, dtype="boolean")
    if col.kind == "lsoa":
        bad = ~blank & ~raw.str.fullmatch(r"[EW]01\d{6}")
        _fail(
            path,
            lines,
            bad,
            name,
            lambda i: f"'{raw.iloc[i]}' is not an LSOA code",
            "write the ONS code of the Lower Layer Super Output Area (E01012736), or leave it empty when unknown",
        )
        return raw.where(~blank)
    if col.kind == "offence":
        bad = ~raw.isin(contract.OFFENCES)
        _fail(
            path,
            lines,
            bad,
            name,
            lambda i: f"unknown offence '{raw.iloc[i]}'",
            "use one of: " + "; ".join(contract.OFFENCES),
        )
        return raw.astype("category")
    if col.kind == "district":
        bad = ~raw.isin(districts)
        _fail(
            path,
            lines,
            bad,
            name,
            lambda i: f"unknown district '{raw.iloc[i]}'",
            "every district must appear in areas.csv",
        )
        return raw.astype("category")
    if col.kind == "choice":
        ok = raw.str.lower().isin({c.lower() for c in col.choices})
        _fail(
            path,
            lines,
            ~ok & ~blank,
            name,
            lambda i: f"unknown value '{raw.iloc[i]}'",
            "use one of: " + ", ".join(col.choices),
        )
        canon = {c.lower(): c for c in col.choices}
        return raw.str.lower().map(canon).fillna("")
    if col.kind == "strands":
        out = pd.Series("", index=raw.index, dtype=object)
        given = raw[~blank]  # most crimes are not hate crimes: only look at the others
        parts = given.str.lower().str.replace(" ", "", regex=False).str.split(";")
        exploded = parts.explode()
        bad_ix = exploded[(exploded != "") & ~exploded.isin(contract.HATE_STRANDS)]
        if len(bad_ix):
            bad = raw.index.isin(bad_ix.index)
            _fail(
                path,
                lines,
                pd.Series(bad, index=raw.index),
                name,
                lambda i: f"unknown hate strand in '{raw.iloc[i]}'",
                "use ';'-separated values from: " + ", ".join(contract.HATE_STRANDS),
            )
        out[given.index] = parts.map(lambda p: ";".join(sorted({x for x in p if x})))
        return out
    if not name.endswith("_ref"):  # a name that reaches the pages: shown as it is written, so nothing hidden in it
        _fail(
            path,
            lines,
            raw.str.contains(contract.HIDDEN, regex=True),
            name,
            lambda i: f"{raw.iloc[i]!r} holds a control character ({contract.hidden_in(raw.iloc[i])})",
            "remove it (a line break, tab or invisible character inside a value); names are shown as written",
        )
    return raw


def read_table(
    path: Path, table: contract.Table, districts: set[str] | None = None, warnings: list[str] | None = None
) -> pd.DataFrame:
    warnings = [] if warnings is None else warnings
    fast = _fast_table(path, table, districts)
    if fast is not None:
        out, lines = fast
    else:
        out, lines = _exact_table(path, table, districts, warnings)
    if table.date_column:
        d = out[table.date_column]
        out["month"] = (d.dt.year * 12 + d.dt.month - 1).astype("int32")
    out.attrs["path"] = str(path)
    out.attrs["lines"] = np.asarray(lines).view(Lines)
    return out


class Lines(np.ndarray):
    """The line (CSV) or row (Parquet) of each record of a table, in its frame's ``attrs``. pandas deep-copies a
    frame's attrs into every frame and column made from it: a plain array (8 bytes a record) would be copied by
    each of the cube's sixty measures, and memory grow with the rows times the measures. This one is shared."""

    def __deepcopy__(self, memo):
        return self


def _exact_table(path: Path, table: contract.Table, districts, warnings: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The table read by pandas, every value checked in turn: the first problem is named exactly."""
    df, lines = _read_raw(path, warnings)
    _check_columns(path, df, table)
    if len(df) == 0:
        raise DataError(
            path,
            "the table has a header but no rows",
            hint="export it again, or remove the file if the source has no data",
        )
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        if col.name not in df.columns:
            continue
        out[col.name] = _convert(path, lines, df, col, districts)
        if col.unique:
            values = df[col.name]
            _fail(
                path,
                lines,
                out[col.name].duplicated(),
                col.name,
                lambda i: f"duplicate value '{values.iloc[i]}'",  # noqa: B023 (called at once)
                "every reference must be unique",
            )
    return out, lines


# --- the fast reader: Arrow reads a CSV's values typed, and they are checked; any doubt falls back -----------
#
# A value that the checks of _convert would refuse, a file that is not plain UTF-8 CSV (a byte-order mark, a
# blank line, Windows-1252 text, a broken line, a damaged gzip), a header that is not simple: any of these sends
# the file to the pandas reader above (_exact_table), which finds the first problem and names its file, line and
# column exactly. So an error reads the same whichever reader met the file first; only good files are read fast,
# and they are read to the same frame (tests/test_readers.py compares the two readers).

# whitespace that Python's str.strip() strips and DuckDB's trim() does not (str.isspace, but for the space and the
# line ends), as UTF-8 bytes: a file holding any is left to the exact reader, so a value is stripped alike either way
_ODD_SPACE = re.compile(
    rb"[\t\x0b\x0c\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80"
)
_ORDINARY = bytes(b for b in range(256) if b not in b"\t\x0b\x0c\x1c\x1d\x1e\x1f\xc2\xe1\xe2\xe3")  # the others
_CHUNK = 1 << 22
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


@dataclass
class _Plain:
    names: list[str]  # the header's
    rows: int  # the lines below it


def _plain_csv(path: Path) -> _Plain | None:
    """What DuckDB needs of a plain CSV file (no byte-order mark, no blank line, no carriage return but in a line
    end, no whitespace but the space and the line ends, a header of unquoted, distinct, stripped names); None when
    the file is not one. Read in blocks: memory does not grow with the file."""
    opener = gzip.open if path.suffix == ".gz" else open
    lines = 0
    try:
        with opener(path, "rb") as fh:
            block = fh.read(_CHUNK)
            if block.startswith(b"\xef\xbb\xbf") or b"\n" not in block:
                return None
            header = block.split(b"\n", 1)[0].removesuffix(b"\r")
            tail, last = b"", b""
            while block:
                both = tail + block
                if b"\n\n" in both or b"\n\r\n" in both:
                    return None
                if both.translate(None, _ORDINARY) and _ODD_SPACE.search(both):
                    return None
                if b"\r" in both and (cr := both.count(b"\r") - both.count(b"\r\n")):
                    if not (cr == 1 and both.endswith(b"\r")):  # a line end cut by the block is whole in the next
                        return None
                lines += block.count(b"\n")
                tail, last, block = both[-3:], block, fh.read(_CHUNK)
    except (OSError, EOFError, zlib.error):
        return None
    try:
        names = header.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if b'"' in header or any(n != n.strip() or not n for n in names) or len(set(names)) != len(names):
        return None
    return _Plain(names, lines - 1 + (not last.endswith(b"\n")))


def _typed(col: contract.Column):
    """The Arrow type a column is read as, or None to read it as text."""
    if col.kind == "date":
        return pa.date32()  # Arrow reads YYYY-MM-DD only, a real day of a real month
    if col.kind == "int":
        return pa.int64()
    if col.kind == "bool":
        return pa.bool_()
    if col.kind in ("offence", "district"):
        return pa.dictionary(pa.int32(), pa.string())
    return None


def _category(arr) -> pd.Series:
    """A dictionary column as pandas' ``astype("category")`` makes it: its values in sorted order."""
    arr = arr.unify_dictionaries().combine_chunks() if arr.num_chunks > 1 else arr.combine_chunks()
    cat = pd.Categorical.from_codes(arr.indices.to_numpy(), pd.Index(arr.dictionary.to_pylist(), dtype="str"))
    used = np.unique(arr.indices.to_numpy())
    if len(used) < len(cat.categories):
        cat = cat.remove_categories(cat.categories.delete(used))
    return pd.Series(cat.reorder_categories(sorted(cat.categories)))


def _stripped(got: pa.Table) -> pa.Table:
    """The text columns without the spaces around their values (the only whitespace _plain_csv lets through, so
    as str.strip() strips them; Arrow reads a number around its spaces itself, and refuses a date with spaces)."""
    for i, f in enumerate(got.schema):
        arr = got.column(i)
        if pa.types.is_dictionary(f.type):
            if any(v != v.strip(" ") for c in arr.chunks for v in c.dictionary.to_pylist()):
                got = got.set_column(i, f.name, pc.dictionary_encode(pc.utf8_trim(pc.cast(arr, pa.string()), " ")))
        elif pa.types.is_string(f.type):
            trimmed = pc.utf8_trim(arr, " ")
            if not pc.all(pc.equal(pc.binary_length(trimmed), pc.binary_length(arr))).as_py():
                got = got.set_column(i, f.name, trimmed)
    return got


def _doubtful(got: pa.Table, table: contract.Table, districts) -> bool:
    """True when a value of the Arrow-typed columns might be one that _convert refuses (the exact reader then
    reads the file and names it): stricter than _convert, for a doubt costs only time."""
    today = pa.scalar(dt.date.today(), pa.date32())
    texts = [got.column(i) for i, f in enumerate(got.schema) if pa.types.is_string(f.type)]
    if texts and len(texts) == got.num_columns:  # a row of empty values: the exact reader skips it and says so
        blank = functools.reduce(pc.and_kleene, [pc.equal(t, "") for t in texts])  # and_kleene takes two
        if pc.any(blank).as_py():
            return True
    for col in table.columns:
        if col.name not in got.column_names:
            continue
        arr = got.column(col.name)
        if col.required and col.kind != "strands" and arr.null_count:
            return True
        if pa.types.is_string(arr.type) and col.required and col.kind != "strands":
            if pc.any(pc.equal(arr, "")).as_py():
                return True
        if col.kind == "date" and (pc.any(pc.greater(arr, today)).as_py() or pc.any(pc.less(arr, date1900)).as_py()):
            return True
        if col.kind == "int" and (
            pc.any(pc.less(arr, 0)).as_py() or (col.name.endswith("_age") and pc.any(pc.greater(arr, 120)).as_py())
        ):
            return True
        if col.kind in ("offence", "district"):
            known = contract.OFFENCES if col.kind == "offence" else (districts or ())
            values = arr.unify_dictionaries().chunk(0).dictionary if arr.num_chunks else pa.array([], pa.string())
            used = set(values.to_pylist())
            if not used <= set(known):
                return True
        if col.kind == "choice":
            ok = pc.is_in(pc.utf8_lower(arr), value_set=pa.array([c.lower() for c in col.choices] + [""]))
            if not pc.all(ok).as_py() or not pc.all(pc.match_substring_regex(arr, r"^[A-Za-z0-9 ]*$")).as_py():
                return True
    return False


date1900 = pa.scalar(dt.date(1900, 1, 1), pa.date32())


def _fast_table(path: Path, table: contract.Table, districts) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The table read and checked by Arrow's CSV reader, typed as _convert types it, and its lines; None when
    anything is in doubt (then _exact_table reads it and names the problem). Errors of the columns that Arrow
    reads as text (names, references, hate strands, LSOA codes) and duplicate references are raised here, by
    _convert and the unique check, in the exact reader's order."""
    if path.suffix not in (".csv", ".gz") or (plain := _plain_csv(path)) is None or not plain.rows:
        return None
    if any(c.required and c.name not in plain.names for c in table.columns):
        return None  # the exact reader names the missing column
    import pyarrow.csv as pv

    types = {c.name: t for c in table.columns if c.name in plain.names and (t := _typed(c)) is not None}
    types.update({n: pa.string() for n in plain.names if n not in types})
    convert = pv.ConvertOptions(
        column_types=types,
        null_values=[""],
        strings_can_be_null=False,
        quoted_strings_can_be_null=True,
        true_values=["1", "true", "yes", "True", "Yes", "TRUE", "YES"],
        false_values=["0", "false", "no", "False", "No", "FALSE", "NO"],
    )
    try:
        got = pv.read_csv(path, convert_options=convert)
    except (pa.ArrowException, OSError, EOFError, zlib.error):
        return None  # a broken line, a byte that is not UTF-8, a value Arrow cannot type: the exact reader names it
    if got.num_rows != plain.rows:
        return None  # a quoted value holding a line end: the lines are not the rows
    got = _stripped(got)
    if _doubtful(got, table, districts):
        return None
    lines = np.arange(got.num_rows) + 2
    out = pd.DataFrame(index=pd.RangeIndex(got.num_rows))
    for col in table.columns:
        if col.name not in plain.names:
            continue
        arr = got.column(col.name)
        if col.kind == "date":
            out[col.name] = pc.cast(arr, pa.timestamp("s")).to_pandas()
        elif col.kind in ("int", "bool"):
            out[col.name] = arr.to_pandas(types_mapper=_NULLABLE.get)
        elif col.kind in ("offence", "district"):
            out[col.name] = _category(arr)
        else:
            out[col.name] = _convert(path, lines, pd.DataFrame({col.name: arr.to_pandas()}), col, districts)
        if col.unique and pc.count_distinct(pc.cast(arr, pa.string())).as_py() < len(arr):  # only then looked for
            values = out[col.name]
            _fail(
                path,
                lines,
                values.duplicated(),
                col.name,
                lambda i: f"duplicate value '{values.iloc[i]}'",  # noqa: B023 (called at once)
                "every reference must be unique",
            )
    return out, lines


def did_you_mean(word: str, names) -> str | None:
    """The name closest to ``word`` (difflib, ignoring case), when one is close enough to be a slip of the keys."""
    folded = {str(n).lower(): str(n) for n in names}
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def known_area(area: str, names, path, described: str = "this data", column: str = "district") -> str:
    """``area`` as the data spells it (case ignored), or an error that lists the districts and suggests the
    nearest one (``Blackpol``: did you mean Blackpool?)."""
    names = [str(n) for n in names]
    if area in names:
        return area
    folded = {n.lower(): n for n in names}
    if area.lower() in folded:
        return folded[area.lower()]
    near = did_you_mean(area, names)
    raise DataError(
        path,
        f"area '{area}' is not a district of {described}",
        column=column,
        hint=(f"did you mean {near}? Districts here: " if near else "districts here: ") + ", ".join(sorted(names)),
    )


def check_areas(folder, areas: list[str]) -> list[str]:
    """The areas as the data spells them, checked against the folder's areas.csv before anything else is read
    (it is small; the other tables are not). A folder without one (police.uk files) is checked once read."""
    folder = Path(folder)
    path = table_path(folder, "areas") if folder.is_dir() and table_path(folder, "crimes") is not None else None
    if path is None:
        return list(areas)
    names = read_table(path, contract.TABLES["areas"], warnings=[])["district"].astype(str)
    return [known_area(a, names, path) for a in areas]


class Tables(dict):
    """A data folder's tables by name, as frames. A table counted by DuckDB (counted.count_csv) is held as the
    function that reads it, and read into its frame only when it is asked for (a test, a notebook's own look at
    the records): a build never asks, so memory does not grow with the extract."""

    def __getitem__(self, name):
        value = super().__getitem__(name)
        if callable(value):
            value = value()
            super().__setitem__(name, value)
        return value

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]


@dataclass
class Data:
    """The tables of one data folder, typed and checked."""

    format = "extract"
    described = "this data"  # how check_area's message names the data, and the column holding districts
    district_column = "district"

    folder: Path
    areas: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # recovered problems, for the data quality page
    _families: dict | None = field(default=None, repr=False)  # district -> family, read on first use
    population: dict | None = None  # the ONS population file read (file, sheet, year, districts), if any
    _source: tuple | None = field(default=None, repr=False)  # (coverage, figures.json source) once worked out
    # each table counted (counted.Counted): what the figures, the quality page and the neighbourhoods read. The
    # large tables of a plain CSV extract arrive counted by DuckDB (their frames read only if asked for); the
    # others are counted from their frames on first use. Not an argument: a copy with other tables
    # (dataclasses.replace) counts its own.
    _counted: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.tables, Tables):
            self.tables = Tables(self.tables)

    def counted(self, name: str) -> counted.Counted:
        """The table ``name`` counted (counted.Counted)."""
        if name not in self._counted:
            self._counted[name] = counted.from_frame(name, self.tables[name])
        return self._counted[name]

    def path_of(self, name: str) -> Path:
        """The file the table ``name`` was read from."""
        if name in self._counted:
            return self._counted[name].path
        return Path(self.tables[name].attrs.get("path", ""))

    def family_of(self, district: str) -> tuple[str, list[str]] | None:
        """The district's most similar group (families.csv, when the folder has one): its name and its
        districts, in the order of areas.csv; None without one, or when the district is alone in it."""
        if self._families is None:
            path = table_path(self.folder, "families")
            known = set(self.areas["district"].astype(str))
            rows = read_table(path, contract.FAMILIES, known) if path is not None else None
            self._families = {} if rows is None else dict(zip(rows["district"].astype(str), rows["family"]))
        name = self._families.get(district)
        if name is None:
            return None
        members = [d for d in self.areas["district"].astype(str) if self._families.get(d) == name]
        return (name, members) if len(members) > 1 else None

    def has(self, name: str) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def county_of(self, district: str) -> str:
        return str(self.areas.loc[self.areas["district"] == district, "county"].iloc[0])

    def level_of(self, area: str) -> str:
        """What kind of area a report is (figures.json ``level``): a district of its county here; the Home Office
        tables' are a CSP (``csp``) or a police force area (``pfa``)."""
        return "district"

    def districts_of(self, county: str) -> list[str]:
        return sorted(self.areas.loc[self.areas["county"] == county, "district"].astype(str))

    def coverage(self, name: str) -> tuple[int, int] | None:
        """First and last month (indexes) a table's source covers.

        The crimes table defines the extract's window. Another table has a window
        of its own (MARAC data ending in December, say) only when it is dense
        enough to show one: records in at least 80% of the months between its
        first and last record. A sparse table (a few referrals a year) cannot show
        where its source starts or ends, so it takes the crimes window.
        """
        if name not in self.tables or not self.counted(name).rows:
            return None
        m = self.counted(name).months()
        first, last = int(m.min()), int(m.max())
        if name == "crimes":
            return first, last
        if len(np.unique(m)) < 0.8 * (last - first + 1):
            return self.coverage("crimes")
        return first, last

    def check_area(self, area: str) -> str:
        names = list(self.areas["district"].astype(str))
        if area in names:
            return area
        return known_area(area, names, self.areas.attrs.get("path", self.folder), self.described, self.district_column)

    def check_period(self, first: int, last: int, label: str) -> None:
        a, b = self.coverage("crimes")
        if first < a or last > b:
            raise DataError(
                str(self.path_of("crimes")),
                f"period {label} is outside the data, which runs from {month_key(a)} to {month_key(b)}",
                column="recorded_date",
                hint="choose a period inside the data",
            )

    def quality(self, area: str, period, coverage: dict) -> dict:
        """The data quality section of figures.json."""
        return quality.assess(self, area, period, coverage)

    def lsoa(self, district: str) -> pd.DataFrame | None:
        """The district's crimes and ASB incidents by neighbourhood (the optional ``lsoa_code`` and
        ``lsoa_name`` columns): lsoa_code, lsoa_name, month, crime_type (ASB's police.uk name, or "crime"),
        n; None when no table has LSOA codes. Records without a code are in no neighbourhood."""
        parts = []
        for name, kind in (("crimes", "crime"), ("asb_incidents", contract.POLICE_UK_ASB)):
            if name not in self.tables or (c := self.counted(name)).lsoa is None:
                continue
            d = c.lsoa[(c.lsoa["district"] == district).to_numpy()]
            parts.append(
                pd.DataFrame(
                    {"lsoa_code": d["lsoa_code"], "lsoa_name": d["lsoa_name"], "month": d["month"], "crime_type": kind}
                ).assign(n=d["n"])
            )
        if not parts:
            return None
        frame = pd.concat(parts, ignore_index=True)
        names = frame.groupby("lsoa_code")["lsoa_name"].transform("min")  # one name a code
        frame = frame.assign(lsoa_name=names)
        return frame.groupby(["lsoa_code", "lsoa_name", "month", "crime_type"], as_index=False)["n"].sum()

    def unavailable(self, measure: str, districts: list[str]) -> str | None:
        """Why a figure of these districts is not given though the data count it (a source that covers some
        areas only: data/combined.py); None here."""
        return None

    def covers(self, measure: str, district: str) -> bool:
        """Whether the data count ``measure`` for ``district`` (ranks leave out those they do not)."""
        return True

    def points(self, district: str) -> pd.DataFrame | None:
        """Records by map point, for hotspot maps: none in the data contract (a force extract's addresses
        are not published; police.uk's points are anonymised already)."""
        return None

    def paths(self) -> list[Path]:
        """The files read: the contract tables and areas.csv."""
        out = [p for name in self.tables if (p := self.path_of(name)) != Path("")]
        if (areas := table_path(self.folder, "areas")) is not None:
            out.append(areas)
        return sorted(set(out))

    def source(self, coverage: dict) -> dict:
        """What the report was made from (figures.json ``source``): the kind of data (``contract``,
        ``police.uk``, or ``demo`` for the invented demonstration data), the folder and files read, the
        months they cover and a content hash of the files, so a reader can tell a report from its twin."""
        first, last = coverage.get("crimes") or (None, None)
        if self._source and self._source[0] == (first, last):  # every report of a build reads the same files
            return dict(self._source[1])
        files = self.paths()
        demo = (Path(self.folder) / contract.DEMO_MARKER).exists()
        out = {
            "kind": "demo" if demo else "police.uk" if self.format == "police.uk" else "contract",
            "folder": Path(self.folder).name,
            "files": [f.name for f in files] if len(files) <= 12 else [files[0].name, "...", files[-1].name],
            "file_count": len(files),
            "months": f"{month_key(first)} to {month_key(last)}" if first is not None else None,
            "hash": "sha256:" + content_hash(files),
        }
        self._source = ((first, last), out)
        return dict(out)

    def sources(self, coverage: dict) -> dict:
        """Each table read: its file, rows and months (the landing page's data sources)."""
        out = {}
        for name in self.tables:
            a, b = coverage[name]
            out[name] = {
                "file": self.path_of(name).name,
                "rows": self.counted(name).rows,
                "first_month": month_key(a),
                "last_month": month_key(b),
            }
        return out


@lru_cache(maxsize=4096)
def _file_hash(path: str, size: int, mtime: int, inode: int = 0) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


HASH_MEMO = "CSP_HASH_MEMO"  # environment: a JSON file remembering hashes across processes and builds
_MEMO: dict = {}  # {"path": the memo file, "hashes": {file: [size, mtime_ns, inode, sha256]}, "new": bool}


def _memo() -> dict:
    path = os.environ.get(HASH_MEMO, "")
    if _MEMO.get("path") != path:
        hashes = {}
        if path:
            try:
                hashes = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                hashes = {}  # absent or unreadable: hashed again, written anew
        _MEMO.update(path=path, hashes=hashes, new=False)
    return _MEMO


def remember_hashes(path: Path) -> None:
    """Remember files' hashes in ``path`` (JSON) from now on, in this process and in the worker processes
    it starts: a build then reads a national data folder (gigabytes) once, not in every build and worker."""
    os.environ[HASH_MEMO] = str(path)


def save_hashes() -> None:
    """Write the hashes made since the memo was read (atomically: a reader never sees half a file)."""
    memo = _memo()
    if not memo["path"] or not memo["new"]:
        return
    target = Path(memo["path"])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    kept = {f: h for f, h in memo["hashes"].items() if os.path.exists(f)}  # no entry outlives its file
    tmp.write_text(json.dumps(kept), encoding="utf-8")
    tmp.replace(target)
    memo["new"] = False


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, remembered while its size, modification time and inode are unchanged (as git's
    index does): in this process, and across processes and builds where :func:`remember_hashes` was called."""
    resolved = os.path.abspath(path)  # not resolve(): a system call for every folder of the path
    st = os.stat(resolved)
    sig = [st.st_size, st.st_mtime_ns, st.st_ino]
    memo = _memo()
    known = memo["hashes"].get(resolved)
    if known and known[:3] == sig:
        return known[3]
    digest = _file_hash(resolved, *sig)
    if memo["path"]:
        memo["hashes"][resolved] = [*sig, digest]
        memo["new"] = True
    return digest


def content_hash(paths) -> str:
    """One hash of several files' names and contents."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(f"{p.name}\0{file_hash(p)}\0".encode())
    return h.hexdigest()


def load(folder) -> Data:
    """Load and check every contract table present in ``folder`` (:func:`csp_lib.data.load` chooses
    this reader or the police.uk one by what the folder holds)."""
    folder = Path(folder)
    found = {}
    for name, table in contract.TABLES.items():
        p = table_path(folder, name)
        if p is None and table.required:
            raise DataError(
                folder / f"{name}.csv",
                "required table is missing",
                hint=f"put {name}.csv (or {name}.csv.gz or {name}.parquet) in the data folder",
            )
        if p is not None:
            found[name] = p
    warnings: list[str] = []
    areas = read_table(found["areas"], contract.TABLES["areas"], warnings=warnings)
    names = areas["district"].astype(str)
    for first, second in contract.slug_clashes(names):
        line = int(areas.attrs["lines"][list(names).index(second)])
        raise DataError(
            found["areas"],
            f"'{second}' and '{first}' (line {int(areas.attrs['lines'][list(names).index(first)])}) would share "
            f"one folder, {contract.area_slug(first)}, and so one report and one commentary",
            line,
            "district",
            "give the districts names that differ in their letters or digits",
        )
    districts = set(names)
    data = Data(folder, areas, warnings=warnings)
    for name, path in found.items():
        if name == "areas":
            continue
        got = _count(path, name, districts) if name in counted.COUNTED else None
        if got is None:
            data.tables[name] = read_table(path, contract.TABLES[name], districts, warnings)
        else:  # checked and counted: its records are read only if asked for
            data._counted[name] = got
            data.tables[name] = _reader(path, contract.TABLES[name], districts)
    if "crimes" not in data._counted:  # DuckDB has checked the counted crimes' two dates
        _check_crimes(data)
    _check_ids(data, "hate_incidents", "incident_type", lambda v: [contract.hate_incident_id(v)])
    _check_ids(data, "referrals", "programme", lambda v: [(r := contract.referral_id(v)), r + "_complied"])
    return data


def _count(path: Path, name: str, districts) -> counted.Counted | None:
    """The table at ``path`` checked and counted by DuckDB, when it is a CSV file (plain or gzipped) with a plain
    header holding the contract's required columns, whose every value passes (counted.count_csv); None
    otherwise (read_table reads it, and names its first problem)."""
    if path.suffix not in (".csv", ".gz") or (plain := counted.plain_header(path)) is None or not plain.rows:
        return None
    if any(c.required and c.name not in plain.names for c in contract.TABLES[name].columns):
        return None
    return counted.count_csv(path, name, districts, plain, _convert)


def _reader(path: Path, table: contract.Table, districts):
    return lambda: read_table(path, table, districts, [])


def _check_ids(data: Data, table: str, column: str, ids_of) -> None:
    """Each value of ``column`` names figures of its own (``ids_of``: the figure ids it is counted under): two
    values that would be counted as one figure, or a value with no letter or digit to name one, are refused."""
    if not data.has(table):
        return
    frame = data[table]
    values = frame[column].astype(str)
    owner: dict[str, str] = {}
    for value in values.unique():
        ids = ids_of(value)
        clash = next((owner[i] for i in ids if i in owner), None)
        if clash is not None or ids[0].endswith("_"):
            pos = int(np.flatnonzero((values == value).to_numpy())[0])
            if clash is None:
                problem, hint = f"'{value}' has no letter or digit to name its figure by", "spell the name out"
            else:
                first = int(frame.attrs["lines"][int(np.flatnonzero((values == clash).to_numpy())[0])])
                problem = f"'{value}' and '{clash}' (line {first}) would be counted as one figure"
                hint = "name them apart in letters or digits"
            raise DataError(frame.attrs["path"], problem, int(frame.attrs["lines"][pos]), column, hint)
        owner.update(dict.fromkeys(ids, value))


def _check_crimes(data: Data) -> None:
    c = data["crimes"]
    if "committed_date" in c:
        after = c["committed_date"] > c["recorded_date"]
        _fail(
            c.attrs["path"],
            c.attrs["lines"],
            after.fillna(False),
            "committed_date",
            lambda i: "committed after it was recorded",
            "check the two dates of this crime",
        )


__all__ = ["Data", "DataError", "load", "read_table", "month_index"]
