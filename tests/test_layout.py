"""The house as the README draws it: the notebooks repeat nothing the library holds, and the
package declares every library it imports. (The stages and the absence of import cycles are
import-linter's contracts in pyproject.toml, run by `make lint`.)"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest

from csp_lib.figures.sections import BY_SLUG, discover
from csp_lib.publish.scaffold import PARAMS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_has_the_scaffolds_parameters_and_one_setup_call(path):
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source == PARAMS, "the parameters cell is scaffold.PARAMS, word for word"
    slug = path.stem.split("-", 1)[1]
    code = [c.source for c in nb.cells if c.cell_type == "code" and c is not params[0]]
    setup = [s for s in code if "report.start(" in s]
    assert len(setup) == 1, "one setup call"
    assert f'report.start("{slug}", data_dir, area, period, figures_file, commentary_dir)' in setup[0]
    assert slug in BY_SLUG and slug in {s.slug for s in discover(ROOT / "notebooks")}
    text = "\n".join(code)
    assert "report.open(" not in text and "r.heading()" not in text, "setup is report.start's job"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_take_labels_from_sections(path):
    """A sentence names its figure from sections (SUBJECTS, NOUNS, LABELS): no notebook types a
    subject that the library would give anyway."""
    from csp_lib.figures.sections import noun, subject

    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    for fn, fid, words in re.findall(r'say\.(\w+)\(f, "(\w+)", "([^"]+)"', text):
        assert words != (noun(fid) if fn == "rate" else subject(fid)), f"{fn}({fid}) repeats the default {words!r}"


def _third_party_imports() -> set[str]:
    names = set()
    for path in (ROOT / "csp_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in {"csp_lib", "__future__"}}


def test_pyproject_declares_every_library_csp_lib_imports():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {re.split(r"[<>=\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    dists = packages_distributions()
    missing = {
        module: dists.get(module)
        for module in _third_party_imports()
        if not {d.lower().replace("_", "-") for d in dists.get(module, [module])} & declared
    }
    assert not missing, f"imported by csp_lib but not in pyproject's dependencies: {missing}"
