"""`jupyter-book build .` run by hand, as a jupyter-book user would (issue #31, item 3): on a fresh clone it
finds a table of contents, stops with one line that says to run `csp build`, and writes nothing, least of all
into a published site in `_build/html`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from csp_lib.publish import site

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def test_the_committed_toc_is_the_one_csp_build_writes():
    assert (ROOT / "_toc.yml").read_text(encoding="utf-8") == site.FRONT_TOC


@pytest.mark.slow
def test_jupyter_book_build_stops_in_one_line_and_writes_nothing(tmp_path):
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    clone = tmp_path / "clone"
    for name in tracked.split("\n"):
        if name == "_config.yml" or name == "_toc.yml" or name.startswith(("book/", "docs/")):
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    published = clone / "_build" / "html"
    published.mkdir(parents=True)
    (published / "index.html").write_text("the published site\n", encoding="utf-8")
    before = sorted(p.relative_to(clone) for p in clone.rglob("*"))
    env = {k: v for k, v in os.environ.items() if k != "CSP_BOOK_BUILD"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    run = subprocess.run(
        [str(JUPYTER_BOOK), "build", "."], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "csp build" in lines[0] and "make book" in lines[0], run.stdout + run.stderr
    assert sorted(p.relative_to(clone) for p in clone.rglob("*")) == before, "jupyter-book wrote files"
    assert (published / "index.html").read_text(encoding="utf-8") == "the published site\n"
