"""Build the book: figures.json per report, papermill per section, jupyter-book, publish.

Nothing published is touched until everything succeeded:

1. every report's figures are computed (or taken from the cache while the data
   files and the code are unchanged); a bad area, period or input stops here,
   before any notebook runs;
2. each report is written into ``book/reports/<area>/<period>.staging``; its
   section notebooks are restored from the cache when nothing they depend on
   changed, and the others are executed there by papermill in a bounded process
   pool (or on a Dask cluster); a failing notebook stops the build, names the
   report, section and error, and leaves the previous pages as they were;
3. the staged reports replace the old ones (rewriting only files whose content
   changed, so jupyter-book rebuilds only those pages), ``_toc.yml`` is written
   from the reports present, and jupyter-book builds the site into ``<out>/work``;
4. the new site replaces ``<out>/html`` in one rename.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from . import cache, contract, disclosure, downloads, figures, narrative, paper, quality, readers
from .periods import month_runs, parse
from .report import ensure_commentary
from .sections import discover

# id, name, section page: the landing page's tiles and headline sentences
HEADLINE_TILES = [
    ("all_crime", "All crime", "01-overview"),
    ("vap", "Violence against the person", "02-violence"),
    ("sexual_offences", "Sexual offences", "03-sexual-offences"),
    ("domestic_abuse", "Domestic abuse", "04-domestic-abuse"),
    ("asb_incidents", "Antisocial behaviour incidents", "05-antisocial-behaviour"),
    ("hate_crime", "Hate crime", "07-hate-crime"),
]
# police.uk open data has no VAP, sexual offences, domestic abuse or hate crime: its own groups instead
OPEN_DATA_TILES = [
    ("all_crime", "All crime", "01-overview"),
    ("violence_and_sexual_offences", "Violence and sexual offences", "02-violence"),
    ("theft_offences", "Theft offences", "01-overview"),
    ("criminal_damage_and_arson", "Criminal damage and arson", "01-overview"),
    ("asb_incidents", "Antisocial behaviour incidents", "05-antisocial-behaviour"),
    ("public_order", "Public order offences", "01-overview"),
]
OGL = (
    "Contains public sector information licensed under the "
    "[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/) "
    "(source: data.police.uk)."
)
WORKBOOK = "report.xlsx"


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


def _stderr_to(log) -> None:
    """Send this process's standard error (and a kernel started from now on) to ``log``."""
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        os.dup2(fh.fileno(), 2)


def _execute(task: tuple) -> tuple[str, str | None]:
    """Run one notebook with papermill on a kernel of its own (a Dask worker: no kernel
    outlives a task); returns (name, error or None). Kernel start failures are retried.

    The kernel's own chatter (ZMQ/TCP notices) goes to the task's log file, not the
    worker's console, for the duration of the task.
    """
    saved = os.dup(2)
    _stderr_to(task[4])
    try:
        return _retrying(task[0], lambda: _run_papermill(*task[:4]))
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _run_papermill(src: str, dst: str, params: dict, cwd: str) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        nb = pm.execute_notebook(
            src, dst, parameters=params, cwd=cwd, kernel_name="python3", progress_bar=False, log_output=False
        )
    except PapermillExecutionError as e:
        raise _NotebookError(f"{e.ename}: {e.evalue}") from None
    _hide_parameters(nb, dst)


class _NotebookError(Exception):
    """A cell raised: the analysis failed, not the kernel."""


def _retrying(src: str, run, after_failure=None) -> tuple[str, str | None]:
    """(name, None) once ``run()`` ran the notebook, or (name, the error): a cell that raised is
    reported at once; a kernel that could not start or died (papermill's ZMQ port clash under
    parallel runs) is tried three times, ``after_failure`` called after each."""
    err = ""
    for _attempt in range(3):
        try:
            run()
            return Path(src).stem, None
        except _NotebookError as e:
            return Path(src).stem, str(e)
        except Exception as e:  # noqa: BLE001 - any kernel failure is retried
            err = f"{type(e).__name__}: {e}"
            if after_failure is not None:
                after_failure()
    return Path(src).stem, f"kernel failed three times: {err}"


# -- warm kernels: one per pool worker, reused from notebook to notebook --------------------------
_WARM: dict = {}  # this worker process's kernel: {"km": KernelManager, "kc": KernelClient}
WARM_UP = "import pandas, seaborn, matplotlib.pyplot, csp_lib.report, csp_lib.charts, csp_lib.narrative"


def _warm_kernel():
    """This worker's kernel, started (and the heavy imports made) on first use."""
    km = _WARM.get("km")
    if km is not None and km.is_alive():
        return _WARM["km"], _WARM["kc"]
    from multiprocessing import util

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    kc.execute_interactive(WARM_UP, timeout=300, store_history=False)
    _WARM.update(km=km, kc=kc)
    # pool workers leave through multiprocessing, which runs these finalizers (not atexit)
    util.Finalize(None, _stop_kernel, exitpriority=10)
    return km, kc


def _stop_kernel() -> None:
    km, kc = _WARM.pop("km", None), _WARM.pop("kc", None)
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        km.shutdown_kernel(now=True)


def _execute_warm(task: tuple) -> tuple[str, str | None]:
    """Run one notebook on this worker's warm kernel: its namespace is cleared, matplotlib
    figures closed and the working folder set first, so each notebook starts as in a fresh
    kernel but without the start and the imports. A kernel that fails is replaced."""
    _stderr_to(task[4])
    return _retrying(task[0], lambda: _run_warm(*task[:4]), after_failure=_stop_kernel)


def _run_warm(src: str, dst: str, params: dict, cwd: str) -> tuple[str, None]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    km, kc = _warm_kernel()
    reset = (
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import os as _os, matplotlib.pyplot as _plt\n"
        f"_plt.close('all'); _os.chdir({cwd!r}); del _os, _plt"
    )
    reply = kc.execute_interactive(reset, timeout=120, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")
    nb = parameterize_notebook(load_notebook_node(src), params, kernel_name="python3", language="python")
    client = NotebookClient(nb, km=km, timeout=900, kernel_name="python3", resources={"metadata": {"path": cwd}})
    client.kc = kc
    try:
        client.execute()
    except CellExecutionError as e:
        raise _NotebookError(f"{e.ename}: {e.evalue}") from None
    _hide_parameters(nb, dst)
    return Path(src).stem, None


def _hide_parameters(nb, path) -> None:
    """Tag the parameter cells (the analyst's defaults and papermill's) so no page shows them."""
    import nbformat

    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def _tile(figs: dict, fid: str, name: str, href: str) -> str:
    f = figs["figures"].get(fid, {})
    if f.get("value") is None:
        return (
            f'<a class="csp-tile" href="{href}"><span class="csp-tile-label">{name}</span>'
            f'<span class="csp-tile-value">n/a</span><span class="csp-tile-change">{f.get("note", "not in the data")}'
            "</span></a>"
        )
    if f.get("change") is None:
        change, cls, arrow = "no earlier year", "same", ""
    else:
        cls = "up" if f["change"] > 0 else "down" if f["change"] < 0 else "same"
        arrow = {"up": "&#9650; ", "down": "&#9660; ", "same": "&#9654; "}[cls]
        change = f"{narrative.signed(f['change'])} ({narrative.pct(f['pct_change'], True, trim=False)})"
    prev = (
        f'<span class="csp-tile-prev">{narrative.short(figs, "previous")}: {narrative.num(f["previous"])}</span>'
        if f.get("previous") is not None
        else ""
    )
    return (
        f'<a class="csp-tile" href="{href}" aria-label="{name}: {narrative.num(f["value"])}, {change}">'
        f'<span class="csp-tile-label">{name}</span>'
        f'<span class="csp-tile-value">{narrative.num(f["value"])}</span>'
        f'<span class="csp-tile-change {cls}">{arrow}{change}</span>{prev}</a>'
    )


def _report_index(figs: dict, folder: Path, paper_name: str | None = None) -> str:
    """The landing page of one report: tiles, summary, headline sentences, sections, sources, downloads."""
    open_data = figs.get("data_format") == "police.uk"
    headline_tiles = OPEN_DATA_TILES if open_data else HEADLINE_TILES
    tiles = "".join(_tile(figs, fid, name, f"{page}.html") for fid, name, page in headline_tiles)
    lines = [
        f"# {figs['area']}: {narrative.period_name(figs)}",
        "",
        narrative.banner(figs),
        f"Community Safety Partnership performance report for **{figs['area']}**, "
        f"{narrative.period_name(figs)}, {narrative.compared_phrase(figs)}.",
        "",
        f'<div class="csp-tiles">{tiles}</div>',
        "",
        narrative.summary(figs, [(fid, name) for fid, name, _ in headline_tiles[1:]]),
        "",
        "## Headlines",
        "",
    ]
    for fid, subject, _ in headline_tiles:
        lines.append(f"- {narrative.headline(figs, fid, subject)}")
    lines += [
        "",
        "## Sections",
        "",
        "```{tableofcontents}",
        "```",
        "",
        "## Data sources",
        "",
        f"Made from: {narrative.source_line(figs)}",
        "",
        "| Table | Records | Months covered |",
        "|:--|--:|:--|",
    ]
    for src in figs["sources"].values():
        a, b = parse(src["first_month"]), parse(src["last_month"])
        months = f"{a.long_label} to {b.long_label}"
        if src.get("missing_months"):
            months += f" (no file for {month_runs(src['missing_months'])})"
        lines.append(f"| {src['file']} | {src['rows']:,} | {months} |")
    if open_data:
        lines += ["", narrative.open_data_note(figs), "", OGL]
    lines += [
        "",
        "## Downloads",
        "",
        "- [figures.json](figures.json): every figure of this report, machine-readable "
        "(see the methods page for definitions).".replace(
            "[figures.json](figures.json)", '<a href="figures.json" download>figures.json</a>'
        ),
    ]
    if paper_name:
        lines.append(
            f'- <a href="{paper_name}" download>The committee paper (PDF)</a>: the report as it goes to '
            "the scrutiny committee, with the cover, recommendation and considerations."
        )
    xlsx = folder / "downloads" / WORKBOOK
    if xlsx.exists():
        lines.append(
            f'- <a href="downloads/{WORKBOOK}" download>The whole report as one Excel workbook</a>: '
            "every figure and every table, a sheet each."
        )
    for csv in sorted((folder / "downloads").glob("*.csv")):
        lines.append(f'- <a href="downloads/{csv.name}" download>{csv.name}</a>')
    return "\n".join(lines) + "\n"


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
    lines = [
        "# Written by `csp build` from the reports in book/reports/: edit csp_lib/build.py, not this file.",
        "format: jb-book",
        "root: book/index",
        "parts:",
    ]
    listing = ["| Area | Period | Months | Made from |", "|:--|:--|:--|:--|"]
    by_area: dict[str, list] = {}
    for a, p, figs in reports:
        by_area.setdefault(figs["area"], []).append((a, p, figs))
    for area, items in by_area.items():
        lines += [f'- caption: "{area}"', "  chapters:"]
        for a, p, figs in items:
            base = f"book/reports/{a}/{p}"
            lines += [f"  - file: {base}/index", f'    title: "{narrative.short(figs)}"', "    sections:"]
            here = root / base
            lines += [
                f"    - file: {base}/{s.notebook}"
                for s in discover(root / "notebooks")
                if (here / f"{s.notebook}.ipynb").exists()
            ]
            lines += [f"    - file: {base}/data-quality"]
            listing.append(
                f"| [{area}](reports/{a}/{p}/index.md) | {narrative.short(figs)} | {narrative.period_name(figs)} "
                f"| {'**Demonstration data** (invented)' if narrative.demo(figs) else narrative.source_line(figs)} |"
            )
    lines += ['- caption: "About"', "  chapters:", "  - file: book/methods", ""]
    (root / "_toc.yml").write_text("\n".join(lines), encoding="utf-8")
    gen = root / "book" / "_generated"
    gen.mkdir(exist_ok=True)
    (gen / "reports.md").write_text(
        "\n".join(listing) + "\n" if reports else "*No report built yet.*\n", encoding="utf-8"
    )
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


def build(
    data,
    areas: list[str],
    periods: list[str],
    jobs: int | None = None,
    out="_build",
    root: Path | None = None,
    suppression: bool = True,
    scheduler: str | None = None,
    allow_partial: bool = False,
    pdf: bool = False,
) -> Path:
    """Build the reports of ``areas`` x ``periods`` and publish the site; returns its folder.

    ``suppression=False`` makes the analyst's internal build: no small count is withheld.
    ``scheduler`` sends the notebooks to a Dask cluster (an address, or ``local``).
    ``allow_partial`` publishes police.uk periods with missing months, labelled.
    ``pdf`` also prints each report's committee paper (``commentary/<area>/<period>/cover.yml``).
    """
    root = find_root(root)
    data_dir = Path(data).resolve()
    out = (root / out).resolve() if not Path(out).is_absolute() else Path(out)
    store = cache.Cache(out / "cache")
    pool = _Pool(jobs or os.cpu_count() or 1, out / "logs") if not scheduler else None
    try:
        # the workers' kernels start while the data are read and the figures computed
        jobs_ = _reports(data_dir, areas, periods, root, store, suppression, allow_partial, pool)
        covers = _covers(jobs_, root) if pdf else {}
        tasks, owner, reused = _stage(jobs_, data_dir, root, out, store)
        workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
        _log(
            f"csp build: {len(jobs_)} report(s), {len(owner)} notebooks: {reused} unchanged and reused, "
            f"{len(tasks)} to run" + (f", {workers} at a time" if tasks and not scheduler else "")
        )
        failures = []
        started = time.perf_counter()
        for task, err in _run(tasks, workers, scheduler, pool):
            job, s, key = owner[task[1]]
            if err:
                failures.append(f"{job.area} {job.period}, section '{s.title}' (notebooks/{s.notebook}.ipynb): {err}")
            else:
                store.store_notebook(key, Path(task[1]))
        if tasks:
            _log(f"csp build: {len(tasks)} notebooks ran in {time.perf_counter() - started:.1f} s")
    finally:
        if pool is not None:
            pool.close()
    if failures:
        for job in jobs_:
            shutil.rmtree(job.staging, ignore_errors=True)
        raise BuildError("notebook failed, nothing was published:\n  " + "\n  ".join(failures))
    clashes = [c for job in jobs_ for c in _shared_downloads(job)]
    if clashes:
        for job in jobs_:
            shutil.rmtree(job.staging, ignore_errors=True)
        raise BuildError("two tables would download as one file, nothing was published:\n  " + "\n  ".join(clashes))
    for job in jobs_:
        _workbook(job, store)
        paper_name = paper.file_name(job.figs) if pdf else None
        (job.staging / "index.md").write_text(_report_index(job.figs, job.staging, paper_name), encoding="utf-8")
        (job.staging / "data-quality.md").write_text(_with_banner(quality.page(job.figs), job.figs), encoding="utf-8")
        _sync(job.staging, job.final)
        if not pdf:  # a report built without --pdf offers no paper (its landing page has no link)
            for old in job.final.glob("*.pdf"):
                old.unlink()
    for gone in _other_sources(root, jobs_):
        _log(f"csp build: {gone.relative_to(root)} was made from another data folder: left out of this site")
        shutil.rmtree(gone)
        if not any(gone.parent.iterdir()):
            gone.parent.rmdir()
    _write_toc(root)
    return _site(root, out, [(job, covers[job.final]) for job in jobs_] if pdf else [], store)


def _with_banner(page: str, figs: dict) -> str:
    """A page's markdown with the demonstration notice under its title (when the report is a demo)."""
    title, _, rest = page.partition("\n")
    return f"{title}\n\n{narrative.banner(figs)}{rest}" if narrative.demo(figs) else page


def _other_sources(root: Path, jobs_: list[ReportJob]) -> list[Path]:
    """Reports in book/reports made from another data folder than this build's. A site shows the reports of
    one data folder: building from another (the demo, then police.uk files) leaves the earlier ones out, so
    invented and real figures never sit side by side. Their commentary stays in commentary/, and building
    from their folder again brings them back."""
    mine = {(j.figs.get("source", {}).get("kind"), j.figs.get("source", {}).get("folder")) for j in jobs_}
    out = []
    for a, p, figs in _reports_present(root):
        s = figs.get("source", {})
        if (s.get("kind"), s.get("folder")) not in mine:
            out.append(root / "book" / "reports" / a / p)
    return out


def _shared_downloads(job: ReportJob) -> list[str]:
    """Download files that the pages of one report link from more than one section: each would hold
    only the table written last."""
    owners: dict[str, list[str]] = {}
    for nb in sorted(job.staging.glob("*.ipynb")):
        for name in downloads.linked(nb.read_text(encoding="utf-8")):
            owners.setdefault(name, []).append(nb.stem)
    return [f"{job.area} {job.period}: {name} is linked by {', '.join(o)}" for name, o in owners.items() if len(o) > 1]


def _workbook(job: ReportJob, store: cache.Cache) -> None:
    """The report's Excel workbook, from the cache while its figures and tables are unchanged."""
    folder = job.staging / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    tables = [x for p in sorted(folder.glob("*.csv")) for x in (p.name, p.read_bytes())]
    key = cache.digest("workbook", cache.code_digest(), figures.dumps(job.figs), *tables)
    kept = store.folder / "workbooks" / f"{key}.xlsx"
    if kept.exists():
        shutil.copy2(kept, folder / WORKBOOK)
        return
    downloads.write_workbook(job.figs, folder, folder / WORKBOOK)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(folder / WORKBOOK, kept)


def _covers(jobs_: list[ReportJob], root: Path) -> dict[Path, dict]:
    """Each report's cover.yml (made from the template when absent), read before any notebook runs."""
    out = {}
    base = paper.site_url(root)
    for job in jobs_:
        path = paper.ensure_cover(paper.cover_path(root / "commentary", job.figs), job.figs)
        try:
            cover = paper.read_cover(path)
        except paper.PaperError as e:
            raise BuildError(str(e)) from None
        cover["online_url"] = cover["online_url"] or paper.online_url(base, job.final.relative_to(root).as_posix())
        out[job.final] = cover
    return out


def _reports(
    data_dir: Path, areas, periods, root: Path, store, suppression: bool, allow_partial: bool = False, pool=None
) -> list[ReportJob]:
    """Figures of every report, from the cache while the data and code are unchanged. Disclosure control
    runs on every district of the county at once (their figures are computed too), so a report reads alike
    whether it is published alone or beside the county's others."""
    data_key = cache.data_digest(data_dir)
    threshold = disclosure.threshold_from(root)
    state: dict = {}

    def internal(area: str, p) -> dict:
        key = store.figures_key(data_key, area, p.label + (" partial" if allow_partial else ""))
        figs = store.get_figures(key)
        if figs is None:
            if "data" not in state:
                if pool is not None:
                    pool.warm()
                _log(f"csp build: reading {data_dir}")
                started = time.perf_counter()
                state["data"] = readers.load(data_dir, allow_partial)
                state["cube"] = figures.build_cube(state["data"])
                _log(f"csp build: data read and counted in {time.perf_counter() - started:.1f} s")
            figs = figures.Figures(state["data"], state["cube"], area, p).compute()
            store.put_figures(key, figs)
        return figs

    wanted = [(internal(area, parse(period)), parse(period)) for area in areas for period in periods]
    every_period = list({p.label: p for _, p in wanted}.values())
    published: dict = {}  # (district, period label) -> published figures
    if suppression:  # each county's districts, for every period of this build, withheld together
        for figs, _ in wanted:
            if (figs["area"], every_period[0].label) in published:
                continue  # its county is done
            county = [r["district"] for r in figs["series"]["districts"].get("all_crime", [])] or [figs["area"]]
            every = {(d, q.label): internal(d, q) for d in county for q in every_period}
            published.update(disclosure.apply_all(every, threshold))
    out = []
    for figs, p in wanted:
        figs = published.get((figs["area"], p.label), figs)
        final = root / "book" / "reports" / contract.report_folder(figs["area"], p.label)
        out.append(
            ReportJob(figs["area"], figs["period"]["label"], figs, final, final.with_name(final.name + ".staging"))
        )
    return out


def _stage(jobs_: list[ReportJob], data_dir: Path, root: Path, out: Path, store):
    """Write each report's staging folder; restore unchanged notebooks from the cache.

    Returns the notebooks still to run, who owns each, and how many were reused.
    """
    commentary = root / "commentary"
    tasks, owner, reused = [], {}, 0
    for job in jobs_:
        if job.staging.exists():
            shutil.rmtree(job.staging)
        job.staging.mkdir(parents=True)
        figures.write(job.figs, job.staging / "figures.json")
        params = {
            "data_dir": os.path.relpath(data_dir, job.staging),
            "area": job.area,
            "period": job.period,
            "figures_file": "figures.json",
            "commentary_dir": os.path.relpath(commentary, job.staging),
        }
        for s in discover(root / "notebooks"):
            note = commentary / contract.report_folder(job.area, job.period) / f"{s.slug}.md"
            ensure_commentary(note, s.slug, job.figs)
            src = root / "notebooks" / f"{s.notebook}.ipynb"
            dst = job.staging / f"{s.notebook}.ipynb"
            key = store.notebook_key(src, params, job.staging / "figures.json", note)
            owner[str(dst)] = (job, s, key)
            if store.restore_notebook(key, dst):
                reused += 1
                continue
            log = out / "logs" / contract.report_folder(job.area, job.period) / f"{s.notebook}.log"
            tasks.append((str(src), str(dst), params, str(job.staging), str(log)))
    return tasks, owner, reused


class _Pool:
    """The process pool of a build, made on first use: as soon as the data are being read
    (``warm``), so that its kernels start meanwhile, or when the notebooks are run."""

    def __init__(self, size: int, logs: Path):
        self.size, self.logs, self.executor = size, logs, None

    def get(self, workers: int) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(max_workers=workers)
        return self.executor

    def warm(self) -> None:
        if self.executor is None:
            pool = self.get(self.size)
            for i in range(self.size):
                pool.submit(_prewarm, str(self.logs / f"worker-{i}.log"))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


def _prewarm(log: str) -> int:
    """Start this worker's kernel ahead of its first notebook (its chatter to ``log``)."""
    _stderr_to(log)
    try:
        _warm_kernel()
    except Exception:  # noqa: BLE001 - the first notebook starts one again and reports a real failure
        _stop_kernel()
    return os.getpid()


def _run(tasks: list[tuple], workers: int, scheduler: str | None, pool: _Pool | None = None):
    """Execute notebooks in a bounded process pool (or on Dask); yields (task, error or None)."""
    if not tasks:
        return
    bar = tqdm(total=len(tasks), unit="notebook", desc="csp build", disable=not sys.stderr.isatty(), file=sys.stderr)
    try:
        if scheduler:
            from . import distributed

            for task, err in distributed.run(tasks, scheduler, _execute):
                bar.update()
                yield task, err
            return
        own = pool is None
        pool = pool or _Pool(workers, Path(tasks[0][4]).parent)
        try:
            futures = {pool.get(workers).submit(_execute_warm, t): t for t in tasks}
            for fut in as_completed(futures):
                bar.update()
                yield futures[fut], fut.result()[1]
        finally:
            if own:
                pool.close()
    finally:
        bar.close()


def _sync(staging: Path, final: Path) -> None:
    """Make ``final`` hold what ``staging`` holds, touching only files that changed
    (so that jupyter-book rebuilds only the pages that changed), then drop ``staging``."""
    final.mkdir(parents=True, exist_ok=True)
    new = {p.relative_to(staging) for p in staging.rglob("*") if p.is_file()}
    for old in [p for p in final.rglob("*") if p.is_file()]:
        if old.relative_to(final) not in new and old.suffix != ".pdf":  # papers: see build()
            old.unlink()
    for rel in sorted(new):
        src, dst = staging / rel, final / rel
        if dst.exists() and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    shutil.rmtree(staging)


def _site_digest(root: Path) -> str:
    """Everything the site is built from: settings, toc, hand-written pages, reports (not papers)."""
    files = [root / "_config.yml", root / "_toc.yml"]
    files += sorted(
        p
        for p in (root / "book").rglob("*")
        if p.is_file() and p.suffix != ".pdf" and not any(x.endswith((".staging", ".old")) for x in p.parts)
    )
    return cache.digest(*[x for p in files for x in (p.relative_to(root).as_posix(), p.read_bytes())])


def _site(root: Path, out: Path, papers: list | None = None, store=None) -> Path:
    """Build the site with jupyter-book and publish it, unless nothing it is made from changed."""
    digest = _site_digest(root)
    stamp = out / "site.digest"
    published = out / "html"
    papers_there = all(
        (published / j.final.relative_to(root) / paper.file_name(j.figs)).exists() for j, _ in papers or []
    )
    if published.is_dir() and stamp.exists() and stamp.read_text() == digest and papers_there:
        _log("csp build: the site's sources are unchanged: the published site is kept as it is")
        return published
    stamp.unlink(missing_ok=True)
    work = out / "work"
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        str(root),
        "--path-output",
        str(work),
        "-W",
        "--keep-going",
        "-q",
    ]
    _log("csp build: jupyter-book build")
    started = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    _log(f"csp build: jupyter-book took {time.perf_counter() - started:.1f} s")
    if res.returncode != 0:
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book build failed, the published site is unchanged:\n{tail}")
    html = work / "_build" / "html"
    new = out / "html.new"
    if new.exists():
        shutil.rmtree(new)
    shutil.copytree(html, new)
    # Sphinx keeps the pages of documents that are gone: a report no longer in book/reports leaves the site
    present = {(a, p) for a, p, _ in _reports_present(root)}
    for base in (new / "book" / "reports", new / "_sources" / "book" / "reports"):
        for folder in sorted(base.glob("*/*")) if base.is_dir() else []:
            if folder.is_dir() and (folder.parent.name, folder.name) not in present:
                shutil.rmtree(folder)
        for area in list(base.glob("*")) if base.is_dir() else []:
            if area.is_dir() and not any(area.iterdir()):
                area.rmdir()
    # figures.json and the downloads sit beside each report's pages
    for a, p, _ in _reports_present(root):
        src, dst = root / "book" / "reports" / a / p, new / "book" / "reports" / a / p
        shutil.copy2(src / "figures.json", dst / "figures.json")
        if (src / "downloads").is_dir():
            shutil.copytree(src / "downloads", dst / "downloads")
        for pdf in src.glob("*.pdf"):  # papers printed by an earlier build of this report
            shutil.copy2(pdf, dst / pdf.name)
    for job, cover in papers or []:
        report = new / job.final.relative_to(root)
        started = time.perf_counter()
        try:
            pdf = paper.make(
                report, job.figs, cover, discover(root / "notebooks"), report / paper.file_name(job.figs), store
            )
        except paper.PaperError as e:
            shutil.rmtree(new, ignore_errors=True)
            raise BuildError(
                f"committee paper of {job.area} {job.period}: {e}; the published site is unchanged"
            ) from None
        shutil.copy2(pdf, job.final / pdf.name)  # kept with the report's sources for later builds
        _log(f"csp build: {pdf.name} ({time.perf_counter() - started:.1f} s)")
    _swap(new, out / "html")
    stamp.write_text(digest)
    return out / "html"


__all__ = ["build", "BuildError", "find_root"]
