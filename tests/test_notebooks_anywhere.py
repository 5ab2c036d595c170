"""A section notebook run by papermill's own command gives one result wherever it is run from (issue #31,
item 2): from the project's root, from notebooks/ and with ``--cwd`` elsewhere, its defaults are the project's
data/demo and commentary/ (data.project). A commentary folder that does not exist is an error naming it,
and nothing is written there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csp_lib.data import project
from csp_lib.data.contract import DataError
from csp_lib.present import report

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / "papermill"
WORDS = "Why the figures rose."  # commentary/blackpool/2016-17/violence.md


def papermill(cwd: Path, notebook: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [str(PAPERMILL), notebook, str(out), "-p", "area", "Blackpool", "-p", "period", "2016/17", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def shown(path: Path) -> list:
    """What each cell shows, without the run's own metadata (times, execution counts)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for c in cells:
        for o in c.get("outputs", []):
            out.append(o.get("text") or o.get("data") or o.get("ename"))
    return out


@pytest.mark.slow
def test_papermill_gives_one_result_from_the_root_from_notebooks_and_with_cwd(tmp_path):
    before = subprocess.run(["git", "status", "--porcelain", "commentary"], cwd=ROOT, capture_output=True, text=True)
    runs = {
        "root": papermill(ROOT, "notebooks/02-violence.ipynb", tmp_path / "root.ipynb"),
        "notebooks": papermill(ROOT / "notebooks", "02-violence.ipynb", tmp_path / "notebooks.ipynb"),
        "cwd": papermill(ROOT, "notebooks/02-violence.ipynb", tmp_path / "cwd.ipynb", "--cwd", str(tmp_path)),
    }
    for name, run in runs.items():
        assert run.returncode == 0, f"{name}: {run.stderr[-2000:]}"
    results = {name: shown(tmp_path / f"{name}.ipynb") for name in runs}
    assert results["root"] == results["notebooks"] == results["cwd"]
    text = json.dumps(results["root"])
    assert WORDS in text and "No commentary has been written" not in text, "the project's commentary is shown"
    assert "Blackpool" in text
    after = subprocess.run(["git", "status", "--porcelain", "commentary"], cwd=ROOT, capture_output=True, text=True)
    assert after.stdout == before.stdout, "no template written into the project"


@pytest.mark.slow
def test_papermill_stops_naming_a_commentary_folder_that_does_not_exist(tmp_path):
    notebook = str(ROOT / "notebooks" / "02-violence.ipynb")
    data = str(ROOT / "data" / "demo")
    run = papermill(
        tmp_path, notebook, tmp_path / "out.ipynb", "-p", "data_dir", data, "-p", "commentary_dir", "commentary"
    )
    assert run.returncode != 0
    assert f"{tmp_path / 'commentary'}: no such commentary folder" in run.stderr
    assert not (tmp_path / "commentary").exists(), "no template written elsewhere"


def test_the_defaults_are_the_projects_wherever_the_working_folder_is(tmp_path, monkeypatch):
    for where in (ROOT, ROOT / "notebooks", ROOT / "csp_lib" / "data", tmp_path):
        monkeypatch.chdir(where)
        assert project.project_root() == ROOT
        assert project.resolve() == (ROOT / "data" / "demo", ROOT / "commentary")
    monkeypatch.chdir(tmp_path)
    assert project.resolve("here", str(ROOT / "commentary")) == (Path("here"), ROOT / "commentary")


def test_a_missing_commentary_folder_is_named_and_never_made(tmp_path):
    missing = tmp_path / "no" / "commentary"
    with pytest.raises(DataError, match=f"{missing}: no such commentary folder"):
        report.start("violence", None, "Blackpool", "2016/17", None, missing)
    assert not (tmp_path / "no").exists()
