"""Editions and revisions: a report published once stays as it was published.

When a period already published is built again and a published number changes (the figures and the
series of its charts and tables, compared after disclosure control with the ``figures.json`` the site
holds), the report is published as a new *edition*: ``book/reports/<area>/<period>/`` is always the
latest, and the one it replaces is kept, as it was built, under ``<out>/editions/<area>/<period>/<n>/``
and published at ``book/reports/<area>/<period>/editions/<n>/``: its own pages, ``figures.json``,
downloads and paper, with a note on every page that it has been superseded (and a link to the latest).
Its links are rewritten for the two folders it moved down, so they keep working. The latest edition's
address under ``editions/<n>/`` is a redirect to the report until it is superseded, so every edition's
address holds from the day it is published. The new edition's ``figures.json`` says which edition it is
(``edition``: number, date) and what changed since each earlier one (``revisions``), and its landing
page shows a "Revised" note. Nothing changed: the edition (number, date, revisions) is kept as it was.

Editions live in the build's output folder beside the site (``_build/editions/``): keep it with the site.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import shutil
import zoneinfo
from pathlib import Path

from . import policy

ARCHIVE = "editions"  # <out>/editions/<area>/<period>/<n>/, and the published report's editions/<n>/


LONDON = zoneinfo.ZoneInfo("Europe/London")  # partnerships are in England and Wales: dates as their clocks read


def today(now: datetime.datetime | None = None) -> str:
    """The date of publication as a reader in England or Wales reads it (a build at 00:30 BST is the next day's
    edition, not the day before's as in UTC)."""
    return (now or datetime.datetime.now(datetime.UTC)).astimezone(LONDON).date().isoformat()


def published_figures(out: Path, rel: Path) -> dict | None:
    """The ``figures.json`` the published site holds for the report at ``rel`` (``book/reports/a/2016-17``)."""
    path = out / "html" / rel / "figures.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # none published, or a damaged one: nothing to compare with


def published_figures_at(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _demo(figs: dict) -> bool:
    return (figs.get("source") or {}).get("kind") == "demo"


def edition_of(figs: dict, path: Path | None = None) -> dict:
    """A published report's edition; one published before editions were recorded is the first, of the date its
    figures.json was written."""
    if figs.get("edition"):
        return dict(figs["edition"])
    date = None
    if path is not None and path.exists():
        date = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC).date().isoformat()
    return {"number": 1, "date": date or today()}


def archived(out: Path, rel: Path) -> list[int]:
    """The numbers of a report's editions kept in the archive, oldest first."""
    folder = out / ARCHIVE / Path(*rel.parts[2:])
    return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def changed_figures(old: dict, new: dict) -> list[dict]:
    """Each figure of both reports whose published numbers differ: its value (old, new, difference), or, when its
    value held, the first of its other numbers that changed; ``fields`` lists every number of it that changed."""
    out = []
    for fid, fig in new.get("figures", {}).items():
        was = old.get("figures", {}).get(fid)
        if not isinstance(was, dict):
            continue  # a new figure (new code) revises nothing
        keys = [k for k in fig if k in was and (_number(fig[k]) or _number(was[k])) and fig[k] != was[k]]
        if not keys:
            continue
        field = "value" if "value" in keys else keys[0]
        a, b = was.get(field), fig.get(field)
        diff = round(b - a, 6) if _number(a) and _number(b) else None
        if isinstance(diff, float) and diff.is_integer() and isinstance(a, int) and isinstance(b, int):
            diff = int(diff)
        out.append({"id": fid, "field": field, "old": a, "new": b, "difference": diff, "fields": keys})
    return out


def _same(a, b) -> bool:
    """Whether ``a`` (as published) and ``b`` say the same: a key only one of two objects has (one added by new
    code, such as an XmR chart's ``segments``) revises nothing, as a new figure revises nothing."""
    if isinstance(a, dict) and isinstance(b, dict):
        return all(_same(a[k], b[k]) for k in a.keys() & b.keys())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def changed_series(old: dict, new: dict) -> list[str]:
    """The series (charts and tables) of both reports whose content differs."""
    a, b = old.get("series", {}), new.get("series", {})
    return sorted(k for k in b if k in a and not _same(a[k], b[k]))


def changed_data(old: dict, new: dict) -> list[dict]:
    """What changed in what the report was made from: the folder, its files and months (``source``), and each
    table's file, rows and months (``sources``)."""
    out = []
    s0, s1 = old.get("source") or {}, new.get("source") or {}
    for key in ("kind", "folder", "file_count", "months", "hash"):
        if s0.get(key) != s1.get(key):
            out.append({"item": "source", "field": key, "old": s0.get(key), "new": s1.get(key)})
    t0, t1 = old.get("sources") or {}, new.get("sources") or {}
    for table in sorted(set(t0) | set(t1)):
        a, b = t0.get(table), t1.get(table)
        if a is None or b is None:
            out.append({"item": table, "table": table, "field": "table", "old": bool(a), "new": bool(b)})
            continue
        for key in ("file", "rows", "first_month", "last_month"):
            if a.get(key) != b.get(key):
                out.append(
                    {"item": b.get("file") or table, "table": table, "field": key, "old": a.get(key), "new": b.get(key)}
                )
    return out


def stamp(figs: dict, out: Path, rel: Path, date: str | None = None) -> tuple[dict, int | None]:
    """``figs`` with its ``edition`` and ``revisions``, and the number of the published edition it supersedes
    (to be archived once the build has succeeded), or None when it supersedes none (nothing published, or no
    published number changed: the published edition's number, date and revisions are kept)."""
    old = published_figures(out, rel)
    if old is not None and _demo(old) != _demo(figs):
        old = None  # the demo's and real data's reports never share a site, nor a report's editions
    gone = withdrawn_numbers(withdrawal_record(out, rel))
    if old is not None and edition_of(old)["number"] in gone:
        old = None  # a withdrawn edition is no edition to keep or revise: the report is published anew
    if old is None:
        kept = sorted({*archived(out, rel), *gone})  # after a withdrawal, the next number: never one used
        return {
            **figs,
            "edition": {"number": (kept[-1] + 1) if kept else 1, "date": date or today()},
            "revisions": [],
        }, None
    was = edition_of(old, out / "html" / rel / "figures.json")
    figures_, series = changed_figures(old, figs), changed_series(old, figs)
    if not figures_ and not series:
        return {**figs, "edition": was, "revisions": list(old.get("revisions") or [])}, None
    now = {"number": was["number"] + 1, "date": date or today()}
    revision = {
        "edition": was["number"],
        "edition_date": was["date"],
        "revised_in": now["number"],
        "date": now["date"],
        "figures": figures_,
        "series": series,
        "data": changed_data(old, figs),
    }
    return {**figs, "edition": now, "revisions": [*(old.get("revisions") or []), revision]}, was["number"]


def _months(start: str, end: str) -> list[str]:
    """``2016-04-01``, ``2016-06-30`` -> ``["2016-04", "2016-05", "2016-06"]``."""
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= end[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _first_published(e: dict, fid: str) -> tuple:
    """A figure's value when the report ``e`` was first published, that edition's date, and the date of the last
    revision that changed it (None when none did)."""
    first, changed = None, None
    for r in e.get("revisions") or []:
        for c in r["figures"]:
            if c["id"] == fid and c["field"] == "value":
                first = c["old"] if first is None and changed is None else first
                changed = r["date"]
    revisions = e.get("revisions") or []
    date = revisions[0]["edition_date"] if revisions else (e.get("edition") or {}).get("date")
    value = e["figures"][fid]["value"]
    return (first if changed else value), date, changed


def earlier_revised(figs: dict, earlier: dict[str, dict]) -> list[dict]:
    """Where an earlier period of the area that this report shows month by month (its XmR charts' months, which
    its trend and rolling year are counted from too) has a figure that differs from the area's report of that
    period as published, or that was revised since it was first published: ``earlier`` holds the area's reports
    as the site publishes them after this build (folder name -> figures.json). Each entry: the period, its
    report's folder, the figure, its value when first published and that date, its latest edition, the date it
    was revised (or none: that report was not built again from this data), and its value in this report."""
    out = []
    xmr = (figs.get("series") or {}).get("xmr") or {}
    for folder, e in sorted(earlier.items(), key=lambda kv: kv[1]["period"]["start"]):
        if e["period"]["end"] >= figs["period"]["start"] or _demo(e) != _demo(figs):
            continue
        months = _months(e["period"]["start"], e["period"]["end"])
        for fid, chart in xmr.items():
            fig = (e.get("figures") or {}).get(fid) or {}
            points = {p["month"]: p.get("value") for p in (chart or {}).get("points", [])}
            if fig.get("value") is None or any(points.get(m) is None for m in months):
                continue  # not shown month by month here, or withheld in one of the two
            now = sum(points[m] for m in months)
            first, date, revised = _first_published(e, fid)
            if now == fig["value"] and revised is None:
                continue
            if now != fig["value"]:  # that report still says otherwise: it was not built again from this data
                revised, first, date = None, fig["value"], (e.get("edition") or {}).get("date", date)
            out.append(
                {
                    "period": e["period"]["label"],
                    "report": folder,
                    "id": fid,
                    "published": first,
                    "published_date": date,
                    "edition": (e.get("edition") or {}).get("number", 1),
                    "revised": revised,
                    "now": now,
                    "difference": None if first is None else now - first,
                }
            )
    return out


def last_report(figs: dict, earlier: dict[str, dict], area_folder: str) -> dict | None:
    """The area's report of the period before this one, of the same kind (Q2 2016/17's is Q1 2016/17's, Q1
    2017/18's Q4 2016/17's, 2017/18's 2016/17's, a span's the span as long before it), as the site publishes it
    after this build (``earlier``: folder name -> figures.json, its latest edition): its period, edition, date,
    permanent address and headline values as published (withheld ones null and listed in ``withheld``). None
    when there is none (never built, withdrawn, or of the other kind of data: demo or real)."""
    from ..data.periods import parse
    from ..present.pages import HEADLINE_TILES, OPEN_DATA_TILES

    here = parse(figs["period"]["label"])
    before = here.shift(-len(here))
    last = earlier.get(before.slug)
    if not last or _demo(last) != _demo(figs) or last.get("period", {}).get("label") != before.label:
        return None
    ed = edition_of(last)
    tiles = OPEN_DATA_TILES if last.get("data_format") == "police.uk" else HEADLINE_TILES
    shown = {fid: (last.get("figures") or {}).get(fid) for fid, _, _ in tiles}
    shown = {fid: f for fid, f in shown.items() if isinstance(f, dict)}
    return {
        "period": before.label,
        "short": last["period"].get("short") or before.short,
        "name": last["period"].get("name") or before.long_label,
        "report": before.slug,
        "edition": ed["number"],
        "date": ed["date"],
        "address": f"book/reports/{area_folder}/{before.slug}/{ARCHIVE}/{ed['number']}/",
        "figures": {fid: f.get("value") for fid, f in shown.items()},
        "withheld": sorted(fid for fid, f in shown.items() if "value" in (f.get("suppressed") or [])),
    }


# links of a report's pages that leave its folder (to the area's other reports, ../, the front book, ../../../, and
# the site's _static, ../../../../): two folders further up once the pages are kept under editions/<n>/
_UP = re.compile(r'((?:href|src|action)=")((?:\.\./)+)')
_EDITIONS = re.compile(r'(href=")editions/')
_ARTICLE = re.compile(r'(<article class="bd-article"[^>]*>)')
_ANNOUNCEMENT = re.compile(r'(<div class="bd-header-announcement__content">)')


def _long(iso: str) -> str:
    """``2026-12-02`` -> ``2 December 2026``, as the pages write dates."""
    d = datetime.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


long_date = _long


def _superseded_note(number: int, date: str, by: dict) -> str:
    date, by = _long(date), {**by, "date": _long(by["date"])}
    return (
        '<div class="admonition warning csp-superseded" role="note"><p class="admonition-title">Superseded</p>'
        f"<p>This is edition {number} of this report, published on {date}. It was superseded on {by['date']} by "
        f'edition {by["number"]}, which revises its figures: <a href="../../index.html">read the latest edition</a>. '
        "This edition is kept as it was published.</p></div>"
    )


def archive(out: Path, rel: Path, number: int, by: dict) -> Path:
    """Keep the published report at ``rel`` (its pages, figures.json, downloads and papers, not its own
    ``editions/``) as edition ``number`` in ``<out>/editions/``, superseded by the edition ``by``: each page says
    so under its banner and above its text, and its links out of the report go two folders further up. Written
    into a temporary folder, then renamed into place."""
    src = out / "html" / rel
    dst = out / ARCHIVE / Path(*rel.parts[2:]) / str(number)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns(ARCHIVE), copy_function=shutil.copy2)
    date = edition_of(json.loads((tmp / "figures.json").read_text(encoding="utf-8")))["date"]
    note = _superseded_note(number, date, by)
    flag = f'<span class="csp-superseded-flag">Superseded: edition {number} of {_long(date)}</span> &middot; '
    for page in tmp.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        text = _UP.sub(lambda m: m.group(1) + "../../" + m.group(2), text)
        text = _EDITIONS.sub(r"\1../", text)  # its own list of editions: editions/1/ is now ../1/
        text = _ANNOUNCEMENT.sub(lambda m: m.group(1) + flag, text, count=1)
        text = _ARTICLE.sub(lambda m: m.group(1) + note, text, count=1)
        page.write_text(text, encoding="utf-8")
    if dst.exists():  # a build that stopped after archiving it: the published report it copies is the same
        shutil.rmtree(dst)
    tmp.rename(dst)
    return dst


REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Edition {n}</title>
<meta http-equiv="refresh" content="0; url=../../index.html"></head>
<body><p>Edition {n} is the latest edition of this report: <a href="../../index.html">read it</a>, or see
<a href="../../../../../index.html">all reports</a>.</p></body></html>
"""


def publish_into(out: Path, rel: Path, figs: dict, dst: Path) -> None:
    """Copy a report's archived editions into the site being assembled (``dst`` is its folder there), and give
    the latest edition its own address too (a redirect to the report while it is the latest)."""
    folder = out / ARCHIVE / Path(*rel.parts[2:])
    for n in archived(out, rel):
        kept = published_figures_at(folder / str(n))
        if kept is None or _demo(kept) != _demo(figs):
            continue  # an edition of the other kind of data (demo or real): not on this site
        shutil.copytree(folder / str(n), dst / ARCHIVE / str(n), copy_function=shutil.copy2, dirs_exist_ok=True)
    latest = (figs.get("edition") or {}).get("number")
    if latest and not (dst / ARCHIVE / str(latest)).exists():
        (dst / ARCHIVE / str(latest)).mkdir(parents=True)
        page = policy.protect(REDIRECT.format(n=latest))  # the policy every page of the site carries
        (dst / ARCHIVE / str(latest) / "index.html").write_text(page, encoding="utf-8")


# -- withdrawal ---------------------------------------------------------------------------------------
WITHDRAWN = "withdrawn.json"  # <out>/editions/<area>/<period>/withdrawn.json: what was withdrawn, when and why


def withdrawal_record(out: Path, rel: Path) -> dict | None:
    """The record of the withdrawals of the report at ``rel`` (``book/reports/a/2016-17``), or None."""
    path = out / ARCHIVE / Path(*rel.parts[2:]) / WITHDRAWN
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as e:
        raise ValueError(f"{path}: not a record of withdrawals ({e}): restore it from the site's backup") from None


def withdrawn_numbers(record: dict | None) -> set[int]:
    """The numbers of every edition of a report ever withdrawn."""
    return {int(n) for w in (record or {}).get("withdrawals", []) for n in w["editions"]}


def withdrawal_records(out: Path) -> list[tuple[str, str, dict]]:
    """(area slug, period slug, record) of every report with a withdrawal, in the archive of ``out``."""
    found = []
    for path in sorted((out / ARCHIVE).glob(f"*/*/{WITHDRAWN}")) if (out / ARCHIVE).is_dir() else []:
        found.append(
            (
                path.parent.parent.name,
                path.parent.name,
                withdrawal_record(out, Path("book/reports") / path.parent.parent.name / path.parent.name),
            )
        )
    return found


def withdrawals_of(record: dict | None) -> list[dict]:
    """A report's withdrawals as its figures.json gives them (``withdrawals``): editions, date and reason."""
    return [
        {"editions": list(w["editions"]), "date": w["date"], "reason": w["reason"]}
        for w in (record or {}).get("withdrawals", [])
    ]


def write_record(out: Path, rel: Path, record: dict | None) -> None:
    """Write (or, with None, remove) a report's record of withdrawals: a whole new file renamed into place."""
    path = out / ARCHIVE / Path(*rel.parts[2:]) / WITHDRAWN
    if record is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


WITHDRAWN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Withdrawn: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
.csp-withdrawn{{border-left:.4rem solid #b00020;background:#fdecee;padding:.5rem 1rem}}a{{color:#0645ad}}</style>
</head><body><nav aria-label="Site"><a href="{up}book/index.html">All reports</a> &rsaquo;
<a href="{up}book/index.html#{anchor}">{area}: every period</a></nav>
<main><h1>Withdrawn: {title}</h1><div class="csp-withdrawn" role="note">
<p>{what} was withdrawn on {date}.</p><p><strong>Why:</strong> {reason}</p>
<p>Its figures, downloads and committee paper are no longer published. This address is kept so that links to it
still say what became of it.</p>{latest}</div></main></body></html>
"""


def area_anchor(area: str) -> str:
    """The id of an area's heading on the front page (``area-blackburn-with-darwen``; site.area_anchor)."""
    from ..data import contract

    return "area-" + contract.slug(area).replace("_", "-")


def _editions_words(numbers: list[int]) -> str:
    ns = [str(n) for n in sorted(numbers)]
    return f"edition {ns[0]}" if len(ns) == 1 else "editions " + ", ".join(ns[:-1]) + f" and {ns[-1]}"


def withdrawn_page(record: dict, withdrawal: dict, page: str, published: bool) -> str:
    """The notice published at the address ``page`` (from the report's folder: ``index.html``,
    ``editions/1/02-violence.html``) of a withdrawn report or edition: what was withdrawn, when and why (the
    analyst's words, shown as plain text), links up to the front page and, when the report is published again
    (``published``), to its latest edition."""
    from ..present.text import md  # names from the data, and the analyst's reason, as text: never markup

    up = "../" * (4 + len(Path(page).parts) - 1)  # book/reports/<area>/<period>/ and the page's own folders
    area = md(record["area"])
    title = f"{area}, {md(record['short'])}"
    edition = Path(page).parts[1] if Path(page).parts[:1] == (ARCHIVE,) else None
    if edition is not None:
        what = f"Edition {html.escape(edition)} of this report ({title})"
    else:
        what = f"This report ({title}, {md(record['period_name'])}; {_editions_words(withdrawal['editions'])})"
    latest = ""
    if published:
        href = f"{up}book/reports/{record['folder']}/index.html"
        latest = f'<p><a href="{html.escape(href)}">Read the latest edition of this report</a>.</p>'

    return policy.protect(
        WITHDRAWN_PAGE.format(
            title=title,
            up=up,
            anchor=html.escape(area_anchor(record["area"])),
            area=area,
            what=what,
            date=_long(withdrawal["date"]),
            reason=md(withdrawal["reason"]),
            latest=latest,
        )
    )


def publish_withdrawn(out: Path, rel: Path, record: dict, dst: Path, published: bool) -> None:
    """Write the notices of a report's withdrawals into the site being assembled (``dst``: the report's folder
    there): at each address a withdrawal took away, unless a page of the report published again holds it. A
    report withdrawn and not published again keeps its archived editions that were not withdrawn."""
    if not published:
        gone = withdrawn_numbers(record)
        folder = out / ARCHIVE / Path(*rel.parts[2:])
        for n in archived(out, rel):
            kept = published_figures_at(folder / str(n))
            if n not in gone and kept is not None and _demo(kept) == bool(record.get("demo")):
                shutil.copytree(folder / str(n), dst / ARCHIVE / str(n), copy_function=shutil.copy2, dirs_exist_ok=True)
    for w in record.get("withdrawals", []):
        for page in w["pages"]:
            target = dst / page
            if target.exists() or ".." in Path(page).parts:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(withdrawn_page(record, w, page, published), encoding="utf-8")


__all__ = ["stamp", "archive", "publish_into", "published_figures", "ARCHIVE", "WITHDRAWN"]
