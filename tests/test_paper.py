"""The committee paper: the cover file, the print document, and the PDF of the demo report.

The PDF itself is made by the end-to-end build of test_build.py (``--pdf``) and read
back here with pdftotext, as a reader of the agenda pack would see it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from csp_lib.figures.sections import SECTIONS
from csp_lib.present.text import css_string
from csp_lib.publish import paper

FIGS = {
    "area": "Blackpool",
    "county": "Lancashire",
    "period": {"label": "2016/17", "name": "April 2016 to March 2017"},
    "previous": {"label": "2015/16", "name": "April 2015 to March 2016"},
    "sources": {"crimes": {"file": "crimes.csv", "rows": 120}},
}

INDEX = """<html><body><nav class="bd-sidebar">Menu Blackburn with Darwen</nav><main><article class="bd-article">
<section id="blackpool"><h1>Blackpool: April 2016 to March 2017<a class="headerlink" href="#blackpool">#</a></h1>
<p>Community Safety Partnership performance report for <strong>Blackpool</strong>.</p>
<div class="csp-tiles"><a class="csp-tile" href="01-overview.html"><span class="csp-tile-label">All crime</span>
<span class="csp-tile-value">18,688</span></a></div>
<p>In April 2016 to March 2017, police recorded 18,688 crimes in Blackpool.</p>
<section id="headlines"><h2>Headlines</h2><ul><li>All crime in Blackpool is up by 12.4%.</li></ul></section>
<section id="sections"><h2>Sections</h2><ul><li><a href="01-overview.html">All crime</a></li></ul></section>
</section></article></main></body></html>"""

OVERVIEW = """<html><body><nav>Site navigation</nav><article class="bd-article"><section><h1>All crime</h1>
<p>Police recorded crime in the area.</p><p><strong>Blackpool, April 2016 to March 2017</strong></p>
<p>All crime is up.</p><table class="csp-table"><thead><tr><th>Measure</th></tr></thead>
<tbody><tr><td>All crime</td></tr></tbody></table>
<p class="csp-download"><a href="downloads/x.csv">Download this table (CSV)</a></p>
<p>See <a href="02-violence.html">violence</a> and <a href="https://data.police.uk/">police.uk</a>.</p>
</section></article></body></html>"""


@pytest.fixture
def built(tmp_path):
    report = tmp_path / "html" / "book" / "reports" / "blackpool" / "2016-17"
    report.mkdir(parents=True)
    (report / "index.html").write_text(INDEX)
    (report / "01-overview.html").write_text(OVERVIEW)
    return report


def test_cover_is_made_once_from_the_template_and_never_overwritten(tmp_path):
    path = paper.cover_path(tmp_path / "commentary", FIGS)
    assert path == tmp_path / "commentary" / "blackpool" / "2016-17" / "cover.yml"
    paper.ensure_cover(path, FIGS)
    cover = paper.read_cover(path)
    assert cover["title"] == "Community Safety Performance Report April 2016 to March 2017"
    assert cover["considerations"]["Background papers"] == "crimes.csv (120 records)"
    path.write_text("report_to: My committee\n")
    paper.ensure_cover(path, FIGS)
    assert paper.read_cover(path)["report_to"] == "My committee"
    assert paper.read_cover(path)["considerations"] == {}


def test_a_force_areas_cover_speaks_to_the_police_and_crime_panel(tmp_path, built):
    """A police force area's report (figures.json level pfa, from the Home Office tables) goes to the Police and
    Crime Panel: the cover's defaults say so, never "the Community Safety Partnership"; a partnership's keep
    their words. The force's name is from the data: it reaches the cover file's comment only, escaped, and the
    file stays the YAML it was meant to be."""
    from csp_lib.present import pages

    hostile = 'Evil"\n: shire {{ 6*7 }} <b>x</b> #'
    pfa = FIGS | {"area": f"{hostile} police force area", "county": "England and Wales", "level": "pfa"}
    path = paper.ensure_cover(paper.cover_path(tmp_path / "c", pfa), pfa)
    written = path.read_text(encoding="utf-8")
    assert "Community Safety Partnership" not in written
    assert "<b>" not in written and "{{" not in written and "\n:" not in written  # the name went in escaped
    cover = paper.read_cover(path)
    assert set(cover) == set(paper.FIELDS)  # no key the name could have added
    assert cover["report_to"] == "Police and Crime Panel"
    assert cover["title"] == "Police Force Area Performance Report April 2016 to March 2017"
    assert cover["purpose"] == (
        "To consider recorded crime in the police force area from April 2016 to March 2017, against the priorities "
        "of the police and crime plan."
    )
    assert "the Police and Crime Commissioner" in cover["recommendation"]
    assert cover["reasons"] == "To support the Police and Crime Panel's scrutiny of the Police and Crime Commissioner."
    doc = paper.document(built, pfa, cover | {"title": ""}, [SECTIONS[0]])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", doc.split("</style>")[1]))
    assert "Report to Police and Crime Panel" in text
    assert "Police Force Area Performance Report April 2016 to March 2017" in text  # the default title
    assert "1.1 To consider recorded crime in the police force area" in text
    assert "<b>x</b>" not in doc and "&lt;b&gt;x&lt;/b&gt;" in doc  # the area's name escaped on the cover
    front = pages.committee(cover, pfa)
    assert front[0] == "## For the Police and Crime Panel"
    # a partnership's cover keeps the partnership's words
    csp = paper.read_cover(paper.ensure_cover(tmp_path / "csp" / "cover.yml", FIGS | {"level": "csp"}))
    assert csp["report_to"] == "Scrutiny Committee"
    assert csp["purpose"] == (
        "To consider performance regarding the Community Safety Partnership's priorities from April 2016 to March 2017."
    )
    assert csp["reasons"] == "To ensure effective scrutiny of the Community Safety Partnership."
    assert pages.committee(csp, FIGS)[0] == "## For the scrutiny committee"


def test_a_bad_cover_names_the_file_and_line(tmp_path):
    path = tmp_path / "cover.yml"
    path.write_text("report_to: A\nrelevant_officer: [unclosed\n")
    with pytest.raises(paper.PaperError, match=r"cover.yml, line 3: not valid YAML"):
        paper.read_cover(path)
    path.write_text("report_too: A\n")
    with pytest.raises(paper.PaperError, match="unknown key 'report_too'"):
        paper.read_cover(path)
    path.write_text("considerations: none\n")
    with pytest.raises(paper.PaperError, match="'considerations' must be"):
        paper.read_cover(path)
    path.write_text("meeting_date: 2017-06-21\n")
    assert paper.read_cover(path)["meeting_date"] == "2017-06-21"  # a YAML date, kept as written


def test_print_document_has_the_cover_sections_and_considerations_without_site_chrome(tmp_path, built):
    path = paper.ensure_cover(paper.cover_path(tmp_path / "c", FIGS), FIGS)
    cover = paper.read_cover(path) | {"relevant_officer": "A Officer", "online_url": "https://example.org/r/"}
    doc = paper.document(built, FIGS, cover, [SECTIONS[0]], pages={"headlines": 3, "overview": 4})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", doc.split("</style>")[1]))
    assert "Relevant Officer A Officer" in text
    assert "1.0 Purpose of the report" in text and "2.0 Recommendation" in text
    assert "1.0 Purpose of the report 1.1 To consider performance" in text
    assert "4.0 Performance 4.0.1 Community Safety Partnership performance report" in text
    assert "4.0.2 In April 2016 to March 2017, police recorded 18,688 crimes" in text
    assert (
        "All crime Police recorded crime in the area. Blackpool, April 2016 to March 2017 4.0.3 All crime is up."
        in text
    )
    assert "5.0 Legal considerations 5.1 None" in text
    assert "12.0 Background papers 12.1 crimes.csv (120 records)" in text
    assert "Headlines 3" in text and "All crime 4" in text  # the contents with page numbers
    assert "All crime in Blackpool is up by 12.4%." in text
    assert "Menu" not in text and "Site navigation" not in text  # no navigation chrome
    body = doc.split("</style>")[1]
    assert "Download this table" not in text and "headerlink" not in body
    assert 'href="02-violence.html"' not in body and 'href="https://data.police.uk/"' in body
    assert '<div class="csp-tile">' in body  # tiles keep their boxes, not their links
    assert "Legal considerations" in text and "Background papers" in text
    footer = "\\A " + css_string("Online report: https://example.org/r/")  # the footer of every page, CSS-escaped
    assert footer in doc and "Online report\\3a  https\\3a \\2f \\2f example" in footer
    assert "tr, th, td, caption { break-inside: avoid; }" in doc  # no table splits mid-row


def test_online_address_from_csp_toml(tmp_path):
    assert paper.site_url(tmp_path) == ""
    (tmp_path / "csp.toml").write_text('[site]\nurl = "https://example.gov.uk/csp/"\n')
    base = paper.site_url(tmp_path)
    assert paper.online_url(base, "book/reports/blackpool/2016-17") == (
        "https://example.gov.uk/csp/book/reports/blackpool/2016-17/index.html"
    )
    assert paper.online_url("", "book/reports/blackpool/2016-17") == ""


def test_the_paper_cites_its_editions_permanent_address(tmp_path, built):
    """Issue 27: with csp.toml's [site] url set, the paper's cover and every page's footer give the edition's own
    address (editions/<n>/, which always holds), not the report's page, which shows whatever edition is the
    latest the day it is read; a cover's own online_url is kept as the analyst wrote it."""
    from csp_lib.publish import build

    (tmp_path / "csp.toml").write_text('[site]\nurl = "https://example.gov.uk/csp/"\n')
    final = tmp_path / "book" / "reports" / "blackpool" / "2016-17"
    figs = FIGS | {"edition": {"number": 2, "date": "2026-12-02"}}
    job = build.ReportJob("Blackpool", "2016/17", figs, final, final.with_name("2016-17.staging"))
    cover = build._covers([job], tmp_path)[final]
    url = "https://example.gov.uk/csp/book/reports/blackpool/2016-17/editions/2/"
    assert cover["online_url"] == url
    doc = paper.document(built, figs, cover, [SECTIONS[0]])
    body = doc.split("</style>")[1]
    assert f'<p class="paper-online">Online report: <a href="{url}">{url}</a></p>' in body  # the cover
    assert "\\A " + css_string(f"Online report: {url}") in doc  # the footer of every page
    assert "2016-17/index.html" not in doc
    # the cover's own address wins; no site address and no cover address: none
    cover_file = paper.cover_path(tmp_path / "commentary", figs)
    cover_file.write_text(cover_file.read_text().replace('online_url: ""', 'online_url: "https://x.org/p"'))
    assert build._covers([job], tmp_path)[final]["online_url"] == "https://x.org/p"
    (tmp_path / "csp.toml").unlink()
    cover_file.unlink()
    assert build._covers([job], tmp_path)[final]["online_url"] == ""
    assert paper.edition_url("https://e.org/", "book/reports/a/2016-17", {}) == (
        "https://e.org/book/reports/a/2016-17/index.html"  # not built by csp build: no edition to cite
    )


def test_pages_of_each_heading_come_after_the_contents():
    texts = ["cover 4.1 All crime", "Contents\nAll crime", "4.0 Performance: headlines", "x", "4.1 All\n crime"]
    assert paper.pages_of(texts, {"headlines": "4.0 Performance: headlines", "overview": "4.1 All crime"}) == {
        "headlines": 3,
        "overview": 5,
    }


def test_no_browser_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(paper.PaperError, match="install Debian's chromium"):
        paper.print_pdf("http://127.0.0.1:9/x.html", tmp_path / "x.pdf")


# -- the demo report's PDF, made by the end-to-end build ----------------------------------------
@pytest.mark.slow
def test_the_demo_committee_paper(site):
    _, html = site
    report = html / "book" / "reports" / "blackpool" / "2016-17"
    pdf = report / "blackpool-2016-17-committee-paper.pdf"
    assert pdf.exists()
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    texts = pages.stdout.split("\f")
    flat = re.sub(r"\s+", " ", pages.stdout)
    for field in (
        "Tourism, Economy and Resources Scrutiny Committee",
        "Paolo Pertica, Head of Visitors Services",
        "21 June 2017",
        "COMMUNITY SAFETY PERFORMANCE REPORT APRIL 2016 TO MARCH 2017",
        "Purpose of the report",
        "Recommendation",
    ):
        assert field in flat, field
    for s in SECTIONS:
        assert s.title in flat, s.title
    assert (
        "All crime in Blackpool for the period April 2016 to March 2017 is up by 12.4% (n=+2059) "
        "compared to the previous year, more than chance would explain."
    ) in flat
    assert "Background papers" in flat and "Crime data provided by the Lancashire Constabulary Analyst" in flat
    # the published report's numbering, which members cite: 6.0 to 6.5, 7.0 hate crime, 8.0 to 10.0, 11.0 to 18.0
    for heading in (
        "5.0 Background information",
        "6.0 Performance",
        "6.1 Violence against the person",
        "6.5 Child sexual exploitation",
        "7.0 Hate crime",
        "8.0 Counter terrorism",
        "9.0 Serious organised crime",
        "10.0 Modern slavery and human trafficking",
        "11.0 Legal considerations",
        "18.0 Background papers",
    ):
        assert heading in flat, heading
    assert re.search(r"6\.1\.1 Violence against the person in Blackpool", flat)
    n = len([t for t in texts if t.strip()])
    assert f"Page 1 of {n}" in texts[0] and f"Page {n} of {n}" in texts[n - 1]
    assert "Blackpool: April 2016 to March 2017" in texts[0]  # the footer, with the online report
    url = "https://example.gov.uk/csp/book/reports/blackpool/2016-17/editions/1/"  # the edition's own address
    assert all(url in re.sub(r"\s+", "", t) for t in texts if t.strip())
    # the contents give the page each section starts on
    contents = next(t for t in texts if "Contents" in t)
    for s in SECTIONS:
        m = re.search(re.escape(s.title) + r"\s+(\d+)", re.sub(r"[ \t]+", " ", contents))
        assert m, s.title
        assert s.title in re.sub(r"\s+", " ", texts[int(m.group(1)) - 1]), s.title
    assert "Menu" not in flat and "Download this table" not in flat
    # the charts are drawn (by the site's scripts, in Chromium) before the paper is printed: their own text
    assert re.search(r"All crime: Blackpool is \d+ of 14 \(1 = lowest % change\)", flat)
    assert "Count (records)" in flat
    landing = (report / "index.html").read_text(encoding="utf-8")
    assert 'href="blackpool-2016-17-committee-paper.pdf"' in landing


def test_the_landing_page_carries_the_papers_front_matter(demo_figures, tmp_path):
    """cover.yml's front matter is on the report's landing page too, after the headlines: who the report
    goes to and when, its purpose, recommendation, reasons and considerations; empty fields left out."""
    from csp_lib.present import pages

    cover = paper.read_cover(Path(__file__).parents[1] / "commentary" / "blackpool" / "2016-17" / "cover.yml")
    page = pages.report_index(demo_figures, tmp_path, cover=cover)
    front = page[page.index("## For the scrutiny committee") :]
    assert page.index("## Headlines") < page.index("## For the scrutiny committee") < page.index("## Sections")
    assert "- **Report to:** Tourism, Economy and Resources Scrutiny Committee" in front
    assert "- **Date of meeting:** 21 June 2017" in front
    assert "**Recommendation.** To scrutinise the performance" in front
    assert "\n\nIs the recommendation contrary to a plan" in front  # a paragraph of its own, as written
    assert "- Background papers: Crime data provided by the Lancashire Constabulary Analyst" in front
    cover |= {"relevant_officer": "", "council_priority": ""}
    front = pages.report_index(demo_figures, tmp_path, cover=cover)
    assert "Relevant officer" not in front and "Council priority" not in front
    assert "## For the scrutiny committee" not in pages.report_index(demo_figures, tmp_path)


def test_the_paper_is_numbered_as_the_published_report(tmp_path, built):
    """6.0 performance, 6.1 ... for the partnership's priorities, 7.0 for hate crime, 8.0, 9.0 ... for each heading
    of the analysts' own priorities, then a number for each consideration; every paragraph a number to cite."""
    page = """<html><body><article><section><h1>{title}</h1><p>What the section reports.</p><p>First {title}.</p>
    <table><tr><td><p>in a table</p></td></tr></table><ul><li><p>a bullet</p></li></ul>{extra}</section>
    </article></body></html>"""
    by_slug = {s.slug: s for s in SECTIONS}
    for slug in ("violence", "hate-crime"):
        (built / f"{by_slug[slug].notebook}.html").write_text(page.format(title=by_slug[slug].title, extra=""))
    other = by_slug["other-priorities"]
    (built / f"{other.notebook}.html").write_text(
        page.format(
            title=other.title,
            extra="<h2>Counter terrorism</h2><p>Prevent.</p><p>Channel.</p><h2>Modern slavery</h2><p>The Act.</p>",
        )
    )
    cover = paper.read_cover(paper.ensure_cover(paper.cover_path(tmp_path / "c", FIGS), FIGS))
    cover |= {"council_priority": "The economy.", "background": "BSafe Blackpool."}
    doc = paper.document(built, FIGS, cover, SECTIONS)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", doc.split("</style>")[1]))
    assert "4.0 Council priority 4.1 The economy." in text and "5.0 Background information 5.1 BSafe" in text
    assert "6.0 Performance" in text and "6.0.3 All crime is up." in text
    assert "6.1 Violence against the person What the section reports. 6.1.1 First Violence against the person." in text
    assert "in a table" in text and "6.1.2" not in text  # tables and bullets keep no number
    assert "7.0 Hate crime What the section reports. 7.1 First Hate crime." in text
    assert "8.0 Counter terrorism 8.1 Prevent. 8.2 Channel. 9.0 Modern slavery 9.1 The Act." in text
    assert "10.0 Legal considerations 10.1 None" in text
