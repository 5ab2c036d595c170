"""End to end: the site built from the demo data, and a failed build that publishes nothing.

Each test builds a copy of the project in a temporary folder, so the repository's
own book/ and _build/ are never touched.
"""

import calendar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import copy_project
from csp_lib.figures.sections import SECTIONS
from csp_lib.publish import build, editions

pytestmark = pytest.mark.slow


def _text(path):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_site_has_every_section_with_tables_charts_and_sentences(site):
    root, html = site
    report = html / "book" / "reports" / "blackpool" / "2016-17"
    landing = _text(report / "index.html")
    assert (
        "All crime in Blackpool for the period April 2016 to March 2017 is up by 12.4% (n=+2059) "
        "compared to the previous year, more than chance would explain."
    ) in landing
    for s in SECTIONS:
        page = report / f"{s.notebook}.html"
        assert page.exists(), s.notebook
        text = page.read_text(encoding="utf-8")
        assert s.title in text
        assert "Traceback" not in text and "injected-parameters" not in text and "data_dir =" not in text
        assert "output stderr" not in text and "output stream" not in text, s.slug  # no warnings shown
        if s.table:
            assert '<table class="csp-table">' in text, s.slug
            assert text.count('<figure class="csp-chart">') >= 1, s.slug
            assert '<script type="application/json" class="csp-spec">' in text, s.slug  # the charts' specs
            assert "<noscript><p>" in text, s.slug  # and their values in words without JavaScript
    assert (
        "All districts are showing increases, each more than chance would explain. Blackpool had the 4th lowest "
        "proportional increase of the 14 districts." in _text(report / "02-violence.html")
    )
    assert "Counter terrorism" in _text(report / "08-other-priorities.html")


def test_downloads_beside_the_pages(site, demo_figures, demo_dir):
    root, html = site
    report = html / "book" / "reports" / "blackpool" / "2016-17"
    from csp_lib import figures
    from csp_lib.figures import disclosure

    published = json.loads((report / "figures.json").read_text())
    for key in (
        "edition",
        "revisions",
        "earlier_revisions",
        "withdrawals",
        "last_report",
    ):  # the publication's, not the figures'
        published.pop(key)
    assert published == figures.published(demo_dir, "Blackpool", "2016/17", 4)  # as a notebook run by hand shows it
    assert published == disclosure.apply(demo_figures, 4)  # nothing of Blackpool 2016/17 is small
    # the golden figures are not small: the published report shows them all
    assert published["figures"]["hate_crime_transgender"]["value"] == 10
    landing = (report / "index.html").read_text(encoding="utf-8")
    assert 'href="figures.json"' in landing and 'href="downloads/report.xlsx"' in landing
    csvs = sorted(p.name for p in (report / "downloads").glob("*.csv"))
    assert "violence-against-the-person-by-offence-blackpool.csv" in csvs and len(csvs) >= 9
    page = (report / "02-violence.html").read_text(encoding="utf-8")
    assert 'href="downloads/violence-against-the-person-by-offence-blackpool.csv"' in page
    table = (report / "downloads" / "violence-against-the-person-by-offence-blackpool.csv").read_text()
    assert "Serious assaults,149,164,15,10.1" in table
    import openpyxl

    wb = openpyxl.load_workbook(report / "downloads" / "report.xlsx")
    assert "Figures" in wb.sheetnames and len(wb.sheetnames) == 2 + len(csvs)
    ids = [row[0].value for row in wb["Figures"].iter_rows(min_row=2)]
    assert "all_crime" in ids and "vap_rank_in_county" in ids


def test_data_quality_page(site):
    root, html = site
    page = _text(html / "book" / "reports" / "blackpool" / "2016-17" / "data-quality.html")
    assert "Data quality: Blackpool, 2016/17" in page
    assert "MARAC cases listed covers April 2016 to December 2016" in page  # in words, not figure ids
    assert "478,331" in page  # crimes read


def test_two_builds_give_identical_figures_and_downloads(site, demo_dir, tmp_path):
    root, html = site
    again = build.build(demo_dir, ["Blackpool"], ["2016/17"], root=root, out=str(tmp_path / "again"))
    report = Path("book") / "reports" / "blackpool" / "2016-17"
    files = [report / "figures.json", *[report / "downloads" / p.name for p in (html / report / "downloads").iterdir()]]
    assert len(files) > 5
    for rel in files:
        assert (html / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_no_record_level_data_leaks_into_the_site(site, demo_dir):
    """Every file of the site: no record reference, no date of a single record."""
    root, html = site
    refs = set()
    for name, col in (
        ("crimes", "crime_ref"),
        ("asb_incidents", "incident_ref"),
        ("hate_incidents", "incident_ref"),
        ("interventions", "intervention_ref"),
        ("interventions", "case_ref"),
        ("marac_cases", "case_ref"),
        ("referrals", "referral_ref"),
    ):
        refs |= set(pd.read_csv(demo_dir / f"{name}.csv", usecols=[col], dtype=str)[col].dropna())
    texts = []
    for path in html.rglob("*"):
        if path.suffix in (".html", ".js", ".json", ".csv", ".ipynb", ".txt", ".md", ".svg"):
            texts.append((path, path.read_text(encoding="utf-8", errors="replace")))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts += [(path, z.read(n).decode("utf-8", "replace")) for n in z.namelist()]
        elif path.suffix == ".pdf":  # the committee paper, as its reader sees it
            texts.append((path, subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout))
    assert any(p.suffix == ".pdf" for p, _ in texts)
    assert len(texts) > 20
    for path, text in texts:
        for token in set(re.findall(r"\b[A-Z]{1,3}\d{6,7}\b", text)):
            assert token not in refs, (path, token)
        for d in set(re.findall(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)):
            if "-".join(d) == editions.today():  # the edition's date of publication, not a record's
                continue
            y, m, day = map(int, d)
            last = calendar.monthrange(y, m)[1] if 1 <= m <= 12 else 31
            assert day in (1, last), (path, "-".join(d))  # only month boundaries: period starts and ends


def test_front_page_lists_the_report(site):
    root, html = site
    assert "url=book/index.html" in (html / "index.html").read_text(encoding="utf-8")
    assert "reports/blackpool/2016-17/index.html" in (html / "book" / "index.html").read_text(encoding="utf-8")
    assert "Methods and definitions" in (html / "book" / "methods.html").read_text(encoding="utf-8")


def test_every_pages_search_field_searches_every_report(site):
    """The theme's search field on every page (front book and report books) sends the words to the search of
    every report (Pagefind), not to a Sphinx search of one book; no report page loads a search index it has not."""
    root, html = site
    pages = sorted((html / "book").glob("*.html")) + sorted((html / "book" / "reports").rglob("*.html"))
    assert len(pages) > 12
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:  # the latest edition's own address: a redirect to the report
            continue
        actions = set(re.findall(r'<form class="bd-search[^>]*action="([^"]*)"', text.replace("\n", " ")))
        action = actions.pop() if len(actions) == 1 else None
        target = page.resolve() if action == "#" else (page.parent / action).resolve()  # "#": the search page
        assert target == (html / "book" / "search-reports.html").resolve(), (page, actions)
        assert 'placeholder="Search every report"' in text
        if "reports" in page.parts:
            assert "searchindex.js" not in text, page
    assert (html / "pagefind" / "pagefind-ui.js").exists()


def test_a_failing_notebook_publishes_nothing(site, demo_dir):
    root, html = site
    before = {p: p.read_bytes() for p in html.rglob("*.html")}
    nb = root / "notebooks" / "03-sexual-offences.ipynb"
    original = nb.read_text()
    try:
        doc = json.loads(original)
        doc["cells"].append(
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "raise ValueError('the extract is broken')",
            }
        )
        nb.write_text(json.dumps(doc))
        with pytest.raises(build.BuildError) as e:
            build.build(demo_dir, ["Blackpool"], ["2016/17"], root=root)
        msg = str(e.value)
        assert "Blackpool 2016/17, section 'Sexual offences and rape'" in msg
        assert "ValueError: the extract is broken" in msg
    finally:
        nb.write_text(original)
    after = {p: p.read_bytes() for p in html.rglob("*.html")}
    assert after == before
    assert not list((root / "book" / "reports").rglob("*.staging"))


@pytest.fixture(scope="module")
def tiny_sites(tmp_path_factory):
    from conftest import write_tiny

    data = write_tiny(tmp_path_factory.mktemp("tinydata"))
    root = copy_project(tmp_path_factory.mktemp("tinyproject"))
    published = build.build(data, ["A"], ["2016/17"], root=root, out="_published")
    report = published / "book" / "reports" / "a" / "2016-17"
    pages = {p.name: p.read_text(encoding="utf-8") for p in report.glob("*.html")}
    figs = json.loads((report / "figures.json").read_text())
    internal = build.build(data, ["A"], ["2016/17"], root=root, out="_internal", suppression=False)
    ireport = internal / "book" / "reports" / "a" / "2016-17"
    return (
        pages,
        figs,
        json.loads((ireport / "figures.json").read_text()),
        (ireport / "03-sexual-offences.html").read_text(encoding="utf-8"),
        (data, root, published),
    )


def test_published_build_withholds_small_counts(tiny_sites):
    pages, figs, _, _, _ = tiny_sites
    assert figs["disclosure"]["threshold"] == 4
    assert figs["figures"]["rape"]["value"] is None and "value" in figs["figures"]["rape"]["suppressed"]
    text = _text_of(pages["03-sexual-offences.html"])
    assert "Rape: fewer than 5 offences (exact count withheld)" in text
    assert "fewer than 5" in _text_of(pages["07-hate-crime.html"])


def test_internal_build_shows_everything(tiny_sites):
    _, _, figs, page, _ = tiny_sites
    assert "disclosure" not in figs
    assert figs["figures"]["rape"]["value"] == 2
    assert "fewer than 5" not in page


def _text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_unchanged_rebuild_reuses_every_notebook(tiny_sites, capsys):
    _, figs, _, _, (data, root, published) = tiny_sites
    before = {p: _text_of(p.read_text()) for p in published.rglob("*.html")}
    build.build(data, ["A"], ["2016/17"], root=root, out="_published")  # after the internal build's sources
    err = capsys.readouterr().err
    assert "9 notebooks: 9 unchanged and reused, 0 to run" in err or "8 notebooks: 8 unchanged and reused" in err
    assert "reading" not in err  # figures came from the cache too
    assert {p: _text_of(p.read_text()) for p in published.rglob("*.html")} == before
    # nothing changed since: the build returns at once, from a digest of what it is made from
    build.build(data, ["A"], ["2016/17"], root=root, out="_published")
    assert "nothing changed since the last build" in capsys.readouterr().err
    # the data touched (the same bytes): past that digest, every cache is keyed by content, and no book is built
    for f in data.iterdir():
        os.utime(f)
    build.build(data, ["A"], ["2016/17"], root=root, out="_published")
    err = capsys.readouterr().err
    assert "8 notebooks: 8 unchanged and reused" in err and "reading" not in err
    assert "the site's sources are unchanged: the published site is kept as it is" in err
    assert "book(s) built" not in err


def test_dask_cluster_builds_the_same_site(tiny_sites, tmp_path):
    _, _, _, _, (data, root, published) = tiny_sites
    shutil.rmtree(published.parent / "cache" / "notebooks")  # make every notebook run again, on Dask
    dask_site = build.build(data, ["A"], ["2016/17"], root=root, out=str(tmp_path / "dask"), scheduler="local")
    rel = Path("book") / "reports" / "a" / "2016-17"
    assert (dask_site / rel / "figures.json").read_bytes() == (published / rel / "figures.json").read_bytes()
    assert _text_of((dask_site / rel / "03-sexual-offences.html").read_text()) == _text_of(
        (published / rel / "03-sexual-offences.html").read_text()
    )


def test_killing_a_build_half_way_leaves_the_site(tiny_sites):
    _, _, _, _, (data, root, published) = tiny_sites
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    shutil.rmtree(published.parent / "cache")  # nothing cached: the build has work to be killed in
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csp_lib.cli",
            "build",
            "--data",
            str(data),
            "--area",
            "A",
            "--period",
            "2016/17",
            "--out",
            "_published",
        ],
        cwd=root,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    for line in proc.stderr:
        if "to run" in line:  # notebooks are executing now
            break
    time.sleep(2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    assert after == before


def test_every_page_of_a_demo_report_says_it_is_invented(site):
    """Provenance: the demo report records its source, and every page, the front page and the paper
    say it is demonstration data; a contract or police.uk report does not say so."""
    root, html = site
    report = html / "book" / "reports" / "blackpool" / "2016-17"
    figs = json.loads((report / "figures.json").read_text())
    assert figs["source"]["kind"] == "demo" and figs["source"]["folder"] == "demo"
    assert figs["source"]["months"] == "2012-04 to 2017-03" and figs["source"]["hash"].startswith("sha256:")
    pages = sorted(report.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        assert 'class="csp-demo"' in page.read_text(encoding="utf-8"), page.name
    assert "Demonstration data" in _text(html / "book" / "index.html")
    assert "Made from: Demonstration data (invented) in the folder demo (7 files, 2012-04 to 2017-03)" in _text(
        report / "index.html"
    )
    paper = next(report.glob("*.pdf"))
    import subprocess

    text = subprocess.run(["pdftotext", str(paper), "-"], capture_output=True, text=True).stdout
    assert "Demonstration data." in text.split("Purpose")[0]  # on the cover


def test_reports_from_three_folders_all_stay_published(tmp_path, monkeypatch, capsys):
    """Issue 27, 1: each quarter's extract comes in a folder of its own (extracts/2016-Q1/, -Q2/, -Q3/). Q1, Q2
    and Q3 built one after another from the three folders are all published, the front page lists the three,
    and each keeps the analyst's commentary."""
    from conftest import write_tiny

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    slugs = {q: f"2016-17-Q{q}" for q in (1, 2, 3)}
    for q, slug in slugs.items():
        folder = write_tiny(tmp_path / "extracts" / f"2016-Q{q}")
        note = root / "commentary" / "a" / slug / "violence.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(f"The analyst's words on quarter {q}.\n", encoding="utf-8")
        html = build.build(folder, ["A"], [f"2016/17-Q{q}"], root=root, out="_build")
        assert "left out of this site" not in capsys.readouterr().err
    front = (html / "book" / "index.html").read_text(encoding="utf-8")
    for q, slug in slugs.items():
        report = html / "book" / "reports" / "a" / slug
        figs = json.loads((report / "figures.json").read_text())
        assert figs["source"]["folder"] == f"2016-Q{q}" and figs["period"]["label"] == f"2016/17-Q{q}"
        assert f"Made from: Force and partner extract (data contract) in the folder 2016-Q{q}" in _text(
            report / "index.html"
        )
        assert f"The analyst's words on quarter {q}." in _text(report / "02-violence.html")
        assert f'href="reports/a/{slug}/index.html"' in front
        assert (root / "commentary" / "a" / slug / "violence.md").exists()
    # each report's banner links to the front page's list of the area's every period
    assert (
        'href="../../../index.html#area-a"' in (html / "book" / "reports" / "a" / slugs[1] / "index.html").read_text()
    )


def test_demo_and_real_reports_never_share_a_site(tmp_path, monkeypatch, capsys):
    """Reports of real data from any folders stay side by side (a force extract, then police.uk files); a build
    of the invented demonstration data leaves the real reports out, and a build of real data the demo's, so
    invented and real figures never sit on one site. The commentary of a report left out stays."""
    import street

    from conftest import write_tiny
    from csp_lib.data import contract

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_project(tmp_path)
    tiny = write_tiny(tmp_path / "tiny")
    html = build.build(tiny, ["A"], ["2016/17"], root=root, out=tmp_path / "out")
    assert (html / "book" / "reports" / "a" / "2016-17" / "index.html").exists()
    html = build.build(
        street.write(tmp_path / "police_uk"), ["Alpha"], ["2021-01..2021-12"], root=root, out=tmp_path / "out"
    )
    assert "left out of this site" not in capsys.readouterr().err
    real = [Path("a") / "2016-17", Path("alpha") / "2021-01_to_2021-12"]
    for rel in real:  # both real: both published
        assert (html / "book" / "reports" / rel / "index.html").exists()
    front = _text(html / "book" / "index.html")
    assert "Alpha" in front and "Demonstration data" not in front
    demo = write_tiny(tmp_path / "demo")
    (demo / contract.DEMO_MARKER).write_text("Invented records.\n", encoding="utf-8")
    html = build.build(demo, ["B"], ["2016/17"], root=root, out=tmp_path / "out")
    err = capsys.readouterr().err
    for rel in real:
        assert not (root / "book" / "reports" / rel).exists() and not (html / "book" / "reports" / rel).exists()
        assert f"book/reports/{rel.as_posix()} is of real data: left out of this site of demonstration data" in err
    assert (html / "book" / "reports" / "b" / "2016-17" / "index.html").exists()
    assert (root / "commentary" / "a" / "2016-17" / "overview.md").exists()
    front = _text(html / "book" / "index.html")
    assert "Demonstration data" in front and "Alpha" not in front
    html = build.build(tiny, ["A"], ["2016/17"], root=root, out=tmp_path / "out")  # real again: the demo's out
    assert "book/reports/b/2016-17 is of demonstration data: left out of this site of real data" in (
        capsys.readouterr().err
    )
    assert not (html / "book" / "reports" / "b").exists() and (html / "book" / "reports" / real[0]).exists()


def _broken_links(site: Path) -> dict[str, list[str]]:
    """Every relative link (href, src, a form's action, a redirect's url) of every page of ``site`` that names no
    file there, with the pages that hold it."""
    import urllib.parse

    bad: dict[str, list[str]] = {}
    for page in site.rglob("*.html"):
        if page.relative_to(site).parts[0] in ("_static", "pagefind"):
            continue
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src|action)="([^"]+)"', text) + re.findall(r'url=([^"]+)"', text):
            path = urllib.parse.unquote(href.split("#")[0].split("?")[0])
            if not path or "://" in href or href.startswith(("mailto:", "data:", "javascript:")):
                continue
            if not (page.parent / path).resolve().exists():
                bad.setdefault(path, []).append(page.relative_to(site).as_posix())
    return bad


def test_a_revised_extract_gives_a_second_edition_with_the_revision_note(tmp_path, monkeypatch):
    """Issue 27, 2: Q1 built, then the extract replaced by one where a crime of May is cancelled, and Q1 built
    again: two editions. The latest is the report's address, its figures.json says edition 2 and what was
    revised, its landing page the "Revised" note with both numbers and what changed in the data; edition 1 is
    kept as it was published (its figures.json byte for byte), says it was superseded, links to the latest, and
    every link of every page, the old edition's included, still names a file of the site."""
    from conftest import TINY, write_tiny

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    data = write_tiny(tmp_path / "extract")
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    first = (report / "figures.json").read_bytes()
    figs = json.loads(first)
    assert figs["edition"]["number"] == 1 and figs["revisions"] == []
    assert figs["figures"]["all_crime"]["value"] == 3
    assert 'url=../../index.html"' in (report / "editions" / "1" / "index.html").read_text()  # its address, already
    # the force cancels c01, recorded in May 2016
    write_tiny(
        data, crimes_csv="".join(line for line in TINY["crimes.csv"].splitlines(True) if not line.startswith("c01,"))
    )
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    figs = json.loads((report / "figures.json").read_text())
    assert figs["edition"]["number"] == 2 and figs["figures"]["all_crime"]["value"] == 2
    (revision,) = figs["revisions"]
    assert revision["edition"] == 1 and revision["revised_in"] == 2
    change = next(c for c in revision["figures"] if c["id"] == "all_crime")
    assert (change["field"], change["old"], change["new"], change["difference"]) == ("value", 3, 2, -1)
    assert {"item": "crimes.csv", "table": "crimes", "field": "rows", "old": 14, "new": 13} in revision["data"]
    assert "monthly" in revision["series"]
    landing = _text(report / "index.html")
    assert "Revised This is edition 2 of this report" in landing
    assert "All crime 3 2 \u22121" in landing  # the figure, edition 1's number, edition 2's, the difference
    assert "crimes.csv, records: 14 then, 13 now (\u22121)" in landing
    assert 'href="editions/1/index.html"' in (report / "index.html").read_text()
    old = report / "editions" / "1"
    assert (old / "figures.json").read_bytes() == first  # kept as it was published
    assert (
        tmp_path / "project" / "_build" / "editions" / "a" / "2016-17-Q1" / "1" / "figures.json"
    ).read_bytes() == first
    assert "police recorded 3 crimes in A" in _text(old / "index.html")
    for page in old.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Superseded" in text and 'href="../../index.html"' in text, page.name
    assert (old / "02-violence.html").exists() and (old / "downloads" / "report.xlsx").exists()
    assert _broken_links(html) == {}


def test_a_later_report_says_an_earlier_period_it_shows_was_revised(tmp_path, monkeypatch):
    """Issue 27: Q2's report shows Q1's months (its XmR charts, trend and rolling year). Built from the same data,
    it says nothing; from a revised extract while Q1's report still says otherwise, it says Q1's all crime was 3
    when published and is 2 in this extract; once Q1 is built again (edition 2), that Q1 was revised."""
    from conftest import TINY, write_tiny

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    data = write_tiny(tmp_path / "extract")
    build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    html = build.build(data, ["A"], ["2016/17-Q2"], root=root, out="_build")
    q2 = html / "book" / "reports" / "a" / "2016-17-Q2"
    assert json.loads((q2 / "figures.json").read_text())["earlier_revisions"] == []
    assert "Earlier periods revised" not in _text(q2 / "index.html")
    write_tiny(
        data, crimes_csv="".join(line for line in TINY["crimes.csv"].splitlines(True) if not line.startswith("c01,"))
    )
    html = build.build(data, ["A"], ["2016/17-Q2"], root=root, out="_build")
    q2 = html / "book" / "reports" / "a" / "2016-17-Q2"
    figs = json.loads((q2 / "figures.json").read_text())
    (note,) = [r for r in figs["earlier_revisions"] if r["id"] == "all_crime"]
    assert (note["period"], note["report"], note["published"], note["now"], note["revised"]) == (
        "2016/17-Q1",
        "2016-17-Q1",
        3,
        2,
        None,
    )
    landing = _text(q2 / "index.html")
    assert "Q1 2016/17 's all crime was 3 when published on" in landing
    assert "and is 2 in this extract (\u22121): that report has not been built again from it." in landing
    assert 'href="../2016-17-Q1/index.html"' in (q2 / "index.html").read_text()
    html = build.build(data, ["A"], ["2016/17-Q1", "2016/17-Q2"], root=root, out="_build")  # Q1 built again
    q1, q2 = (html / "book" / "reports" / "a" / f"2016-17-Q{q}" for q in (1, 2))
    assert json.loads((q1 / "figures.json").read_text())["edition"]["number"] == 2
    figs = json.loads((q2 / "figures.json").read_text())
    (note,) = [r for r in figs["earlier_revisions"] if r["id"] == "all_crime"]
    assert (note["published"], note["now"], note["edition"]) == (3, 2, 2) and note["revised"]
    assert "since it was revised on" in _text(q2 / "index.html")
    assert _broken_links(html) == {}


def test_a_build_leaves_git_status_clean(site):
    """Everything a build writes into the project (reports, the site, its cache) is ignored by git,
    and the _toc.yml it writes is the committed one, so `git status` is clean after `make book`; the
    commentary it creates for a new report is the analyst's to commit, and Blackpool 2016/17's is in
    git already."""
    repo = Path(__file__).resolve().parents[1]
    if shutil.which("git") is None or not (repo / ".git").exists():
        pytest.skip("not a git work tree")
    root, _ = site
    tracked = set(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout.split())
    written = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in tracked and p.name != "csp.toml"
    ]
    assert "_toc.yml" in tracked and (root / "_toc.yml").read_bytes() == (repo / "_toc.yml").read_bytes()
    assert any(w.startswith("book/reports/") for w in written)
    res = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", "--stdin"],
        cwd=repo,
        input="\n".join(written),
        capture_output=True,
        text=True,
    )
    shown = [line.split("\t")[-1] for line in res.stdout.splitlines() if line.startswith("::")]
    assert not shown, f"a build writes files that git status would show: {shown[:10]}"


def test_after_adding_a_report_every_page_links_to_it_or_to_a_front_page_that_does(tmp_path, capsys):
    """Each report is a book of its own: adding B's report rebuilds the front page (which lists it) and no page of
    A's, yet every page of the site reaches B's report: directly, or through the front page."""
    from conftest import write_tiny

    data = write_tiny(tmp_path / "data")
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    first = build.build(data, ["A"], ["2016/17"], root=root, out="_site")
    a_pages = {p.relative_to(first): p.read_bytes() for p in (first / "book" / "reports" / "a").rglob("*.html")}
    capsys.readouterr()
    site = build.build(data, ["B"], ["2016/17"], root=root, out="_site")
    assert "site of 2 report(s): 1 to build, 1 unchanged" in capsys.readouterr().err  # A's book is not built again
    new = (site / "book" / "reports" / "b" / "2016-17" / "index.html").resolve()
    front = (site / "book" / "index.html").resolve()

    def links(page: Path) -> set[Path]:
        hrefs = re.findall(r'(?:href="|url=)([^"#?]+)', page.read_text(encoding="utf-8"))  # url=: the redirect
        return {(page.parent / h).resolve() for h in hrefs if "://" not in h}

    assert new in links(front)
    for page in site.rglob("*.html"):
        if page.resolve().is_relative_to(new.parent) or page.relative_to(site).parts[0] in ("_static", "pagefind"):
            continue  # the new report's own pages; theme and search assets, not pages
        reached = links(page)
        assert new in reached or front in reached, page.relative_to(site)
    # A's pages were not rebuilt: its book came from the cache, byte for byte
    assert {p: (site / p).read_bytes() for p in a_pages} == a_pages


def test_a_withdrawn_report_leaves_the_site_and_comes_back_as_a_new_edition(tmp_path, monkeypatch, capsys):
    """Issue 27: `csp withdraw` is the one way a report leaves. Q1 built (with its paper), then withdrawn: every
    address of it (its pages, editions/1/) holds a notice saying when and why (the reason as text, never
    markup), its figures.json, downloads and paper are gone from the site and the archive, the front page still
    lists it, withdrawn on the day; a build of Q2 does not bring it back; a build of Q1 again publishes edition 2,
    whose landing page says it follows edition 1's withdrawal, and edition 1's address still says withdrawn."""
    from conftest import write_tiny
    from csp_lib import cli
    from csp_lib.publish import withdraw

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    data = write_tiny(tmp_path / "extract")
    monkeypatch.chdir(root)
    assert cli.main(["withdraw", "A", "2016/17-Q1", "--reason", "wrong"]) == 2  # nothing published yet
    assert "A 2016/17-Q1 is not published in" in capsys.readouterr().err
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build", pdf=True)
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    pages = sorted(p.relative_to(report).as_posix() for p in report.rglob("*.html"))
    assert "02-violence.html" in pages and "editions/1/index.html" in pages and list(report.glob("*.pdf"))
    with pytest.raises(
        build.BuildError, match=r"edition 2 of A 2016/17-Q1 is not published: its published editions are 1"
    ):
        withdraw.withdraw("A", "2016/17-Q1", "x", edition=2, root=root)
    with pytest.raises(build.BuildError, match="say why"):
        withdraw.withdraw("A", "2016/17-Q1", "  ", root=root)
    reason = 'Rape was shown as <b>3</b> & "its month": a disclosure error'
    html = withdraw.withdraw("A", "2016/17-Q1", reason, root=root)
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    day = editions.long_date(editions.today())
    for page in pages:  # every address of it holds the notice
        text = (report / page).read_text(encoding="utf-8")
        assert f"was withdrawn on {day}." in _text_of(text), page
        assert "<b>3</b>" not in text and "&#60;b&#62;3&#60;/b&#62;" in text, page  # the reason, as text
        assert 'http-equiv="Content-Security-Policy"' in text
    assert "Why: Rape was shown as" in _text(report / "index.html")
    assert "This report (A, Q1 2016/17, April to June 2016; edition 1) was withdrawn" in _text(report / "index.html")
    assert "Edition 1 of this report (A, Q1 2016/17) was withdrawn" in _text(report / "editions" / "1" / "index.html")
    assert sorted(p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file()) == pages
    assert not (root / "book" / "reports" / "a" / "2016-17-Q1").exists()  # its sources: not built into a site
    archive = root / "_build" / "editions" / "a" / "2016-17-Q1"
    assert sorted(p.name for p in archive.iterdir()) == ["withdrawn.json"]
    record = json.loads((archive / "withdrawn.json").read_text())
    (w,) = record["withdrawals"]
    assert (w["editions"], w["date"], w["reason"], w["report"]) == ([1], editions.today(), reason, True)
    assert f"Q1 2016/17 April to June 2016 Withdrawn on {day}" in _text(html / "book" / "index.html")
    assert _broken_links(html) == {}
    # another period built: Q1 stays withdrawn
    html = build.build(data, ["A"], ["2016/17-Q2"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    assert not (report / "figures.json").exists() and f"withdrawn on {day}" in _text(report / "02-violence.html")
    front = _text(html / "book" / "index.html")
    assert f"Q1 2016/17 April to June 2016 Withdrawn on {day}" in front and "Q2 2016/17 July to September" in front
    assert _broken_links(html) == {}
    # the same period built again: edition 2, after edition 1's withdrawal
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    figs = json.loads((report / "figures.json").read_text())
    assert figs["edition"] == {"number": 2, "date": editions.today()} and figs["revisions"] == []
    assert figs["withdrawals"] == [{"editions": [1], "date": editions.today(), "reason": reason}]
    landing = _text(report / "index.html")
    assert (
        f"This is edition 2 of this report, published on {day} after edition 1 was withdrawn on {day}. "
        "Why it was withdrawn: Rape was shown as"
    ) in landing
    assert f"Edition 1 , withdrawn on {day}." in landing  # in its list of editions
    assert "<b>3</b>" not in (report / "index.html").read_text(encoding="utf-8")
    old = _text(report / "editions" / "1" / "index.html")
    assert f"was withdrawn on {day}" in old and "Read the latest edition of this report" in old
    assert 'url=../../index.html"' in (report / "editions" / "2" / "index.html").read_text()
    assert "Withdrawn on" not in _text(html / "book" / "index.html")
    assert _broken_links(html) == {}


def _search_urls(site: Path) -> set[str]:
    """The address of every page in the site's search index (Pagefind's fragments: gzip, a signature, JSON)."""
    import gzip

    urls = set()
    for frag in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(frag.read_bytes()).decode("utf-8")
        urls.add(json.loads(data[data.index("{") :])["url"])
    return urls


def test_every_link_holds_after_five_builds_and_search_holds_the_latest_editions(tmp_path, monkeypatch):
    """Issue 27: five builds (Q1, Q2 and Q3 from three folders, Q1 revised from a replaced extract, then all
    three built again): every href, src, action and redirect of every page of the archive (the latest editions,
    edition 1 of Q1 kept under editions/1/, the redirects of the latest editions' own addresses, the front
    book) names a file of the site; and the search index (Pagefind) holds each report's latest edition only,
    no page under editions/."""
    from conftest import TINY, write_tiny

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    folders = {q: write_tiny(tmp_path / "extracts" / f"2016-Q{q}") for q in (1, 2, 3)}
    for q, folder in folders.items():
        html = build.build(folder, ["A"], [f"2016/17-Q{q}"], root=root, out="_build")
    cancelled = "".join(line for line in TINY["crimes.csv"].splitlines(True) if not line.startswith("c01,"))
    write_tiny(folders[1], crimes_csv=cancelled)  # the force cancels a crime of May: Q1 revised
    html = build.build(folders[1], ["A"], ["2016/17-Q1"], root=root, out="_build")
    html = build.build(folders[1], ["A"], ["2016/17-Q1", "2016/17-Q2", "2016/17-Q3"], root=root, out="_build")
    reports = html / "book" / "reports" / "a"
    assert json.loads((reports / "2016-17-Q1" / "figures.json").read_text())["edition"]["number"] == 2
    assert (reports / "2016-17-Q1" / "editions" / "1" / "02-violence.html").exists()
    pages = list(html.rglob("*.html"))
    assert len(pages) > 40 and any("editions" in p.parts for p in pages)
    assert _broken_links(html) == {}
    urls = _search_urls(html)
    for q in (1, 2, 3):
        assert f"/book/reports/a/2016-17-Q{q}/index.html" in urls
        assert f"/book/reports/a/2016-17-Q{q}/02-violence.html" in urls
    assert not [u for u in urls if "/editions/" in u]
    assert "/book/index.html" in urls
    # Q2's "Since the last report": Q1 as published, at its edition's own address
    q2 = json.loads((reports / "2016-17-Q2" / "figures.json").read_text())
    assert q2["last_report"]["period"] == "2016/17-Q1" and q2["last_report"]["edition"] == 2
    assert 'href="../2016-17-Q1/editions/2/index.html"' in (reports / "2016-17-Q2" / "index.html").read_text()


def test_a_report_whose_sources_are_gone_stays_published_and_listed(tmp_path, monkeypatch):
    """Issue 27, on a CI runner: after ``csp restore`` the published site and its editions are back in _build, but
    book/reports holds nothing (it is not in git), and the runner builds the new quarter only. Q1 (edition 2 of a
    revised extract, edition 1 under editions/) stays published as it was, page for page, and listed on the front
    page beside Q2, found by search (its latest edition, not editions/), every link holding."""
    from conftest import TINY, write_tiny

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    q1 = write_tiny(tmp_path / "extracts" / "2016-Q1")
    build.build(q1, ["A"], ["2016/17-Q1"], root=root, out="_build")
    cancelled = "".join(line for line in TINY["crimes.csv"].splitlines(True) if not line.startswith("c01,"))
    write_tiny(q1, crimes_csv=cancelled)
    html = build.build(q1, ["A"], ["2016/17-Q1"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    before = {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()}
    assert (
        json.loads(before[Path("figures.json")])["edition"]["number"] == 2 and Path("editions/1/index.html") in before
    )
    shutil.rmtree(root / "book" / "reports")  # a runner's checkout: the reports' sources are not in git
    html = build.build(write_tiny(tmp_path / "extracts" / "2016-Q2"), ["A"], ["2016/17-Q2"], root=root, out="_build")
    report = html / "book" / "reports" / "a" / "2016-17-Q1"
    after = {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()}
    assert after == before  # as it was published, editions and all
    front = (html / "book" / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/a/2016-17-Q1/index.html"' in front and 'href="reports/a/2016-17-Q2/index.html"' in front
    urls = _search_urls(html)
    assert "/book/reports/a/2016-17-Q1/02-violence.html" in urls and "/book/reports/a/2016-17-Q2/index.html" in urls
    assert not [u for u in urls if "/editions/" in u]
    assert _broken_links(html) == {}
