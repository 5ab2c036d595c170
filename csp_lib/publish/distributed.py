"""Run the section notebooks, and then the report books, on a Dask distributed cluster.

``csp build --scheduler tcp://host:8786`` sends every notebook execution and every
report's book to an existing cluster; ``--scheduler local`` starts a LocalCluster
on this machine.
Workers need the same csp-book installation and the same paths: the project
folder (notebooks, commentary, book/reports) and the data folder must be on a
file system every worker sees (e.g. a shared mount), because each task reads its
notebook and data there and writes the executed notebook back. Before any task, every
worker is asked whether it sees them (``preflight``): a file this machine has just written
into the project and output folders must be there to read, and the data folder must list
the same files; a worker that cannot stops the build at once with one message naming the
worker and each folder it cannot see. Each task checks again first, for a worker that joins later.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SHARE = (
    "the workers of csp build --scheduler must see the project folder, the data folder and the output folder "
    "at the same paths as this machine: a network file system (NFS) or a shared volume mounted at the same "
    "path on every machine (README, 'Many reports, fast, and on a cluster'); nothing was published"
)


class PreflightError(Exception):
    """A worker cannot see a folder the build's tasks read or write (``build.build`` raises it as a BuildError)."""


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((e.name, e.stat().st_size if e.is_file() else -1) for e in os.scandir(folder))


def probes(needs: list[tuple[str, str, bool]], token: str) -> list[tuple]:
    """What each worker checks, from ``needs`` (what, folder, shared for writing): a writable folder gets a
    probe file (``.csp-preflight-<token>``, holding the token), a read-only one (the data) its listing."""
    out = []
    for what, folder, writable in needs:
        folder = Path(folder)
        if writable:
            (folder / f".csp-preflight-{token}").write_text(token, encoding="utf-8")
            out.append((what, str(folder), token, None))
        else:
            out.append((what, str(folder), None, _listing(folder)))
    return out


def sees(checks: list[tuple]) -> list[str]:
    """On a worker: each folder of ``checks`` it cannot see as the client does, in words ([] when all)."""
    problems = []
    for what, folder, token, listing in checks:
        path = Path(folder)
        if not path.is_dir():
            problems.append(f"{what} {folder} (no such folder there)")
            continue
        if token is not None:
            probe = path / f".csp-preflight-{token}"
            try:
                same = probe.read_text(encoding="utf-8") == token
            except OSError:
                same = False
            if not same:
                problems.append(f"{what} {folder} (another folder at that path: it lacks the file just written)")
                continue
            try:
                mine = path / f".csp-preflight-{token}-{os.getpid()}"
                mine.write_text(token, encoding="utf-8")
                mine.unlink()
            except OSError as e:
                problems.append(f"{what} {folder} (it cannot write there: {e.strerror or e})")
        elif _listing(path) != listing:
            problems.append(f"{what} {folder} (another folder at that path: its files differ)")
    return problems


def _sees_here(checks: list[tuple]) -> tuple[str, list[str]]:
    import socket

    return socket.gethostname(), sees(checks)


def message(unseen: dict[str, list[str]]) -> str:
    parts = [f"the Dask worker {w} cannot see {', '.join(p)}" for w, p in sorted(unseen.items())]
    return "; ".join(parts) + ": " + SHARE


def checked(execute, checks, task):
    """A task that first checks, on its worker, that the worker sees the build's folders."""
    problems = sees(checks)
    if problems:
        import socket

        from distributed import get_worker

        raise PreflightError(message({f"{get_worker().address} (host {socket.gethostname()})": problems}))
    return execute(task)


def preflight(client, checks: list[tuple]) -> None:
    """Ask every worker of ``client`` (waiting for the first to join) whether it sees the build's folders;
    raise PreflightError naming each worker and what it cannot see."""
    try:
        client.wait_for_workers(1, timeout=120)
    except TimeoutError:
        raise PreflightError("no Dask worker joined the scheduler in 120 s: nothing was published") from None
    unseen = {f"{w} (host {host})": p for w, (host, p) in client.run(_sees_here, checks).items() if p}
    if unseen:
        raise PreflightError(message(unseen))


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


def run(tasks: list[tuple], scheduler: str, execute, plugin=None, needs: list[tuple[str, str, bool]] = ()):
    """Yield (task, error or None) as the cluster finishes each task (a notebook, or a book); ``plugin``, a
    worker plugin registered first (warm kernels, for notebooks); ``needs``, the folders every worker must see
    as this machine does: (what, folder, written by the tasks), checked on every worker first (``preflight``)."""
    import functools

    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=min(len(tasks), os.cpu_count() or 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    token = secrets.token_hex(8)
    try:
        checks = probes(list(needs), token)
        if checks:
            preflight(client, checks)
            execute = functools.partial(checked, execute, checks)
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
        for _, folder, writable in needs:
            if writable:
                Path(folder, f".csp-preflight-{token}").unlink(missing_ok=True)
