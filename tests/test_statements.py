"""Every statement of the published report (Blackpool 2016/17) is on the demo site and in its committee paper.

tests/golden/statements.csv lists the report's statements paragraph by paragraph (figures, sentences, tables,
front and back matter), each with the words that must be read for it; ``|`` separates words that must all
be there. The site's pages (the report's and its paper's) are read as a reader reads them: text, not markup.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STATEMENTS = Path(__file__).parent / "golden" / "statements.csv"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u2019", "'").lower()


def _page_text(path: Path) -> str:
    body = path.read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _rows():
    with STATEMENTS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def reading(site):
    _, html_root = site
    report = html_root / "book" / "reports" / "blackpool" / "2016-17"
    site_text = " ".join(_page_text(p) for p in sorted(report.glob("*.html")))
    paper = ""
    if shutil.which("pdftotext"):
        pdf = report / "blackpool-2016-17-committee-paper.pdf"
        pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
        paper = _flat(" ".join(_without_footer(p) for p in pages))
    return site_text, paper


FOOTER = re.compile(r"(Page \d+ of \d+|Online report: \S+|Blackpool: April 2016 to March 2017)?")


def _without_footer(page: str) -> str:
    """A page of the paper as a reader reads on: its running footer (area and period, the edition's address,
    the page number) left out, so that a sentence that goes on over the page is read whole."""
    lines = page.rstrip().splitlines()
    while lines and FOOTER.fullmatch(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)


def test_the_list_covers_the_report_from_front_to_back():
    rows = _rows()
    assert len(rows) >= 130
    paragraphs = {r["paragraph"] for r in rows}
    for p in ("1.1", "2.1", "3.1", "4.1", "5.1", "6.0.2", "6.1.10", "6.2.7", "6.3.8", "6.4.7", "6.5.3", "7.5"):
        assert p in paragraphs, p
    assert {"8.8", "9.1", "10.7", "11-18"} <= paragraphs


@pytest.mark.parametrize("where", ["site", "paper"])
def test_every_statement_of_the_published_report_is_there(reading, where):
    text = reading[0] if where == "site" else reading[1]
    if not text:
        pytest.skip("pdftotext is not installed (make setup installs it)")
    missing = [
        f"{r['paragraph']} {r['statement']}: {w!r}"
        for r in _rows()
        for w in r["must read"].split("|")
        if _flat(w) not in text
    ]
    assert not missing, "\n".join(missing)
