"""A Sphinx extension (``_config.yml``'s ``extra_extensions``) that stops ``jupyter-book build .`` run by hand,
in one line that says what to run instead, before it writes anything.

The site is not one Jupyter Book: ``csp build`` executes each report's notebooks with papermill, builds the front
book and one book per report with jupyter-book's Sphinx (books.py, which sets ``CSP_BOOK_BUILD``), indexes them
for search and publishes ``_build/html`` in one rename. ``jupyter-book build .`` alone would rebuild the four front
pages in place inside the published site. Extensions are set up before Sphinx makes its output folder, so
stopping here leaves ``_build`` as it was.
"""

from __future__ import annotations

import os

ENV = "CSP_BOOK_BUILD"  # set by books._book while csp build runs jupyter-book's Sphinx
MESSAGE = (
    "csp-book: the site is built by `csp build`, not by `jupyter-book build` alone (it runs the notebooks with "
    "papermill, then jupyter-book): run `make book` or `.venv/bin/csp build --area Blackpool --period 2016/17`"
)


def setup(app):
    if os.environ.get(ENV) != "1":
        raise SystemExit(MESSAGE)  # not an Exception: jupyter-book would print a traceback and "Look above"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
