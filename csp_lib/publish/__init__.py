"""Stage 4, making the book: ``build`` (orchestration), ``execute`` (notebooks on warm kernels),
``distributed`` (on Dask), ``site`` (table of contents, which books to build, publishing), ``books`` (a book
built by Sphinx in a worker), ``paper`` (the committee paper), ``cache`` (what is reused while its inputs are
unchanged), ``scaffold`` (``csp new-section``)."""
