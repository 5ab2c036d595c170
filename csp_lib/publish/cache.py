"""Content-addressed cache for the build: figures and executed notebooks.

A report's figures are reused while the data files' contents, the installed
csp_lib code, the area and the period are unchanged; a section notebook is not
executed again while the notebook, its parameters, the code, the report's
figures.json and its commentary are unchanged. jupyter-book's own cache looks at
notebooks only and would miss a changed data file, so this one hashes contents.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from ..data.readers import file_hash
from ..figures.store import CODE, FiguresCache, code_digest, data_digest, digest, drop, warn, write_atomic  # noqa: F401
from ..present import downloads


def workbook_ok(path: Path) -> bool:
    """A cached workbook is a whole zip (an .xlsx) whose members all read back."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and "[Content_Types].xml" in z.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def pdf_ok(path: Path) -> bool:
    """A cached paper is a whole PDF: its header, and the end-of-file marker in its last kilobyte."""
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, path.stat().st_size - 1024))
            return head == b"%PDF-" and b"%%EOF" in fh.read()
    except OSError:
        return False


def notebook_ok(path: Path) -> bool:
    """A cached notebook parses as JSON and holds cells."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(nb, dict) and isinstance(nb.get("cells"), list)


class Cache(FiguresCache):
    """The build's cache: the figures (figures.store) and the executed notebooks."""

    # -- executed notebooks --------------------------------------------------------
    def notebook_key(self, notebook: Path, params: dict, figures_json: Path, commentary: Path) -> str:
        return digest(
            "notebook",
            Path(notebook).read_bytes(),
            json.dumps(params, sort_keys=True),
            code_digest(),
            file_hash(figures_json),  # once a report: its eight notebooks' keys read it from memory
            file_hash(commentary) if commentary.exists() else "",
        )

    def restore_notebook(self, key: str, dst: Path) -> bool:
        """Copy a cached run (the notebook and the downloads it wrote) to ``dst``; False on a miss."""
        entry = self.folder / "notebooks" / key
        if not (entry / "notebook.ipynb").exists():
            if entry.exists():
                drop(entry)
            return False
        if not notebook_ok(entry / "notebook.ipynb"):
            warn(entry / "notebook.ipynb", "not a whole notebook")
            drop(entry)
            return False
        shutil.copy2(entry / "notebook.ipynb", dst)
        if (entry / "downloads").is_dir():
            shutil.copytree(entry / "downloads", dst.parent / "downloads", dirs_exist_ok=True)
        return True

    def store_notebook(self, key: str, src: Path) -> None:
        """Keep an executed notebook and the downloads its pages link to."""
        entry = self.folder / "notebooks" / key
        tmp = entry.with_name(f"{key}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            (tmp / "downloads").mkdir(parents=True)
            shutil.copy2(src, tmp / "notebook.ipynb")
            for name in downloads.linked(Path(src).read_text(encoding="utf-8")):
                f = src.parent / "downloads" / name
                if f.exists():
                    shutil.copy2(f, tmp / "downloads" / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = entry.with_name(f"{key}.{os.getpid()}.old")
        if entry.exists():
            entry.rename(old)
        tmp.rename(entry)
        shutil.rmtree(old, ignore_errors=True)
