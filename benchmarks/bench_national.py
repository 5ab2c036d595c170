"""The book of every partnership: site builds of 16, 64 and 312 reports from national police.uk files.

    .venv/bin/python benchmarks/bench_national.py [--sizes 16 64 312] [--folder /tmp/police_uk_national_2y]
                                                  [--skip dask] [--jobs 2]

1. generate (once; kept for the next run) two years of national street files (2021 and 2022) with
   ``bench_policeuk.generate``: 43 forces, 312 districts, about 6 million rows a year;
2. for each size n, a cold build of the first n districts (A-Z) for 2022-01..2022-12 into a fresh copy of the
   project and a fresh output folder, the police.uk cube already counted (its cost is bench_policeuk's): the
   time of each step (figures, notebooks, books, assembly) from the build's own log, the whole time and the
   peak memory of the build's process tree (sampled every 0.2 s), and the cost per report;
3. on the largest size: the build again with nothing changed, and the build of one more report (the next
   district) into the same book;
4. ``--dask-size`` reports (16) with ``--scheduler local`` (a Dask LocalCluster of 2 workers, warm kernels),
   to set against the process pool's cold build of as many.

Prints a Markdown table and writes ``benchmarks/results-national.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2022-01..2022-12"
STEPS = {
    "figures": r"figures of \d+ report\(s\) ready in ([\d.]+) s",
    "notebooks": r"notebooks ran in ([\d.]+) s",
    "books": r"book\(s\) built in ([\d.]+) s",
}


def generate(folder: Path, rows: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_policeuk

    if not any(folder.glob("2021-*-street.csv")):
        bench_policeuk.generate(folder, rows, year=2021, seed=6)
    if not any(folder.glob("2022-*-street.csv")):
        bench_policeuk.generate(folder, rows, year=2022, seed=7)


def districts(folder: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from csp_lib.data import load

    return sorted(load(folder).areas["district"].astype(str))


def project(dst: Path) -> Path:
    """A copy of the book's sources, as the tests make one."""
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", dst / "_config.yml")
    shutil.copytree(ROOT / "notebooks", dst / "notebooks")
    (dst / "commentary").mkdir()
    shutil.copytree(ROOT / "book", dst / "book", ignore=shutil.ignore_patterns("reports", "_generated"))
    shutil.copytree(ROOT / "docs", dst / "docs")  # the contract and figures.json pages include docs/
    return dst


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd``; its wall time, the peak RSS summed over its process tree, and its log."""
    import psutil

    started = time.perf_counter()
    logfile = cwd / "bench-build.log"
    with open(logfile, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
        top = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                tree = [top, *top.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)
    log = logfile.read_text()
    if proc.returncode:
        raise SystemExit(f"build failed:\n{log[-3000:]}")
    steps = {k: float(m[1]) for k, rx in STEPS.items() if (m := re.search(rx, log))}
    return {"seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak / 2**20), **steps}


def build_cmd(
    folder: Path, areas: list[str], out: Path, jobs: int, scheduler: str | None = None, period: str = PERIOD
) -> list[str]:
    cmd = [sys.executable, "-m", "csp_lib.cli", "build", "--data", str(folder), "--period", period]
    cmd += [x for a in areas for x in ("--area", a)] + ["--out", str(out), "--jobs", str(jobs)]
    return cmd + (["--scheduler", scheduler] if scheduler else [])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[16, 64, 312])
    ap.add_argument("--folder", default="/tmp/police_uk_national_2y")
    ap.add_argument("--work", default="/tmp/bench_national")
    ap.add_argument("--rows", type=int, default=6_000_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip", nargs="*", default=[], choices=["dask", "incremental"])
    ap.add_argument("--dask-size", type=int, default=16, help="reports built on the Dask LocalCluster")
    args = ap.parse_args()
    folder, work = Path(args.folder), Path(args.work)
    generate(folder, args.rows)
    os.environ["CSP_CACHE_DIR"] = str(work / "cube-cache")
    every = districts(folder)  # counts the cube once: the builds below reuse it
    results: dict = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "cold": {}}
    for n in args.sizes:
        areas = every[:n]
        proj = project(work / f"project-{n}")
        r = measure(build_cmd(folder, areas, proj / "_build", args.jobs), proj)
        r["per_report"] = round(r["seconds"] / len(areas), 2)
        results["cold"][len(areas)] = r
        print(f"cold {len(areas)} reports: {r}", flush=True)
    largest = max(args.sizes)
    proj = work / f"project-{largest}"
    for old in work.glob("project-*"):  # keep the disk to the largest book (the incremental runs use it)
        if old != proj:
            shutil.rmtree(old, ignore_errors=True)
    if "incremental" not in args.skip:
        areas = every[:largest]
        results["unchanged"] = measure(build_cmd(folder, areas, proj / "_build", args.jobs), proj)
        print("nothing changed:", results["unchanged"], flush=True)
        # one more report: the next district, or (every district built) the first one's next quarter
        more = ([every[largest]], PERIOD) if largest < len(every) else ([every[0]], "2022-10..2022-12")
        results["one_more"] = measure(build_cmd(folder, more[0], proj / "_build", args.jobs, period=more[1]), proj)
        print("one more report:", results["one_more"], flush=True)
    if "dask" not in args.skip:
        n = args.dask_size
        proj = project(work / f"project-dask-{n}")
        r = measure(build_cmd(folder, every[:n], proj / "_build", args.jobs, scheduler="local"), proj)
        results["dask"] = {n: r}
        print(f"dask {n} reports: {r}", flush=True)
    (ROOT / "benchmarks" / "results-national.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n| reports | seconds | per report | figures | notebooks | books | peak MB |\n|--:|--:|--:|--:|--:|--:|--:|")
    for n, r in results["cold"].items():
        row = [r.get(k, "") for k in ("seconds", "per_report", "figures", "notebooks", "books", "peak_mb")]
        print(f"| {n} | " + " | ".join(str(x) for x in row) + " |")


if __name__ == "__main__":
    main()
