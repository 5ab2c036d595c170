"""data.police.uk street files, read as downloaded (data-contract.md, "police.uk open data").

``streetfiles`` finds the files and has DuckDB count them into a small Parquet cube
(force x district x month x crime type), without pandas; here the cube is cached
beside the user's cache and reused while the files are unchanged, read with pandas (it
is all pandas ever sees), its districts grouped into counties and its gaps refused.

Rows with no LSOA, and rows in districts that are not one of the county's, stay in the
cube and are counted on the data quality page: none is dropped silently.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import contract
from .periods import Period, month_key, month_label, month_runs
from .readers import Data, DataError, read_table, table_path
from .streetfiles import FINER, HEADER, StreetFile, count_cube, files_key, find, open_bytes

ASB = contract.POLICE_UK_ASB
THEFT_TYPES = ("Burglary", "Vehicle crime", "Theft from the person", "Bicycle theft", "Shoplifting", "Other theft")
KNOWN_TYPES = (ASB, *contract.POLICE_UK_CRIME_TYPES)
UNAVAILABLE = "not available from police.uk open data"
# Home Office offence groups (data-contract.md) that are one police.uk crime type
GROUP_OF_TYPE = {
    "Robbery": "robbery",
    "Criminal damage and arson": "criminal_damage_and_arson",
    "Drugs": "drug_offences",
    "Possession of weapons": "possession_of_weapons_offences",
    "Public order": "public_order_offences",
    "Other crime": "miscellaneous_crimes_against_society",
}
# what a force extract has and police.uk does not: (field, the figures it feeds)
ABSENT_FIELDS = [
    ("domestic abuse marker", "domestic abuse, MARAC"),
    ("assault severity (Home Office offence code)", "violence against the person and its split"),
    ("victim and offender age", "sexual offences against under 16s, age profiles"),
    ("date the offence took place", "non-recent sexual offences"),
    ("hate crime strand", "hate crime"),
    ("child sexual exploitation flag", "child sexual exploitation"),
]
MIN_SHARE = 0.01  # a district of a force holds at least 1% of its rows (when there is no areas.csv)


UNLISTED = "unlisted_crime_type_"  # the key of a crime type police.uk does not list begins so; no figure of ours does


def crime_type_id(crime_type: str) -> str:
    """``Violence and sexual offences`` -> ``violence_and_sexual_offences``: the figure id of a police.uk crime
    type. A type not in police.uk's list is data, never one of our ids (a file's ``All crime`` must not replace
    all crime): ``unlisted_crime_type_<slug>_<6 hex digits of its SHA-256>``, its own key for each spelling."""
    if crime_type in KNOWN_TYPES:
        return contract.slug(crime_type)
    digest = hashlib.sha256(crime_type.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{UNLISTED}{contract.slug(crime_type)[:40]}_{digest}"


def cache_dir() -> Path:
    base = os.environ.get("CSP_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(base) / "csp-book"


def load_cube(folder: Path, files: list[StreetFile]) -> tuple[pd.DataFrame, object, bool]:
    """The cube from the Parquet cache when the files are unchanged, else counted and cached, and where its
    finer cubes (neighbourhoods, map points, outcomes) are (the cube's Parquet path, beside which they
    are, or a _Kept of them when no cache could be written). The cache keeps one cube per folder: a new one
    replaces the folder's older cubes.
    Returns (cube, the finer cubes, reused)."""
    prefix = "police-uk-" + hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:12]
    path = cache_dir() / f"{prefix}-{files_key(files)}.parquet"
    kept = (path, *(where(path) for where, _ in FINER.values()))
    if all(p.exists() for p in kept):
        damaged = [p for p in kept if not _parquet_ok(p)]  # the finer cubes too: each footer must read
        if not damaged:
            try:
                return pd.read_parquet(path), path, True
            except (OSError, ValueError):
                damaged = [path]
        for p in damaged:
            print(f"csp build: warning: cache entry {p} is damaged: dropped and counted again", file=sys.stderr)
        for p in kept:
            p.unlink(missing_ok=True)  # a damaged cache file is counted again
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        count_cube(files, path)
    except OSError as e:  # no writable cache: counted in a temporary folder, and again next time
        why = e.strerror or str(e)
        print(
            f"csp: warning: the police.uk cache {path.parent} cannot be written ({why}): the files are counted in a "
            "temporary folder, and again next time; free space there, or set CSP_CACHE_DIR to another folder",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory() as tmp:
            cube = count_cube(files, Path(tmp) / path.name)
            frames = _Kept({which: pd.read_parquet(where(cube)) for which, (where, _) in FINER.items()})
            return pd.read_parquet(cube), frames, False
    for old in path.parent.glob(f"{prefix}-*.parquet"):
        if old not in kept:
            old.unlink(missing_ok=True)
    return pd.read_parquet(path), path, False


def _parquet_ok(path: Path) -> bool:
    """A cached cube is a Parquet file whose footer reads."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        return False
    return True


class _Kept:
    """The finer cubes, read already (their temporary files are gone)."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames = frames

    def read(self, which: str, district: str, columns: list[str] | None = None) -> pd.DataFrame:
        frame = self.frames[which]
        frame = frame[frame["district"] == district]
        return frame if columns is None else frame[columns]


def _read_district(path: Path, district: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of ``district`` in the finer cube at ``path``: only the row groups whose statistics can hold it
    (the cubes are sorted by district), through the file's footer read once per process."""
    import pyarrow.compute as pc

    st = os.stat(path)
    pf, ranges = _district_ranges(str(path), st.st_size, st.st_mtime_ns)
    # a group without statistics is read; a maximum the writer shortened is a prefix of the names it covers
    groups = [
        i for i, lo, hi in ranges if lo is None or lo <= district <= hi or lo <= district and district.startswith(hi)
    ]
    wanted = None if columns is None else list(dict.fromkeys([*columns, "district"]))
    table = pf.read_row_groups(groups, columns=wanted) if groups else pf.schema_arrow.empty_table()
    table = table.filter(pc.equal(table["district"], district))
    return table.to_pandas() if columns is None else table.select(columns).to_pandas()


@functools.lru_cache(maxsize=16)
def _district_ranges(path: str, size: int, mtime_ns: int):
    """The finer cube at ``path`` (of that size and time: a recounted cube is opened afresh), opened, and each
    row group's first and last district."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    meta, col = pf.metadata, pf.schema_arrow.get_field_index("district")
    ranges = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(col).statistics
        known = stats is not None and stats.has_min_max
        ranges.append((i, stats.min if known else None, stats.max if known else None))
    return pf, ranges


def _check_months(cube: pd.DataFrame, files: list[StreetFile]) -> pd.Series:
    """Month index of each cube row; stops at a Month value that is not YYYY-MM."""
    ok = cube["month"].astype(str).str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if not ok.all():
        bad = str(cube.loc[~ok, "month"].iloc[0])
        path, line = _locate(files, "Month", bad)
        raise DataError(
            path,
            f"'{bad}' is not a month (YYYY-MM)",
            line=line,
            column="Month",
            hint="download the file again from data.police.uk",
        )
    return _month_indexes(cube["month"])


def _month_indexes(months: pd.Series) -> pd.Series:
    """Month indexes of ``YYYY-MM`` values (checked by _check_months when the cube is read): year * 12 + month - 1,
    as periods.month_index, worked out once for each distinct month."""
    codes, uniques = pd.factorize(months)
    text = pd.Series(uniques, dtype=str)
    index = (text.str[:4].astype("int32") * 12 + text.str[5:7].astype("int32") - 1).to_numpy("int32")
    return pd.Series(index[codes], index=months.index, dtype="int32")


def _locate(files: list[StreetFile], column: str, value, prefix: bool = False) -> tuple[Path, int | None]:
    """File and line of the first row whose ``column`` equals ``value``, or starts with it (``prefix``: an LSOA
    name holds its district's), by a plain csv scan."""
    i = HEADER.index(column)
    for f in files:
        with open_bytes(f.path) as fh:
            reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig", newline=""))
            for line, row in enumerate(reader, start=1):
                if line > 1 and len(row) > i and (row[i].startswith(value) if prefix else row[i] == value):
                    return f.path, line
    return files[0].path, None


def _county_name(force: str) -> str:
    """``Lancashire Constabulary`` -> ``Lancashire``; ``Metropolitan Police Service`` -> ``Metropolitan``."""
    name = re.sub(r"\s+(Constabulary|Police Service|Police Force|Police)$", "", str(force).strip())
    return name or str(force)


# -- the data object the figures read ---------------------------------------------------------
@dataclass
class StreetData(Data):
    """A police.uk folder: the cube, the districts of each county, and what was left out.
    It has no record-level tables (``tables`` stays empty): only the cube."""

    files: list[StreetFile] = field(default_factory=list)
    cube: pd.DataFrame | None = None  # force, district (None: no LSOA), month (index), crime_type, n
    finer: object = None  # the cube's Parquet path, beside which the finer cubes are (streetfiles.FINER); or _Kept
    allow_partial: bool = False
    reused: bool = False
    _excluded: dict = field(default_factory=dict, repr=False, compare=False)  # excluded(), by period

    format = "police.uk"
    described = "these police.uk files"
    district_column = "LSOA name"

    @property
    def months(self) -> set[int]:
        return {f.month for f in self.files}

    def paths(self) -> list[Path]:
        out = [f.path for f in self.files]
        if (areas := table_path(self.folder, "areas")) is not None:
            out.append(areas)
        return sorted(out)

    def missing_months(self, first: int, last: int) -> list[int]:
        have = self.months
        return [m for m in range(first, last + 1) if m not in have]

    def check_period(self, first: int, last: int, label: str) -> None:
        """Refuse a period, or a comparison with the year before it, that has months with no file."""
        p = Period(first, last)
        gaps = self.missing_months(first, last)
        prev = p.previous()
        prev_gaps = self.missing_months(prev.first, prev.last)
        if (gaps or prev_gaps) and not self.allow_partial:
            if gaps:
                what = f"period {label} has no police.uk file for {month_runs(gaps)}"
                if prev_gaps:
                    what += f", nor its comparison with {prev.long_label} for {month_runs(prev_gaps)}"
            else:
                what = (
                    f"the comparison with {prev.long_label} is not possible: "
                    f"no police.uk file for {month_runs(prev_gaps)}"
                )
            raise DataError(
                self.folder,
                what,
                hint="add those months' street files, choose a period whose year before is complete "
                f"(the files cover {month_runs(self.months)}), or use --allow-partial "
                "to publish the months the files have, compared like for like where both years have them",
            )
        if len(gaps) == len(p):
            raise DataError(self.folder, f"period {label} has no police.uk file at all", hint="choose another period")

    def coverage(self, name: str) -> tuple[int, int] | None:
        return (min(self.months), max(self.months)) if self.months else None

    def _finer(self, which: str, district: str, columns: list[str] | None = None) -> pd.DataFrame:
        if isinstance(self.finer, _Kept):
            frame = self.finer.read(which, district, columns)
        else:
            frame = _read_district(FINER[which][0](self.finer), district, columns)
        frame = frame.drop(columns=[c for c in ("force", "district") if c in frame]).reset_index(drop=True)
        if "month" in frame:
            frame["month"] = _month_indexes(frame["month"])
        return frame

    def lsoa(self, district: str) -> pd.DataFrame:
        """The neighbourhood cube of one district: lsoa_code, lsoa_name, month (index), crime_type, n."""
        return self._finer("lsoa", district)

    def points(self, district: str) -> pd.DataFrame:
        """The district's records by lsoa_code, lsoa_name, month (index), asb (True: antisocial behaviour, False:
        a crime) and map point (lon, lat), n: rows with coordinates only."""
        frame = self._finer("points", district)
        names = self._finer("lsoa", district, ["lsoa_code", "lsoa_name"]).groupby("lsoa_code")["lsoa_name"].min()
        return frame.assign(lsoa_name=frame["lsoa_code"].map(names))

    def outcomes(self, district: str) -> pd.DataFrame:
        """The district's crimes by month (index), crime_type and outcome ("" where none is recorded), n."""
        return self._finer("outcomes", district)

    # -- what figures.py reads -------------------------------------------------------------
    def counts(self) -> tuple[pd.DataFrame, dict[str, str]]:
        """Counts per (district, month) for the county districts: one column per measure id."""
        c = self.cube[self.cube["district"].isin(set(self.areas["district"].astype(str)))]
        wide = c.pivot_table(index=["district", "month"], columns="crime_type", values="n", aggfunc="sum").fillna(0)
        wide = wide.astype("int64")
        out = pd.DataFrame(index=wide.index)
        crime_types = [t for t in wide.columns if t != ASB]
        out["all_crime"] = wide[crime_types].sum(axis=1)
        out["asb_incidents"] = wide[ASB] if ASB in wide else 0
        out["theft_offences"] = wide[[t for t in THEFT_TYPES if t in wide]].sum(axis=1)
        source = {"all_crime": "crimes", "asb_incidents": "asb_incidents", "theft_offences": "crimes"}
        for t in sorted(crime_types):
            out[crime_type_id(t)] = wide[t]
            source[crime_type_id(t)] = "crimes"
        for t in KNOWN_TYPES:  # a crime type with no rows in these files is a count of 0, not absent
            if t != ASB and crime_type_id(t) not in out:
                out[crime_type_id(t)] = 0
                source[crime_type_id(t)] = "crimes"
        for t, group in GROUP_OF_TYPE.items():  # the offence group the crime type is (robbery is both)
            if group not in out:
                out[group] = out[crime_type_id(t)]
                source[group] = "crimes"
        return out.sort_index(), source

    def excluded(self, period: Period) -> list[dict]:
        """Rows of the report's two years not counted in any county district, by reason (the same for every
        report of the period: worked out once)."""
        key = (period.first, period.last)
        if key not in self._excluded:
            self._excluded[key] = self._count_excluded(period)
        return [dict(r) for r in self._excluded[key]]

    def _count_excluded(self, period: Period) -> list[dict]:
        window = self.cube["month"].between(period.previous().first, period.last)
        c = self.cube[window]
        ours = set(self.areas["district"].astype(str))
        no_lsoa = c["district"].isna()
        other = ~no_lsoa & ~c["district"].isin(ours)
        return [
            {
                "reason": "no LSOA (the location could not be placed in a district)",
                "rows": int(c.loc[no_lsoa, "n"].sum()),
                "districts": 0,
            },
            {
                "reason": "in districts outside the county (files cover neighbouring areas)",
                "rows": int(c.loc[other, "n"].sum()),
                "districts": int(c.loc[other, "district"].nunique()),
            },
        ]

    @functools.cached_property
    def _parts(self) -> list[tuple[str, int, pd.Series]]:
        """(table name, its rows, its rows by district) for the two tables police.uk files hold together: crimes
        and ASB incidents (worked out once: every report's sources and quality read them)."""
        is_asb = self.cube["crime_type"] == ASB
        parts = [("crimes", self.cube[~is_asb]), ("asb_incidents", self.cube[is_asb])]
        return [(name, int(c["n"].sum()), c.groupby("district")["n"].sum()) for name, c in parts]

    def sources(self, coverage: dict) -> dict:
        first, last = min(self.months), max(self.months)
        gaps = [month_key(m) for m in self.missing_months(first, last)]
        return {
            name: {
                "file": f"{'Antisocial behaviour' if name == 'asb_incidents' else 'Crimes'} in "
                f"{len(self.files)} police.uk street files",
                "rows": rows,
                "first_month": month_key(first),
                "last_month": month_key(last),
                "missing_months": gaps,
            }
            for name, rows, _ in self._parts
        }

    def quality(self, area: str, period: Period, coverage: dict) -> dict:
        first, last = min(self.months), max(self.months)
        gaps = [month_key(m) for m in self.missing_months(first, last)]
        tables = [
            {
                "table": f"{name} (police.uk street files)",
                "rows": rows,
                "area_rows": int(by_district.get(area, 0)),
                "first_month": month_key(first),
                "last_month": month_key(last),
                "window": f"{month_label(first)} to {month_label(last)}",
                "gaps": gaps,
                "area_gaps": [],
            }
            for name, rows, by_district in self._parts
        ]
        missing = [
            {"column": what, "rows": "all records", "blank": None, "of": 0, "affects": affects, "note": "not published"}
            for what, affects in ABSENT_FIELDS
        ]
        prev = period.previous()
        here = [month_key(m) for m in self.missing_months(period.first, period.last)]
        before = [month_key(m) for m in self.missing_months(prev.first, prev.last)]
        return {
            "format": self.format,
            "files": len(self.files),
            "warnings": list(self.warnings),
            "tables": tables,
            "missing": missing,
            "partial_sources": ["crimes", "asb_incidents"] if here or before else [],
            "excluded": self.excluded(period),
            "missing_months": {"period": here, "previous": before},
        }


def _districts(cube: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """District -> county: from areas.csv when the folder has one, else the 1% rule per force."""
    if (path := table_path(folder, "areas")) is not None:
        return read_table(path, contract.TABLES["areas"])
    located = cube[cube["district"].notna()]
    per_force = located.groupby(["force", "district"])["n"].sum()
    force_rows = cube.groupby("force")["n"].sum()
    rows = []
    for (force, district), n in per_force.items():
        if n >= MIN_SHARE * force_rows[force]:
            rows.append({"district": district, "county": _county_name(force), "n": int(n)})
    areas = pd.DataFrame(rows, columns=["district", "county", "n"])
    # a district over 1% in two forces belongs to the one with more of its rows
    areas = areas.sort_values("n", ascending=False).drop_duplicates("district").drop(columns="n")
    areas = areas.sort_values(["county", "district"]).reset_index(drop=True)
    areas.attrs["path"] = folder
    return areas


def _check_names(cube: pd.DataFrame, areas: pd.DataFrame, files: list[StreetFile]) -> None:
    """The names the pages show, as the files write them: none with a hidden character (contract.HIDDEN), and no
    two districts whose folders would be one (``St. Helens`` and ``St Helens``). Each error names a file and line."""
    for column, key in (("LSOA name", "district"), ("Falls within", "force"), ("Crime type", "crime_type")):
        for value in cube[key].dropna().astype(str).unique():
            if re.search(contract.HIDDEN, value):
                path, line = _locate(files, column, value, prefix=column == "LSOA name")
                raise DataError(
                    path,
                    f"{value!r} holds a control character ({contract.hidden_in(value)})",
                    line,
                    column,
                    "the file is not as data.police.uk publishes it: download it again",
                )
    for first, second in contract.slug_clashes(areas["district"].astype(str)):
        path, line = _locate(files, "LSOA name", second, prefix=True)
        raise DataError(
            path,
            f"district '{second}' and district '{first}' would share one folder, {contract.area_slug(first)}, "
            "and so one report and one commentary",
            line,
            "LSOA name",
            "put an areas.csv in the folder that names the districts apart",
        )


def load(folder, allow_partial: bool = False) -> StreetData:
    folder = Path(folder)
    files = find(folder)
    if not files:
        raise DataError(folder, "no police.uk street files (YYYY-MM-<force>-street.csv) in this folder")
    cube, finer, reused = load_cube(folder, files)
    cube["month"] = _check_months(cube, files)
    areas = _districts(cube, folder)
    _check_names(cube, areas, files)
    warnings = []
    unknown = sorted(set(cube["crime_type"].astype(str)) - set(KNOWN_TYPES))
    if unknown:
        warnings.append(
            "crime types not in the police.uk list, each counted in all crime once and under a key of its own: "
            + ", ".join(unknown)
        )
    data = StreetData(
        folder,
        areas,
        warnings=warnings,
        files=files,
        cube=cube,
        finer=finer,
        allow_partial=allow_partial,
        reused=reused,
    )
    if not len(areas):
        raise DataError(folder, "no district holds 1% of the rows: the LSOA names are blank or unreadable")
    return data


__all__ = ["StreetData", "load", "load_cube", "UNAVAILABLE"]
