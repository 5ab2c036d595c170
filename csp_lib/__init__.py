"""csp_lib: the helper package behind csp-book.

Floors, each importing only the ones below it:

- ``contract`` (offence list, groups, tables, figure ids) and ``periods``;
- ``streetfiles`` (police.uk files -> Parquet cube by DuckDB, no pandas);
- ``readers`` (data folder -> typed frames, errors that name file/line/column),
  ``policeuk`` (the cube as report data), ``measures`` (pure functions), ``demo``
  (calibrated demo data);
- ``figures`` (figures.json for one area and period: the source of every number);
- ``narrative``, ``tables``, ``charts`` and ``report`` (read figures.json) and ``build``
  (papermill + jupyter-book);
- ``cli`` on top.
"""

__version__ = "0.1.0"
