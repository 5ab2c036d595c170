"""A force extract of any size: ``csp figures`` on crimes tables of 1, 3, 10 and 30 million rows, against bare
DuckDB and bare Arrow reading and counting the same files.

    .venv/bin/python benchmarks/bench_extract.py [--rows 1000000 3000000] [--folder /tmp/csp-extracts] [--repeat 3]

1. generate (once; kept for the next run): the demo's ``crimes.csv`` (``csp demo-data``, 478,331 rows made
   by ``csp_lib/demo.py``) copied over and over, each copy's ``crime_ref`` given a prefix of its own so that
   every reference stays unique, cut at the number of rows asked; ``areas.csv`` and ``families.csv`` as the
   demo's. Every district, offence and month is the demo's, so the figures are the demo's times the copies.
2. csp: ``csp figures --area Blackpool --period 2016/17`` on the folder (reading, checking, counting the
   cube, then the figures of Lancashire's 14 districts, which do not grow with the rows);
3. bare DuckDB: ``SELECT district, month, offence, count(*) ... GROUP BY ALL`` over the same file, the
   reading and counting any cube needs, fetched as Python tuples;
4. bare Arrow: ``pyarrow.csv.read_csv`` of the same file with the columns typed as csp types them, then a
   ``group_by`` of district, date and offence.

Also timed: csp's read and count alone (``build_cube(load(folder))``). Each runs in its own process under
``/usr/bin/time -v``, so its peak memory (max RSS) is its own, in rounds (``--repeat``, default 3: csp, its
read and count, bare DuckDB, then again; bare Arrow once, or not with ``--no-arrow``), the median run of each
kept; the file is in the page cache for every run (each is read once before). Prints a Markdown table and
writes ``benchmarks/results-extract.json`` (keeping the sizes not run this time, every round included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

DUCKDB = """
import duckdb, sys
con = duckdb.connect()
rows = con.sql("SELECT district, strftime(recorded_date, '%Y-%m') AS month, offence, count(*) FROM "
               "read_csv(?, header = true) GROUP BY ALL", params=[sys.argv[1]]).fetchall()
print(len(rows))
"""

COUNT = """
import sys
from csp_lib.data import load
from csp_lib.figures.cube import build_cube
print(len(build_cube(load(sys.argv[1])).counts))
"""

ARROW = """
import pyarrow as pa, pyarrow.csv as pv, sys
types = {"recorded_date": pa.date32(), "committed_date": pa.date32(), "victim_age": pa.int64(),
         "offender_age": pa.int64(), "district": pa.dictionary(pa.int32(), pa.string()),
         "offence": pa.dictionary(pa.int32(), pa.string())}
t = pv.read_csv(sys.argv[1], convert_options=pv.ConvertOptions(column_types=types, strings_can_be_null=False))
print(t.unify_dictionaries().group_by(["district", "recorded_date", "offence"]).aggregate([([], "count_all")]).num_rows)
"""


def generate(folder: Path, rows: int, demo: Path) -> Path:
    out = folder / f"crimes-{rows}"
    target = out / "crimes.csv"
    if target.exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name in ("areas.csv", "families.csv"):
        shutil.copy2(demo / name, out / name)
    lines = (demo / "crimes.csv").read_bytes().split(b"\n")
    header, body = lines[0], [x for x in lines[1:] if x]
    left, copy = rows, 0
    with open(target.with_suffix(".tmp"), "wb") as fh:
        fh.write(header + b"\n")
        while left > 0:
            part = body[:left]
            prefix = b"K%d" % copy
            fh.write(b"\n".join(prefix + x for x in part) + b"\n")
            left -= len(part)
            copy += 1
    target.with_suffix(".tmp").replace(target)
    return out


def timed(cmd: list[str], env=None) -> dict:
    """Wall time and peak memory of one process, from /usr/bin/time -v."""
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode:
        raise SystemExit(f"{cmd[:4]} failed:\n{r.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", r.stderr).group(1)
    secs = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    user = float(re.search(r"User time \(seconds\): (\S+)", r.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): (\S+)", r.stderr).group(1))
    return {"wall_s": round(secs, 2), "user_s": user, "sys_s": system, "peak_rss_mb": round(rss / 1024)}


def _median(runs: list[dict]) -> dict:
    """The run of median wall time (its CPU and memory with it), and the largest peak of all."""
    mid = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    return {**mid, "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000, 30_000_000])
    ap.add_argument("--folder", type=Path, default=Path("/tmp/csp-extracts"))
    ap.add_argument("--repeat", type=int, default=3, help="rounds of csp and bare DuckDB; the median is kept")
    ap.add_argument("--no-arrow", action="store_true", help="leave out bare Arrow (6.6 GB at 30 million rows)")
    args = ap.parse_args()
    demo = args.folder / "demo"
    if not (demo / "crimes.csv").exists():
        subprocess.run([PY, "-m", "csp_lib.cli", "demo-data", "--output", str(demo)], check=True, cwd=ROOT)
    env = {**os.environ, "CSP_CACHE_DIR": str(args.folder / "cache")}
    results = []
    for rows in args.rows:
        folder = generate(args.folder, rows, demo)
        path = str(folder / "crimes.csv")
        (folder / "crimes.csv").read_bytes() if rows <= 10_000_000 else None  # into the page cache
        rounds = []  # csp, then bare DuckDB, round by round: a slow spell of this shared machine hits both
        for _ in range(args.repeat):
            csp = timed([PY, "-m", "csp_lib.cli", "figures", "--data", str(folder), "--area", "Blackpool",
                         "--period", "2016/17"], env)  # fmt: skip
            count = timed([PY, "-c", COUNT, str(folder)], env)
            rounds.append({"csp": csp, "count": count, "duckdb": timed([PY, "-c", DUCKDB, path])})
        arrow = timed([PY, "-c", ARROW, path]) if not args.no_arrow else None
        row = {"rows": rows, "mb": round((folder / "crimes.csv").stat().st_size / 1e6),
               "csp": _median([r["csp"] for r in rounds]), "count": _median([r["count"] for r in rounds]),
               "duckdb": _median([r["duckdb"] for r in rounds]),
               "arrow": arrow, "ratio_by_round": [round(r["csp"]["wall_s"] / r["duckdb"]["wall_s"], 2) for r in rounds],
               "count_ratio_by_round": [round(r["count"]["wall_s"] / r["duckdb"]["wall_s"], 2) for r in rounds],
               "rounds": rounds}  # fmt: skip
        results.append(row)
        print(json.dumps(row), flush=True)
    head = ["rows", "file MB", "csp figures s (CPU s)", "peak MB", "read and count s (CPU s)", "peak MB"]
    head += ["DuckDB bare s (CPU s)", "peak MB", "Arrow bare s", "peak MB", "csp / DuckDB", "read and count / DuckDB"]
    print("\n| " + " | ".join(head) + " |")
    print("|" + "--:|" * len(head))

    def both(x: dict) -> str:
        return f"{x['wall_s']} ({x['user_s'] + x['sys_s']:.1f})"

    for r in results:
        c, k, d = r["csp"], r["count"], r["duckdb"]
        a = r["arrow"] or {"wall_s": "-", "peak_rss_mb": "-"}
        cells = [f"{r['rows']:,}", f"{r['mb']:,}", both(c), f"{c['peak_rss_mb_max']:,}", both(k)]
        cells += [f"{k['peak_rss_mb_max']:,}", both(d), f"{d['peak_rss_mb_max']:,}", a["wall_s"]]
        cells += [f"{a['peak_rss_mb']:,}" if a["peak_rss_mb"] != "-" else "-", f"{c['wall_s'] / d['wall_s']:.1f}x"]
        cells += [f"{k['wall_s'] / d['wall_s']:.1f}x"]
        print("| " + " | ".join(str(x) for x in cells) + " |")
    target = ROOT / "benchmarks" / "results-extract.json"  # the sizes not run this time are kept (same format)
    kept = json.loads(target.read_text())["results"] if target.exists() else []
    kept = [r for r in kept if "count" in r]
    results = sorted([r for r in kept if r["rows"] not in args.rows] + results, key=lambda r: r["rows"])
    out = {"machine": f"{os.cpu_count()} cores, {platform.python_version()}", "results": results}
    target.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
