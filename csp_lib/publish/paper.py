"""The committee paper: one print-ready PDF per report, made from the built site.

Scrutiny committees take papers as PDF attachments to the agenda. The paper is
assembled from the report's built HTML pages (their article only: no navigation),
with a cover block and opening sections the analyst writes in
``commentary/<area>/<period>/cover.yml``, a contents list with page numbers and
the considerations table at the end; Debian's headless Chromium prints it with
``book/_static/csp-print.css`` (page numbers and the link to the online report in
every footer). The contents' page numbers come from a first print, read back with
``pdftotext``; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import subprocess
import tempfile
import textwrap
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from ..data.contract import report_folder
from ..figures.sections import NUMBERED_HEADINGS, PRIORITIES, Section, county_name, force_area_report
from ..present import text
from ..present.narrative import DEMO_BANNER, compared_phrase, demo, period_name, source_line
from ..present.tables import records
from .policy import protect

TEMPLATE = Path(__file__).parent.parent / "templates" / "cover.yml"
FIELDS = {
    "report_to": str,
    "relevant_officer": str,
    "meeting_date": str,
    "title": str,
    "purpose": str,
    "recommendation": str,
    "reasons": str,
    "council_priority": str,
    "background": str,
    "exempt_information": str,
    "appendices": str,
    "considerations": dict,
    "online_url": str,
}
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# the cover's default words (templates/cover.yml), by who reads the paper: a partnership's report goes to the
# council's scrutiny committee; a police force area's (figures.json ``level`` ``pfa``, from the Home Office
# tables) to the Police and Crime Panel, which scrutinises the Police and Crime Commissioner and the police
# and crime plan. Our own words, no name from the data in them (a name goes in the comment line only, escaped).
COVER_WORDS = {
    "csp": {
        "reader": "the Community Safety Partnership's scrutiny committee",
        "report_to": "Scrutiny Committee",
        "title": "Community Safety Performance Report",
        "purpose": "To consider performance regarding the Community Safety Partnership's priorities from {period}.",
        "recommendation": "To scrutinise the performance of the Community Safety Partnership against its priorities "
        "and identify any matters for further consideration.",
        "reasons": "To ensure effective scrutiny of the Community Safety Partnership.",
    },
    "pfa": {
        "reader": "the Police and Crime Panel of the police force area",
        "report_to": "Police and Crime Panel",
        "title": "Police Force Area Performance Report",
        "purpose": "To consider recorded crime in the police force area from {period}, against the priorities of "
        "the police and crime plan.",
        "recommendation": "To scrutinise recorded crime in the police force area against the priorities of the "
        "police and crime plan and identify any matters to raise with the Police and Crime Commissioner.",
        "reasons": "To support the Police and Crime Panel's scrutiny of the Police and Crime Commissioner.",
    },
}


def cover_words(figs: dict) -> dict[str, str]:
    """The cover's default words for the report's level (:data:`COVER_WORDS`): a force area's, or a
    partnership's (every other report: a district's too)."""
    return COVER_WORDS["pfa" if force_area_report(text.raw(figs)) else "csp"]


class PaperError(Exception):
    """A cover file that cannot be read, or no browser or pdftotext to print with."""


def cover_path(commentary_dir: Path, figs: dict) -> Path:
    return Path(commentary_dir) / report_folder(figs["area"], figs["period"]["label"]) / "cover.yml"


def site_url(root: Path) -> str:
    """``[site] url`` of the project's csp.toml: where the built site is published, or ""."""
    import tomllib

    path = Path(root) / "csp.toml"
    if not path.exists():
        return ""
    with path.open("rb") as fh:
        return str(tomllib.load(fh).get("site", {}).get("url", "") or "")


def online_url(base: str, report: str) -> str:
    """The report's landing page under the published site, or "" when no site address is set."""
    return f"{base.rstrip('/')}/{report.strip('/')}/index.html" if base else ""


def edition_url(base: str, report: str, figs: dict) -> str:
    """The permanent address of the report's edition (``<url>/book/reports/<area>/<period>/editions/<n>/``: a
    redirect to the report while it is the latest, its pages as published once superseded: editions.py), or
    "" when no site address is set. A paper cites this one: the report's own address shows whatever edition is
    the latest the day it is read. A report with no edition yet (not built by csp build) gets its page's."""
    number = (figs.get("edition") or {}).get("number")
    if not base or not number:
        return online_url(base, report)
    return f"{base.rstrip('/')}/{report.strip('/')}/editions/{int(number)}/"


def ensure_cover(path: Path, figs: dict) -> Path:
    """Create the cover file from its template; never overwrite one that exists. The names from the data go in
    escaped (text.md: no newline can leave the comment, no markup reaches the landing page, which shows the
    cover as the analyst's Markdown), the file list as one JSON string (a valid YAML scalar whatever it holds)."""
    if not path.exists():
        defaults = cover_words(figs)
        figs = text.view(figs)
        sources = "; ".join(f"{s['file']} ({records(s['rows'])} records)" for s in figs.get("sources", {}).values())
        name = period_name(figs)
        said = {k: v.format(period=name) for k, v in defaults.items()}  # our own words: plain YAML text
        for key in ("purpose", "recommendation", "reasons"):  # folded (>-): the lines join again with spaces
            said[key] = textwrap.fill(said[key], 100, subsequent_indent="  ")
        said["title"] = f"{defaults['title']} {name}"
        words = TEMPLATE.read_text(encoding="utf-8").format(
            area=figs["area"], period_name=name, sources=json.dumps(sources, ensure_ascii=False), **said
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(words, encoding="utf-8")
    return path


def read_cover(path: Path) -> dict:
    """The cover's fields, checked: a bad file stops with its line and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise PaperError(f"{path}{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(data, dict):
        raise PaperError(f"{path}: expected 'key: value' lines")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise PaperError(f"{path}: unknown key '{unknown[0]}'. Keys: {', '.join(FIELDS)}")
    out = {}
    for key, kind in FIELDS.items():
        value = data.get(key)
        if value is None:
            value = kind()
        if kind is str and not isinstance(value, str):
            value = str(value)  # dates and numbers as written
        if kind is dict and not isinstance(value, dict):
            raise PaperError(f"{path}: '{key}' must be a list of 'heading: text' lines")
        out[key] = value
    out["considerations"] = {str(k): "" if v is None else str(v) for k, v in out["considerations"].items()}
    return out


# -- the print document -------------------------------------------------------------------------
def _article(page: Path):
    """The article of a built page, without permalinks, download links or hidden cells."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup.find("main")
    for el in article.select("a.headerlink, p.csp-download, .toggle-details, script:not(.csp-spec), style, noscript"):
        el.decompose()
    for a in article.find_all("a", href=True):  # links between pages of the site mean nothing on paper
        if re.match(r"https?://", a["href"]):
            continue
        if a.get("class"):  # a landing-page tile keeps its box
            a.name = "div"
            del a["href"]
        else:
            a.unwrap()
    for h in article.find_all(["h1", "h2", "h3", "h4"]):
        h.attrs.pop("id", None)
    return article


def _text(value: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paras)


def _numbered(number: str, title: str, body: str) -> str:
    """An opening part of the paper: ``1.0 Purpose of the report``, its paragraphs 1.1, 1.2 ..."""
    base = number.split(".")[0]
    paras = re.findall(r"<p>(.*?)</p>", body, re.S)
    body = "".join(f'<p><span class="para-num">{base}.{j}</span> {p}</p>' for j, p in enumerate(paras, 1))
    return f'<section class="paper-part"><h2>{number} {html.escape(title)}</h2>{body}</section>'


def _paragraphs(el, prefix: str, start=None, follow: bool = False):
    """Number the paragraphs of ``el`` (or, with ``follow``, those after the heading ``el`` up to the next
    heading of its level) ``prefix.1``, ``prefix.2`` ... so a member can cite one; returns the counter, which
    ``start`` continues. Tables, charts, tiles and notes keep no number."""
    counter = start if start is not None else [0]
    if follow:
        paras = []
        for sib in el.find_all_next():
            if sib.name == el.name:
                break
            if sib.name == "p":
                paras.append(sib)
    else:
        paras = el.find_all("p")
    h1 = el.find("h1") if not follow else None
    lead = h1.find_next("p") if h1 else None  # the section's one-line description under its title
    for p in paras:
        if not p.get_text(strip=True) or p.find_parent(["table", "figure", "figcaption", "nav", "li"]):
            continue
        strong = p.find("strong")
        if p is lead or (strong and strong.get_text(strip=True) == p.get_text(strip=True)):
            continue  # the description and the bold area and months line are headings, not statements
        if any(p.find_parent(class_=c) for c in ("csp-tiles", "csp-demo", "csp-note")):
            continue
        counter[0] += 1
        num = BeautifulSoup(f'<span class="para-num">{prefix}.{counter[0]}</span> ', "html.parser")
        p.insert(0, num)
    return counter


def document(report_html: Path, figs: dict, cover: dict, sections: list[Section], pages: dict | None = None) -> str:
    """The committee paper as one HTML document (``pages``: section -> page, for the contents)."""
    pages = pages or {}
    figs = text.raw(figs)  # every value below is escaped for HTML (html.escape) or for CSS (text.css_string)
    area, period = figs["area"], period_name(figs)
    title = cover["title"] or f"{cover_words(figs)['title']} {period}"
    meta = [
        ("Report to", cover["report_to"]),
        ("Relevant Officer", cover["relevant_officer"]),
        ("Date of Meeting", cover["meeting_date"]),
        ("Area", f"{area} ({county_name(figs, article=False)})"),
        ("Period", f"{period}, {compared_phrase(figs)}"),
        ("Made from", source_line(figs).replace("`", "")),
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in meta if v)
    parts = [
        '<section class="paper-cover">',
        f'<table class="paper-meta">{rows}</table>',
        f"<h1>{html.escape(title)}</h1>",
    ]
    if demo(figs):  # the cover says it in words and in the page's own colours: no one tables it as real
        parts.append(DEMO_BANNER)
    if cover["online_url"]:
        url = html.escape(cover["online_url"])
        parts.append(f'<p class="paper-online">Online report: <a href="{url}">{url}</a></p>')
    opening = [
        ("Purpose of the report", cover["purpose"]),
        ("Recommendation", cover["recommendation"]),
        ("Reasons for recommendation", cover["reasons"]),
        ("Council priority", cover["council_priority"]),
        ("Background information", cover["background"]),
    ]
    n = 0
    for name, words in opening:
        if words.strip():
            n += 1
            parts.append(_numbered(f"{n}.0", name, _text(words)))
    parts.append("</section>")
    perf = n + 1
    contents = (
        [("Headlines", "headlines")] + [(s.title, s.slug) for s in sections] + [("Considerations", "considerations")]
    )
    items = "".join(
        f'<li><span class="toc-title">{html.escape(t)}</span><span class="toc-page">{pages.get(key, "")}</span></li>'
        for t, key in contents
    )
    parts.append(f'<nav class="paper-contents"><h2>Contents</h2><ol>{items}</ol></nav>')
    # headlines: the landing page's tiles, summary and headline sentences, then each section, numbered as the
    # published report is (sections.PRIORITIES, NUMBERED_HEADINGS), every paragraph with a number to cite
    head = BeautifulSoup(f"<div>{_headline_part(_article(report_html / 'index.html'))}</div>", "html.parser")
    counter = _paragraphs(head.div, f"{perf}.0")
    parts.append(
        f'<section class="paper-section" data-key="headlines"><h1>{perf}.0 Performance</h1>'
        f"{head.div.decode_contents()}</section>"
    )
    number, sub = perf, 0
    for s in sections:
        page = report_html / f"{s.notebook}.html"
        if not page.exists():
            continue
        body = _article(page)
        h1 = body.find("h1")
        if s.slug == PRIORITIES[0]:  # all crime is the performance part's own text: 6.0.4, 6.0.5 ...
            _paragraphs(body, f"{perf}.0", counter)
        elif s.slug in PRIORITIES:
            sub += 1
            if h1:
                h1.string = f"{perf}.{sub} {s.title}"
            _paragraphs(body, f"{perf}.{sub}")
        elif s.slug in NUMBERED_HEADINGS:
            if h1:
                h1.string = s.title
            for part in body.select("h2"):
                number += 1
                part.string = f"{number}.0 {part.get_text(strip=True)}"
                _paragraphs(part, str(number), follow=True)
        else:
            number += 1
            if h1:
                h1.string = f"{number}.0 {s.title}"
            _paragraphs(body, str(number))
        parts.append(f'<section class="paper-section" data-key="{s.slug}">{body.decode_contents()}</section>')
    extra = "".join(
        f"<tr><th>{k}</th><td><p>{html.escape(v)}</p></td></tr>"
        for k, v in (
            ("Does the information submitted include any exempt information?", cover["exempt_information"]),
            ("List of appendices", cover["appendices"]),
        )
        if v
    )
    considered = []
    for k, v in cover["considerations"].items():
        number += 1
        paras = "".join(
            f'<p><span class="para-num">{number}.{j}</span> {html.escape(p)}</p>'
            for j, p in enumerate([p.strip() for p in re.split(r"\n\s*\n", v.strip()) if p.strip()] or ["None"], 1)
        )
        considered.append(f'<h2 class="paper-consideration">{number}.0 {html.escape(k)}</h2>{paras}')
    parts.append(
        '<section class="paper-section" data-key="considerations">'
        f'<h1>Considerations</h1><table class="paper-considerations"><tbody>{extra}</tbody></table>'
        f"{''.join(considered)}</section>"
    )
    css = (Path(__file__).parent.parent / "templates" / "paper.css").read_text(encoding="utf-8")
    footer = text.css_string(f"{area}: {period}")
    if cover["online_url"]:
        footer += "\\A " + text.css_string(f"Online report: {cover['online_url']}")  # \A: a new line
    css = css.replace("FOOTER_TEXT", footer)
    # the site's own table and chart styles (book/_static/csp.css, published in the site's _static/)
    site_css = next(
        (p.read_text(encoding="utf-8") for d in report_html.parents if (p := d / "_static" / "csp.css").exists()), ""
    )
    return protect(  # the site's own scripts only, no frame: whatever reached the paper cannot load a local file
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}: {html.escape(area)}</title>"
        f"<style>{site_css}\n{css}</style>{_chart_scripts(report_html)}</head><body>{''.join(parts)}</body></html>\n"
    )


CHART_SCRIPT = re.compile(r"_static/(?:vega/[^/]+|csp)\.js$")  # Vega, Vega-Lite, vega-embed; csp.js draws


def _chart_scripts(report_html: Path) -> str:
    """The scripts with which the report's pages draw their charts (as _config.yml lists them), for Chromium to
    draw the charts before it prints: addressed from the site's root, where :func:`_serve` serves them."""
    page = BeautifulSoup((report_html / "index.html").read_text(encoding="utf-8"), "html.parser")
    srcs = [tag["src"].split("?")[0] for tag in page.find_all("script", src=True)]
    site = _site_root(report_html).resolve()
    return "".join(
        f'<script src="/{html.escape((report_html / s).resolve().relative_to(site).as_posix())}"></script>'
        for s in srcs
        if CHART_SCRIPT.search(s)
    )


def _site_root(report_html: Path) -> Path:
    """The site a report's pages are in: the nearest folder above them with the site's ``_static``."""
    return next((d for d in Path(report_html).parents if (d / "_static").is_dir()), Path(report_html))


PAPER = "csp-committee-paper.html"  # where the print document is served, beside the site's files


@contextlib.contextmanager
def _serve(site: Path, doc: str):
    """The site's folder on a loopback port, and the print document at ``/PAPER``, for the printing browser: it
    reads the pages being printed and their scripts, and no other file of this machine (nothing outside the
    site, even through a symbolic link; no file: address, which an http page cannot open)."""
    site = Path(site).resolve()
    body = doc.encode("utf-8")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def translate_path(self, path):
            local = Path(super().translate_path(path)).resolve()
            return str(local) if local.is_relative_to(site) else str(site / "\0outside")  # never found

        def do_GET(self):
            if self.path.split("?")[0] != "/" + PAPER:
                return super().do_GET()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{PAPER}"
    finally:
        server.shutdown()
        server.server_close()


def _headline_part(index) -> str:
    """Tiles, the generated summary and the headline sentences of the landing page."""
    out = []
    h1 = index.find("h1")
    for el in h1.parent.children if h1 else []:
        if el.name == "section":
            break
        if el.name == "p" or (el.name == "div" and "csp-tiles" in el.get("class", [])):
            out.append(str(el))
    heads = next((h for h in index.find_all("h2") if h.get_text(strip=True) == "Headlines"), None)
    if heads and (ul := heads.find_next("ul")):
        out.append("<h2>Headlines</h2>" + str(ul))
    return "".join(out)


# -- printing ---------------------------------------------------------------------------------------
def browser() -> str:
    for name in BROWSERS:
        if path := shutil.which(name):
            return path
    raise PaperError(
        "no headless browser to print the PDF with: install Debian's chromium "
        "(make setup does it: apt-get install --no-install-recommends chromium poppler-utils)"
    )


def print_pdf(url: str, pdf: Path) -> None:
    """Print the page at ``url`` (the print document, served by :func:`_serve`) to ``pdf``."""
    with tempfile.TemporaryDirectory(prefix="csp-chromium-") as profile:
        cmd = [
            browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=30000",  # the charts are drawn by script after the page loads: wait for them
            f"--print-to-pdf={pdf}",
            url,
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if res.returncode or not pdf.exists() or pdf.stat().st_size == 0:
        raise PaperError(f"chromium could not print {url}: {res.stderr.strip()[-500:]}")


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, pages separated by form feeds)."""
    exe = shutil.which("pdftotext")
    if not exe:
        raise PaperError("pdftotext is missing: apt-get install --no-install-recommends poppler-utils")
    res = subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return res.stdout.split("\f")


def pages_of(texts: list[str], headings: dict[str, str]) -> dict[str, int]:
    """First page (1-based) holding each section heading, after the contents page."""
    start = next((i for i, t in enumerate(texts) if "Contents" in t), 0) + 1
    out = {}
    for key, heading in headings.items():
        for i in range(start, len(texts)):
            if heading in re.sub(r"\s+", " ", texts[i]):
                out[key] = i + 1
                break
    return out


def make(report_html: Path, figs: dict, cover: dict, sections: list[Section], pdf: Path, store=None) -> Path:
    """Write the committee paper of one built report; returns the PDF's path.

    Printed twice: the first print tells on which page each section starts, the
    second carries those numbers in the contents. ``store`` (a build cache) keeps
    the PDF of each document, so an unchanged report is not printed again.
    """
    first_doc = document(report_html, figs, cover, sections)
    cached = None
    if store is not None:
        from . import cache

        cached = Path(store.folder) / "papers" / f"{cache.digest('paper', first_doc, cache.code_digest())}.pdf"
        if cached.exists() and cache.pdf_ok(cached):
            shutil.copy2(cached, pdf)
            return pdf
        if cached.exists():
            cache.warn(cached, "not a whole PDF")
            cache.drop(cached)
    site = _site_root(report_html)
    with tempfile.TemporaryDirectory(prefix="csp-paper-") as tmp:
        first = Path(tmp) / "first.pdf"
        with _serve(site, first_doc) as url:
            print_pdf(url, first)
        pages = pages_of(page_texts(first), _headings(first_doc))
        out = Path(tmp) / "paper.pdf"
        with _serve(site, document(report_html, figs, cover, sections, pages)) as url:
            print_pdf(url, out)
        shutil.copy2(out, pdf)
        if cached is not None:
            cache.write_atomic(cached, out.read_bytes())
    return pdf


def _headings(doc: str) -> dict[str, str]:
    """Section key -> its first heading's text, as pdftotext will show it."""
    soup = BeautifulSoup(doc, "html.parser")
    return {
        sec["data-key"]: re.sub(r"\s+", " ", sec.find("h1").get_text(" ", strip=True))
        for sec in soup.select("section.paper-section")
        if sec.find("h1")
    }


def file_name(figs: dict) -> str:
    return "-".join(report_folder(figs["area"], figs["period"]["label"]).parts) + "-committee-paper.pdf"


__all__ = ["make", "document", "ensure_cover", "read_cover", "cover_path", "file_name", "PaperError"]
