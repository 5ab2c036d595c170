"""A commentary file that nothing reads is named by the build (issue #31, item 6): `02-violence.md` beside the
real `violence.md`, a misspelt section, another extension, each with the file it was likely meant to be."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project, write_tiny
from csp_lib.figures.sections import discover
from csp_lib.publish import build

ROOT = Path(__file__).resolve().parents[1]


def test_near_miss_commentary_files_are_found_with_what_they_were_meant_to_be(tmp_path):
    for name in ["violence.md", "cover.yml", ".violence.md.swp", "02-violence.md", "violense.md", "Violence.MD"]:
        (tmp_path / name).write_text("words\n")
    for name in ["hate_crime.md", "cover.yaml", "notes.txt"]:
        (tmp_path / name).write_text("words\n")
    found = {p.name: near for p, near in build.stray_commentary(tmp_path, discover(ROOT / "notebooks"))}
    assert found == {
        "02-violence.md": "violence.md",
        "violense.md": "violence.md",
        "Violence.MD": "violence.md",
        "hate_crime.md": "hate-crime.md",
        "cover.yaml": "cover.yml",
        "notes.txt": None,
    }
    assert build.stray_commentary(tmp_path / "none", discover(ROOT / "notebooks")) == []


@pytest.mark.slow
def test_the_build_names_a_near_miss_commentary_file_in_a_warning(tmp_path, capsys):
    data = write_tiny(tmp_path / "data")
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    words = root / "commentary" / "a" / "2016-17"
    words.mkdir(parents=True)
    (words / "02-violence.md").write_text("**The analyst's words**, in a file no section reads.\n")
    build.build(data, ["A"], ["2016/17"], root=root)
    err = capsys.readouterr().err
    assert (
        "csp build: warning: commentary/a/2016-17/02-violence.md is not read by any section of A 2016/17: "
        "did you mean violence.md?" in err
    ), err
    assert "overview.md" not in err and "cover.yml" not in err, "the files read are not named"
