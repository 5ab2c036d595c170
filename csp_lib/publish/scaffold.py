"""``csp new-section NAME``: everything a new report section needs, ready to fill in.

It writes the section's notebook (with its ``parameters`` cell), a ``csp_lib``
module with a function stub, a test that fails until the stub is written, and a
commentary template, and adds the section to ``_toc.yml``. The analyst then
writes the measures in the module, makes the test pass and builds the book.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..data.contract import slug
from ..figures.sections import BY_SLUG, discover
from .site import write_toc

PARAMS = """# Parameters: papermill replaces these when the book is built.
data_dir = None  # the data folder (data-contract.md; None: the project's data/demo)
area = "Blackpool"  # a district in areas.csv
period = "2016/17"  # 2016/17, 2016/17-Q3 or 2016-02..2017-01
figures_file = None  # figures.json from csp build (None: compute from data_dir)
commentary_dir = None  # the analysts' markdown, one file per section (None: the project's commentary/)"""

MODULE = '''"""{title}: the measures and sentences of this section.

Made by `csp new-section "{title}"`. Write the section's sentences here from
figures.json (``figs``) and make tests/test_section_{module}.py pass. Figures the
data contract does not yet hold need a measure in csp_lib/figures/calculate.py first.
"""

from __future__ import annotations

from csp_lib.present import narrative as say  # noqa: F401 (sentences are written with it)

TITLE = "{title}"


def sentences(figs: dict) -> list[str]:
    """The computed sentences of the {title} section (a stub to replace)."""
    return [f"The {{TITLE.lower()}} section for {{figs['area']}} has no measures yet."]
'''

TEST = '''"""The {title} section. This test fails until the section has real measures:
write them in csp_lib/custom/{module}.py and put the sentence you expect below."""

from csp_lib.custom import {module}


def test_{module}_sentences(demo_figures):
    first = {module}.sentences(demo_figures)[0]
    assert "has no measures yet" not in first, "write the {title} measures in csp_lib/custom/{module}.py"
'''

COMMENTARY = """<!-- Analyst's commentary for the {title} section of the {{area}} report, {{period}}.
     Write in Markdown. The build never overwrites this file. -->

*No commentary has been written for this section yet.*
"""


class ScaffoldError(Exception):
    pass


def new_section(root: Path, title: str) -> list[Path]:
    """Create the files of a new section; returns them. Nothing is overwritten."""
    name = slug(title)
    if not name:
        raise ScaffoldError('give the section a name, e.g. csp new-section "Road safety"')
    page = name.replace("_", "-")
    existing = discover(root / "notebooks")
    if page in BY_SLUG or any(s.slug == page for s in existing):
        raise ScaffoldError(f"a section '{page}' exists already")
    number = max((s.number for s in existing), default=0) + 1
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nWhat this section reports, in a sentence."),
        params,
        nbformat.v4.new_code_cell(
            "from csp_lib.present import report\n"
            f"from csp_lib.custom import {name}\n\n"
            f'r, f = report.start("{page}", data_dir, area, period, figures_file, commentary_dir)'
        ),
        nbformat.v4.new_code_cell(f"r.say(*{name}.sentences(f))"),
        nbformat.v4.new_code_cell("r.commentary()"),
    ]
    files = {
        root / "notebooks" / f"{number:02d}-{page}.ipynb": nbformat.writes(nb) + "\n",
        root / "csp_lib" / "custom" / f"{name}.py": MODULE.format(title=title, module=name),
        root / "tests" / f"test_section_{name}.py": TEST.format(title=title, module=name),
        root / "csp_lib" / "templates" / "commentary" / f"{page}.md": COMMENTARY.format(title=title),
    }
    for path in files:
        if path.exists():
            raise ScaffoldError(f"{path} exists already; nothing was written")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    write_toc(root)
    return list(files)
