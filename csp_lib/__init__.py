"""csp_lib: the helper package behind csp-book.

Floors, each importing only the ones below it:

- ``contract`` (offence list, groups, tables, figure ids) and ``periods``;
- ``readers`` (data folder -> typed frames, errors that name file/line/column),
  ``measures`` (pure functions), ``demo`` (calibrated demo data);
- ``figures`` (figures.json for one area and period: the source of every number);
- ``present`` (sentences, tables, charts read from figures.json) and ``build``
  (papermill + jupyter-book);
- ``cli`` on top.
"""

__version__ = "0.1.0"
