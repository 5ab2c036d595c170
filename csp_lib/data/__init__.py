"""Stage 1, records in: the data contract, periods, and the readers of a data folder.

:func:`load` is the one entry: it reads the contract's tables, or police.uk street files
as downloaded, by what the folder holds. A folder of Home Office open data tables only (no crimes
table, no street files) is read and checked by ``homeoffice``, and then refused: reports from those
tables are not built yet. Nothing here imports a later stage.
"""

from __future__ import annotations

from pathlib import Path

from . import streetfiles
from .contract import DataError


def kind(folder) -> str:
    """``contract`` (the contract's tables), ``police.uk`` (street files and no crimes table) or ``home office``
    (Home Office open data tables, and neither a crimes table nor street files)."""
    from . import homeoffice, readers  # pandas is loaded only when a folder is read (streetfiles counts without it)

    folder = Path(folder)
    if readers.table_path(folder, "crimes") is None:
        if streetfiles.is_street_folder(folder):
            return "police.uk"
        if homeoffice.is_homeoffice_folder(folder):
            return "home office"
    return "contract"


def load(folder, allow_partial: bool = False):
    """Read and check a data folder, whichever kind it is. ``allow_partial`` lets police.uk periods
    with missing months through, labelled (contract extracts refuse them in the figures)."""
    from . import policeuk, population, readers

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, "no such data folder")
    which = kind(folder)
    if which == "home office":
        from . import homeoffice

        tables = homeoffice.load(folder)  # every bad value is refused here, with its file, line and column
        areas = tables.areas
        raise DataError(
            folder,
            f"Home Office open data tables read ({len(tables.tables)} table(s), "
            f"{int((areas['level'] == 'csp').sum())} CSPs, {int((areas['level'] == 'pfa').sum())} force areas), "
            "but reports from them alone are not built yet",
            hint="for now, build from the force's extract (crimes.csv and areas.csv) or from police.uk street files",
        )
    data = policeuk.load(folder, allow_partial) if which == "police.uk" else readers.load(folder)
    # residents from an ONS mid-year estimates file as downloaded, where areas.csv gives none
    data.areas, data.population, warnings = population.fill(data.areas, folder)
    data.warnings.extend(warnings)
    return data


__all__ = ["DataError", "kind", "load"]
