"""Content-addressed cache for the build: figures and executed notebooks.

A report's figures are reused while the data files' contents, the installed
csp_lib code, the area and the period are unchanged; a section notebook is not
executed again while the notebook, its parameters, the code, the report's
figures.json and its commentary are unchanged. jupyter-book's own cache looks at
notebooks only and would miss a changed data file, so this one hashes contents.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

from ..data import contract
from ..data.readers import file_hash, table_path
from ..present import downloads

CODE = Path(__file__).parent.parent  # the whole csp_lib package


def digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def data_digest(folder: Path) -> str:
    """Contents of every contract table and police.uk street file in a data folder (names and bytes), and
    of the optional files read beside them: the most similar groups and the LSOA boundaries; and what
    figures.json ``source`` says of the folder besides its files: its name and whether it is the demo's (the
    same extract copied into ``extracts/2016-Q2/`` is a report made from that folder)."""
    from ..data import boundaries
    from ..data.policeuk import find

    parts = [Path(folder).name, str((Path(folder) / contract.DEMO_MARKER).exists())]
    for name in contract.TABLES:
        for ext in (".csv", ".csv.gz", ".parquet"):
            p = Path(folder) / f"{name}{ext}"
            if p.exists():
                parts += [p.name, file_hash(p)]
    for f in find(folder):
        parts += [f.path.relative_to(folder).as_posix(), file_hash(f.path)]
    for p in (table_path(folder, "families"), boundaries.find(folder)):
        if p is not None:
            parts += [p.name, file_hash(p)]
    return digest(*parts)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The installed csp_lib: its Python files and templates."""
    files = sorted(p for p in CODE.rglob("*") if p.is_file() and p.suffix in (".py", ".md"))
    return digest(*[x for p in files for x in (p.relative_to(CODE).as_posix(), p.read_bytes())])


def warn(path: Path, why: str) -> None:
    """Name a damaged cache entry; the caller drops it and computes it again."""
    print(f"csp build: warning: cache entry {path} is damaged ({why}): dropped and made again", file=sys.stderr)


def drop(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.filename is None:  # a write to an open file names none: the entry it was for
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


class Cache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    # -- figures ------------------------------------------------------------------
    def figures_key(self, data_key: str, area: str, period: str) -> str:
        return digest("figures", data_key, code_digest(), area, period)

    def _figures_path(self, key: str) -> Path:
        return self.folder / "figures" / f"{key}.json"

    def has_figures(self, key: str) -> bool:
        return self._figures_path(key).exists()

    def get_figures(self, key: str) -> dict | None:
        p = self._figures_path(key)
        if not p.exists():
            return None
        try:
            figs = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            figs, why = None, f"{type(e).__name__}: {e}"
        else:
            why = "not a figures object"
        if not isinstance(figs, dict):
            warn(p, why)
            drop(p)
            return None
        return figs

    def put_figures(self, key: str, figs: dict) -> None:
        write_atomic(self._figures_path(key), json.dumps(figs, ensure_ascii=False).encode("utf-8"))

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
