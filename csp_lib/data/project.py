"""The project folder: where a notebook's default data and commentary live, wherever it is run from.

A section notebook's defaults (``data_dir = None``, ``commentary_dir = None``) mean the project's
``data/demo`` and ``commentary/``. The project is the nearest folder at or above the working folder
that holds ``_config.yml`` and ``notebooks/`` (papermill run from the root or from ``notebooks/``,
JupyterLab, nbval, a build's staging folder), else the folder that holds this ``csp_lib`` (papermill's
``--cwd`` elsewhere, with ``csp_lib`` installed from the project as ``pip install -e .`` does).
"""

from __future__ import annotations

from pathlib import Path

from .contract import DataError

DEMO_DATA = Path("data") / "demo"
COMMENTARY = Path("commentary")


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the working folder) holding ``_config.yml`` and ``notebooks/``."""
    p = (start or Path.cwd()).resolve()
    for d in [p, *p.parents]:
        if (d / "_config.yml").is_file() and (d / "notebooks").is_dir():
            return d
    return None


def project_root() -> Path:
    """The project of the working folder, else the one this ``csp_lib`` was installed from."""
    root = find_root() or find_root(Path(__file__).resolve().parents[2])
    if root is None:
        raise DataError(
            Path.cwd(),
            "not inside a csp-book project (a folder with _config.yml and notebooks/), and csp_lib is not "
            "installed from one",
            hint="run from the project's folder or give data_dir and commentary_dir as absolute paths",
        )
    return root


def resolve(data_dir=None, commentary_dir=None) -> tuple[Path, Path]:
    """A notebook's data and commentary folders: ``None`` is the project's ``data/demo`` and ``commentary/``; a
    path given is the working folder's, as papermill's ``-p`` gives it (``--cwd`` sets that folder). A commentary
    folder that does not exist is an error naming it: no template is ever written anywhere else."""
    root = project_root() if data_dir is None or commentary_dir is None else None
    data = Path(data_dir) if data_dir is not None else root / DEMO_DATA
    words = Path(commentary_dir) if commentary_dir is not None else root / COMMENTARY
    if not words.is_dir():
        raise DataError(
            words.resolve(),
            "no such commentary folder",
            hint="give commentary_dir as the project's commentary/ folder (None: found from the working folder)",
        )
    return data, words


__all__ = ["find_root", "project_root", "resolve", "DEMO_DATA", "COMMENTARY"]
