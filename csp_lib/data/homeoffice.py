"""The Home Office police recorded crime open data tables, read as downloaded (data-contract.md,
"Home Office open data tables").

The Home Office publishes recorded crime for every Community Safety Partnership (the CSP tables) and
every police force area (the PFA tables) of England and Wales: one row per financial year, quarter,
force (and CSP) and Home Office offence code, with the offence's description, group and subgroup and
the number of offences. A release is CSV, XLSX or ODS; a file is recognised by its header row, never by
its name: the row (within the first :data:`SCAN_ROWS` rows, since the workbooks put notes above it)
whose cells are the columns of :data:`COLUMNS` (or the other names of :data:`ALIASES`: the CSP tables as
published say ``Police Force`` and ``Offence Count``), compared without case and with spaces and underscores
alike (``Financial Year``, ``financial_year``, ``FINANCIAL YEAR``). A workbook's sheets are each
recognised so: cover and notes sheets are passed over.

``find`` lists the tables of a folder; ``count_cube`` has DuckDB check and count them into one Parquet
cube (level, force, csp, year, quarter, offence code, description, group, subgroup, body, n); ``load``
caches it as the police.uk cube is cached (reused while the files are unchanged, checked on read,
written whole or not at all) and returns a :class:`HomeOfficeTables`.

Every value is hostile text: a name holding a hidden character (contract.HIDDEN) is refused with its
file, line (or sheet and row) and column; so are a year, quarter or count that cannot be read, a row of
the same force, CSP, quarter and offence in two files (two releases in one folder), a CSP under two
forces, and two CSPs whose folders would be one. Rows of bodies that are not areas (Action Fraud, CIFAS,
UK Finance, British Transport Police: :data:`NOT_AREAS`) are kept in the cube, flagged ``body``, out of
the areas, and named by :meth:`HomeOfficeTables.bodies` for the data quality page.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import json
import os
import re
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import contract
from .contract import DataError
from .readers import Data, content_hash

# canonical key -> the column's name as the Home Office user guide writes it
COLUMNS = {
    "financial_year": "Financial Year",
    "financial_quarter": "Financial Quarter",
    "force_name": "Force Name",
    "csp_name": "CSP Name",
    "offence_description": "Offence Description",
    "offence_group": "Offence Group",
    "offence_subgroup": "Offence Subgroup",
    "offence_code": "Offence Code",
    "number_of_offences": "Number of Offences",
}
# the other names releases give a column: the CSP tables as published write the force "Police Force" and
# the count "Offence Count" (the PFA tables, and older CSP releases, "Force Name" and "Number of Offences")
ALIASES = {
    "Police Force": "force_name",
    "Offence Count": "number_of_offences",
}
PFA_COLUMNS = tuple(k for k in COLUMNS if k != "csp_name")
TEXT = ("force_name", "csp_name", "offence_description", "offence_group", "offence_subgroup", "offence_code")
SCAN_ROWS = 30  # a header row is looked for in a file's (or sheet's) first rows: notes rows may come first
MIN_KNOWN = 3  # a row with this many of the columns is meant as a header: the others missing are refused
SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".ods")
HINT = "download the table again from the Home Office's police recorded crime open data tables"
# bodies whose rows the tables give beside the forces' but that are no area (normalised as header names are)
NOT_AREAS = {
    "action fraud": "Action Fraud",
    "cifas": "CIFAS",
    "uk finance": "UK Finance",
    "financial fraud action uk": "Financial Fraud Action UK",
    "british transport police": "British Transport Police",
}
CUBE_VERSION = "1"  # bump when the cube's query changes: old cached cubes are then ignored


def normalise(name) -> str:
    """A header cell (or a body's name) as compared: no case, runs of spaces and underscores as one space."""
    return re.sub(r"[\s_]+", " ", str(name).replace("\ufeff", "")).strip().casefold()


_KEYS = {normalise(v): k for k, v in COLUMNS.items()} | {normalise(a): k for a, k in ALIASES.items()}


def _names(key: str) -> str:
    """How a column is named in a message: its user guide name, and the other names releases give it."""
    other = [a for a, k in ALIASES.items() if k == key]
    return repr(COLUMNS[key]) + "".join(f" (or {a!r})" for a in other)


@dataclass(frozen=True)
class Table:
    """One Home Office table: a CSV file, or one sheet of a workbook."""

    path: Path
    level: str  # "csp" or "pfa"
    header_row: int  # 1-based line (CSV) or row (sheet) of the header
    columns: tuple[str, ...]  # the header's cells as the file writes them
    sheet: str | None = None

    @property
    def where(self) -> str:
        """How an error names the table: the file, and its sheet in a workbook."""
        return str(self.path) if self.sheet is None else f"{self.path}, sheet '{self.sheet}'"

    @property
    def name(self) -> str:
        return self.path.name if self.sheet is None else f"{self.path.name} (sheet '{self.sheet}')"

    def column(self, key: str) -> str:
        """The file's own name of the column ``key``."""
        return next(c for c in self.columns if _KEYS.get(normalise(c)) == key)


def _suffix(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def _header(path: Path, rows, sheet: str | None = None) -> Table | None:
    """The table whose header is among ``rows`` (lists of cells), or None when no row is a header. A row with
    :data:`MIN_KNOWN` or more of the columns and not all of them is refused, naming what is missing."""
    for i, cells in enumerate(rows, start=1):
        keys = [_KEYS.get(normalise(c)) for c in cells if c is not None]
        known = {k for k in keys if k}
        if len(known) < MIN_KNOWN:
            continue
        level = "csp" if "csp_name" in known else "pfa"
        needed = COLUMNS if level == "csp" else PFA_COLUMNS
        missing = [_names(k) for k in needed if k not in known]
        where = str(path) if sheet is None else f"{path}, sheet '{sheet}'"
        if missing:
            raise DataError(
                where,
                f"a Home Office table's header without {', '.join(missing)} "
                f"(columns found: {', '.join(str(c) for c in cells if c is not None)})",
                i,
                hint=HINT + " (csp reads them as published: " + ", ".join(COLUMNS[k] for k in needed) + ")",
            )
        twice = sorted({k for k in keys if k and keys.count(k) > 1})
        if twice:
            cells_of = [str(c) for c in cells if c is not None and _KEYS.get(normalise(c)) == twice[0]]
            raise DataError(
                where, f"the column {_names(twice[0])} is in the header twice ({', '.join(cells_of)})", i, hint=HINT
            )
        return Table(path, level, i, tuple("" if c is None else str(c) for c in cells), sheet)
    return None


def _csv_rows(path: Path) -> list[list[str]]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(1 << 16)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(path, f"cannot be read ({e})", hint=HINT) from None
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:SCAN_ROWS]
    return list(csv.reader(lines))


def _sheets(path: Path) -> list[tuple[str, list[list]]]:
    """(sheet name, its first rows) of a workbook."""
    if path.name.lower().endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # a damaged workbook: zipfile, XML and openpyxl's own errors
            raise DataError(path, f"cannot be read as a workbook ({type(e).__name__}: {e})", hint=HINT) from None
        try:
            return [(ws.title, [list(r) for r in ws.iter_rows(max_row=SCAN_ROWS, values_only=True)]) for ws in book]
        finally:
            book.close()
    import pandas as pd

    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, nrows=SCAN_ROWS, engine="odf", dtype=object)
    except Exception as e:  # a damaged ODS file: zipfile, XML and odfpy's own errors
        raise DataError(path, f"cannot be read as a workbook ({type(e).__name__}: {e})", hint=HINT) from None
    return [
        (name, [[None if pd.isna(c) else c for c in row] for row in f.itertuples(index=False)])
        for name, f in frames.items()
    ]


def find(folder) -> list[Table]:
    """The Home Office tables of a folder (flat): each CSV file, or sheet of a workbook, with their header."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    from .streetfiles import FILE_NAME

    for path in sorted(folder.iterdir()):
        suffix = _suffix(path)
        if suffix is None or not path.is_file() or path.name.startswith((".", "~$")) or FILE_NAME.match(path.name):
            continue  # a police.uk street file (by its name) is never a table: its header is not read
        if suffix in (".csv", ".csv.gz"):
            if (t := _header(path, _csv_rows(path))) is not None:
                out.append(t)
            continue
        for sheet, rows in _sheets(path):
            if (t := _header(path, rows, sheet)) is not None:
                out.append(t)
    return out


def is_homeoffice_folder(folder) -> bool:
    return bool(find(folder))


# -- the cube -------------------------------------------------------------------------------
def files_key(tables: list[Table]) -> str:
    """Changes when a file is added, removed, replaced or touched."""
    h = hashlib.sha256(CUBE_VERSION.encode())
    for p in sorted({t.path for t in tables}):
        st = p.stat()
        h.update(json.dumps([str(p.resolve()), st.st_size, st.st_mtime_ns]).encode())
    return h.hexdigest()[:24]


def _quote(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _workbook_frame(table: Table):
    """A sheet's rows below its header as text (the canonical keys as columns) and ``line``, its row number."""
    import pandas as pd

    engine = "openpyxl" if table.path.name.lower().endswith(".xlsx") else "odf"
    try:
        raw = pd.read_excel(
            table.path, sheet_name=table.sheet, header=None, skiprows=table.header_row, engine=engine, dtype=object
        )
    except Exception as e:
        raise DataError(table.where, f"cannot be read ({type(e).__name__}: {e})", hint=HINT) from None
    raw = raw.iloc[:, : len(table.columns)]
    raw.columns = [_KEYS.get(normalise(c), f"extra_{i}") for i, c in enumerate(table.columns)][: raw.shape[1]]

    def text(v):
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))  # a workbook's number cell: 12.0 is 12
        return str(v)

    keys = COLUMNS if table.level == "csp" else PFA_COLUMNS
    frame = pd.DataFrame({k: raw[k].map(text) if k in raw else None for k in keys})
    frame["line"] = range(table.header_row + 1, table.header_row + 1 + len(frame))
    blank = frame[list(keys)].isna().all(axis=1)  # empty rows (a sheet's spacing) are no data
    return frame[~blank].astype({"line": "int64"})


def _rows_sql(con, i: int, table: Table) -> str:
    """A view ``t{i}`` of the table's rows: the canonical columns as text, ``line`` and the table's index."""
    keys = COLUMNS if table.level == "csp" else PFA_COLUMNS
    if table.sheet is None:
        names = [f"c{j}" for j in range(len(table.columns))]
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        by_key = {_KEYS.get(normalise(c)): n for c, n in zip(table.columns, names)}
        select = ", ".join(f"{by_key[k]} AS {k}" for k in keys)
        con.execute(
            f"CREATE TEMP VIEW t{i} AS SELECT {select}, {table.header_row} + row_number() OVER () AS line, {i} AS tab "
            f"FROM read_csv({_quote(table.path)}, header = false, auto_detect = false, columns = {columns}, "
            f"skip = {table.header_row}, quote = '\"', escape = '\"', delim = ',', null_padding = true, "
            "parallel = false)"
        )
    else:
        frame = _workbook_frame(table)  # noqa: F841 (read by DuckDB by its name)
        con.register(f"w{i}", frame)
        con.execute(f"CREATE TEMP VIEW t{i} AS SELECT {', '.join(keys)}, line, {i} AS tab FROM w{i}")
    csp = "csp_name" if table.level == "csp" else "NULL::VARCHAR AS csp_name"
    return (
        f"SELECT financial_year, financial_quarter, force_name, {csp}, "
        + ", ".join(
            k
            for k in ("offence_description", "offence_group", "offence_subgroup", "offence_code", "number_of_offences")
        )
        + f", line, tab, {_quote(table.level)} AS level FROM t{i}"
    )


YEAR = r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$"
QUARTER = r"^\s*[Qq]?\s*([1-4])\s*$"
COUNT = r"^\s*\+?(\d+)\s*$"
_FY_START = f"try_cast(regexp_extract(financial_year, '{YEAR}', 1) AS INT)"
_FY_GIVEN = f"try_cast(regexp_extract(financial_year, '{YEAR}', 2) AS INT)"  # 17 of 2016/17, 2017 of 2016/2017
_FY_END = (
    f"CASE WHEN length(regexp_extract(financial_year, '{YEAR}', 2)) = 2 THEN ({_FY_START} + 1) % 100 "
    f"ELSE {_FY_START} + 1 END"
)


def _first_bad(con, tables: list[Table], where: str, key: str, problem, hint: str, params=()):
    """Raise a DataError at the first row (in file order) meeting ``where``, and say how many more there are;
    ``problem`` words it from the value, as the file writes it."""
    rows = con.execute(
        f"SELECT tab, line, {key} AS v, count(*) OVER () AS n FROM rows WHERE {where} ORDER BY tab, line LIMIT 1",
        list(params),
    ).fetchall()
    if not rows:
        return
    tab, line, value, n = rows[0]
    table = tables[tab]
    raise DataError(
        table.where,
        problem("" if value is None else value),
        int(line),
        table.column(key) if key != "csp_name" or table.level == "csp" else COLUMNS[key],
        hint,
        more=int(n) - 1,
    )


def _check(con, tables: list[Table]) -> None:
    """Refuse the first bad value of each kind, naming its table, line or row, and column."""
    for key in ("financial_year", "financial_quarter", "force_name", "offence_code"):
        _first_bad(
            con,
            tables,
            f"nullif(trim({key}), '') IS NULL",
            key,
            lambda v, key=key: f"the {COLUMNS[key]} is blank",
            HINT,
        )
    _first_bad(
        con,
        tables,
        "level = 'csp' AND nullif(trim(csp_name), '') IS NULL",
        "csp_name",
        lambda v: "the CSP Name is blank",
        HINT,
    )
    _first_bad(
        con,
        tables,
        f"NOT regexp_matches(financial_year, '{YEAR}') OR {_FY_END} IS DISTINCT FROM {_FY_GIVEN}",
        "financial_year",
        lambda v: f"{v!r} is not a financial year",
        "write it as the Home Office does, 2016/17 (April 2016 to March 2017)",
    )
    _first_bad(
        con,
        tables,
        f"NOT regexp_matches(financial_quarter, '{QUARTER}')",
        "financial_quarter",
        lambda v: f"{v!r} is not a financial quarter",
        "write 1 to 4 (1 is April to June, 4 is January to March)",
    )
    _first_bad(
        con,
        tables,
        "regexp_matches(number_of_offences, '^\\s*-\\s*\\d+\\s*$')",
        "number_of_offences",
        lambda v: f"{v!r} is negative",
        "a number of offences cannot be below zero: " + HINT,
    )
    _first_bad(
        con,
        tables,
        f"number_of_offences IS NULL OR NOT regexp_matches(number_of_offences, '{COUNT}')",
        "number_of_offences",
        lambda v: f"{v!r} is not a whole number",
        "write the number of offences as digits (0 where there were none): " + HINT,
    )
    for key in TEXT:  # the names the pages show: their distinct values are few, checked here in Python
        values = [r[0] for r in con.execute(f"SELECT DISTINCT {key} FROM rows WHERE {key} IS NOT NULL").fetchall()]
        hidden = sorted(v for v in values if re.search(contract.HIDDEN, v))
        if hidden:
            _first_bad(
                con,
                tables,
                f"{key} IN (SELECT unnest(?::VARCHAR[]))",
                key,
                lambda v: f"{v!r} holds a control character ({contract.hidden_in(v)})",
                "the file is not as the Home Office publishes it: download it again",
                [hidden],
            )


FINE_SQL = f"""
CREATE TEMP TABLE fine AS
SELECT level, trim(force_name) AS force, trim(csp_name) AS csp,
       regexp_extract(financial_year, '{YEAR}', 1)::INT AS year,
       regexp_extract(financial_quarter, '{QUARTER}', 1)::INT AS quarter,
       trim(offence_code) AS offence_code, trim(offence_description) AS offence_description,
       trim(offence_group) AS offence_group, trim(offence_subgroup) AS offence_subgroup,
       tab, min(line) AS line, sum(regexp_extract(number_of_offences, '{COUNT}', 1)::BIGINT)::BIGINT AS n
FROM rows GROUP BY ALL
"""


def _check_fine(con, tables: list[Table]) -> None:
    """Refuse rows of one force, CSP, quarter and offence in two tables, a CSP under two forces, and two CSPs
    whose folders would be one."""
    twice = con.execute(
        """SELECT a.tab, a.line, b.tab, b.line, a.force, coalesce(a.csp, a.force), a.year, a.quarter, a.offence_code
           FROM fine a JOIN fine b USING (level, force, year, quarter, offence_code)
           WHERE a.csp IS NOT DISTINCT FROM b.csp AND a.tab < b.tab ORDER BY b.tab, b.line LIMIT 1"""
    ).fetchall()
    if twice:
        ta, la, tb, lb, force, area, year, quarter, code = twice[0]
        raise DataError(
            tables[tb].where,
            f"{area}'s offence {code} in {year}/{(year + 1) % 100:02d} quarter {quarter} is also in {tables[ta].name} "
            f"({'line' if tables[ta].sheet is None else 'row'} {la}): two releases of the same figures",
            int(lb),
            tables[tb].column("offence_code"),
            "keep one release of the tables in the folder (the latest revises the earlier ones)",
        )
    forces = con.execute(
        """SELECT csp, list(DISTINCT force ORDER BY force), min(tab), min(line) FROM fine
           WHERE level = 'csp' AND lower(force) NOT IN ({}) GROUP BY csp HAVING count(DISTINCT force) > 1
           ORDER BY csp LIMIT 1""".format(", ".join(_quote(b) for b in NOT_AREAS))
    ).fetchall()
    if forces:
        csp, names, _, _ = forces[0]
        firsts = con.execute(  # where each force's rows of the CSP begin: the error is at the second force met
            "SELECT arg_min(tab, tab * 1e9 + line), min(tab * 1e9 + line) AS first_at, arg_min(line, tab * 1e9 + line) "
            "FROM fine WHERE csp = ? GROUP BY force ORDER BY first_at",
            [csp],
        ).fetchall()
        later = (firsts[1][0], firsts[1][2])
        table = tables[later[0]]
        raise DataError(
            table.where,
            f"the CSP '{csp}' is under two forces, {' and '.join(repr(n) for n in names)}: a partnership is in one "
            "force area",
            int(later[1]),
            table.column("force_name"),
            "keep the tables of one release, or correct the Force Name of the CSP's rows",
        )
    csps = [r[0] for r in con.execute("SELECT DISTINCT csp FROM fine WHERE csp IS NOT NULL ORDER BY csp").fetchall()]
    forces_ = [r[0] for r in con.execute("SELECT DISTINCT force FROM fine ORDER BY force").fetchall()]
    for names, key in ((csps, "csp_name"), (forces_, "force_name")):
        for first, second in contract.slug_clashes(names):
            column = "csp" if key == "csp_name" else "force"
            tab, line = con.execute(
                f"SELECT tab, line FROM fine WHERE {column} = ? ORDER BY tab, line LIMIT 1", [second]
            ).fetchone()
            raise DataError(
                tables[tab].where,
                f"'{second}' and '{first}' would share one folder, {contract.area_slug(first)}, and so one report "
                "and one commentary",
                int(line),
                tables[tab].column(key),
                "the file is not as the Home Office publishes it: download it again",
            )


CUBE_SQL = f"""
SELECT level, force, csp, year, quarter, offence_code, offence_description, offence_group, offence_subgroup,
       lower(force) IN ({", ".join(_quote(b) for b in NOT_AREAS)}) AS body, sum(n)::BIGINT AS n
FROM fine GROUP BY ALL ORDER BY ALL
"""


def count_cube(tables: list[Table], path: Path) -> Path:
    """Check the tables and count them into the cube at ``path`` (Parquet: level, force, csp (null in PFA
    tables), year (the financial year's first: 2016 is 2016/17), quarter (1 is April to June), offence_code,
    offence_description, offence_group, offence_subgroup, body (a row of :data:`NOT_AREAS`), n).

    Written beside ``path`` and renamed: whole or not at all. A table DuckDB cannot read stops with a
    DataError naming it; OSError when ``path``'s folder is not writable."""
    import duckdb

    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.touch()  # OSError here, before any counting, when the folder cannot be written
    con = duckdb.connect()
    current = tables[0]
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = true")
        parts = []
        for i, table in enumerate(tables):
            current = table
            parts.append(_rows_sql(con, i, table))
        con.execute("CREATE TEMP TABLE rows AS " + " UNION ALL ".join(parts))
        current = None
        _check(con, tables)
        con.execute(FINE_SQL)
        _check_fine(con, tables)
        con.execute(f"COPY ({CUBE_SQL}) TO {_quote(tmp)} (FORMAT parquet)")
        tmp.replace(path)
    except duckdb.Error as e:
        message = str(e).splitlines()[0]
        if "No space left on device" in str(e):
            raise OSError(28, "No space left on device", str(path.parent)) from None
        where = next((t for t in tables if t.path.name in str(e)), current)
        if where is None:
            raise
        message = message.replace(str(where.path), where.path.name).rstrip(". ")
        raise DataError(where.where, f"cannot be read: {message}", hint=HINT) from None
    finally:
        con.close()
        tmp.unlink(missing_ok=True)
    return path


# -- the tables, cached and read ------------------------------------------------------------
class HomeOfficeTables:
    """The cube of a folder's Home Office tables and what the pages say of it."""

    def __init__(self, folder: Path, tables: list[Table], cube, reused: bool):
        self.folder, self.tables, self.cube, self.reused = folder, tables, cube, reused
        self._quarters: dict[str | None, list[tuple[int, int]]] = {}  # quarters(level), worked once each

    @property
    def areas(self):
        """The areas the tables hold: (level, area, force), bodies that are not areas left out."""
        import pandas as pd

        cube = self.cube[~self.cube["body"]]
        csp = cube[cube["level"] == "csp"][["force", "csp"]].drop_duplicates()
        pfa = cube[["force"]].drop_duplicates()
        rows = [("csp", r.csp, r.force) for r in csp.itertuples()] + [("pfa", f, f) for f in pfa["force"]]
        return (
            pd.DataFrame(rows, columns=["level", "area", "force"])
            .sort_values(["level", "force", "area"])
            .reset_index(drop=True)
        )

    def bodies(self) -> list[dict]:
        """The bodies that are not areas whose rows the tables hold: each with its rows' offences, by level."""
        body = self.cube[self.cube["body"]]
        out = []
        for (level, force), rows in body.groupby(["level", "force"], sort=True):
            out.append(
                {
                    "body": force,
                    "level": level,
                    "offences": int(rows["n"].sum()),
                    "codes": int(rows["offence_code"].nunique()),
                }
            )
        return out

    def quarters(self, level: str | None = None) -> list[tuple[int, int]]:
        """(year, quarter) the tables of ``level`` (of any level: None) give, in order."""
        if level not in self._quarters:
            cube = self.cube if level is None else self.cube[self.cube["level"] == level]
            pairs = cube[["year", "quarter"]].drop_duplicates().astype("int64").itertuples(index=False)
            self._quarters[level] = sorted((int(y), int(q)) for y, q in pairs)
        return self._quarters[level]


def load_cube(folder: Path, tables: list[Table]):
    """The cube from the Parquet cache when the files are unchanged, else checked, counted and cached (one cube
    per folder: a new one replaces the folder's older). Returns (cube, reused)."""
    import pandas as pd

    from .policeuk import _parquet_ok, cache_dir

    prefix = "home-office-" + hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:12]
    path = cache_dir() / f"{prefix}-{files_key(tables)}.parquet"
    if path.exists():
        if _parquet_ok(path):
            try:
                return pd.read_parquet(path), True
            except (OSError, ValueError):
                pass
        print(f"csp build: warning: cache entry {path} is damaged: dropped and counted again", file=sys.stderr)
        path.unlink(missing_ok=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        count_cube(tables, path)
    except OSError as e:  # no writable cache: counted in a temporary folder, and again next time
        print(
            f"csp: warning: the Home Office tables' cache {path.parent} cannot be written ({e.strerror or e}): the "
            "tables are counted in a temporary folder, and again next time; free space there, or set CSP_CACHE_DIR "
            "to another folder",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory() as tmp:
            return pd.read_parquet(count_cube(tables, Path(tmp) / path.name)), False
    for old in path.parent.glob(f"{prefix}-*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)
    return pd.read_parquet(path), False


def load(folder) -> HomeOfficeTables:
    folder = Path(folder)
    tables = find(folder)
    if not tables:
        raise DataError(folder, "no Home Office police recorded crime table in this folder", hint=HINT)
    cube, reused = load_cube(folder, tables)
    return HomeOfficeTables(folder, tables, cube, reused)


# -- the data a report reads ----------------------------------------------------------------
PFA_SUFFIX = " police force area"  # a force's own report is named so: CSP and force names can be the same
NATION = "England and Wales"  # what a force area is compared with: the sum of the forces in the tables
AREAS_HINT = "give every row of a force the same region (or leave the column blank for the force)"
NOT_IN_TABLES = "not in the Home Office open data tables"
# what a force's extract has and the tables do not: (what, the figures it feeds), for the data quality page
ABSENT_FIELDS = [
    ("domestic abuse marker", "domestic abuse, MARAC"),
    ("the force's assault classification (serious / less serious / non-injury)", "the seed's violence split"),
    ("victim and offender age", "sexual offences against under 16s, age profiles"),
    ("date the offence took place", "non-recent sexual offences"),
    ("hate crime strand", "hate crime"),
    ("child sexual exploitation flag", "child sexual exploitation"),
    ("antisocial behaviour incidents (not crimes)", "antisocial behaviour"),
    ("outcomes, neighbourhoods and map points", "outcomes, neighbourhoods, hotspot maps"),
]


def force_area(force: str) -> str:
    """The name of a force's own report: ``Testshire police force area``."""
    return f"{force}{PFA_SUFFIX}"


def quarters_of(period) -> list[tuple[int, int]]:
    """(financial year's first year, quarter 1 to 4) of a period of whole quarters; a span that starts or ends
    inside a quarter is refused (PeriodError) with the whole quarters around it."""
    from .periods import Period, PeriodError, month_label, month_of

    first_ok = (month_of(period.first)[1] - 4) % 3 == 0
    last_ok = (month_of(period.last)[1] - 3) % 3 == 0
    if not (first_ok and last_ok):
        start = period.first - (month_of(period.first)[1] - 4) % 3
        end = period.last + (3 - (month_of(period.last)[1] - 3) % 3) % 3
        raise PeriodError(
            f"period '{period.label}' ({period.long_label}) is not whole quarters, and the Home Office tables count "
            f"quarters: choose one that is, e.g. {Period(start, end).label} ({month_label(start)} to "
            f"{month_label(end)}), a financial year (2016/17) or a quarter (2016/17-Q3)"
        )
    out = []
    for m in range(period.first, period.last + 1, 3):
        y, mo = month_of(m)
        fy = y if mo >= 4 else y - 1
        out.append((fy, (mo - 4) % 12 // 3 + 1))
    return out


def quarter_month(year, quarter):
    """The month index of a quarter's first month (quarter 1 of 2016/17 is April 2016)."""
    return year * 12 + 3 + 3 * (quarter - 1)  # periods.month_index(year, 4) + 3 * (quarter - 1)


def read_regions(folder, tables: HomeOfficeTables, csps: bool = True) -> tuple[dict[str, str], Path | None, list]:
    """Each force's region from the folder's areas.csv, where it has one (read as every areas.csv is, so that a
    bad value is refused with its file, line and column): (force -> region, the file read or None, warnings).

    A force's region is the ``region`` of the rows whose ``county`` is the force (its Force Name, compared
    without case, spaces and underscores alike); every row of a force must give the same one (a blank among
    them too) or none, else a DataError at the first row that differs. A region may not be a force's name
    (it would be read as that force). ``csps``: the rows' ``district`` is a CSP Name (a folder of the tables
    alone): a CSP of the tables under another county than its force is refused too. Beside police.uk street
    files the districts are police.uk's, and only their county and region are read here."""
    import pandas as pd

    from . import readers

    path = readers.table_path(folder, "areas")
    if path is None:
        return {}, None, []
    warnings: list[str] = []  # what the reader recovered from, then what is not used
    rows = readers.read_table(path, contract.TABLES["areas"], warnings=warnings)
    lines = [int(x) for x in rows.attrs["lines"]]
    cube = tables.cube[~tables.cube["body"]]
    forces = {normalise(f): f for f in sorted(set(cube["force"].astype(str)))}
    csp_force = dict(zip(cube["csp"].dropna().astype(str), cube.loc[cube["csp"].notna(), "force"].astype(str)))
    given: dict[str, tuple[str | None, int]] = {}  # force -> (its region or None, the line that first said so)
    elsewhere: list[str] = []  # counties with a region that name no force of the tables
    has_region = "region" in rows
    for i, (district, county) in enumerate(zip(rows["district"].astype(str), rows["county"].astype(str))):
        force = forces.get(normalise(county))
        if csps and district in csp_force and force != csp_force[district]:
            raise DataError(
                path,
                f"the CSP '{district}' is in '{csp_force[district]}' in the Home Office tables, not '{county}'",
                lines[i],
                "county",
                "write each CSP's county as the tables' Force Name (here the district column names CSPs)",
            )
        if not has_region:
            continue
        value = rows["region"].iloc[i]
        region = None if pd.isna(value) or not str(value).strip() else str(value).strip()
        if region is not None and normalise(region) == normalise(NATION):
            region = None  # a force "in" England and Wales is compared with it, as one with no region
        if force is None:
            if region is not None and county not in elsewhere:
                elsewhere.append(county)
            continue
        if region is not None and normalise(region) in forces:
            raise DataError(
                path,
                f"the region '{region}' is the name of a force of the Home Office tables: a region is named apart "
                "from its forces",
                lines[i],
                "region",
                "name the region as the ONS does (North West, London, Wales, ...)",
            )
        if force not in given:
            given[force] = (region, lines[i])
            continue
        first, at = given[force]
        if region == first:
            continue
        if region is None:
            problem = f"the region is blank, but line {at} gives {force} the region '{first}'"
        elif first is None:
            problem = f"the region '{region}' of {force}, but line {at} leaves its region blank"
        else:
            problem = (
                f"the region '{region}' of {force}, but line {at} gives it '{first}': a force area is in one region"
            )
        raise DataError(path, problem, lines[i], "region", AREAS_HINT)
    if elsewhere:
        named = ", ".join(elsewhere[:5]) + (f" and {len(elsewhere) - 5} more" if len(elsewhere) > 5 else "")
        warnings.append(
            f"{path.name} gives a region for counties that are no force of the Home Office tables ({named}): "
            "not used; a county must be the tables' Force Name"
        )
    return {f: r for f, (r, _) in given.items() if r is not None}, path, warnings


def _areas(tables: HomeOfficeTables, regions: dict[str, str] | None = None):
    """The report areas: each CSP (its county the force, named as the table names it) and each force area
    (``<force> police force area``, its county its region where ``regions`` gives one, else England and Wales),
    with the level and the force."""
    import pandas as pd

    regions = regions or {}
    cube = tables.cube[~tables.cube["body"]]
    rows = [
        {"district": r.csp, "county": r.force, "level": "csp", "force": r.force}
        for r in cube[cube["level"] == "csp"][["force", "csp"]].drop_duplicates().itertuples()
    ]
    rows += [
        {"district": force_area(f), "county": regions.get(f, NATION), "level": "pfa", "force": f}
        for f in sorted(set(cube["force"].astype(str)))
    ]
    areas = pd.DataFrame(rows, columns=["district", "county", "level", "force"])
    areas = areas.sort_values(["level", "county", "district"]).reset_index(drop=True)
    areas.attrs["path"] = tables.folder
    return areas


@dataclass
class HomeOfficeData(Data):
    """A folder of Home Office open data tables: the cube, and the areas of both levels (each CSP, compared
    with its force: the sum of the force's CSPs; each force area, compared with its region where areas.csv
    gives one: the sum of the region's force areas, else with England and Wales: the sum of the forces). No
    record-level tables: only the cube's quarterly counts."""

    ho: HomeOfficeTables | None = None
    areas_file: Path | None = None  # the areas.csv read for the forces' regions, if any

    format = "home office"
    described = "these Home Office tables (CSPs, and force areas as '<Force Name> police force area')"
    district_column = "CSP Name"

    # the cube does not change once read, and every report of a book asks these of it again (343 reports of a
    # national table asked for 2 GB of Python iteration): each is worked once per folder read

    @functools.cached_property
    def levels(self) -> list[str]:
        return sorted(self.ho.cube["level"].astype(str).unique())

    def rows(self):
        """The cube's rows of every area as district (the report area's name), month (the quarter's first),
        offence_group, offence_subgroup, n. A force area is its PFA table's rows where the folder has one, else
        the sum of its CSPs'; bodies that are not areas are in none. The one frame, not to be changed."""
        return self._rows

    @functools.cached_property
    def _rows(self):
        import pandas as pd

        cube = self.ho.cube[~self.ho.cube["body"]]
        csp = cube[cube["level"] == "csp"].assign(district=lambda c: c["csp"])
        pfa = cube[cube["level"] == ("pfa" if "pfa" in self.levels else "csp")]
        pfa = pfa.assign(district=pfa["force"].astype(str).map(force_area))
        out = pd.concat([csp, pfa], ignore_index=True)
        out["month"] = quarter_month(out["year"].astype("int64"), out["quarter"].astype("int64")).astype("int64")
        keep = ["district", "month", "offence_group", "offence_subgroup", "n"]
        return out[keep].groupby(keep[:-1], as_index=False, dropna=False)["n"].sum()

    def level_of(self, area: str) -> str:
        return str(self.areas.loc[self.areas["district"] == area, "level"].iloc[0])

    def districts_of(self, county: str) -> list[str]:
        """The areas a county sums and ranks: a force's CSPs, a region's force areas; England and Wales is every
        force area, those of a region too (a force with no region is compared with the whole)."""
        if county == NATION:
            return sorted(self.areas.loc[self.areas["level"] == "pfa", "district"].astype(str))
        return super().districts_of(county)

    def table_of(self, area: str) -> str:
        """Which table counted an area: the CSP table, the PFA table, or the CSP table summed by force."""
        if self.level_of(area) == "csp":
            return "csp"
        return "pfa" if "pfa" in self.levels else "csp summed by force"

    def coverage(self, name: str) -> tuple[int, int] | None:
        return self._coverage if name == "crimes" else None

    @functools.cached_property
    def _coverage(self) -> tuple[int, int]:
        quarters = self.ho.quarters()
        return quarter_month(*quarters[0]), quarter_month(*quarters[-1]) + 2

    def check_period(self, first: int, last: int, label: str) -> None:
        from .periods import Period, month_label

        quarters_of(Period(first, last))  # a span that is not whole quarters: PeriodError
        a, b = self.coverage("crimes")
        if first < a or last > b:
            raise DataError(
                self.ho.tables[0].where,
                f"period {label} is outside the Home Office tables, which count {month_label(a)} to {month_label(b)}",
                column=COLUMNS["financial_year"],
                hint="choose a financial year or quarter the tables hold",
            )

    def paths(self) -> list[Path]:
        out = {t.path for t in self.ho.tables} | ({self.areas_file} if self.areas_file is not None else set())
        return sorted(out)

    def source(self, coverage: dict) -> dict:
        from .periods import month_key

        first, last = coverage.get("crimes") or (None, None)
        files = self.paths()
        quarters = self.ho.quarters(self.levels[0])
        return {
            "kind": "homeoffice",
            "folder": Path(self.folder).name,
            "files": [f.name for f in files],
            "file_count": len(files),
            "months": f"{month_key(first)} to {month_key(last)}" if first is not None else None,
            "hash": "sha256:" + content_hash(files),
            "tables": [{"file": t.path.name, "sheet": t.sheet, "level": t.level} for t in self.ho.tables],
            "release": f"{quarters[-1][0]}/{(quarters[-1][0] + 1) % 100:02d}-Q{quarters[-1][1]}",
        }

    def sources(self, coverage: dict) -> dict:
        from .periods import month_key

        a, b = coverage["crimes"]
        out = {}
        for t in self.ho.tables:
            rows = self.ho.cube[self.ho.cube["level"] == t.level]
            out[f"homeoffice_{t.level}"] = {
                "file": t.name,
                "rows": int(rows["n"].sum()),
                "first_month": month_key(a),
                "last_month": month_key(b),
            }
        return out

    def quality(self, area: str, period, coverage: dict) -> dict:
        from .periods import month_key, month_label

        a, b = coverage["crimes"]
        mine = self.rows()
        mine = mine[mine["district"] == area]
        tables = [
            {
                "table": f"{t.name} (Home Office {'CSP' if t.level == 'csp' else 'police force area'} table)",
                "rows": int(self.ho.cube.loc[self.ho.cube["level"] == t.level, "n"].sum()),
                "area_rows": int(mine["n"].sum()),
                "first_month": month_key(a),
                "last_month": month_key(b),
                "window": f"{month_label(a)} to {month_label(b)}",
                "gaps": [],
                "area_gaps": [],
            }
            for t in self.ho.tables
        ]
        missing = [
            {"column": what, "rows": "all records", "blank": None, "of": 0, "affects": affects, "note": "not published"}
            for what, affects in ABSENT_FIELDS
        ]
        months = quarter_month(self.ho.cube["year"].astype("int64"), self.ho.cube["quarter"].astype("int64"))
        window = self.ho.cube[months.between(period.previous().first, period.last)]
        excluded = [  # over the report's two years, as the data quality page says
            {
                "reason": f"{body}: not an area (the {'CSP' if level == 'csp' else 'force area'} table)",
                "rows": int(rows["n"].sum()),
                "districts": 0,
            }
            for (level, body), rows in window[window["body"]].groupby(["level", "force"], sort=True)
        ]
        return {
            "format": self.format,
            "files": len(self.paths()),
            "warnings": list(self.warnings),
            "tables": tables,
            "missing": missing,
            "partial_sources": [],
            "excluded": excluded,
            "missing_months": {"period": [], "previous": []},
        }

    def fill_forces(self) -> None:
        """A force area's residents: the sum of its CSPs' (the ONS file names districts, not forces), where
        every CSP of the force has them."""
        import pandas as pd

        if "population" not in self.areas:
            return
        areas = self.areas.copy()
        csp = areas[areas["level"] == "csp"]
        for i in areas.index[areas["level"] == "pfa"]:
            own = csp.loc[csp["force"] == areas.at[i, "force"], "population"]
            if len(own) and own.notna().all():
                areas.at[i, "population"] = int(own.sum())
            else:
                areas.at[i, "population"] = pd.NA
        self.areas = areas


def load_data(folder, csps: bool | None = None) -> HomeOfficeData:
    """A folder of Home Office tables, read and checked, as the figures read it, with the forces' regions of
    its areas.csv (:func:`read_regions`; ``csps``: its districts are CSP Names, as in a folder of the tables
    alone; None: so unless the folder holds police.uk street files)."""
    from .streetfiles import is_street_folder

    folder = Path(folder)
    tables = load(folder)
    if csps is None:
        csps = not is_street_folder(folder)
    regions, path, warnings = read_regions(folder, tables, csps)
    return HomeOfficeData(folder, _areas(tables, regions), warnings=warnings, ho=tables, areas_file=path)


__all__ = [
    "COLUMNS",
    "NOT_AREAS",
    "Table",
    "HomeOfficeTables",
    "HomeOfficeData",
    "find",
    "is_homeoffice_folder",
    "count_cube",
    "load",
    "load_data",
    "read_regions",
    "force_area",
    "quarters_of",
    "quarter_month",
]
