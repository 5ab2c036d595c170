"""Build the book: figures.json per report, papermill per section, jupyter-book, publish.

Nothing published is touched until everything succeeded:

1. the data are loaded and checked, and every report's figures are computed
   (a bad area, period or input stops here, before any notebook runs);
2. each report is written into ``book/reports/<area>/<period>.staging`` and its
   section notebooks are executed there by papermill in a bounded process pool;
   a failing notebook stops the build, names the report, section and error, and
   leaves the previous pages as they were;
3. the staged reports replace the old ones, ``_toc.yml`` is written from the
   reports present, and jupyter-book builds the site into ``<out>/work``;
4. the new site replaces ``<out>/html`` in one rename.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import contract, figures, narrative, readers
from .periods import parse
from .report import ensure_commentary
from .sections import SECTIONS

HEADLINE_ROWS = [("all_crime", "All crime"), ("vap", "Violence against the person"),
                 ("sexual_offences", "Sexual offences"), ("domestic_abuse", "Domestic abuse"),
                 ("asb_incidents", "Antisocial behaviour incidents"), ("hate_crime", "Hate crime")]
PLURAL = {"sexual_offences", "asb_incidents"}


class BuildError(Exception):
    """A notebook or the site build failed; the published site is unchanged."""


@dataclass
class ReportJob:
    area: str
    period: str  # label
    figs: dict
    final: Path
    staging: Path


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest one up from ``start`` holding ``_config.yml``."""
    p = (start or Path.cwd()).resolve()
    for d in [p, *p.parents]:
        if (d / "_config.yml").exists() and (d / "notebooks").is_dir():
            return d
    raise BuildError(f"no csp-book project (with _config.yml and notebooks/) at or above {p}")


def area_slug(area: str) -> str:
    return contract.slug(area).replace("_", "-")


def _execute(task: tuple) -> tuple[str, str | None]:
    """Run one notebook; returns (name, error or None). Kernel start failures are retried."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    src, dst, params, cwd, log = task
    # the kernel's own chatter (ZMQ/TCP notices) goes to a log file, not the console
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        os.dup2(fh.fileno(), 2)
    for attempt in range(3):
        try:
            nb = pm.execute_notebook(src, dst, parameters=params, cwd=cwd, kernel_name="python3",
                                     progress_bar=False, log_output=False)
            _hide_parameters(nb, dst)
            return Path(src).stem, None
        except PapermillExecutionError as e:
            return Path(src).stem, f"{e.ename}: {e.evalue}"
        except Exception as e:  # kernel died or could not start (ZMQ port clash): retry
            err = f"{type(e).__name__}: {e}"
    return Path(src).stem, f"kernel failed three times: {err}"


def _hide_parameters(nb, path) -> None:
    """Tag the parameter cells (the analyst's defaults and papermill's) so no page shows them."""
    import nbformat

    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def _report_index(figs: dict) -> str:
    """The landing page of one report: headline sentences, table, sections, downloads."""
    lines = [f"# {figs['area']}: {figs['period']['name']}", "",
             f"Community Safety Partnership performance report for **{figs['area']}**, "
             f"{figs['period']['name']} ({figs['period']['label']}), compared with "
             f"{figs['previous']['name']} and with {figs['county']}.", "", "## Headlines", ""]
    for fid, subject in HEADLINE_ROWS:
        lines.append(f"- {narrative.headline(figs, fid, subject, plural=fid in PLURAL)}")
    prev, cur = figs["previous"]["label"], figs["period"]["label"]
    lines += ["", f"| Measure | {prev} | {cur} | Change | % change |", "|:--|--:|--:|--:|--:|"]
    for fid, subject in HEADLINE_ROWS:
        f = figs["figures"][fid]
        lines.append(f"| {subject} | {narrative.num(f['previous'])} | {narrative.num(f['value'])} | "
                     f"{narrative.signed(f['change'])} | {narrative.pct(f['pct_change'], True, trim=False)} |")
    lines += ["", "## Sections", "", "```{tableofcontents}", "```", "", "## Downloads", "",
              "- {download}`figures.json <figures.json>`: every figure of this report, machine-readable.",
              ""]
    return "\n".join(lines)


def _offence_page() -> str:
    rows = ["| Offence | Offence group (Home Office) | Report category |", "|:--|:--|:--|"]
    rows += [f"| {o} | {g} | {c or ''} |" for o, (g, c) in contract.OFFENCES.items()]
    return "\n".join(rows) + "\n"


def _reports_present(root: Path) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, figures) of every report in book/reports, sorted for the toc."""
    out = []
    for fj in sorted((root / "book" / "reports").glob("*/*/figures.json")):
        if fj.parent.name.endswith((".staging", ".old")):
            continue
        out.append((fj.parent.parent.name, fj.parent.name, figures.read(fj)))
    # areas A-Z, latest period first
    out.sort(key=lambda r: (r[2]["area"], [-ord(ch) for ch in r[2]["period"]["end"]]))
    return out


def _write_toc(root: Path) -> None:
    reports = _reports_present(root)
    lines = ["# Written by `csp build` from the reports in book/reports/: edit csp_lib/build.py, not this file.",
             "format: jb-book", "root: book/index", "parts:"]
    listing = ["| Area | Period | Months |", "|:--|:--|:--|"]
    by_area: dict[str, list] = {}
    for a, p, figs in reports:
        by_area.setdefault(figs["area"], []).append((a, p, figs))
    for area, items in by_area.items():
        lines += [f'- caption: "{area}"', "  chapters:"]
        for a, p, figs in items:
            base = f"book/reports/{a}/{p}"
            lines += [f"  - file: {base}/index", f'    title: "{figs["period"]["label"]}"', "    sections:"]
            lines += [f"    - file: {base}/{s.notebook}" for s in SECTIONS]
            listing.append(f"| [{area}](reports/{a}/{p}/index.md) | {figs['period']['label']} | "
                           f"{figs['period']['name']} |")
    lines += ['- caption: "About"', "  chapters:", "  - file: book/methods", ""]
    (root / "_toc.yml").write_text("\n".join(lines), encoding="utf-8")
    gen = root / "book" / "_generated"
    gen.mkdir(exist_ok=True)
    (gen / "reports.md").write_text("\n".join(listing) + "\n" if reports else "*No report built yet.*\n",
                                    encoding="utf-8")
    (gen / "offences.md").write_text(_offence_page(), encoding="utf-8")


def _swap(new: Path, final: Path) -> None:
    """Put ``new`` where ``final`` is, keeping the old one until the rename is done."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    new.rename(final)
    if old.exists():
        shutil.rmtree(old)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(data, areas: list[str], periods: list[str], jobs: int | None = None, out="_build",
          root: Path | None = None) -> Path:
    root = find_root(root)
    data_dir = Path(data).resolve()
    out = (root / out).resolve() if not Path(out).is_absolute() else Path(out)
    _log(f"csp build: reading {data_dir}")
    loaded = readers.load(data_dir)
    cube = figures.build_cube(loaded)
    reports_dir = root / "book" / "reports"
    jobs_ = []
    for area in areas:
        for period in periods:
            figs = figures.Figures(loaded, cube, area, parse(period)).compute()
            final = reports_dir / area_slug(figs["area"]) / parse(period).slug
            jobs_.append(ReportJob(figs["area"], figs["period"]["label"], figs, final,
                                   final.with_name(final.name + ".staging")))
    commentary = root / "commentary"
    tasks, owner = [], {}
    for job in jobs_:
        if job.staging.exists():
            shutil.rmtree(job.staging)
        job.staging.mkdir(parents=True)
        figures.write(job.figs, job.staging / "figures.json")
        (job.staging / "index.md").write_text(_report_index(job.figs), encoding="utf-8")
        params = {"data_dir": os.path.relpath(data_dir, job.staging), "area": job.area,
                  "period": job.period, "figures_file": "figures.json",
                  "commentary_dir": os.path.relpath(commentary, job.staging)}
        for s in SECTIONS:
            ensure_commentary(commentary / area_slug(job.area) / parse(job.period).slug / f"{s.slug}.md",
                              s.slug, job.figs)
            dst = job.staging / f"{s.notebook}.ipynb"
            log = out / "logs" / area_slug(job.area) / parse(job.period).slug / f"{s.notebook}.log"
            tasks.append((str(root / "notebooks" / f"{s.notebook}.ipynb"), str(dst), params,
                          str(job.staging), str(log)))
            owner[str(dst)] = (job, s)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    _log(f"csp build: {len(jobs_)} report(s), {len(tasks)} notebooks, {workers} at a time")
    failures = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for task, (name, err) in zip(tasks, pool.map(_execute, tasks)):
            job, s = owner[task[1]]
            _log(f"  {'FAILED' if err else 'ok    '} {job.area} {job.period} {s.title}")
            if err:
                failures.append(f"{job.area} {job.period}, section '{s.title}' "
                                f"(notebooks/{s.notebook}.ipynb): {err}")
    if failures:
        for job in jobs_:
            shutil.rmtree(job.staging, ignore_errors=True)
        raise BuildError("notebook failed, nothing was published:\n  " + "\n  ".join(failures))
    for job in jobs_:
        _swap(job.staging, job.final)
    _write_toc(root)
    return _site(root, out)


def _site(root: Path, out: Path) -> Path:
    work = out / "work"
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(root), "--path-output", str(work),
           "-W", "--keep-going", "-q"]
    _log("csp build: jupyter-book build")
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book build failed, the published site is unchanged:\n{tail}")
    html = work / "_build" / "html"
    new = out / "html.new"
    if new.exists():
        shutil.rmtree(new)
    shutil.copytree(html, new)
    _swap(new, out / "html")
    return out / "html"


__all__ = ["build", "BuildError", "find_root"]
