"""Benchmark: every district of the demo county for one period, four ways, in one run.

    .venv/bin/python benchmarks/bench_build.py [--period 2016/17] [--districts N]

1. csp build, cold (no cache): figures once per report, notebooks in a pool of
   one process per core, one jupyter-book build;
2. csp build again with nothing changed (the cache answers), in this process and
   as the ``csp build`` command (Python start-up and imports included);
3. the baseline: a plain sequential papermill loop over the same notebooks with
   their own parameters (each computes its figures from the data, as a notebook
   run by hand does), then one jupyter-book build of the same book;
4. the floor: one empty kernel start per notebook divided by the cores, plus the
   site build alone.

Works on copies of the project in a temporary folder; prints a Markdown table
and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_project  # noqa: E402
from csp_lib import demo  # noqa: E402
from csp_lib.data import contract  # noqa: E402
from csp_lib.figures.sections import discover  # noqa: E402
from csp_lib.publish import build, site  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def single_book_toc(root: Path) -> None:
    """One book of every report (the naive way, and csp's before 2026-11-29): every report's pages in one
    _toc.yml, so one jupyter-book build makes the whole site. ``csp build`` now builds a book per report
    (site.py); ``bench_national.py`` measures that at national scale."""
    site.write_toc(root)  # the front page's list of reports and the offence list
    lines = ["format: jb-book", "root: book/index", "chapters:"]
    for a, p, _ in site.reports_present(root):
        lines += [f"- file: book/reports/{a}/{p}/index", "  sections:"]
        lines += [
            f"  - file: book/reports/{a}/{p}/{f.split(': ')[1]}" for f in site.report_toc(root, a, p).splitlines()[3:]
        ]
    (root / "_toc.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def jupyter_book(root: Path, out: Path) -> float:
    single_book_toc(root)
    exe = Path(sys.executable).with_name("jupyter-book")
    t, res = timed(
        lambda: subprocess.run(
            [str(exe), "build", str(root), "--path-output", str(out), "-q"], capture_output=True, text=True
        )
    )
    if res.returncode:
        raise SystemExit(res.stdout[-2000:] + res.stderr[-2000:])
    return t


def kernel_start() -> float:
    from jupyter_client.manager import start_new_kernel

    t = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    kc.execute_interactive("1", timeout=60, output_hook=lambda msg: None)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return time.perf_counter() - t


def baseline(data: Path, areas: list[str], period: str, proj: Path, ours: Path) -> tuple[float, float]:
    """Sequential papermill over the same notebooks, then one jupyter-book build."""
    import papermill as pm

    t0 = time.perf_counter()
    for area in areas:
        rel = Path("book") / "reports" / contract.report_folder(area, period)
        src_pages, dst = ours / rel, proj / rel
        dst.mkdir(parents=True, exist_ok=True)
        for page in ("index.md", "data-quality.md", "figures.json"):
            shutil.copy2(src_pages / page, dst / page)
        for s in discover(proj / "notebooks"):
            pm.execute_notebook(
                str(proj / "notebooks" / f"{s.notebook}.ipynb"),
                str(dst / f"{s.notebook}.ipynb"),
                parameters={
                    "data_dir": str(data),
                    "area": area,
                    "period": period,
                    "commentary_dir": str(proj / "commentary"),
                },
                cwd=str(dst),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )
    notebooks = time.perf_counter() - t0
    book = jupyter_book(proj, proj / "_work")
    return notebooks, book


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", default="2016/17")
    ap.add_argument("--districts", type=int, default=len(demo.DISTRICTS))
    ap.add_argument("--data", default=str(ROOT / "data" / "demo"))
    args = ap.parse_args()
    data = Path(args.data).resolve()
    areas = list(demo.DISTRICTS)[: args.districts]
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="csp-bench-"))
    (tmp / "ours").mkdir()
    (tmp / "base").mkdir()
    ours, base = copy_project(tmp / "ours"), copy_project(tmp / "base")
    n_nb = len(areas) * len(discover(ours / "notebooks"))
    res = {
        "machine": {"cores": cores, "python": platform.python_version(), "platform": platform.platform()},
        "districts": len(areas),
        "period": args.period,
        "notebooks": n_nb,
    }

    print(f"csp build, cold: {len(areas)} districts x {args.period} ({n_nb} notebooks)", file=sys.stderr)
    res["csp_build_cold_s"], site = timed(lambda: build.build(data, areas, [args.period], root=ours, out="_bench"))
    print("csp build, nothing changed (in this process, then as the csp command)", file=sys.stderr)
    res["csp_build_no_change_in_process_s"], _ = timed(
        lambda: build.build(data, areas, [args.period], root=ours, out="_bench")
    )
    csp = Path(sys.executable).with_name("csp")
    cmd = [str(csp), "build", "--data", str(data), "--period", args.period, "--out", "_bench"]
    cmd += [x for a in areas for x in ("--area", a)]
    res["csp_build_no_change_s"], done = timed(lambda: subprocess.run(cmd, cwd=ours, capture_output=True, text=True))
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    print("floor: empty kernel starts and the site build alone", file=sys.stderr)
    starts = [kernel_start() for _ in range(5)]
    res["kernel_start_s"] = statistics.median(starts)
    shutil.rmtree(ours / "_bench" / "work", ignore_errors=True)
    res["site_build_alone_s"] = jupyter_book(ours, ours / "_bench" / "work")
    res["floor_s"] = res["kernel_start_s"] * n_nb / cores + res["site_build_alone_s"]
    print("baseline: sequential papermill loop, then jupyter-book", file=sys.stderr)
    res["baseline_notebooks_s"], res["baseline_site_s"] = baseline(data, areas, args.period, base, ours)
    res["baseline_s"] = res["baseline_notebooks_s"] + res["baseline_site_s"]
    res["speedup_vs_baseline"] = res["baseline_s"] / res["csp_build_cold_s"]
    res["ratio_to_floor"] = res["csp_build_cold_s"] / res["floor_s"]
    res["peak_rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res["peak_rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    rows = [
        ("csp build, cold", res["csp_build_cold_s"]),
        ("csp build, nothing changed (the csp command)", res["csp_build_no_change_s"]),
        ("  the same, in the benchmark's process", res["csp_build_no_change_in_process_s"]),
        ("baseline: sequential papermill + jupyter-book", res["baseline_s"]),
        ("  of which notebooks", res["baseline_notebooks_s"]),
        ("  of which site build", res["baseline_site_s"]),
        ("floor: kernel start x notebooks / cores + site build", res["floor_s"]),
        ("  empty kernel start (median of 5)", res["kernel_start_s"]),
        ("  site build alone", res["site_build_alone_s"]),
    ]
    print("| run | seconds |\n|---|--:|")
    for name, t in rows:
        print(f"| {name} | {t:,.1f} |")
    print(
        f"\nspeed-up over the baseline: {res['speedup_vs_baseline']:.2f}x; "
        f"csp build / floor: {res['ratio_to_floor']:.2f}x; peak memory of one child process: "
        f"{res['peak_rss_children_mb']:,.0f} MB"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
