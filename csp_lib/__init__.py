"""csp_lib: the helper package behind csp-book, in four stages and the command on top.

Each stage imports only the stages below it (``make lint`` checks it with import-linter's
contracts in pyproject.toml, and that no modules import each other in a circle):

- ``cli``: the ``csp`` command; ``demo`` writes the demonstration data folder;
- ``publish``: run the notebooks, build and publish the site, print committee papers;
- ``present``: sentences, tables, charts, downloads and pages, all read from figures.json;
- ``figures``: figures.json of one area and period, disclosure control included;
- ``data``: the data contract, periods and the readers of a data folder.
"""

__version__ = "0.1.0"
