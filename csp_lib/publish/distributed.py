"""Run the section notebooks, and then the report books, on a Dask distributed cluster.

``csp build --scheduler tcp://host:8786`` sends every notebook execution and every
report's book to an existing cluster; ``--scheduler local`` starts a LocalCluster
on this machine.
Workers need the same csp-book installation and the same paths: the project
folder (notebooks, commentary, book/reports) and the data folder must be on a
file system every worker sees (e.g. a shared mount), because each task reads its
notebook and data there and writes the executed notebook back.
"""

from __future__ import annotations

import os


def warm_kernels(start, stop):
    """A worker plugin: each worker starts one kernel when it joins (``start``: pandas, seaborn and csp_lib
    imported once) and runs its notebooks on it one after another, as the process pool's workers do; the
    kernel stops with the worker (``stop``)."""
    from dask.distributed import WorkerPlugin

    class WarmKernel(WorkerPlugin):
        name = "csp-warm-kernel"

        def setup(self, worker):
            try:
                start()
            except Exception:  # the first notebook starts one again and reports a real failure
                stop()

        def teardown(self, worker):
            stop()

    return WarmKernel()


def run(tasks: list[tuple], scheduler: str, execute, plugin=None):
    """Yield (task, error or None) as the cluster finishes each task (a notebook, or a book); ``plugin``, a
    worker plugin registered first (warm kernels, for notebooks)."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=min(len(tasks), os.cpu_count() or 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        if plugin is not None:
            client.register_plugin(plugin)
        futures = client.map(execute, tasks, pure=False)
        index = {f.key: t for f, t in zip(futures, tasks)}
        for fut in as_completed(futures):
            yield index[fut.key], fut.result()[1]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
