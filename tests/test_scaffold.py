"""csp new-section: the files a new section needs, and no overwriting."""

import json

import nbformat
import pytest

from conftest import copy_project
from csp_lib.figures.sections import discover
from csp_lib.publish import scaffold, site


def test_new_section_scaffolds_everything(tmp_path):
    root = copy_project(tmp_path)
    (root / "csp_lib" / "custom").mkdir(parents=True)
    (root / "tests").mkdir()
    made = scaffold.new_section(root, "Road safety")
    names = sorted(str(p.relative_to(root)) for p in made)
    assert names == [
        "csp_lib/custom/road_safety.py",
        "csp_lib/templates/commentary/road-safety.md",
        "notebooks/09-road-safety.ipynb",
        "tests/test_section_road_safety.py",
    ]
    nb = nbformat.read(root / "notebooks" / "09-road-safety.ipynb", 4)
    nbformat.validate(nb)
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert "road_safety.sentences(f)" in nb.cells[3].source
    assert [s.title for s in discover(root / "notebooks")][-1] == "Road safety"
    assert "def sentences(figs: dict)" in (root / "csp_lib" / "custom" / "road_safety.py").read_text()
    assert "has no measures yet" in (root / "tests" / "test_section_road_safety.py").read_text()
    with pytest.raises(scaffold.ScaffoldError, match="exists already"):
        scaffold.new_section(root, "Road safety")
    with pytest.raises(scaffold.ScaffoldError, match="exists already"):
        scaffold.new_section(root, "Hate crime")


def test_toc_lists_a_section_only_where_it_was_built(tmp_path):

    root = copy_project(tmp_path)
    report = root / "book" / "reports" / "a" / "2016-17"
    report.mkdir(parents=True)
    figs = {"area": "A", "period": {"label": "2016/17", "name": "April 2016 to March 2017", "end": "2017-03-31"}}
    (report / "figures.json").write_text(json.dumps(figs))
    (report / "01-overview.ipynb").write_text("{}")
    toc = site.report_toc(root, "a", "2016-17")  # each report is a book of its own, with its own contents
    assert "- file: 01-overview" in toc and "02-violence" not in toc and toc.endswith("- file: data-quality\n")
    site.write_toc(root)  # the front book's lists no report: its front page does
    assert "reports/a" not in (root / "_toc.yml").read_text()
    listing = (root / "book" / "_generated" / "reports.md").read_text()
    assert 'href="reports/a/2016-17/index.html"' in listing
    assert "<nav" not in listing  # one county: no line of links to the counties


def test_the_front_page_lists_each_area_as_one_html_block(tmp_path):
    """Areas are written as HTML (Sphinx reads a Markdown table and heading per area slowly): one block each, with
    no blank line inside it (Markdown would end the block there), names escaped, the source's Markdown rendered."""
    root = copy_project(tmp_path)
    for slug, area, county in (("a-and-b", "A & B", "North"), ("c", "C", "North"), ("d", "D", "South")):
        report = root / "book" / "reports" / slug / "2016-17"
        report.mkdir(parents=True)
        figs = {
            "area": area,
            "county": county,
            "period": {"label": "2016/17", "name": "April 2016 to March 2017", "end": "2017-03-31"},
            "source": {
                "kind": "police.uk",
                "folder": "street",
                "file_count": 24,
                "months": "2015-04 to 2017-03",
                "hash": "sha256:0123456789abcdef0123",
            },
        }
        (report / "figures.json").write_text(json.dumps(figs))
    site.write_toc(root)
    text = (root / "book" / "_generated" / "reports.md").read_text()
    blocks = text.split("\n\n")
    assert [b.splitlines()[0] for b in blocks if b.strip()] == [
        '<nav aria-label="Counties"><p>Counties, with the number of areas: '
        '<a href="#county-north">North</a> (2) · <a href="#county-south">South</a> (1)',
        "(county-north)=",
        '<section id="area-a-b">',
        '<section id="area-c">',
        "(county-south)=",
        '<section id="area-d">',
    ]
    assert "(county-north)=\n### North" in text
    a_and_b = next(b for b in blocks if b.startswith('<section id="area-a-b">'))
    assert "<h4>A &amp; B<a" in a_and_b and a_and_b.rstrip().endswith("</section>")
    assert '<a href="reports/a-and-b/2016-17/index.html">' in a_and_b and "April 2016 to March 2017" in a_and_b
    assert "street files in the folder <code>street</code> (24 files" in a_and_b
    assert site.area_anchor("A & B") == "area-a-b"
