"""``csp withdraw``: the one way a published report, or one edition of it, leaves the site.

A build never drops a published report (editions.py). When one must go (a disclosure error, a wrong extract),
``csp withdraw AREA PERIOD --reason "..."`` takes it out of the site: its pages (the report's, and every
edition's, or with ``--edition N`` that edition's) are replaced by a notice saying it was withdrawn, when
(``editions.today()``) and why (the analyst's reason, shown as plain text: escaped, never Markdown or HTML); its
figures.json, downloads and committee paper leave the site, and its archived editions leave the archive. The
front page still lists the report, marked "withdrawn on DATE", so the addresses a committee was given keep
saying what became of them.

The record stays in the archive (``<out>/editions/<area>/<period>/withdrawn.json``): a later build of another
report leaves the withdrawn one out, and a build of that same area and period publishes it again as a new
edition, numbered after every edition ever published, its landing page saying which edition was withdrawn and
when. The new site replaces the old in one rename (site.publish); a withdrawal that fails leaves the site, the
report's sources and the record as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..data import contract
from ..data.periods import parse
from ..present import narrative
from . import editions
from .site import BuildError, log, publish, write_toc


def _pages(folder: Path, under: str | None = None) -> list[str]:
    """The HTML pages of a published report's folder (from it), its own pages only or those of ``under``."""
    if under is not None:
        base = folder / under
        return sorted(p.relative_to(folder).as_posix() for p in base.rglob("*.html")) if base.is_dir() else []
    return sorted(p.name for p in folder.glob("*.html"))


def withdraw(
    area: str, period: str, reason: str, edition: int | None = None, out="_build", root: Path | None = None
) -> Path:
    """Withdraw the published report of ``area`` and ``period`` (every edition of it, or edition ``edition``) and
    publish the site without it; returns the site's folder."""
    from .build import _lock, find_root

    root = find_root(root)
    label = parse(period).label  # a mistake in the period stops here
    reason = " ".join(reason.split())
    if not reason:
        raise BuildError('say why the report is withdrawn: --reason "..." (it is shown where the report was)')
    folder = contract.report_folder(area, label)
    rel = Path("book") / "reports" / folder
    out = (root / out).resolve() if not Path(out).is_absolute() else Path(out)
    lock = _lock(out)
    try:
        return _withdraw(root, out, rel, area, label, reason, edition)
    finally:
        lock.close()


def _withdraw(root: Path, out: Path, rel: Path, area: str, label: str, reason: str, edition: int | None) -> Path:
    site = out / "html" / rel
    figs = editions.published_figures(out, rel)
    record = editions.withdrawal_record(out, rel)
    gone = editions.withdrawn_numbers(record)
    if figs is not None and editions.edition_of(figs)["number"] in gone:
        figs = None  # already withdrawn: its notice is published
    latest = editions.edition_of(figs)["number"] if figs is not None else None
    archive = out / editions.ARCHIVE / Path(*rel.parts[2:])
    kept = [n for n in editions.archived(out, rel) if n not in gone]
    available = sorted({*kept, *([latest] if latest else [])})
    if not available:
        shown = sorted(
            {p.parent.name for p in (out / "html" / "book" / "reports" / rel.parts[2]).glob("*/figures.json")}
        )
        raise BuildError(
            f"{area} {label} is not published in {out / 'html'}: nothing to withdraw"
            + (f" (published for {area}: {', '.join(shown)})" if shown else "")
            + (f"; withdrawn already: {editions._editions_words(sorted(gone))}" if gone else "")
        )
    if edition is not None and edition not in available:
        raise BuildError(
            f"edition {edition} of {area} {label} is not published: its published editions are "
            f"{', '.join(map(str, available))} (--edition, or none to withdraw the whole report)"
        )
    targets = available if edition is None else [edition]
    whole = latest is not None and latest in targets  # the report's own address goes too
    pages = (_pages(site) + [f"{editions.ARCHIVE}/{latest}/index.html"]) if whole else []
    for n in targets:
        if n != latest:
            pages += _pages(site, f"{editions.ARCHIVE}/{n}")
    about = figs or editions.published_figures_at(archive / str(targets[-1])) or {}
    if record is None:
        record = {
            "area": about.get("area", area),
            "county": about.get("county", ""),
            "folder": Path(*rel.parts[2:]).as_posix(),
            "period": about.get("period", {"label": label, "end": ""}),
            "short": narrative.short(about) if about else label,
            "period_name": narrative.period_name(about) if about else label,
            "demo": narrative.demo(about),
            "withdrawals": [],
        }
    before = editions.withdrawal_record(out, rel)
    entry = {
        "editions": targets,
        "date": editions.today(),
        "reason": reason,
        "report": whole,
        "pages": sorted(set(pages)),
    }
    record = {**record, "withdrawals": [*record["withdrawals"], entry]}
    src = root / rel
    aside = src.with_name(src.name + ".old")  # reports_present skips it; put back if the site cannot be made
    editions.write_record(out, rel, record)
    try:
        if whole and src.is_dir():
            shutil.rmtree(aside, ignore_errors=True)
            src.rename(aside)
        (out / "build.digest").unlink(missing_ok=True)  # the next build builds: the site changed under it
        write_toc(root, out)
        html = publish(root, out)
    except BaseException:
        if aside.is_dir() and not src.exists():
            aside.rename(src)
        editions.write_record(out, rel, before)
        write_toc(root, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    for n in targets:  # the archive keeps the record, not what was withdrawn
        shutil.rmtree(archive / str(n), ignore_errors=True)
    log(
        f"csp withdraw: {record['area']} {label}: {editions._editions_words(targets)} withdrawn on {entry['date']}; "
        f"{len(entry['pages'])} page(s) now say so; the record is kept in "
        f"{(archive / editions.WITHDRAWN).relative_to(out.parent) if archive.is_relative_to(out.parent) else archive}"
    )
    return html


__all__ = ["withdraw"]
