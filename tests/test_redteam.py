"""Data is never code: hostile values in every data field that reaches a page, from a force extract and from
police.uk street files, built end to end with the committee paper.

Asserted: the literal text is shown (``{{ 6*7 }}`` stays itself, markup is letters), no tag from the data is
live in any page, no script runs in headless Chromium, the PDF holds no local file, nothing is written outside
the project's output; and the second line of defence alone (the pages' Content-Security-Policy) stops a
handler that reached a page.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import street
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from conftest import copy_project, write_tiny
from csp_lib.data import contract
from csp_lib.present import text
from csp_lib.publish import policy

PWN = "document.body.setAttribute('data-pwned','{}')"
# every kind of payload: MyST substitution (Jinja2), HTML with handlers, a frame on a local file, a script-closing
# sequence, Markdown emphasis and code, a MyST role, math, a table pipe, a link, a comment closer, an entity
DISTRICT = (
    'Fy {{ 6*7 }} lde <img src=x onerror="' + PWN.format(1) + '"> *em* `tick` {download}`/etc/hostname` $x$ | '
    "[l](javascript:alert(1)) <iframe src='file://SECRET'></iframe></script>--> &amp; 'q'"
)
COUNTY = 'Lanc <svg onload="' + PWN.format(2) + '">shire'
PROGRAMME = 'Prog <img src=y onerror="' + PWN.format(3) + '">'
FAMILY = '_Fam_ <b onmouseover="' + PWN.format(4) + '">ily</b>'
LITERAL = "Fy {{ 6*7 }} lde <img src=x onerror="  # how a reader must see the district's name
SECRET = "TOPSECRET-7f3a9c"  # pragma: allowlist secret


# -- the boundary itself (fast) --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [DISTRICT, COUNTY, "1. Listed", "- dash", "# hash", "    code", "_x_", "a\nb", "::: {note}", "% comment", "+++"],
)
def test_a_value_is_literal_text_in_markdown_and_html(value):
    from markdown_it import MarkdownIt

    md = text.md(value)
    assert not re.search(r"[<>\"'`*{}\[\]|$\\\n&]", re.sub(r"&#\d+;", "", md)), md  # only references remain
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(f"Before {md} after.\n\n{md}\n")
    soup = BeautifulSoup(rendered, "html.parser")
    assert [t.name for t in soup.find_all(True)] == ["p", "p"], rendered  # no tag of the value's own
    assert soup.find_all("p")[1].get_text() == value


@given(st.text())
def test_no_value_keeps_a_markup_character_and_every_value_comes_back(value):
    out = text.md(value)
    assert not re.search(r"[<>\"'`*{}\[\]|$\\&~^#=+_\x00-\x1f]", re.sub(r"&#\d+;|(?<=[^\W_])_(?=[^\W_])", "", out))
    assert not re.match(r"\s|\d+[.)](\s|$)|[^\w&]", out)  # nothing at its start that begins a block
    shown = "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in value)
    assert text.plain(out) == shown  # what a reader sees is the value (a control character as one)


def test_plain_names_ids_months_and_dates_are_unchanged():
    for value in ["Blackburn with Darwen", "vap_serious_assault", "2016-04-01", "2016/17", "St. Helens", "12.4%"]:
        assert text.md(value) == value


def test_the_view_escapes_every_string_and_keeps_the_figures():
    figs = {"area": "<b>", "figures": {"all_crime": {"value": 3, "note": "a*b"}}, "series": {"d": [{"x": "`"}]}}
    v = text.view(figs)
    assert v["area"] == "&#60;b&#62;" and v["figures"]["all_crime"] == {"value": 3, "note": "a&#42;b"}
    assert v["series"]["d"][0]["x"] == "&#96;" and text.raw(v) is figs and text.view(v) is v


def test_a_css_string_cannot_end_the_string_or_the_sheet():
    s = text.css_string('a"b\\c</style><script> \n')
    assert re.fullmatch(r"(?:[A-Za-z0-9 ]|\\[0-9a-f]{1,6} )*", s), s  # letters, digits, spaces, escapes only


def test_names_make_short_folders_that_are_never_empty_or_shared():
    long = "x" * 300
    assert len(contract.area_slug(long)) <= contract.SLUG_MAX
    assert contract.area_slug("???") != contract.area_slug("..") and contract.area_slug("..").startswith("area-")
    assert contract.area_slug(long) != contract.area_slug(long + "y")
    assert contract.area_slug("Blackburn with Darwen") == "blackburn-with-darwen"
    assert contract.slug_clashes(["St. Helens", "St Helens", "Wigan"]) == [("St. Helens", "St Helens")]


def test_a_build_never_publishes_into_another_areas_folder(tmp_path):
    from csp_lib.publish import build

    folder = tmp_path / "book" / "reports" / "st-helens"
    (folder / "2016-17").mkdir(parents=True)
    (folder / "2016-17" / "figures.json").write_text('{"area": "St. Helens"}', encoding="utf-8")
    with pytest.raises(
        build.BuildError, match=r"'St Helens' would be published in book/reports/st-helens/.*'St\. Helens'"
    ):
        build._check_owner(folder, "St Helens", tmp_path)
    build._check_owner(folder, "St. Helens", tmp_path)  # its own folder
    build._check_owner(tmp_path / "book" / "reports" / "wigan", "Wigan", tmp_path)  # a new one


def test_the_policy_allows_the_pages_own_inline_scripts_and_nothing_else_inline():
    page = '<html><head><meta charset="utf-8"><script>var a = 1;</script><script type="application/json">{}</script>'
    page += '<script src="x.js"></script></head><body></body></html>'
    out = policy.protect(page)
    meta = BeautifulSoup(out, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert out.index("Content-Security-Policy") < out.index("<script")  # before anything it governs
    rules = dict(r.strip().split(" ", 1) for r in meta["content"].split(";"))
    assert "'unsafe-inline'" not in rules["script-src"] and "'unsafe-eval'" not in rules["script-src"]
    assert rules["script-src"].count("'sha256-") == 1  # var a = 1; only: JSON is data, src is the site's own
    assert rules["frame-src"] == "'none'" and rules["object-src"] == "'none'"


def test_a_spreadsheet_formula_from_the_data_is_written_as_text(tmp_path):
    import pandas as pd

    from csp_lib.present import downloads

    df = pd.DataFrame({"name": ['=HYPERLINK("http://x")', "@SUM(A1)", "+1", "-x", "-3", "Wigan"]})
    lines = downloads.write_csv(df, tmp_path, "t").read_text().splitlines()
    assert lines[1:] == ['"\'=HYPERLINK(""http://x"")"', "'@SUM(A1)", "'+1", "'-x", "-3", "Wigan"]


# -- end to end -------------------------------------------------------------------------------------------------
def _hostile_extract(folder: Path, secret: Path) -> str:
    write_tiny(folder)
    district = DISTRICT.replace("SECRET", str(secret))
    for f in folder.glob("*.csv"):
        rows = list(csv.reader(f.open(encoding="utf-8")))
        for r in rows[1:]:
            for i, h in enumerate(rows[0]):
                r[i] = {("district", "A"): district, ("county", "X"): COUNTY, ("programme", "Avert"): PROGRAMME}.get(
                    (h, r[i]), r[i]
                )
        with f.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    with (folder / "families.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["district", "family"], [district, FAMILY], ["B", FAMILY]])
    return district


def _hostile_street(folder: Path) -> str:
    district = 'Alpha <img src=x onerror="' + PWN.format(5) + '">'
    quoted = '"' + district.replace('"', '""')  # a CSV field as data.police.uk would quote it
    street.write(folder, areas=False)
    for path in folder.glob("*-street.csv"):
        body = path.read_text(encoding="utf-8")
        body = re.sub(r",Alpha (00\d[A-Z]),", lambda m: f',{quoted} {m.group(1)}",', body)
        body = body.replace(",Shoplifting,", ",All crime <b>{{ 7*6 }}</b>,")  # a crime type named as our total
        path.write_text(body, encoding="utf-8")
    return district


def _chromium(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        res = subprocess.run(
            [
                shutil.which("chromium"),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    return res.stdout


def _no_live_markup(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.parts:
            continue
        raw = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(raw, "html.parser")
        for tag in soup.find_all(True):
            if any(a.lower().startswith("on") for a in tag.attrs) or tag.name in ("iframe", "object", "embed"):
                found.append(f"{page.relative_to(site)}: {str(tag)[:80]}")
        for script in soup.find_all("script"):
            if "data-pwned" in (script.string or "") and script.get("type") != "application/json":
                found.append(f"{page.relative_to(site)}: a script holds the payload")
        if "42 lde" in soup.get_text() or "<em>em</em>" in raw:
            found.append(f"{page.relative_to(site)}: the name was parsed")
        if 'http-equiv="Content-Security-Policy"' not in raw and page != site / "index.html":  # that one redirects
            found.append(f"{page.relative_to(site)}: no Content-Security-Policy")
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from csp_lib.publish import build

    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET + "\n")
    district = _hostile_extract(tmp / "data", secret)
    root = copy_project(tmp_path_factory.mktemp("project"))
    before = {p for p in tmp.rglob("*")}
    html = build.build(tmp / "data", [district], ["2016/17"], root=root, pdf=True)
    return root, html, district, tmp, before


@pytest.mark.slow
def test_hostile_extract_pages_show_the_names_as_text(hostile):
    root, html, district, _, _ = hostile
    assert _no_live_markup(html) == []
    folder = html / "book" / "reports" / contract.area_slug(district) / "2016-17"
    landing = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert LITERAL in landing and COUNTY in landing
    quality = BeautifulSoup((folder / "data-quality.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert LITERAL in quality
    asb = BeautifulSoup((folder / "05-antisocial-behaviour.html").read_text(encoding="utf-8"), "html.parser")
    assert PROGRAMME in asb.get_text()  # the referral programme's sentence
    overview = BeautifulSoup((folder / "01-overview.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert FAMILY in overview  # its most similar group, in the ranking's sentence: "_Fam_", not emphasis
    front = BeautifulSoup((html / "book" / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert LITERAL in front and COUNTY in front


@pytest.mark.slow
def test_hostile_extract_runs_no_script_in_a_browser(hostile):
    _, html, district, _, _ = hostile
    folder = html / "book" / "reports" / contract.area_slug(district) / "2016-17"
    for page in (
        folder / "index.html",
        folder / "02-violence.html",
        folder / "data-quality.html",
        html / "book" / "index.html",
    ):  # noqa: E501
        dom = _chromium(page.as_uri())
        assert "<body" in dom, page
        assert 'data-pwned="' not in dom, page
    assert "<svg" in _chromium((folder / "02-violence.html").as_uri())  # the charts still draw under the policy


@pytest.mark.slow
def test_hostile_extract_paper_holds_no_local_file(hostile):
    _, html, district, _, _ = hostile
    pdf = next((html / "book" / "reports" / contract.area_slug(district) / "2016-17").glob("*.pdf"))
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert SECRET not in words
    assert "Fy {{ 6*7 }} lde" in words


@pytest.mark.slow
def test_hostile_extract_writes_nothing_outside_the_project(hostile):
    root, html, district, tmp, before = hostile
    assert {p for p in tmp.rglob("*")} == before  # the data folder's parent: nothing new beside the data
    slug = contract.area_slug(district)
    assert [p.name for p in (root / "book" / "reports").iterdir()] == [slug]
    assert [p.name for p in (root / "commentary").iterdir() if p.name != "blackpool"] == [slug]
    cover = (root / "commentary" / slug / "2016-17" / "cover.yml").read_text(encoding="utf-8")
    import yaml

    assert "crimes.csv" in yaml.safe_load(cover)["considerations"]["Background papers"]  # valid YAML


@pytest.mark.slow
def test_the_policy_alone_stops_a_handler_that_reached_a_page(hostile, tmp_path):
    _, html, district, _, _ = hostile
    page = html / "book" / "reports" / contract.area_slug(district) / "2016-17" / "index.html"
    handler = f'<img src="x" onerror="{PWN.format(9)}">'
    with_policy = page.with_name("with-policy.html")
    without = page.with_name("without-policy.html")
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + handler, page.read_text(encoding="utf-8"), count=1)
    with_policy.write_text(body, encoding="utf-8")
    without.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", body), encoding="utf-8")
    try:
        assert 'data-pwned="9"' in _chromium(without.as_uri())  # the test can see a handler run
        assert 'data-pwned="9"' not in _chromium(with_policy.as_uri())  # and the policy stops it
    finally:
        with_policy.unlink()
        without.unlink()


@pytest.mark.slow
def test_hostile_police_uk_files(tmp_path_factory):
    from csp_lib.publish import build

    data = tmp_path_factory.mktemp("street")
    district = _hostile_street(data)
    root = copy_project(tmp_path_factory.mktemp("project"))
    html = build.build(data, [district], ["2021-01..2021-12"], root=root, pdf=True)
    assert _no_live_markup(html) == []
    folder = html / "book" / "reports" / contract.area_slug(district) / "2021-01_to_2021-12"
    landing = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert district in landing
    quality = BeautifulSoup((folder / "data-quality.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "All crime <b>{{ 7*6 }}</b>" in quality  # the unknown crime type, named as it is written
    assert 'data-pwned="' not in _chromium((folder / "index.html").as_uri())
