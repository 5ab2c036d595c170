"""data.police.uk street files as downloaded, counted into cubes: pandas is not imported here.

``find`` lists a folder's ``YYYY-MM-<force>-street.csv`` files (plain or ``.gz``, flat
or in the ``YYYY-MM/`` folders the archive unpacks to, one or several forces);
``check_header`` stops at a file that is not a street file; ``count_cube`` has DuckDB
read them and write four Parquet files: the cube of rows per force x district x month x
crime type, the neighbourhood cube (per LSOA), the outcomes cube (per last outcome) and,
in a second read, the map-point cube (for hotspot maps); ``policeuk`` caches them and reads
them with pandas. Keeping pandas out of this step keeps it to DuckDB's own work: a year of
the whole country's files in about 15 s, half of it the map points (benchmarks/README.md).

District = the LSOA name without its last token (``Blackpool 010A`` -> ``Blackpool``;
for a name in the ONS form, whose fifth character from the end is a space, the name
without its last five characters), spaces around it trimmed; no LSOA -> null.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from .contract import DataError
from .periods import month_index

HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-([a-z0-9-]+?)-street\.csv(\.gz)?$")
CUBE_VERSION = "8"  # bump when the cube's query changes: old cached cubes are then ignored


@dataclass(frozen=True)
class StreetFile:
    month: int
    force: str
    path: Path


def find(folder) -> list[StreetFile]:
    """The police.uk street files of a folder: flat, or one level down in ``YYYY-MM/`` folders."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    candidates = list(folder.iterdir())
    for sub in sorted(p for p in candidates if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name)):
        candidates += list(sub.iterdir())
    seen: dict[tuple[int, str], Path] = {}
    for p in sorted(candidates):
        m = FILE_NAME.match(p.name)
        if not m or not p.is_file():
            continue
        key = (month_index(int(m[1]), int(m[2])), m[3])
        if key in seen:
            raise DataError(
                p,
                f"the street file for {m[1]}-{m[2]} {m[3]} is here twice (also {seen[key]})",
                hint="keep one copy of each month's file",
            )
        seen[key] = p
    return [StreetFile(month, force, path) for (month, force), path in sorted(seen.items())]


def is_street_folder(folder) -> bool:
    return bool(find(folder))


def open_bytes(path: Path):
    """A street file's bytes, plain or gzipped."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def check_header(path: Path) -> None:
    """Stop at a file whose first line is not the police.uk street header."""
    try:
        with open_bytes(path) as fh:
            first = fh.readline()
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(path, f"cannot be read ({e})", hint="download the file again from data.police.uk") from None
    text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text:
        raise DataError(path, "the file is empty", line=1, hint="download the file again from data.police.uk")
    got = next(csv.reader(io.StringIO(text)))
    for i, expected in enumerate(HEADER):
        if i >= len(got) or got[i].strip() != expected:
            found = f"'{got[i]}'" if i < len(got) else "nothing"
            raise DataError(
                path,
                f"not the police.uk street header: column {i + 1} should be '{expected}', found {found}",
                line=1,
                column=expected,
                hint="download the file again from data.police.uk (csp reads street files as published) "
                "or restore the header: " + ",".join(HEADER),
            )
    if len(got) > len(HEADER):
        raise DataError(
            path,
            f"not the police.uk street header: {len(got) - len(HEADER)} extra column(s) after 'Context'",
            line=1,
            column=got[len(HEADER)],
            hint="download the file again from data.police.uk",
        )


# -- the cube -------------------------------------------------------------------------------
def files_key(files: list[StreetFile]) -> str:
    """Changes when a file is added, removed, replaced or touched."""
    h = hashlib.sha256(CUBE_VERSION.encode())
    for f in files:
        st = f.path.stat()
        h.update(json.dumps([str(f.path.resolve()), st.st_size, st.st_mtime_ns]).encode())
    return h.hexdigest()[:24]


# The district is the LSOA name without its code: the last five characters of the ONS
# form "Blackpool 001A" (a slice, no regular expression: 0.4 s less a year nationally),
# else the name without its last word; spaces the slice leaves ("Blackpool  001A") are
# trimmed on the grouped table.
DISTRICT = """CASE WHEN "LSOA name"[-5] = ' ' THEN "LSOA name"[:-6]
                ELSE regexp_replace(nullif(trim("LSOA name"), ''), '\\s+\\S+$', '') END"""
TRIM = "nullif(trim({}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '')"
SOURCE = """read_csv({files}, header = true, auto_detect = false, columns = {columns},
                  quote = '"', escape = '"', delim = ',')"""
# The files are read into ``fine``, grouped two ways at once (GROUPING SETS): by LSOA, whence
# the cube (by district) and the neighbourhood cube, and by last outcome, whence the outcomes
# cube; LSOA x outcome is never formed.
FINE_SQL = f"""
CREATE TEMP TABLE fine AS
SELECT force, {TRIM.format("district")} AS district,
       nullif(trim(lsoa_code), '') AS lsoa_code, nullif(trim(lsoa_name), '') AS lsoa_name,
       month, crime_type, coalesce(nullif(trim(outcome), ''), '') AS outcome, n, by_outcome
FROM (
    SELECT "Falls within" AS force, {DISTRICT} AS district,
           "LSOA code" AS lsoa_code, "LSOA name" AS lsoa_name,
           "Month" AS month, "Crime type" AS crime_type, "Last outcome category" AS outcome, count(*) AS n,
           grouping("LSOA code") = 1 AS by_outcome
    FROM {SOURCE}
    GROUP BY GROUPING SETS ((force, district, lsoa_code, lsoa_name, month, crime_type),
                            (force, district, month, crime_type, outcome))
)
"""
CUBE_SQL = (
    "SELECT force, district, month, crime_type, sum(n)::BIGINT AS n FROM fine WHERE NOT by_outcome "
    "GROUP BY ALL ORDER BY ALL"
)
# the finer cubes are sorted by district, in row groups of FINER_ROWS: a report reads its district's row groups only
# (Parquet statistics); DuckDB's default (122,880 rows) made a district read six times the rows it needs
LSOA_SQL = """
SELECT force, district, lsoa_code, lsoa_name, month, crime_type, n::BIGINT AS n
FROM fine WHERE NOT by_outcome AND lsoa_code IS NOT NULL AND district IS NOT NULL ORDER BY district
"""
# Map points are grouped in a second read of the files, after ``fine`` is gone: a point x month
# group holds one or two records, so this grouping is nearly as long as the files (millions of
# groups a year nationally), and kept out of ``fine`` it does not add to its memory. Crime or ASB
# only, not the crime type. police.uk's points are already anonymised to its list of map points
# (each over several addresses); a point is in one LSOA, whose name the neighbourhood cube has.
POINTS_SQL = f"""
SELECT * FROM (
    SELECT {TRIM.format(DISTRICT)} AS district, nullif(trim("LSOA code"), '') AS lsoa_code, "Month" AS month,
           "Crime type" = 'Anti-social behaviour' AS asb,
           try_cast("Longitude" AS DOUBLE) AS lon, try_cast("Latitude" AS DOUBLE) AS lat, count(*)::BIGINT AS n
    FROM {SOURCE}
    GROUP BY ALL
) WHERE district IS NOT NULL AND lsoa_code IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL ORDER BY district
"""
OUTCOMES_SQL = """
SELECT force, district, month, crime_type, outcome, sum(n)::BIGINT AS n
FROM fine WHERE by_outcome AND district IS NOT NULL AND crime_type <> 'Anti-social behaviour'
GROUP BY ALL ORDER BY district, force, month, crime_type, outcome
"""


FINER_ROWS = 32_768
FINER_PARQUET = f"(FORMAT parquet, ROW_GROUP_SIZE {FINER_ROWS})"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def fine_sql(paths: list[Path], sql: str = FINE_SQL) -> str:
    """``sql`` (FINE_SQL, or POINTS_SQL) reading the files at ``paths``."""
    files = "[" + ", ".join(_quote(p) for p in paths) + "]"
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in HEADER) + "}"
    return sql.replace("{files}", files).replace("{columns}", columns)


def lsoa_path(path: Path) -> Path:
    """Where the neighbourhood cube of the cube at ``path`` is kept."""
    return Path(path).with_name(Path(path).stem + ".lsoa.parquet")


def points_path(path: Path) -> Path:
    """Where the map-point cube (records by district, LSOA, month, crime or ASB, and map point) is kept."""
    return Path(path).with_name(Path(path).stem + ".points.parquet")


def outcomes_path(path: Path) -> Path:
    """Where the outcomes cube (crimes by district, month, crime type and last outcome) is kept."""
    return Path(path).with_name(Path(path).stem + ".outcomes.parquet")


FINER = {"lsoa": (lsoa_path, LSOA_SQL), "outcomes": (outcomes_path, OUTCOMES_SQL), "points": (points_path, POINTS_SQL)}


def count_cube(files: list[StreetFile], path: Path) -> Path:
    """Count the files into the cube at ``path`` (Parquet: force, district, month, crime_type, n), and
    the finer cubes beside it: neighbourhoods (``lsoa_path``: force, district, lsoa_code, lsoa_name,
    month, crime_type, n; rows with an LSOA in a district only), outcomes (``outcomes_path``) and map points
    (``points_path``: district, lsoa_code, month, asb (True: antisocial behaviour), lon, lat, n; rows with an
    LSOA in a district and both coordinates).

    All appear whole or not at all (written beside them, then renamed: the cube last). A file DuckDB
    cannot read stops with a DataError naming it; OSError when ``path``'s folder is not writable."""
    import duckdb

    for f in files:
        check_header(f.path)
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    finer = {
        where(path): (path.with_name(f"{where(path).name}.{os.getpid()}.tmp"), sql) for where, sql in FINER.values()
    }
    tmp.touch()  # OSError here, before any counting, when the folder cannot be written
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        paths = [f.path for f in files]
        con.execute(fine_sql(paths))
        for part, sql in finer.values():
            if sql is not POINTS_SQL:
                con.execute(f"COPY ({sql}) TO {_quote(part)} {FINER_PARQUET}")
        con.execute(f"COPY ({CUBE_SQL}) TO {_quote(tmp)} (FORMAT parquet)")
        con.execute("DROP TABLE fine")
        con.execute(f"COPY ({fine_sql(paths, POINTS_SQL)}) TO {_quote(finer[points_path(path)][0])} {FINER_PARQUET}")
        for final, (part, _) in finer.items():
            part.replace(final)
        tmp.replace(path)
    except duckdb.Error as e:
        message = str(e).splitlines()[0]
        where = next((f.path for f in files if f.path.name in str(e)), None)
        if "No space left on device" in str(e) or '"errno":"28"' in str(e):  # the cube's folder is full
            raise OSError(errno.ENOSPC, "No space left on device", str(path.parent)) from None
        if where is None and any(out.name in str(e) for out in (tmp, *finer)):
            raise OSError(f"{tmp}: {message}") from None
        where = where or files[0].path.parent
        message = message.replace(str(where), where.name).rstrip(". ")
        raise DataError(
            where, f"cannot be read: {message}", hint="download the file again from data.police.uk"
        ) from None
    finally:
        con.close()
        tmp.unlink(missing_ok=True)
        for part, _ in finer.values():
            part.unlink(missing_ok=True)
    return path


__all__ = [
    "HEADER",
    "StreetFile",
    "find",
    "is_street_folder",
    "check_header",
    "count_cube",
    "files_key",
    "lsoa_path",
    "points_path",
    "outcomes_path",
    "FINER",
]
