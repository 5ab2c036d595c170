"""Stage 1, records in: the data contract, periods, and the readers of a data folder.

:func:`load` is the one entry: it reads the contract's tables, or police.uk street files
as downloaded, by what the folder holds. Nothing here imports a later stage.
"""

from __future__ import annotations

from pathlib import Path

from . import streetfiles
from .contract import DataError


def kind(folder) -> str:
    """``contract`` (the contract's tables) or ``police.uk`` (street files and no crimes table)."""
    from . import readers  # pandas is loaded only when a folder is read (streetfiles counts without it)

    folder = Path(folder)
    if readers.table_path(folder, "crimes") is None and streetfiles.is_street_folder(folder):
        return "police.uk"
    return "contract"


def load(folder, allow_partial: bool = False):
    """Read and check a data folder, whichever kind it is. ``allow_partial`` lets police.uk periods
    with missing months through, labelled (contract extracts refuse them in the figures)."""
    from . import policeuk, population, readers

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, "no such data folder")
    data = policeuk.load(folder, allow_partial) if kind(folder) == "police.uk" else readers.load(folder)
    # residents from an ONS mid-year estimates file as downloaded, where areas.csv gives none
    data.areas, data.population, warnings = population.fill(data.areas, folder)
    data.warnings.extend(warnings)
    return data


__all__ = ["DataError", "kind", "load"]
