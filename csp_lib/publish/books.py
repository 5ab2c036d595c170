"""The books, built in worker processes: Sphinx in-process (jupyter-book's ``build_sphinx``), its imports and the
theme's compiled templates kept from book to book. This module imports nothing of the package's data, figures or
pandas, so a worker starts in 0.6 s, not 1.5 s; ``site`` decides which books to build and assembles the site."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import shutil
from pathlib import Path

from . import guard

_TEMPLATES: dict = {}  # this worker's compiled theme templates, by jinja's bucket key: kept from book to book


def _sphinx(report: bool):
    """jupyter-book's Sphinx application, made cheaper for a worker that builds book after book: the theme's
    templates are compiled once per worker, not once per book (0.4 s of a report's 2.7); a report's book makes
    no Sphinx search index (0.25 s: the site's search is Pagefind's, over every report)."""
    from jinja2 import BytecodeCache
    from sphinx.application import Sphinx

    class Compiled(BytecodeCache):
        def load_bytecode(self, bucket):
            if bucket.key in _TEMPLATES:
                bucket.bytecode_from_string(_TEMPLATES[bucket.key])

        def dump_bytecode(self, bucket):
            _TEMPLATES[bucket.key] = bucket.bytecode_to_string()

    class App(Sphinx):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.builder.templates.environment.bytecode_cache = Compiled()
            if report:
                self.builder.search = False

    return App


def _book(src: str, html_dir: str, config: str, overrides: dict, doctrees: str, report: bool = True) -> str | None:
    """Build one Jupyter Book with Sphinx in this process (its imports and compiled templates stay warm from
    book to book); None, or the warnings and errors that stopped it."""
    import jupyter_book.sphinx as jb

    buf = io.StringIO()
    plain, jb.Sphinx = jb.Sphinx, _sphinx(report)
    os.environ[guard.ENV] = "1"  # the guard of _config.yml lets csp build's own books through
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = jb.build_sphinx(
                src,
                html_dir,
                noconfig=True,
                path_config=config,
                confoverrides=dict(overrides),
                doctreedir=doctrees,
                warningiserror=True,
                keep_going=True,
                quiet=True,
                freshenv=True,
            )
    finally:
        jb.Sphinx = plain
    shutil.rmtree(doctrees, ignore_errors=True)
    if code == 0:
        return None
    return "\n".join((buf.getvalue() + (str(code) if isinstance(code, Exception) else "")).strip().splitlines()[-25:])


STATIC = re.compile(r"""(["'(])_static/""")
SPHINX_INDEX = re.compile(r'\s*<script src="searchindex\.js"[^>]*></script>')  # a report book makes none


def build_report_book(task: tuple) -> tuple[str, str | None]:
    """One book: ``(source folder, where it goes, _config.yml, overrides, front)``. A report's book goes into its
    cache folder unless built already, its pages pointing at the site's shared ``_static`` (its own is kept
    beside them, merged into the site's when published); the front book is built every time. Returns (where it
    went, error or None)."""
    src, done, config, overrides, front = task
    done = Path(done)
    if front:  # the front book: built every time, with the site's _static
        return str(done), _book(src, str(done), config, overrides, str(done) + ".doctrees", report=False)
    if done.is_dir():
        return str(done), None
    work = done.with_name(done.name + f".{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    err = _book(src, str(work / "html"), config, overrides, str(work / "doctrees"))
    if err:
        shutil.rmtree(work, ignore_errors=True)
        return str(done), err
    site = work / "html"
    shutil.rmtree(site / "_sources", ignore_errors=True)  # no page links its source
    for junk in (".buildinfo", "objects.inv", "genindex.html", "search.html", "searchindex.js"):  # one search: all
        (site / junk).unlink(missing_ok=True)
    shared = "../../../../_static/"  # the site's _static, from book/reports/<area>/<period>/
    for page in site.glob("*.html"):
        text = SPHINX_INDEX.sub("", STATIC.sub(lambda m: m[1] + shared, page.read_text(encoding="utf-8")))
        page.write_text(text, encoding="utf-8")
        slim(text, site / SEARCH / page.name)
    done.parent.mkdir(parents=True, exist_ok=True)
    site.rename(done)  # whole or not at all
    shutil.rmtree(work, ignore_errors=True)
    return str(done), None


SEARCH = "_search"  # beside a cached report's pages: the same pages without their charts, for the search index
SPECS = re.compile(r'<script type="application/json" class="csp-spec">.*?</script>', re.S)  # charts' data


ARTICLE = re.compile(r"<article\b.*?</article>", re.S)
HEAD = re.compile(r"<html[^>]*>|<title>.*?</title>", re.S)


def slim(text: str, path: Path) -> None:
    """A page as the search index reads it: its language, title and article (what Pagefind indexes), without
    the charts' specs (most of a page's bytes) or the theme's navigation: a third of the bytes to read
    again on every build, and Pagefind a quarter quicker."""
    article = ARTICLE.search(text)
    if article:
        text = '<!DOCTYPE html>\n{}<head><meta charset="utf-8">{}</head><body>{}</body></html>\n'.format(
            *(HEAD.findall(text) + ["", ""])[:2], article[0]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SPECS.sub("", text), encoding="utf-8")


def _warm() -> None:
    from .execute import die_with_parent

    die_with_parent()
    import jupyter_book.sphinx  # noqa: F401  (a worker's first book then costs what the others do)


def run_books(tasks: list[tuple], workers: int, scheduler: str | None = None, needs=()) -> list[str]:
    """Build books in parallel (a process pool, or the Dask cluster of ``scheduler``, whose workers must see the
    folders of ``needs``: see ``distributed.run``); the errors."""
    if not tasks:
        return []
    if scheduler:
        from . import distributed

        return [f"{t[0]}: {err}" for t, err in distributed.run(tasks, scheduler, build_report_book, needs=needs) if err]
    pool = _pool(max(1, workers))
    try:
        return [f"{t[0]}: {err}" for t, (_, err) in zip(tasks, pool.map(build_report_book, tasks)) if err]
    except BaseException:  # a worker died, or the build was stopped: the next build makes the pool again
        _POOLS.pop(max(1, workers), None)
        pool.shutdown(wait=False, cancel_futures=True)
        raise


_POOLS: dict = {}  # the book builders of this process, by size: kept from one build to the next


def _pool(size: int):
    """This process's pool of ``size`` book builders (spawned: Sphinx in a fresh interpreter, jupyter-book
    imported once), kept from one build to the next, as the notebooks' pool is (execute.Pool.shared): a
    build's two books after the first build in a process cost their Sphinx runs, not two interpreters'
    start and imports. A pool a worker of which died is made again."""
    from concurrent.futures import ProcessPoolExecutor

    pool = _POOLS.get(size)
    if pool is None or getattr(pool, "_broken", False):
        ctx = multiprocessing.get_context("spawn")
        pool = _POOLS[size] = ProcessPoolExecutor(size, mp_context=ctx, initializer=_warm)
    return pool


__all__ = ["SEARCH", "build_report_book", "run_books", "slim"]
