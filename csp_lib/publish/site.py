"""The site: a front book and one small book per report, built by jupyter-book, and publishing.

The front book is the front page (every report, by county and area, the newest period first),
the methods and the accessibility statement. Each report (area x period) is a Jupyter Book of its
own: its landing page, sections and data quality page, with its own short navigation and a
banner linking up to the front page. So no page's navigation lists another report, a page's
cost does not grow with the number of reports, and adding a report leaves no page stale: every
page links to the front page, which is rebuilt each time. Report books are built in parallel in
warm worker processes (Sphinx in-process), cached by content, and share one ``_static`` folder.
The new site replaces ``<out>/html`` in one rename.
"""

from __future__ import annotations

import errno
import html
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .. import figures
from ..data import contract
from ..data.readers import file_hash
from ..figures.sections import discover, left_out
from ..present import narrative, pages, text
from . import cache, editions, paper
from .books import SEARCH, run_books, slim


class BuildError(Exception):
    """A notebook or the site build failed; the published site is unchanged."""


# the chart scripts (js/package.json, installed from npm by make setup): the front book's _static/vega/ holds them,
# the site's one copy; every page loads them (_config.yml's html_js_files)
JS = Path(__file__).resolve().parents[2] / "js" / "node_modules"
CHART_SCRIPTS = ("vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js", "vega-embed/build/vega-embed.min.js")


def chart_scripts() -> list[Path]:
    """The minified Vega, Vega-Lite and vega-embed the site serves, or a BuildError saying how to install them."""
    paths = [JS / s for s in CHART_SCRIPTS]
    if missing := [p for p in paths if not p.is_file()]:
        raise BuildError(
            f"the chart scripts are not installed ({missing[0]} is missing): run `make setup`, or "
            f"`npm ci --prefix {JS.parent}`; the published site is unchanged"
        )
    return paths


def log(msg: str) -> None:
    """A line of the build's progress, on standard error."""
    print(msg, file=sys.stderr, flush=True)


_READ: dict[str, tuple] = {}  # figures.json of the reports present, by path: (size, mtime, inode), figures


def _figures_of(path: Path) -> dict:
    """A report's figures.json, read again only when the file changed (a build looks at every report's three
    times: 300 files of 200 KB)."""
    st = path.stat()
    sig = (st.st_size, st.st_mtime_ns, st.st_ino)
    known = _READ.get(str(path))
    if known is None or known[0] != sig:
        _READ[str(path)] = known = (sig, figures.read(path))
    return known[1]


def reports_present(root: Path) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, figures) of every report in book/reports, sorted for the toc."""
    out = []
    for fj in sorted((root / "book" / "reports").glob("*/*/figures.json")):
        if fj.parent.name.endswith((".staging", ".old")):
            continue
        out.append((fj.parent.parent.name, fj.parent.name, _figures_of(fj)))
    # areas A-Z, latest period first
    out.sort(key=lambda r: (r[2]["area"], [-ord(ch) for ch in r[2]["period"]["end"]]))
    return out


def county_anchor(county: str) -> str:
    """The id of a county's heading on the front page (``county-lancashire``)."""
    return "county-" + contract.slug(county).replace("_", "-")


def area_anchor(area: str) -> str:
    """The id of an area's heading on the front page (``area-blackburn-with-darwen``): editions.area_anchor, which
    the notices of withdrawal link to."""
    return editions.area_anchor(area)


# The front book's table of contents, committed as _toc.yml (so that `jupyter-book build .` finds one and reaches
# the guard of _config.yml, which says to run csp build) and written again by every build
FRONT_TOC = """# The front book's pages (csp_lib/publish/site.py, FRONT_TOC). Build the site with `csp build` or
# `make book`: `jupyter-book build .` alone stops and says so (csp_lib/publish/guard.py).
format: jb-book
root: book/index
chapters:
- file: book/search-reports
- file: book/methods
- file: book/data-contract
- file: book/figures
- file: book/accessibility
"""


def withdrawn_reports(root: Path, out: Path | None) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, record) of every report withdrawn (``csp withdraw``) and not published again, of
    the site's kind of data (the demo's or real data's, as the reports present are; a site of none: any)."""
    if out is None:
        return []
    present = reports_present(root)
    here = {(a, p) for a, p, _ in present}
    kinds = {narrative.demo(figs) for _, _, figs in present}
    return [
        (a, p, r)
        for a, p, r in editions.withdrawal_records(out)
        if (a, p) not in here
        and (not kinds or bool(r.get("demo")) in kinds)
        and any(w.get("report") for w in r.get("withdrawals", []))
    ]


def published_only(root: Path, out: Path | None) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, figures) of every report the published site (``out``/html) holds whose sources are
    not in book/reports: a CI runner's build after ``csp restore`` (it builds the new quarter only), or a project
    whose book/reports lost a report. A report published stays published (issue 27): it is kept as it was, its
    pages, downloads, paper and editions copied from the published site and listed on the front page, until
    ``csp withdraw`` takes it out; of the site's kind of data only (the demo's or real data's, as the reports
    present are; a site of none: any)."""
    if out is None:
        return []
    present = reports_present(root)
    here = {(a, p) for a, p, _ in present} | {(a, p) for a, p, _ in withdrawn_reports(root, out)}
    kinds = {narrative.demo(figs) for _, _, figs in present}
    found = []
    for fj in sorted((out / "html" / "book" / "reports").glob("*/*/figures.json")):
        a, p = fj.parent.parent.name, fj.parent.name
        if (a, p) in here:
            continue
        figs = _figures_of(fj)
        if not kinds or narrative.demo(figs) in kinds:
            found.append((a, p, figs))
    return found


def write_toc(root: Path, out: Path | None = None) -> None:
    """The front book's table of contents (the front page and the pages about the book) and its list of every
    report, by county and area, the newest period first, a report withdrawn (in ``out``'s archive) marked so.
    Reports are books of their own: the front book's navigation lists none, so adding one changes no page but
    the front page."""
    reports = reports_present(root) + published_only(root, out)
    withdrawn = withdrawn_reports(root, out)
    toc = root / "_toc.yml"
    if not toc.exists() or toc.read_text(encoding="utf-8") != FRONT_TOC:
        toc.write_text(FRONT_TOC, encoding="utf-8")
    counties: dict[str, dict[str, list]] = {}
    for a, p, figs in reports:
        counties.setdefault(figs.get("county") or "", {}).setdefault(figs["area"], []).append((a, p, figs))
    for a, p, record in withdrawn:  # listed where it was, marked: its address holds the notice
        counties.setdefault(record.get("county") or "", {}).setdefault(record["area"], []).append((a, p, record))
    for areas in counties.values():
        for items in areas.values():
            items.sort(key=lambda r: [-ord(ch) for ch in r[2]["period"]["end"]])
    reports = [*reports, *withdrawn]
    listing = []
    names = {county: county or "Other areas" for county in counties}
    if len(counties) > 1:  # a national book: a line of links to each county, before 300 areas' tables
        links = [
            f'<a href="#{county_anchor(names[c])}">{html.escape(names[c])}</a> ({len(counties[c])})'
            for c in sorted(counties)
        ]
        listing += [
            '<nav aria-label="Counties"><p>Counties, with the number of areas: ' + " · ".join(links),
            "</p></nav>",
        ]
        listing.append("")
    for county, areas in sorted(counties.items()):
        listing += [f"({county_anchor(names[county])})=", f"### {text.md(names[county])}", ""]
        listing += [_area_html(area, items) for area, items in sorted(areas.items())]
    gen = root / "book" / "_generated"
    gen.mkdir(exist_ok=True)
    (gen / "reports.md").write_text("\n".join(listing) if reports else "*No report built yet.*\n", encoding="utf-8")
    (gen / "offences.md").write_text(pages.offences(), encoding="utf-8")
    (gen / "worked-example.md").write_text(pages.worked_example(reports_present(root)), encoding="utf-8")


def _area_html(area: str, items: list) -> str:
    """An area's reports on the front page: its heading and a table of its periods, as the HTML Sphinx would make
    of the Markdown, written as HTML. The counties are Markdown headings (the page's own navigation); 300 areas
    as Markdown took Sphinx 4 s on every build, as HTML a fraction of a second. One HTML block: no blank line."""
    from markdown_it import MarkdownIt

    inline, anchor = MarkdownIt("commonmark").renderInline, area_anchor(area)
    rows = []
    for a, p, figs in items:
        if "withdrawals" in figs and "figures" not in figs:  # a record of withdrawal (editions.py), no report
            date = editions.long_date(next(w["date"] for w in reversed(figs["withdrawals"]) if w.get("report")))
            cells = [f'<a href="reports/{a}/{p}/index.html">{html.escape(figs["short"])}</a>']
            cells += [html.escape(figs["period_name"]), f"<strong>Withdrawn on {html.escape(date)}</strong>"]
            rows.append("<tr>" + "".join(f'<td class="text-left"><p>{c}</p></td>' for c in cells) + "</tr>")
            continue
        made = "**Demonstration data** (invented)" if narrative.demo(figs) else narrative.source_line(text.view(figs))
        cells = [f'<a href="reports/{a}/{p}/index.html">{html.escape(narrative.short(figs))}</a>']
        cells += [html.escape(narrative.period_name(figs)), inline(made)]
        rows.append("<tr>" + "".join(f'<td class="text-left"><p>{c}</p></td>' for c in cells) + "</tr>")
    head = "".join(f'<th class="head text-left"><p>{h}</p></th>' for h in ("Period", "Months", "Made from"))
    return "\n".join(
        [
            f'<section id="{anchor}">',
            f'<h4>{html.escape(area)}<a class="headerlink" href="#{anchor}" title="Link to this heading">#</a></h4>',
            '<div class="pst-scrollable-table-container"><table class="table">',
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody></table></div>",
            "</section>",
            "",
        ]
    )


def report_toc(root: Path, area_slug: str, period_slug: str) -> str:
    """A report's own table of contents: its landing page, the sections it has, its data quality page."""
    here = root / "book" / "reports" / area_slug / period_slug
    files = [s.notebook for s in discover(root / "notebooks") if (here / f"{s.notebook}.ipynb").exists()]
    lines = ["format: jb-book", "root: index", "chapters:", *(f"- file: {f}" for f in [*files, "data-quality"])]
    return "\n".join(lines) + "\n"


UP = "../../../"  # from a report's pages (book/reports/<area>/<period>/) to the front book's (book/)


def report_overrides(root: Path, figs: dict) -> dict:
    """What a report's book changes of the front book's settings, besides its table of contents (a file written
    when the book is built: ``external_toc_path``): its title, the shared static files and templates, and a
    banner on every page linking up to the front page and to the area's every period there (both always
    current: adding a report never leaves a page's links stale)."""
    area = html.escape(figs["area"])
    banner = (
        f'<a href="{UP}index.html">All reports</a> &rsaquo; '
        f'<a href="{UP}index.html#{area_anchor(figs["area"])}">{area}: every period</a>'
    )
    if narrative.demo(figs):  # on every page of the report's book, its search page too
        banner += ' &middot; <span class="csp-demo">Demonstration data: invented records</span>'
    return {
        "html_static_path": [str(root / "book" / "_static")],
        "templates_path": [str(root / "book" / "_templates"), str(root / "book" / "_templates" / "components")],
        "exclude_patterns": ["downloads/**", "_build/**", "*.staging/**", "*.old/**"],
        "html_title": f"{figs['area']}, {narrative.short(figs)}",
        "html_theme_options": {"announcement": banner},
        "html_context": {"csp_search_url": f"{UP}search-reports.html"},  # the search of every report
        "latex_individualpages": False,
        "html_use_index": False,  # a report's book has no index page (the front book has the site's): no link to one
    }


def swap(new: Path, final: Path) -> None:
    """Publish ``new`` at ``final`` in one step: ``final`` is a symlink to a site folder beside it
    (``html-<n>``), switched by one rename of a new symlink, so there is never a moment without a site. A
    ``final`` that is still a real folder (from an older build) is exchanged with the new symlink in one
    step (Linux's renameat2 RENAME_EXCHANGE), or, where that is missing, by two renames. The old site is
    removed only once the new one is in place."""
    target = final.with_name(f"{final.name}-{time.time_ns()}")
    new.rename(target)
    before = final.resolve() if final.is_symlink() else None
    link = final.with_name(f"{final.name}.link.tmp")
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    if final.is_dir() and not final.is_symlink():  # a real folder: an older build's site
        if not _exchange(link, final):
            old = final.with_name(final.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            final.rename(old)
            link.rename(final)
            link = old
        shutil.rmtree(link, ignore_errors=True)  # now the old folder
    else:
        os.replace(link, final)
    if before is not None and before != target.resolve() and before.parent == final.parent:
        shutil.rmtree(before, ignore_errors=True)
    for stale in final.parent.glob(f"{final.name}-*"):  # sites left by a build killed before its switch
        if stale.is_dir() and stale.resolve() != target.resolve():
            shutil.rmtree(stale, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (renameat2 RENAME_EXCHANGE); False where the system has no such call."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        rc = libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2)  # AT_FDCWD, RENAME_EXCHANGE
    except (OSError, AttributeError):
        return False
    return rc == 0


def sync(staging: Path, final: Path) -> None:
    """Make ``final`` hold what ``staging`` holds, touching only files that changed (their hashes, and so the
    report's book, are then kept), then drop ``staging``. A changed file is replaced by a new one, never
    written over."""
    final.mkdir(parents=True, exist_ok=True)
    new = {p.relative_to(staging) for p in staging.rglob("*") if p.is_file()}
    for old in [p for p in final.rglob("*") if p.is_file()]:
        if old.relative_to(final) not in new and old.suffix != ".pdf":  # papers: see build()
            old.unlink()
    for rel in sorted(new):
        src, dst = staging / rel, final / rel
        if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)  # the same file system: a rename
    shutil.rmtree(staging)


def _files_digest(root: Path, files) -> str:
    """The names (from ``root``) and contents of ``files`` (their hashes, remembered while a file is unchanged:
    the reports of a national site are gigabytes, read once, not on every build)."""
    return cache.digest(*[x for p in files if p.is_file() for x in (p.relative_to(root).as_posix(), file_hash(p))])


def _site_digest(root: Path, shared: str, reports: list) -> str:
    """Everything the site is built from: what every book shares, the front book's own files (settings, toc,
    hand-written pages, the list of reports) and each report's book key (its own files, not its papers)."""
    files = [root / "_config.yml", root / "_toc.yml"]
    for p in sorted((root / "book").iterdir()):
        if p.name != "reports":
            files += [p] if p.is_file() else sorted(p.rglob("*"))
    files += sorted((root / "docs").glob("*.md")) if (root / "docs").is_dir() else []
    return cache.digest(
        shared,
        _files_digest(root, files),
        *[file_hash(p) for p in chart_scripts()],
        *[x for a, p, *_, done in reports for x in (a, p, done.name)],
    )


def _shared_digest(root: Path) -> str:
    """What every report's book is made from besides its own files: the code, the settings, the shared static
    files and templates."""
    shared = [root / "_config.yml"] + sorted(
        p for d in ("_static", "_templates") for p in (root / "book" / d).rglob("*")
    )
    return cache.digest(cache.code_digest(), _files_digest(root, shared))


def _report_key(root: Path, shared: str, folder: Path, toc: str, overrides: dict) -> str:
    """Everything a report's book is made from: what all share (``_shared_digest``), its table of contents and
    its own files (not its papers)."""
    own = sorted(p for p in folder.rglob("*") if p.suffix != ".pdf")
    return cache.digest(shared, toc, json.dumps(overrides, sort_keys=True, default=str), _files_digest(root, own))


def _merge_static(src: Path, dst: Path) -> None:
    """Add a report book's static files to ``dst`` (the same theme and settings give the same files)."""
    for f in src.rglob("*"):
        target = dst / f.relative_to(src)
        if f.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)


def _books_static(books: Path, shared: str, built: list, new: list) -> Path:
    """The static files of every report book, merged as each book is built (``new``) into one folder kept with
    them, so that a build merges the new books' only, not all 300 again (10 s). The folder is named by what
    every book is made from (``_shared_digest``): new code or settings, whose books are all new, start a new one."""
    merged = books / f"_static-{shared[:16]}"
    incomplete = merged / ".incomplete"  # a merge that stopped (a full disk, a kill) is made again whole
    if incomplete.exists():
        cache.warn(merged, "a merge of static files that did not finish")
        shutil.rmtree(merged)
    if not merged.is_dir():  # new code or settings, or the cache was cleared: from every book
        new = [done for _, _, done in built]
    merged.mkdir(parents=True, exist_ok=True)
    incomplete.touch()
    for done in new:
        _merge_static(done / "_static", merged)
    incomplete.unlink()
    return merged


def _book_ok(done: Path) -> bool:
    """A cached report book has its index page and no empty page."""
    pages_ = list(done.rglob("*.html"))
    return bool(pages_) and all(p.stat().st_size > 0 for p in pages_)


def _copy_tree(src: Path, dst: Path, ignore=("_static", SEARCH)) -> None:
    """Copy a folder into the site (copies, not hard links: the site shares no file with the cache)."""
    shutil.copytree(src, dst, copy_function=shutil.copy2, ignore=shutil.ignore_patterns(*ignore), dirs_exist_ok=True)


def _search_index(front: Path, built: list, work: Path, out: Path, kept: list = ()) -> subprocess.Popen:
    """Start Pagefind on every page of the site (the front book's, in ``front``, and every report's) into ``out``,
    from the pages without their charts (kept with each cached report, so a build reads only the new ones):
    seconds, not the minutes and gigabytes of indexing the charts' inline images. It runs while the site is
    assembled; ``_search_done`` waits for it."""
    shutil.rmtree(work, ignore_errors=True)
    for page in (front / "book").glob("*.html"):
        slim(page.read_text(encoding="utf-8"), work / "book" / page.name)
    for a, p, done in built:
        _copy_tree(done / SEARCH, work / "book" / "reports" / a / p)
    for a, p, folder in kept:  # a report kept as published: its latest edition's pages, not its editions/
        for page in folder.rglob("*.html"):
            rel = page.relative_to(folder)
            if rel.parts[0] != editions.ARCHIVE:
                slim(page.read_text(encoding="utf-8"), work / "book" / "reports" / a / p / rel)
    cmd = [sys.executable, "-m", "pagefind", "--site", str(work), "--output-path", str(out)]
    cmd += ["--glob", "book/**/*.html", "--root-selector", "article", "--keep-index-url", "--silent"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _search_done(proc: subprocess.Popen, work: Path, out: Path, site: Path) -> None:
    """Wait for Pagefind; its index goes to ``site/pagefind``. A failure leaves the published site as it was."""
    _, err = proc.communicate()
    shutil.rmtree(work, ignore_errors=True)
    if proc.returncode:
        shutil.rmtree(site, ignore_errors=True)
        raise BuildError(f"the search index (Pagefind) failed, the published site is unchanged:\n{err[-2000:]}")
    out.rename(site / "pagefind")


def publish(
    root: Path, out: Path, papers: list | None = None, store=None, jobs: int | None = None, scheduler: str | None = None
) -> Path:
    """Build the site and publish it, unless nothing it is made from changed: the front book (front page,
    methods, accessibility) and one small book per report, each built only when its content changed (cached
    by content in ``<out>/cache/books``), in parallel; the site is assembled from them and replaces
    ``<out>/html`` in one rename. A build that stops (an error, a full disk, Ctrl-C) leaves no half-made site
    or work folder behind, and the published site as it was."""
    try:
        return _publish(root, out, papers, store, jobs, scheduler)
    except BaseException:
        for tmp in (out / "html.new", out / "work"):
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def _publish(root: Path, out: Path, papers, store, jobs, scheduler) -> Path:
    present = reports_present(root)
    shared = _shared_digest(root)
    books = out / "cache" / "books"
    reports = []  # (area, period, folder, toc, overrides, where its book is): each report's book by its key
    for a, p, figs in present:
        toc = report_toc(root, a, p)
        overrides = report_overrides(root, figs)
        folder = root / "book" / "reports" / a / p
        key = _report_key(root, shared, folder, toc, overrides)
        reports.append((a, p, folder, toc, overrides, books / key))
    figures_of = {(a, p): figs for a, p, figs in present}
    digest = _site_digest(root, shared, reports)
    kept = [(a, p, editions.archived(out, Path("book") / "reports" / a / p)) for a, p, _ in present]
    digest = cache.digest(digest, repr([k for k in kept if k[2]]))  # the editions each report keeps
    records = editions.withdrawal_records(out)  # and what was withdrawn: its notices
    digest = cache.digest(digest, json.dumps(records, sort_keys=True))
    published = out / "html"
    as_published = published_only(root, out)  # published before, their sources not here: kept as published
    kept_files = [
        [a, p, file_hash(published / "book" / "reports" / a / p / "figures.json")] for a, p, _ in as_published
    ]
    digest = cache.digest(digest, json.dumps(kept_files))
    stamp = out / "site.digest"
    papers_there = all(
        (published / j.final.relative_to(root) / paper.file_name(j.figs)).exists() for j, _ in papers or []
    )
    if published.is_dir() and stamp.exists() and stamp.read_text() == digest and papers_there:
        log("csp build: the site's sources are unchanged: the published site is kept as it is")
        return published
    stamp.unlink(missing_ok=True)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "tocs").mkdir(parents=True)
    config = str(root / "_config.yml")
    front, front_src = work / "front", work / "front-src"
    # the front book's sources alone (its pages, static files, templates and toc), not the project folder:
    # Sphinx's toc extension walks the whole source folder, and the project's holds every report and build
    shutil.copytree(root / "book", front_src / "book", ignore=shutil.ignore_patterns("reports"))
    if (root / "docs").is_dir():  # the contract and figures.json reference, included by book/*.md
        shutil.copytree(root / "docs", front_src / "docs")
    (front_src / "book" / "_static" / "vega").mkdir()
    for script in chart_scripts():
        shutil.copy2(script, front_src / "book" / "_static" / "vega" / script.name)
    shutil.copy2(root / "_toc.yml", front_src / "_toc.yml")
    tasks, built = [(str(front_src), str(front), config, {"latex_individualpages": False}, True)], []
    for a, p, folder, toc, overrides, done in reports:
        built.append((a, p, done))
        if done.is_dir() and not _book_ok(done):
            cache.warn(done, "an empty or missing page")
            shutil.rmtree(done, ignore_errors=True)
        if not done.is_dir():
            toc_path = work / "tocs" / f"{a}--{p}.yml"
            toc_path.write_text(toc, encoding="utf-8")
            tasks.append((str(folder), str(done), config, {**overrides, "external_toc_path": str(toc_path)}, False))
    unchanged = len(present) - len(tasks) + 1
    log(f"csp build: site of {len(present)} report(s): {len(tasks) - 1} to build, {unchanged} unchanged")
    started = time.perf_counter()
    shared = [("the project folder", str(root), True), ("the output folder", str(out), True)]  # for Dask's workers
    errors = run_books(tasks, jobs or os.cpu_count() or 1, scheduler, shared)
    log(f"csp build: {len(tasks)} book(s) built in {time.perf_counter() - started:.1f} s")
    if errors and any("No space left on device" in e for e in errors):  # Sphinx's pages of it say no more
        raise OSError(errno.ENOSPC, "No space left on device", str(out))
    if errors:
        raise BuildError("jupyter-book build failed, the published site is unchanged:\n" + "\n".join(errors))
    started = time.perf_counter()
    index = work / "pagefind"  # Pagefind's output, moved into the site when both are ready
    folders = [(a, p, published / "book" / "reports" / a / p) for a, p, _ in as_published]
    search = _search_index(front, built, work / "search", index, folders)
    new = out / "html.new"
    try:
        if new.exists():
            shutil.rmtree(new)
        shutil.copytree(front, new)
        merged = _books_static(books, shared, built, [Path(t[1]) for t in tasks[1:]])
        _merge_static(merged, new / "_static")
        for a, p, done in built:
            dst = new / "book" / "reports" / a / p
            _copy_tree(done, dst)
            src = root / "book" / "reports" / a / p
            shutil.copy2(src / "figures.json", dst / "figures.json")
            if (src / "downloads").is_dir():
                _copy_tree(src / "downloads", dst / "downloads", ())
            for pdf in src.glob("*.pdf"):  # papers printed by an earlier build of this report (copied: printed over)
                shutil.copy2(pdf, dst / pdf.name)
            editions.publish_into(out, Path("book") / "reports" / a / p, figures_of[(a, p)], dst)
        for a, p, folder in folders:  # as it was published: pages, figures.json, downloads, paper and editions
            _copy_tree(folder, new / "book" / "reports" / a / p, ())
        if folders:  # and the static files its pages load, should this build's books have others
            _merge_static(published / "_static", new / "_static")
        kinds = {narrative.demo(figs) for figs in figures_of.values()}
        for a, p, record in records:  # a withdrawn report's or edition's addresses hold the notice
            whole = any(w.get("report") for w in record.get("withdrawals", []))
            if (a, p) in figures_of or (whole and (not kinds or bool(record.get("demo")) in kinds)):
                dst = new / "book" / "reports" / a / p
                editions.publish_withdrawn(out, Path("book") / "reports" / a / p, record, dst, (a, p) in figures_of)
        keep = {done.name for _, _, done in built} | {merged.name}
        for old in books.glob("*") if books.is_dir() else []:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)  # reports no longer built, and old versions of them
    except BaseException:
        search.kill()
        search.wait()
        raise
    _search_done(search, work / "search", index, new)
    log(f"csp build: site assembled and every page indexed for search in {time.perf_counter() - started:.1f} s")
    for job, cover in papers or []:
        report = new / job.final.relative_to(root)
        started = time.perf_counter()
        try:
            gone = left_out(job.figs)  # the sections the report leaves out are not in its paper either
            sections = [s for s in discover(root / "notebooks") if s.slug not in gone]
            pdf = paper.make(report, job.figs, cover, sections, report / paper.file_name(job.figs), store)
        except paper.PaperError as e:
            shutil.rmtree(new, ignore_errors=True)
            raise BuildError(
                f"committee paper of {job.area} {job.period}: {e}; the published site is unchanged"
            ) from None
        shutil.copy2(pdf, job.final / pdf.name)  # kept with the report's sources for later builds
        log(f"csp build: {pdf.name} ({time.perf_counter() - started:.1f} s)")
    swap(new, out / "html")
    shutil.rmtree(work, ignore_errors=True)
    stamp.write_text(digest)
    return out / "html"


__all__ = ["BuildError", "log", "publish", "reports_present", "sync", "write_toc", "report_toc"]
