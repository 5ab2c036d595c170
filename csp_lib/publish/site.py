"""The site: the table of contents from the reports present, jupyter-book, and publishing.

A report's staged folder replaces its published one touching only the files that changed (so
jupyter-book rebuilds only those pages); the new site replaces ``<out>/html`` in one rename.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from .. import figures
from ..figures.sections import discover
from ..present import narrative, pages
from . import cache, paper


class BuildError(Exception):
    """A notebook or the site build failed; the published site is unchanged."""


def log(msg: str) -> None:
    """A line of the build's progress, on standard error."""
    print(msg, file=sys.stderr, flush=True)


def reports_present(root: Path) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, figures) of every report in book/reports, sorted for the toc."""
    out = []
    for fj in sorted((root / "book" / "reports").glob("*/*/figures.json")):
        if fj.parent.name.endswith((".staging", ".old")):
            continue
        out.append((fj.parent.parent.name, fj.parent.name, figures.read(fj)))
    # areas A-Z, latest period first
    out.sort(key=lambda r: (r[2]["area"], [-ord(ch) for ch in r[2]["period"]["end"]]))
    return out


def write_toc(root: Path) -> None:
    reports = reports_present(root)
    lines = [
        "# Written by `csp build` from the reports in book/reports/: edit csp_lib/publish/site.py.",
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
    lines += ['- caption: "About"', "  chapters:", "  - file: book/methods", "  - file: book/accessibility", ""]
    (root / "_toc.yml").write_text("\n".join(lines), encoding="utf-8")
    gen = root / "book" / "_generated"
    gen.mkdir(exist_ok=True)
    (gen / "reports.md").write_text(
        "\n".join(listing) + "\n" if reports else "*No report built yet.*\n", encoding="utf-8"
    )
    (gen / "offences.md").write_text(pages.offences(), encoding="utf-8")


def swap(new: Path, final: Path) -> None:
    """Put ``new`` where ``final`` is, keeping the old one until the rename is done."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    new.rename(final)
    if old.exists():
        shutil.rmtree(old)


def sync(staging: Path, final: Path) -> None:
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


def publish(root: Path, out: Path, papers: list | None = None, store=None) -> Path:
    """Build the site with jupyter-book and publish it, unless nothing it is made from changed."""
    digest = _site_digest(root)
    stamp = out / "site.digest"
    published = out / "html"
    papers_there = all(
        (published / j.final.relative_to(root) / paper.file_name(j.figs)).exists() for j, _ in papers or []
    )
    if published.is_dir() and stamp.exists() and stamp.read_text() == digest and papers_there:
        log("csp build: the site's sources are unchanged: the published site is kept as it is")
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
    log("csp build: jupyter-book build")
    started = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    log(f"csp build: jupyter-book took {time.perf_counter() - started:.1f} s")
    if res.returncode != 0:
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book build failed, the published site is unchanged:\n{tail}")
    html = work / "_build" / "html"
    new = out / "html.new"
    if new.exists():
        shutil.rmtree(new)
    shutil.copytree(html, new)
    # Sphinx keeps the pages of documents that are gone: a report no longer in book/reports leaves the site
    present = {(a, p) for a, p, _ in reports_present(root)}
    for base in (new / "book" / "reports", new / "_sources" / "book" / "reports"):
        for folder in sorted(base.glob("*/*")) if base.is_dir() else []:
            if folder.is_dir() and (folder.parent.name, folder.name) not in present:
                shutil.rmtree(folder)
        for area in list(base.glob("*")) if base.is_dir() else []:
            if area.is_dir() and not any(area.iterdir()):
                area.rmdir()
    # figures.json and the downloads sit beside each report's pages
    for a, p, _ in reports_present(root):
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
        log(f"csp build: {pdf.name} ({time.perf_counter() - started:.1f} s)")
    swap(new, out / "html")
    stamp.write_text(digest)
    return out / "html"


__all__ = ["BuildError", "log", "publish", "reports_present", "sync", "write_toc"]
