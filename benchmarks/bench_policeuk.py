"""National-scale police.uk benchmark: a year of street files for 43 forces, ingested by csp, DuckDB and pandas.

    .venv/bin/python benchmarks/bench_policeuk.py [--rows 6000000] [--folder /tmp/police_uk_national_v2]

1. generate (once; kept for the next run): one ``YYYY-MM-<force>-street.csv`` per force
   and month, rows shared among forces by size, realistic LSOA names
   (``<district> 012C``), map points from a fixed list (about 20 an LSOA, as police.uk's
   anonymised points are), blank LSOAs (about 1.5%) and rows in a neighbouring force's
   districts (about 0.5%), as real downloads have;
2. csp: ``streetfiles.count_cube`` (header checks, DuckDB counting the CSVs into the
   force x district x month x crime type cube, written as Parquet) from a cold cache;
   and the same followed by what a report's process does next, importing pandas and
   reading the cube (``csp_pandas``);
3. bare DuckDB: one ``GROUP BY "Falls within", "Month", "Crime type"`` over the same files
   (the reading and counting any cube needs), and for comparison a ``GROUP BY`` of the
   LSOA name, month and crime type (a group per LSOA: far more groups); the rows are
   fetched as Python tuples: like csp's step, neither imports pandas;
4. pandas: ``read_csv`` of every file then ``groupby(...).size()`` (which drops the
   rows without an LSOA unless told otherwise).

Each runs in its own process, so its peak memory (max RSS) is its own. They run round
by round (``--repeat``, 5 rounds: duckdb, csp, csp_pandas, duckdb_lsoa, pandas, then again), so
that a slow spell of this shared machine hits all of them; the median time of each is
kept, and the ratios are also taken round by round (csp against the ingests run just
before and after it) and their median reported. The files are in the page cache for
every run. Prints a Markdown table and writes ``benchmarks/results-policeuk.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the 43 territorial police forces of England and Wales: (file slug, "Falls within", share of rows %)
FORCES = [
    ("avon-and-somerset", "Avon and Somerset Constabulary", 2.6),
    ("bedfordshire", "Bedfordshire Police", 1.0),
    ("cambridgeshire", "Cambridgeshire Constabulary", 1.2),
    ("cheshire", "Cheshire Constabulary", 1.7),
    ("city-of-london", "City of London Police", 0.2),
    ("cleveland", "Cleveland Police", 1.4),
    ("cumbria", "Cumbria Constabulary", 0.6),
    ("derbyshire", "Derbyshire Constabulary", 1.6),
    ("devon-and-cornwall", "Devon & Cornwall Police", 2.0),
    ("dorset", "Dorset Police", 0.9),
    ("durham", "Durham Constabulary", 1.0),
    ("dyfed-powys", "Dyfed-Powys Police", 0.5),
    ("essex", "Essex Police", 2.9),
    ("gloucestershire", "Gloucestershire Constabulary", 0.8),
    ("greater-manchester", "Greater Manchester Police", 6.5),
    ("gwent", "Gwent Police", 0.9),
    ("hampshire", "Hampshire Constabulary", 2.9),
    ("hertfordshire", "Hertfordshire Constabulary", 1.6),
    ("humberside", "Humberside Police", 1.7),
    ("kent", "Kent Police", 3.2),
    ("lancashire", "Lancashire Constabulary", 2.6),
    ("leicestershire", "Leicestershire Police", 1.5),
    ("lincolnshire", "Lincolnshire Police", 0.9),
    ("merseyside", "Merseyside Police", 2.6),
    ("metropolitan", "Metropolitan Police Service", 16.0),
    ("norfolk", "Norfolk Constabulary", 1.0),
    ("north-wales", "North Wales Police", 0.9),
    ("north-yorkshire", "North Yorkshire Police", 0.9),
    ("northamptonshire", "Northamptonshire Police", 1.2),
    ("northumbria", "Northumbria Police", 2.4),
    ("nottinghamshire", "Nottinghamshire Police", 1.8),
    ("south-wales", "South Wales Police", 2.0),
    ("south-yorkshire", "South Yorkshire Police", 2.7),
    ("staffordshire", "Staffordshire Police", 1.6),
    ("suffolk", "Suffolk Constabulary", 0.8),
    ("surrey", "Surrey Police", 1.1),
    ("sussex", "Sussex Police", 2.2),
    ("thames-valley", "Thames Valley Police", 3.0),
    ("warwickshire", "Warwickshire Police", 0.7),
    ("west-mercia", "West Mercia Police", 1.8),
    ("west-midlands", "West Midlands Police", 6.0),
    ("west-yorkshire", "West Yorkshire Police", 6.0),
    ("wiltshire", "Wiltshire Police", 0.8),
]
CRIME_TYPES = [  # (type, share %) close to the national mix
    ("Anti-social behaviour", 18.0),
    ("Violence and sexual offences", 33.0),
    ("Public order", 8.0),
    ("Criminal damage and arson", 8.0),
    ("Other theft", 6.5),
    ("Shoplifting", 6.0),
    ("Vehicle crime", 5.5),
    ("Burglary", 4.0),
    ("Drugs", 2.8),
    ("Robbery", 1.2),
    ("Theft from the person", 1.5),
    ("Bicycle theft", 1.3),
    ("Possession of weapons", 0.8),
    ("Other crime", 3.4),
]
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Awaiting court outcome",
    "",
]
STEMS = (
    "Ash Brad Bram Burn Car Ches Dar Dun Ell Fair Glen Hal Hart Kings Lang Lin Mar Mill North Ox Pen Ravens "
    "Rich Sel South Stan Thorn Wal West Wood"
).split()
ENDS = "bury ford field ham ley mouth port stead ton wick worth borough dale minster cester".split()


def districts_of(force_index: int, share: float) -> list[str]:
    """Realistic-looking district names, more for bigger forces (about 330 in all)."""
    n = max(1, round(share * 2.4 + 2))
    out = []
    for j in range(n):
        k = force_index * 13 + j * 7
        name = STEMS[k % len(STEMS)] + ENDS[(k // len(STEMS) + j) % len(ENDS)]
        out.append(name if j % 5 else f"{name} and {STEMS[(k + 3) % len(STEMS)]}{ENDS[j % len(ENDS)]}")
    return sorted(set(out))


def generate(folder: Path, rows: int, year: int = 2022, seed: int = 7) -> dict:
    """One year of street files for 43 forces; returns counts for the report."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shares = np.array([s for _, _, s in FORCES]) / sum(s for _, _, s in FORCES)
    types = np.array([t for t, _ in CRIME_TYPES])
    tprob = np.array([p for _, p in CRIME_TYPES]) / sum(p for _, p in CRIME_TYPES)
    all_districts = [districts_of(i, s) for i, (_, _, s) in enumerate(FORCES)]
    number = {d: k for k, d in enumerate(sorted({d for ds in all_districts for d in ds}))}
    written = 0
    for month in range(1, 13):
        key = f"{year}-{month:02d}"
        for i, (slug, falls_within, _) in enumerate(FORCES):
            n = int(rows * shares[i] / 12 * rng.uniform(0.92, 1.08))
            ds = all_districts[i]
            # 0.5% of rows in a neighbouring force's districts, 1.5% with no LSOA
            neighbour = all_districts[(i + 1) % len(FORCES)]
            pick = np.where(
                rng.random(n) < 0.005,
                rng.integers(len(ds), len(ds) + len(neighbour), n),
                rng.integers(0, len(ds), n),
            )
            d = np.array(ds + neighbour)[pick]
            # about 120 LSOAs a district (37,000 in all, as in England and Wales), each with one code and one name
            idx = rng.integers(0, 120, n)
            letter = np.array(list("ABCD"))[idx % 4]
            names = np.char.add(
                np.char.add(d.astype(str), " "), np.char.add(np.char.zfill((idx // 4 + 1).astype(str), 3), letter)
            )
            code_no = np.array([number[x] for x in ds + neighbour])[pick] * 120 + idx
            codes = np.char.add("E0", np.char.zfill(code_no.astype(str), 7))
            blank = rng.random(n) < 0.015
            names = np.where(blank, "", names)
            codes = np.where(blank, "", codes)
            t = types[rng.choice(len(types), n, p=tprob)]
            ids = np.frombuffer(rng.bytes(32 * n).hex().encode(), dtype="S64").astype(str)
            ids = np.where(t == "Anti-social behaviour", "", ids)
            # map points as police.uk has them: a fixed list (about 20 an LSOA, 750,000 in all), not one a record
            point = rng.integers(0, 20, n)
            lon = np.round(-3.2 + (code_no * 7919 % 3700) / 1000 + 0.0007 * (point % 5), 6).astype(str)
            lat = np.round(50.5 + (code_no * 104729 % 4300) / 1000 + 0.0005 * (point // 5), 6).astype(str)
            table = pa.table(
                {
                    "Crime ID": ids,
                    "Month": np.full(n, key),
                    "Reported by": np.full(n, falls_within),
                    "Falls within": np.full(n, falls_within),
                    "Longitude": np.where(blank, "", lon),
                    "Latitude": np.where(blank, "", lat),
                    "Location": np.where(blank, "No Location", "On or near High Street"),
                    "LSOA code": codes,
                    "LSOA name": names,
                    "Crime type": t,
                    "Last outcome category": np.where(
                        t == "Anti-social behaviour", "", np.array(OUTCOMES)[rng.integers(0, 6, n)]
                    ),
                    "Context": np.full(n, ""),
                }
            )
            with open(folder / f"{key}-{slug}-street.csv", "wb") as fh:  # the header unquoted, as police.uk writes it
                fh.write((",".join(table.column_names) + "\n").encode())
                pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
            written += n
    return {"rows": written, "files": 12 * len(FORCES), "districts": sum(len(d) for d in all_districts)}


# -- the three ingests, each run in its own process -------------------------------------------
def run_csp(folder: str) -> dict:
    """What ``csp`` does on a cold cache: header checks, then DuckDB counts the files into the Parquet cube."""
    sys.path.insert(0, str(ROOT))
    import duckdb

    from csp_lib.data import streetfiles

    cube = streetfiles.count_cube(streetfiles.find(folder), Path(os.environ["BENCH_TMP"]) / "cube.parquet")
    rows, n, no_lsoa = duckdb.sql(
        f"SELECT count(*), sum(n), sum(n) FILTER (WHERE district IS NULL) FROM '{cube}'"
    ).fetchall()[0]
    return {"cube_rows": rows, "rows": int(n), "no_lsoa": int(no_lsoa)}


def run_csp_pandas(folder: str) -> dict:
    """The same, then the cube read into pandas, as a report's process does next (pandas imported)."""
    out = run_csp(folder)
    import pandas as pd

    cube = pd.read_parquet(Path(os.environ["BENCH_TMP"]) / "cube.parquet")
    return {**out, "rows": int(cube["n"].sum())}


def _duckdb(folder: str, keys: str) -> dict:
    import duckdb

    files = sorted(str(p) for p in Path(folder).glob("*-street.csv"))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    rows = con.sql(f"SELECT {keys}, count(*)::BIGINT AS n FROM read_csv({files!r}) GROUP BY ALL").fetchall()
    return {"cube_rows": len(rows), "rows": sum(r[-1] for r in rows)}


def run_duckdb(folder: str) -> dict:
    """The bare GROUP BY: force x month x crime type, no district."""
    return _duckdb(folder, '"Falls within", "Month", "Crime type"')


def run_duckdb_lsoa(folder: str) -> dict:
    """For comparison: GROUP BY the LSOA name (a group per LSOA, month and type)."""
    return _duckdb(folder, '"LSOA name", "Month", "Crime type"')


def run_pandas(folder: str) -> dict:
    import pandas as pd

    files = sorted(Path(folder).glob("*-street.csv"))
    df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    df["district"] = df["LSOA name"].str.replace(r"\s+\S+$", "", regex=True)
    g = df.groupby(["Falls within", "district", "Month", "Crime type"]).size()
    return {"cube_rows": len(g), "rows": int(g.sum()), "rows_read": len(df)}


def measure(kind: str, folder: Path) -> dict:
    """Wall time and peak memory of one ingest in a fresh process."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_policeuk as b; "
        f"print(json.dumps(b.run_{kind}({str(folder)!r})))"
    )
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # reaps the child with its own resource usage
    seconds = time.perf_counter() - t
    if status:
        raise SystemExit(f"{kind} failed (status {status})")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),  # both cores' time: the work, whatever the wait
        "peak_mb": round(usage.ru_maxrss / 1024),
        **json.loads(out.strip().splitlines()[-1]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=6_000_000)
    ap.add_argument("--folder", default="/tmp/police_uk_national_v2")
    ap.add_argument("--skip", nargs="*", default=[], choices=["pandas"], help="leave out a slow baseline")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each ingest (the median is kept)")
    args = ap.parse_args()
    folder = Path(args.folder)
    if not any(folder.glob("*-street.csv")):
        t = time.perf_counter()
        info = generate(folder, args.rows)
        print(
            f"generated {info['rows']:,} rows in {info['files']} files in {time.perf_counter() - t:.0f} s", flush=True
        )
    size = sum(p.stat().st_size for p in folder.glob("*-street.csv"))
    os.environ["BENCH_TMP"] = str(folder.parent)
    kinds = ["duckdb", "csp", "csp_pandas", "duckdb_lsoa"] + (["pandas"] if "pandas" not in args.skip else [])
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for i in range(args.repeat):  # round by round, so that a slow spell of the machine hits every ingest
        for kind in kinds:
            runs[kind].append(measure(kind, folder))
            print(f"round {i + 1}", kind, runs[kind][-1]["seconds"], flush=True)
    results = {}
    for kind, rs in runs.items():
        median = sorted(rs, key=lambda r: r["seconds"])[len(rs) // 2]
        results[kind] = {
            **median,
            "runs": [r["seconds"] for r in rs],
            "cpu_runs": [r["cpu_seconds"] for r in rs],
            "peak_mb": max(r["peak_mb"] for r in rs),
        }
    paired = {
        k: round(sorted(b["seconds"] / a["seconds"] for a, b in zip(runs["csp"], rs))[len(rs) // 2], 2)
        for k, rs in runs.items()
        if k != "csp"
    }
    report = {
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        "date": time.strftime("%Y-%m-%d"),
        "csv_bytes": size,
        "files": len(list(folder.glob("*-street.csv"))),
        "results": results,
        "round_by_round_x_csp": paired,  # median over rounds of (other ingest's time / csp's time)
    }
    (ROOT / "benchmarks" / "results-policeuk.json").write_text(json.dumps(report, indent=2) + "\n")
    d, c = results["duckdb"]["seconds"], results["csp"]["seconds"]
    print("\n| ingest | seconds | CPU seconds | peak MB | rows counted |\n|---|--:|--:|--:|--:|")
    for k, r in results.items():
        print(f"| {k} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_mb']:,} | {r['rows']:,} |")
    print(
        f"\ncsp / bare DuckDB: {c / d:.2f}x (round by round: {1 / paired['duckdb']:.2f}x)"
        + (
            f"; pandas / csp: {results['pandas']['seconds'] / c:.1f}x (round by round: {paired['pandas']:.1f}x)"
            if "pandas" in results
            else ""
        )
    )


if __name__ == "__main__":
    main()
