"""Stage 1, records in: the data contract, periods, and the readers of a data folder.

:func:`load` is the one entry: it reads the contract's tables, or police.uk street files
as downloaded, or Home Office open data tables (no crimes table, no street files), by what the folder
holds. Nothing here imports a later stage.
"""

from __future__ import annotations

from pathlib import Path

from . import streetfiles
from .contract import DataError


def kind(folder) -> str:
    """``contract`` (the contract's tables), ``police.uk`` (street files and no crimes table), ``home office``
    (Home Office open data tables, and neither a crimes table nor street files) or ``home office + police.uk``
    (a Home Office table beside street files: data/combined.py)."""
    from . import homeoffice, readers  # pandas is loaded only when a folder is read (streetfiles counts without it)

    folder = Path(folder)
    if readers.table_path(folder, "crimes") is None:
        street, tables = streetfiles.is_street_folder(folder), homeoffice.is_homeoffice_folder(folder)
        if street and tables:
            return "home office + police.uk"
        if street:
            return "police.uk"
        if tables:
            return "home office"
    return "contract"


def load(folder, allow_partial: bool = False):
    """Read and check a data folder, whichever kind it is. ``allow_partial`` lets police.uk periods
    with missing months through, labelled (contract extracts refuse them in the figures)."""
    import pandas as pd

    from . import policeuk, population, readers

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, "no such data folder")
    which = kind(folder)
    if which in ("home office", "home office + police.uk"):
        from . import combined, homeoffice

        # every bad value is refused here, with its file, line and column (areas.csv's too: the forces' regions)
        data = homeoffice.load_data(folder, csps=which == "home office")
        csp = data.areas[data.areas["level"] == "csp"]
        if len(csp):  # the ONS file names districts: a CSP's residents from it, a force area's their sum
            filled, data.population, warnings = population.fill(csp, folder)
            areas = data.areas.copy()
            if "population" in filled:
                areas["population"] = pd.array([pd.NA] * len(areas), dtype="Int64")
                areas.loc[filled.index, "population"] = filled["population"]
            data.areas = areas
            data.warnings.extend(warnings)
            data.fill_forces()
        if which == "home office + police.uk":  # police.uk's ASB, neighbourhoods, maps and outcomes beside them
            data = combined.load(folder, data)
        return data
    data = policeuk.load(folder, allow_partial) if which == "police.uk" else readers.load(folder)
    # residents from an ONS mid-year estimates file as downloaded, where areas.csv gives none
    data.areas, data.population, warnings = population.fill(data.areas, folder)
    data.warnings.extend(warnings)
    return data


__all__ = ["DataError", "kind", "load"]
