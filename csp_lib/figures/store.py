"""The figures cache, shared by a build and a notebook run on its own: a report's internal figures (before
disclosure control) are reused while the data files' contents, the installed csp_lib code, the area and the
period are unchanged. The build's cache (publish.cache) adds the executed notebooks; both live in the
project's ``_build/cache`` (``csp build --out``'s ``cache``). Every entry is checked when it is read and written
whole or not at all."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path

from ..data import contract
from ..data.readers import file_hash, table_path

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
    from ..data import boundaries, homeoffice, population
    from ..data.policeuk import find

    parts = [Path(folder).name, str((Path(folder) / contract.DEMO_MARKER).exists())]
    for name in contract.TABLES:
        for ext in (".csv", ".csv.gz", ".parquet"):
            p = Path(folder) / f"{name}{ext}"
            if p.exists():
                parts += [p.name, file_hash(p)]
    for f in find(folder):
        parts += [f.path.relative_to(folder).as_posix(), file_hash(f.path)]
    for t in sorted({t.path for t in homeoffice.find(folder)}):  # the Home Office tables
        parts += [t.name, file_hash(t)]
    for p in (table_path(folder, "families"), boundaries.find(folder), population.find(folder)):
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
    print(f"csp: warning: cache entry {path} is damaged ({why}): dropped and made again", file=sys.stderr)


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


class FiguresCache:
    """The cached internal figures of a folder's reports, one JSON file a report. A build's cache must be
    written (a full disk stops it, named); a notebook's (``optional``) is a convenience: an entry that cannot
    be written is named in a warning and the figures are used as computed."""

    def __init__(self, folder: Path, optional: bool = False):
        self.folder = Path(folder)
        self.optional = optional

    # -- figures ------------------------------------------------------------------
    def figures_key(self, data_key: str, area: str, period: str, settings: str = "") -> str:
        """The key of a report's internal figures: the data, the code, the area, the period and the settings
        of csp.toml the figures depend on (``[spc]``'s ``Settings.key()``: the XmR charts' baseline and
        recalculations; the disclosure threshold is applied after the cache, to published figures only)."""
        return digest("figures", data_key, code_digest(), area, period, settings)

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
        try:
            write_atomic(self._figures_path(key), json.dumps(figs, ensure_ascii=False).encode("utf-8"))
        except OSError as e:
            if not self.optional:
                raise
            print(
                f"csp: warning: cannot keep figures in {self.folder} ({e.strerror or e}): not cached", file=sys.stderr
            )
