"""Build the book: figures.json per report, papermill per section, jupyter-book, publish.

Nothing published is touched until everything succeeded:

1. every report's figures are computed (or taken from the cache while the data
   files and the code are unchanged), many at once in worker processes; a bad
   area, period or input stops here, before any notebook runs;
2. each report is written into ``book/reports/<area>/<period>.staging``; its
   section notebooks are restored from the cache when nothing they depend on
   changed, and the others are executed there by papermill in a bounded process
   pool (or on a Dask cluster); a failing notebook stops the build, names the
   report, section and error, and leaves the previous pages as they were;
3. the staged reports replace the old ones (rewriting only files whose content
   changed), the front book's ``_toc.yml`` and list of reports are written from the
   reports present, and ``site.publish`` builds the front book and each changed
   report's book (site.py);
4. the new site replaces ``<out>/html`` in one rename.

Each report is an edition (editions.py): when a published number of it changed since the site published it,
the new edition is published at its address and the one it supersedes is kept under ``editions/<n>/``. Reports
from every data folder stay published; demonstration and real data never share a site.
"""

from __future__ import annotations

import difflib
import json
import multiprocessing
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import figures
from ..data import contract, project
from ..data import load as load_data
from ..data.periods import parse
from ..data.readers import check_areas, remember_hashes, save_hashes
from ..figures import disclosure, spc
from ..figures.sections import discover, left_out
from ..present import downloads, narrative, pages
from ..present.pages import ensure_commentary  # not present.report: it imports matplotlib, 0.8 s a process
from . import cache, editions, execute, paper
from .distributed import PreflightError
from .site import BuildError, log, publish, reports_present, sync, write_toc


@dataclass
class ReportJob:
    area: str
    period: str  # label
    figs: dict
    final: Path
    staging: Path


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest one up from ``start`` holding ``_config.yml``."""
    root = project.find_root(start)
    if root is None:
        raise BuildError(
            f"no csp-book project (with _config.yml and notebooks/) at or above {(start or Path.cwd()).resolve()}"
        )
    return root


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
    for period in periods:  # a mistake in a period or an area stops here, before the data are read
        parse(period)
    areas = check_areas(data_dir, areas)
    out = (root / out).resolve() if not Path(out).is_absolute() else Path(out)
    lock = _lock(out)
    try:
        return _build(root, data_dir, out, areas, periods, jobs, suppression, scheduler, allow_partial, pdf)
    except BaseException as e:  # a failed notebook, a full disk, Ctrl-C: no report's staging folder is left behind
        for staging in (root / "book" / "reports").glob("*/*.staging"):
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(e, PreflightError):  # a Dask worker that cannot see the build's folders
            raise BuildError(str(e)) from None
        raise
    finally:
        lock.close()  # the lock goes with the file's last descriptor


def _lock(out: Path):
    """One build at a time on a site and its cache: an exclusive lock on ``<out>/build.lock``, which holds the
    running build's PID. A second build stops with one line naming it."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    f = open(out / "build.lock", "a+")  # noqa: SIM115 - held open for the whole build
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        pid = f.read().strip() or "unknown"
        f.close()
        raise BuildError(
            f"another csp build (PID {pid}) is building {out}: wait for it to finish, then build again"
        ) from None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def _build(root, data_dir, out, areas, periods, jobs, suppression, scheduler, allow_partial, pdf) -> Path:
    stamp = out / "build.digest"
    inputs = _inputs_digest(root, data_dir, [areas, periods, suppression, allow_partial, pdf])
    if (out / "html").is_dir() and stamp.exists() and stamp.read_text() == inputs:
        log(
            "csp build: nothing changed since the last build (data, code, notebooks, commentary, settings): "
            "the published site is kept as it is"
        )
        return out / "html"
    stamp.unlink(missing_ok=True)
    store = cache.Cache(out / "cache")
    remember_hashes(store.folder / "hashes.json")
    pool = execute.Pool.shared(jobs or os.cpu_count() or 1, out / "logs") if not scheduler else None
    try:
        # the workers' kernels start while the data are read and the figures computed
        jobs_ = _reports(data_dir, areas, periods, root, store, suppression, allow_partial, pool)
        superseded = _editions(jobs_, root, out)  # a published number changed: a new edition
        covers = _covers(jobs_, root)  # the landing page shows the front matter; --pdf prints the paper
        tasks, owner, reused = _stage(jobs_, data_dir, root, out, store)
        workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
        log(
            f"csp build: {len(jobs_)} report(s), {len(owner)} notebooks: {reused} unchanged and reused, "
            f"{len(tasks)} to run" + (f", {workers} at a time" if tasks and not scheduler else "")
        )
        failures = []
        started = time.perf_counter()
        # a report's workbook is made here as soon as its notebooks have run, while the pool runs the others'
        left = Counter(id(owner[task[1]][0]) for task in tasks)  # notebooks still to run, by report
        for task, err in execute.run(tasks, workers, scheduler, pool, _shared(root, data_dir, out)):
            job, s, key = owner[task[1]]
            left[id(job)] -= 1
            if err:
                failures.append(f"{job.area} {job.period}, section '{s.title}' (notebooks/{s.notebook}.ipynb): {err}")
            else:
                store.store_notebook(key, Path(task[1]))
            if not left[id(job)] and not failures:
                _workbook(job, store)
        if tasks:
            log(f"csp build: {len(tasks)} notebooks ran in {time.perf_counter() - started:.1f} s")
    except BaseException:  # stopped half way (an error, ^C): its workers and whatever they run go with it
        if pool is not None:
            pool.close()
        raise
    if failures:
        raise BuildError("notebook failed, nothing was published:\n  " + "\n  ".join(failures))
    clashes = [c for job in jobs_ for c in _shared_downloads(job)]
    if clashes:
        raise BuildError("two tables would download as one file, nothing was published:\n  " + "\n  ".join(clashes))
    for job in jobs_:
        if id(job) not in left:  # every notebook of it reused: its workbook is made here
            _workbook(job, store)
        paper_name = paper.file_name(job.figs) if pdf else None
        landing = pages.report_index(job.figs, job.staging, paper_name, covers[job.final])
        (job.staging / "index.md").write_text(landing, encoding="utf-8")
        (job.staging / "data-quality.md").write_text(
            pages.with_banner(pages.quality(job.figs), job.figs), encoding="utf-8"
        )
        sync(job.staging, job.final)
        if not pdf:  # a report built without --pdf offers no paper (its landing page has no link)
            for old in job.final.glob("*.pdf"):
                old.unlink()
    for gone, kind in _other_kind(root, jobs_):
        log(
            f"csp build: {gone.relative_to(root).as_posix()} is of {_KINDS[kind]}: left out of this site of "
            f"{_KINDS[not kind]}"
        )
        shutil.rmtree(gone)
        if not any(gone.parent.iterdir()):
            gone.parent.rmdir()
    for job, number in superseded:  # the published site is untouched until the new one replaces it
        kept = editions.archive(out, job.final.relative_to(root), number, job.figs["edition"])
        log(
            f"csp build: {job.area} {job.period}: edition {job.figs['edition']['number']} revises "
            f"{len(job.figs['revisions'][-1]['figures'])} figure(s); edition {number} is kept in "
            f"{kept.relative_to(out.parent) if kept.is_relative_to(out.parent) else kept}"
        )
    write_toc(root, out)
    site = publish(root, out, [(job, covers[job.final]) for job in jobs_] if pdf else [], store, jobs, scheduler)
    stamp.write_text(_inputs_digest(root, data_dir, [areas, periods, suppression, allow_partial, pdf]))
    save_hashes()
    return site


def _shared(root: Path, data_dir: Path, out: Path) -> list[tuple[str, str, bool]]:
    """The folders a Dask worker must see as this machine does (what, folder, written by its tasks): the notebooks
    and the reports' staging folders are in the project folder, the data in theirs, the logs in the output's."""
    return [
        ("the project folder", str(root), True),
        ("the data folder", str(data_dir), False),
        ("the output folder", str(out), True),
    ]


def _editions(jobs_: list[ReportJob], root: Path, out: Path) -> list[tuple[ReportJob, int]]:
    """Each report's edition (figures.json ``edition``, ``revisions``), against the one the site publishes: the
    same while no published number changed, the next when one did. Returns the reports whose published edition
    is superseded, with its number, to be archived once the build has succeeded."""
    out_ = []
    for job in jobs_:
        job.figs, number = editions.stamp(job.figs, out, job.final.relative_to(root))
        record = editions.withdrawal_record(out, job.final.relative_to(root))
        job.figs = {**job.figs, "withdrawals": editions.withdrawals_of(record)}  # csp withdraw's, of earlier ones
        if number is not None:
            out_.append((job, number))
    # an earlier period each report shows, revised since it was published, or that this extract counts otherwise
    site = out / "html" / "book" / "reports"
    for job in jobs_:
        area = job.final.parent.name
        earlier = {f.parent.name: f for f in sorted((site / area).glob("*/figures.json"))}
        earlier = {k: editions.published_figures_at(f.parent) for k, f in earlier.items()}
        earlier.update({j.final.name: j.figs for j in jobs_ if j.final.parent == job.final.parent})
        earlier = {k: v for k, v in earlier.items() if v is not None and k != job.final.name}
        job.figs = {**job.figs, "earlier_revisions": editions.earlier_revised(job.figs, earlier)}
        # the area's report of the period before, as published: "Since the last report"
        job.figs["last_report"] = editions.last_report(
            job.figs, earlier, job.final.relative_to(root / "book" / "reports").parent.as_posix()
        )
    return out_


def _inputs_digest(root: Path, data_dir: Path, args: list) -> str:
    """Everything a build is made from, read cheaply, so that a build with nothing changed returns at once:
    the code, the build's arguments, the project's notebooks, commentary, settings and pages (their bytes),
    the data folder's files and the reports' sources (their names, sizes and modification times: the data of a
    national build is gigabytes; the figures' cache key reads their contents when this does not match)."""
    own = [root / "_config.yml", root / "csp.toml", *sorted((root / "notebooks").glob("*.ipynb"))]
    own += sorted(p for d in ("commentary", "book/_static", "book/_templates") for p in (root / d).rglob("*"))
    own += sorted((root / "book").glob("*.md"))
    parts = [cache.code_digest(), repr(args), str(data_dir)]
    parts += [x for p in own if p.is_file() for x in (p.relative_to(root).as_posix(), p.read_bytes())]
    for folder in (data_dir, root / "book" / "reports"):  # os.walk: a third of pathlib's time over 20,000 files
        for where, _, names in sorted(os.walk(folder)):
            for name in sorted(names):
                st = os.stat(os.path.join(where, name))
                parts.append(f"{where}/{name} {st.st_size} {st.st_mtime_ns}")
    return cache.digest(*parts)


_KINDS = {True: "demonstration data", False: "real data"}


def _other_kind(root: Path, jobs_: list[ReportJob]) -> list[tuple[Path, bool]]:
    """Reports in book/reports on the other side of the one fence a site keeps: the invented demonstration data
    (figures.json ``source.kind`` ``demo``) and real data never sit side by side. A build of the demo leaves every
    real report out of the site, a build of real data every demo report (each with whether it is a demo). Real
    reports stay whatever folder they were made from (each quarter's extract comes in a folder of its own, and a
    report published once stays published). The reports left out keep their commentary in commentary/, and
    building from their folder again brings them back."""
    demo = {narrative.demo(j.figs) for j in jobs_}
    out = []
    for a, p, figs in reports_present(root):
        if narrative.demo(figs) not in demo:
            out.append((root / "book" / "reports" / a / p, narrative.demo(figs)))
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
        if cache.workbook_ok(kept):
            shutil.copy2(kept, folder / downloads.WORKBOOK)
            return
        cache.warn(kept, "not a whole workbook")
        kept.unlink(missing_ok=True)
    downloads.write_workbook(job.figs, folder, folder / downloads.WORKBOOK)
    cache.write_atomic(kept, (folder / downloads.WORKBOOK).read_bytes())


def _covers(jobs_: list[ReportJob], root: Path) -> dict[Path, dict]:
    """Each report's cover.yml (made from the template when absent), read before any notebook runs, its
    ``online_url`` (when the cover gives none) the permanent address of the report's edition (after
    ``_editions``, which numbers it) under csp.toml's ``[site] url``."""
    out = {}
    base = paper.site_url(root)
    for job in jobs_:
        path = paper.ensure_cover(paper.cover_path(root / "commentary", job.figs), job.figs)
        try:
            cover = paper.read_cover(path)
        except paper.PaperError as e:
            raise BuildError(str(e)) from None
        # the edition's own address (it always holds), not the report's, which shows the latest edition
        cover["online_url"] = cover["online_url"] or paper.edition_url(
            base, job.final.relative_to(root).as_posix(), job.figs
        )
        out[job.final] = cover
    return out


def _reports(
    data_dir: Path, areas, periods, root: Path, store, suppression: bool, allow_partial: bool = False, pool=None
) -> list[ReportJob]:
    """Figures of every report, from the cache while the data and code are unchanged. Disclosure control
    runs on every district of the county at once (their figures are computed too), so a report reads alike
    whether it is published alone or beside the county's others."""
    data_key = cache.data_digest(data_dir)
    save_hashes()  # the figures' workers read the data's hashes, not the data again
    threshold = disclosure.threshold_from(root)
    settings = spc.settings_from(root)  # the XmR charts' baseline and recalculations: part of the figures' key
    suffix = " partial" if allow_partial else ""
    state: dict = {}

    def key(area: str, p) -> str:
        return store.figures_key(data_key, area, p.label + suffix, settings.key())

    def read():
        """The data, read and counted once, when a figure the cache lacks is first needed (the pool's kernels
        start meanwhile)."""
        if "data" not in state:
            if pool is not None:
                pool.warm()
            log(f"csp build: reading {data_dir}")
            started = time.perf_counter()
            state["data"] = load_data(data_dir, allow_partial)
            state["cube"] = figures.build_cube(state["data"])
            figures.check_spc(settings, state["cube"])  # a month of csp.toml outside the data stops here, named
            log(f"csp build: data read and counted in {time.perf_counter() - started:.1f} s")
        return state["data"], state["cube"]

    def internal(area: str, p) -> dict:
        figs = store.get_figures(key(area, p))
        if figs is None:
            figs = figures.Figures(*read(), area, p, settings).compute()
            store.put_figures(key(area, p), figs)
        return figs

    def prefetch(periods) -> None:
        """Compute the figures the build needs and the cache lacks (its reports, and every district of their
        counties when small counts are withheld) in worker processes that each read the data once (the counted
        cube is cached, so a read is a second), instead of one report after another here."""
        workers = min(os.cpu_count() or 1, 8)
        if workers < 2 or all(store.has_figures(key(a, p)) for a in areas for p in periods):
            return
        data, _ = read()
        pairs = dict.fromkeys(
            (d, p)
            for a in areas
            for d in (data.districts_of(data.county_of(data.check_area(a))) if suppression else [data.check_area(a)])
            for p in periods
        )
        todo = [x for x in pairs if not store.has_figures(key(*x))]
        if len(todo) < 24:
            # a worker starts and reads the data again (about 2 s): worth it for many reports only. A county's
            # districts for one period (18 in 6.4 s here, against 8.1 s in workers) are computed in this process,
            # while the kernels start on the other core
            return
        for p in periods:  # a period the data cannot give stops here, with its message, before any worker starts
            data.check_period(p.first, p.last, p.label)
        from concurrent.futures import ProcessPoolExecutor

        ctx, init = multiprocessing.get_context("spawn"), (str(data_dir), allow_partial, settings)
        with ProcessPoolExecutor(
            min(workers, len(todo)), mp_context=ctx, initializer=_figures_worker, initargs=init
        ) as ex:
            for (d, p), figs in zip(todo, ex.map(_figures_task, todo, chunksize=max(1, len(todo) // (4 * workers)))):
                store.put_figures(key(d, p), figs)

    started = time.perf_counter()
    prefetch([parse(x) for x in periods])
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
    log(f"csp build: figures of {len(wanted)} report(s) ready in {time.perf_counter() - started:.1f} s")
    out = []
    for figs, p in wanted:
        figs = published.get((figs["area"], p.label), figs)
        final = root / "book" / "reports" / contract.report_folder(figs["area"], p.label)
        _check_owner(final.parent, figs["area"], root)
        out.append(
            ReportJob(figs["area"], figs["period"]["label"], figs, final, final.with_name(final.name + ".staging"))
        )
    return out


def _check_owner(folder: Path, area: str, root: Path) -> None:
    """An area's folder (``book/reports/st-helens``) holds one area's reports and its commentary folder that
    area's words: a build of another name that makes the same folder (``St Helens`` after ``St. Helens``) stops
    rather than replace the reports and take over the commentary."""
    for path in sorted(folder.glob("*/figures.json")) if folder.is_dir() else []:
        try:
            other = json.loads(path.read_text(encoding="utf-8")).get("area")
        except (OSError, ValueError):
            continue  # a damaged report is rebuilt; it names no other area
        if other is not None and other != area:
            rel = folder.relative_to(root)
            raise BuildError(
                f"{area!r} would be published in {rel}/, which holds the reports of {other!r} (and "
                f"commentary/{folder.name}/ their commentary): rename one of the two areas in the data"
            )


_WORKER: dict = {}  # a figures worker's data, read once (_reports' prefetch)


def _figures_worker(data_dir: str, allow_partial: bool, settings: spc.Settings) -> None:
    execute.die_with_parent()
    _WORKER["data"] = load_data(data_dir, allow_partial)
    _WORKER["cube"] = figures.build_cube(_WORKER["data"])
    _WORKER["settings"] = settings  # csp.toml's [spc], read once by the build: a worker never reads it again


def _figures_task(pair: tuple) -> dict:
    return figures.Figures(_WORKER["data"], _WORKER["cube"], pair[0], pair[1], _WORKER["settings"]).compute()


def stray_commentary(folder: Path, sections) -> list[tuple[Path, str | None]]:
    """Files in a report's commentary folder that nothing reads (``02-violence.md`` beside ``violence.md``, a
    misspelt section, another extension), each with the file it was likely meant to be (difflib, case and a
    notebook's number ignored) or None. The files read are ``<section slug>.md`` and the paper's ``cover.yml``;
    hidden files (an editor's) are left alone."""
    if not folder.is_dir():
        return []
    read = [f"{s.slug}.md" for s in sections] + ["cover.yml"]
    out = []
    for path in sorted(folder.iterdir()):
        if path.name in read or path.name.startswith("."):
            continue
        plain = re.sub(r"^\d+[-_ ]*", "", path.name).lower()
        stem = plain.rsplit(".", 1)[0]
        near = next((r for r in read if r.lower() in (plain, f"{stem}.md", f"{stem}.yml")), None)
        if near is None:
            close = difflib.get_close_matches(plain, [r.lower() for r in read], n=1, cutoff=0.75)
            near = next((r for r in read if close and r.lower() == close[0]), None)
        out.append((path, near))
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
        gone = left_out(job.figs)  # sections the data cannot give (the Home Office tables: ASB, MARAC...)
        sections = [s for s in discover(root / "notebooks") if s.slug not in gone]
        for name, near in stray_commentary(commentary / contract.report_folder(job.area, job.period), sections):
            log(
                f"csp build: warning: {name.relative_to(root).as_posix()} is not read by any section of "
                f"{job.area} {job.period}" + (f": did you mean {near}?" if near else "")
            )
        for s in sections:
            note = commentary / contract.report_folder(job.area, job.period) / f"{s.slug}.md"
            ensure_commentary(note, s.slug, job.figs)
            src = root / "notebooks" / f"{s.notebook}.ipynb"
            dst = job.staging / f"{s.notebook}.ipynb"
            key = store.notebook_key(src, params, job.staging / "figures.json", note)
            owner[str(dst)] = (job, s, key)
            if store.restore_notebook(key, dst):
                reused += 1
                continue
            log_file = out / "logs" / contract.report_folder(job.area, job.period) / f"{s.notebook}.log"
            tasks.append((str(src), str(dst), params, str(job.staging), str(log_file)))
    return tasks, owner, reused


__all__ = ["build", "BuildError", "find_root", "stray_commentary"]
