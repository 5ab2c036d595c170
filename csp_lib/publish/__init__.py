"""Stage 4, making the book: ``build`` (orchestration), ``execute`` (notebooks on warm kernels),
``distributed`` (on Dask), ``site`` (table of contents, jupyter-book, publishing), ``paper`` (the
committee paper), ``cache`` (what is reused while its inputs are unchanged), ``scaffold``
(``csp new-section``)."""
