"""WCAG 2.2 A and AA, as axe-core checks them, on every page type of a built site: the front page,
the methods and accessibility pages, a report's landing page, each section page and its data
quality page, the search page; for a demo report and a police.uk report (hand-made street files).

axe-core (tests/a11y/package.json, installed by `make setup`) runs in Debian's chromium after each
page has loaded, over a local HTTP server, as a reader's browser would show the page.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import copy_project

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# the probe is two files of the site's own, as the pages' Content-Security-Policy allows scripts (not inline)
PROBE = """
window.addEventListener("load", function () {{
  // the charts drawn first (csp.js): their SVG is checked too
  Promise.resolve(window.cspCharts).then(function () {{
    return axe.run(document, {{runOnly: {{type: "tag", values: {tags}}}, resultTypes: ["violations"]}});
  }}).then(function (r) {{
    var out = r.violations.map(function (v) {{
      var nodes = v.nodes.map(function (n) {{ return n.html.slice(0, 160); }});
      return {{id: v.id, impact: v.impact, help: v.help, nodes: nodes}};
    }});
    var pre = document.createElement("pre");
    pre.textContent = "AXE:" + btoa(unescape(encodeURIComponent(JSON.stringify(out)))) + ":AXE";
    document.body.appendChild(pre);
  }});
}});
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: Path):
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def violations(html_root: Path, page: str) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on one page of a built site (a copy of the page with axe added)."""
    src = html_root / page
    probe = src.with_name(src.stem + ".axe-probe.html")
    scripts = [html_root / f"{probe.stem}.axe.js", html_root / f"{probe.stem}.run.js"]
    scripts[0].write_text(AXE.read_text(encoding="utf-8"), encoding="utf-8")
    scripts[1].write_text(PROBE.format(tags=json.dumps(TAGS)), encoding="utf-8")
    tags = "".join(f'<script src="/{s.name}"></script>' for s in scripts)
    probe.write_text(src.read_text(encoding="utf-8").replace("</body>", tags + "</body>"), encoding="utf-8")
    server = _serve(html_root)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{probe.relative_to(html_root).as_posix()}"
        out = subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--window-size=1280,1000",
                "--virtual-time-budget=30000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
        ).stdout
    finally:
        server.shutdown()
        for path in (probe, *scripts):
            path.unlink()
    found = re.findall(r"AXE:([A-Za-z0-9+/=]+):AXE", out)
    assert found, f"axe-core gave no result for {page}"
    charts = src.read_text(encoding="utf-8").count('<div class="csp-vega">')
    assert out.count('aria-roledescription="visualization"') == charts, f"not every chart of {page} was drawn"
    return json.loads(base64.b64decode(found[-1]))


SITE_PAGES = ["book/index.html", "book/methods.html", "book/accessibility.html", "book/search-reports.html"]


def _check(pages: list[str], html_root: Path):
    with ThreadPoolExecutor(2) as pool:  # a chromium each, two at a time
        found = dict(zip(pages, pool.map(lambda page: violations(html_root, page), pages)))
    failed = {page: v for page, v in found.items() if v}
    assert not failed, json.dumps(failed, indent=1)[:4000]


def _report_pages(html_root: Path, report: str) -> list[str]:
    pages = sorted(p.relative_to(html_root).as_posix() for p in (html_root / report).glob("*.html"))
    assert len(pages) == 10, pages  # the landing page, 8 sections, data quality
    return pages


@pytest.fixture(scope="module")
def axe():
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make setup installs it)")
    assert AXE.exists(), "axe-core is not installed: run make setup (npm ci --prefix tests/a11y)"


@pytest.fixture(scope="module")
def policeuk_site(tmp_path_factory):
    import street

    from csp_lib.publish import build

    data = street.write(tmp_path_factory.mktemp("street"))
    root = copy_project(tmp_path_factory.mktemp("project"))
    return build.build(data, ["Alpha"], ["2021-01..2021-12"], root=root, out="_site")


def test_demo_site_meets_wcag_22_aa(axe, site):
    _, html_root = site
    _check(SITE_PAGES + _report_pages(html_root, "book/reports/blackpool/2016-17"), html_root)


def test_police_uk_report_meets_wcag_22_aa(axe, policeuk_site):
    """The report's own pages: the site's pages are the demo site's, checked above."""
    _check(_report_pages(policeuk_site, "book/reports/alpha/2021-01_to_2021-12"), policeuk_site)


def test_the_check_finds_what_it_looks_for(axe, tmp_path):
    """A page with an image without alt text and an unnamed summary fails: the check can fail."""
    (tmp_path / "bad.html").write_text(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1><img src="x.png">'
        "<details><summary></summary>x</details></main></body></html>"
    )
    found = {v["id"] for v in violations(tmp_path, "bad.html")}
    assert {"image-alt", "summary-name"} <= found
