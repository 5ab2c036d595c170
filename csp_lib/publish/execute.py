"""Execute section notebooks on a warm kernel per worker (a process pool's, or a Dask worker's, started by
a worker plugin), reused from notebook to notebook: papermill's parameters, nbclient's execution; kernel
failures retried, cell errors reported.

A task is ``(notebook, executed copy, parameters, working folder, log file)``.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm


def stderr_to(log) -> None:
    """Send this process's standard error (and a kernel started from now on) to ``log``."""
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        os.dup2(fh.fileno(), 2)


class NotebookError(Exception):
    """A cell raised: the analysis failed, not the kernel."""


def retrying(src: str, run, after_failure=None) -> tuple[str, str | None]:
    """(name, None) once ``run()`` ran the notebook, or (name, the error): a cell that raised is
    reported at once; a kernel that could not start or died (papermill's ZMQ port clash under
    parallel runs) is tried three times, ``after_failure`` called after each."""
    err = ""
    for _attempt in range(3):
        try:
            run()
            return Path(src).stem, None
        except NotebookError as e:
            return Path(src).stem, str(e)
        except Exception as e:  # any kernel failure is retried
            err = f"{type(e).__name__}: {e}"
            if after_failure is not None:
                after_failure()
    return Path(src).stem, f"kernel failed three times: {err}"


# -- warm kernels: one per pool worker, reused from notebook to notebook --------------------------
_WARM: dict = {}  # this worker process's kernel: {"km": KernelManager, "kc": KernelClient}
WARM_UP = "import pandas, seaborn, csp_lib.present.report, csp_lib.present.charts, csp_lib.present.narrative"


def die_with_parent() -> None:
    """A pool worker's initializer: the kernel sends it SIGKILL when the build's process dies (Linux's
    PR_SET_PDEATHSIG), so a killed build leaves no workers running. Elsewhere a no-op."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)


def warm_kernel():
    """This worker's kernel, started (and the heavy imports made) on first use."""
    km = _WARM.get("km")
    if km is not None and km.is_alive():
        return _WARM["km"], _WARM["kc"]
    from multiprocessing import util

    km, kc, sockets = _start_kernel()
    kc.execute_interactive(WARM_UP, timeout=300, store_history=False)
    _WARM.update(km=km, kc=kc, sockets=sockets)
    # pool workers leave through multiprocessing, which runs these finalizers (not atexit)
    util.Finalize(None, stop_kernel, exitpriority=10)
    return km, kc


def _start_kernel(attempts: int = 3):
    """A kernel and its client, talking over Unix sockets in a folder of this worker's own: over TCP, two
    workers' kernels starting at once could be given one port, and the loser died ("Address already in use")
    while jupyter_client's start_new_kernel, asking the dead kernel to shut down, waited for ever. A kernel
    that does not start is killed (never asked) and started again, ``attempts`` times in all."""
    import tempfile

    from jupyter_client.manager import KernelManager

    for attempt in range(attempts):
        sockets = tempfile.mkdtemp(prefix="csp-kernel-")
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            return km, kc, sockets
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            shutil.rmtree(sockets, ignore_errors=True)
            if attempt == attempts - 1:
                raise


def stop_kernel() -> None:
    km, kc, sockets = _WARM.pop("km", None), _WARM.pop("kc", None), _WARM.pop("sockets", None)
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        km.shutdown_kernel(now=True)
    if sockets is not None:
        shutil.rmtree(sockets, ignore_errors=True)


def build_env() -> dict:
    """What of this process's environment a notebook's kernel sees as the build does: csp's own settings
    (``CSP_*``: the caches' folder, the hash memo) and ``XDG_CACHE_HOME``. A kernel kept from an earlier build
    (Pool.shared) was started with that build's."""
    return {k: v for k, v in os.environ.items() if k.startswith("CSP_") or k == "XDG_CACHE_HOME"}


def _env_code(env: dict) -> str:
    """Code that gives a process ``env`` (build_env's keys: set, or removed where ``env`` has none)."""
    return (
        f"import os as _os; _e = {env!r}\n"
        "for _k in [k for k in _os.environ if (k.startswith('CSP_') or k == 'XDG_CACHE_HOME') and k not in _e]:\n"
        "    del _os.environ[_k]\n"
        "_os.environ.update(_e); del _os, _e\n"
    )


def execute_warm(task: tuple, env: dict | None = None) -> tuple[str, str | None]:
    """Run one notebook on this worker's warm kernel: its namespace is cleared and the working
    folder (and ``env``, the build's build_env) set first, so each notebook starts as in a fresh
    kernel but without the start and the imports. A kernel that fails is replaced."""
    stderr_to(task[4])
    if env is not None:
        exec(_env_code(env), {})  # this worker too: a kernel it starts again inherits it
    return retrying(task[0], lambda: run_warm(*task[:4], env=env), after_failure=stop_kernel)


def run_warm(src: str, dst: str, params: dict, cwd: str, env: dict | None = None) -> tuple[str, None]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    km, kc = warm_kernel()
    # the working folder first: the last notebook's (an earlier build's staging folder) may be gone, and %reset
    # stops on a working folder that is not there. %reset ends with a full garbage collection, which walks every
    # object pandas and seaborn made at import (150 ms a notebook, 1.2 s a report); what survives it is frozen
    # out of later collections
    reset = (
        (_env_code(env) if env is not None else "") + f"import os as _os; _os.chdir({cwd!r}); del _os\n"
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import gc as _gc; _gc.freeze(); del _gc"
    )
    reply = kc.execute_interactive(reset, timeout=120, store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")
    nb = parameterize_notebook(load_notebook_node(src), params, kernel_name="python3", language="python")
    retitle(nb, Path(cwd) / params.get("figures_file", "figures.json"))
    client = NotebookClient(nb, km=km, timeout=900, kernel_name="python3", resources={"metadata": {"path": cwd}})
    client.kc = kc
    try:
        client.execute()
    except CellExecutionError as e:
        raise NotebookError(f"{e.ename}: {e.evalue}") from None
    hide_parameters(nb, dst)
    return Path(src).stem, None


def retitle(nb, figures_file: Path) -> None:
    """Say the notebook's section headings as the report does (figures.sections.headings: a report from the
    Home Office tables counts quarters, and compares with its force area or, a force area's (figures.json
    ``level`` ``pfa``), with England and Wales)."""
    import json

    from ..figures.sections import headings

    try:
        figs = json.loads(Path(figures_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not (new := headings(figs)):
        return
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            first, _, rest = cell.source.partition("\n")
            if first.strip() in new:
                cell.source = new[first.strip()] + ("\n" + rest if rest else "")


def hide_parameters(nb, path) -> None:
    """Tag the parameter cells (the analyst's defaults and papermill's) so no page shows them."""
    import nbformat

    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


class Pool:
    """The process pool of a build, made on first use: as soon as the data are being read
    (``warm``), so that its kernels start meanwhile, or when the notebooks are run."""

    def __init__(self, size: int, logs: Path):
        self.size, self.logs, self.executor = size, logs, None

    @classmethod
    def shared(cls, size: int, logs: Path) -> Pool:
        """This process's pool of ``size`` workers, kept from one build to the next: a build after the first in
        one process (``csp preview``'s rebuild at each save, a session of tests) finds its workers' kernels
        started and their imports made, 2 s of a small build. A pool a worker of which died is made again; the
        workers leave with the process (``concurrent.futures``' exit handler, then their kernels' finalizers).
        The code a kernel imported is the code of its first build, as the figures cache's code digest is."""
        pool = _SHARED.get(size)
        if pool is None or pool.broken:
            if pool is not None:
                pool.close()
            pool = _SHARED[size] = cls(size, logs)
        return pool

    @property
    def broken(self) -> bool:
        return self.executor is not None and bool(getattr(self.executor, "_broken", False))

    def get(self, workers: int) -> ProcessPoolExecutor:
        if self.executor is None:
            # spawned, not forked: a forked worker, kept after its build, would hold the build's lock (and a
            # preview's listening socket) open, as every file the parent had open when it was made
            self.executor = ProcessPoolExecutor(
                max_workers=max(workers, self.size),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
            )
        return self.executor

    def warm(self) -> None:
        if self.executor is None:
            pool = self.get(self.size)
            for i in range(self.size):
                pool.submit(_prewarm, str(self.logs / f"worker-{i}.log"))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


_SHARED: dict[int, Pool] = {}  # Pool.shared's pools, by size


def _prewarm(log: str) -> int:
    """Start this worker's kernel ahead of its first notebook (its chatter to ``log``)."""
    stderr_to(log)
    try:
        warm_kernel()
    except Exception:  # the first notebook starts one again and reports a real failure
        stop_kernel()
    return os.getpid()


def run(tasks: list[tuple], workers: int, scheduler: str | None, pool: Pool | None = None, needs=()):
    """Execute notebooks in a bounded process pool (or on Dask, whose workers must see the folders of ``needs``:
    see ``distributed.run``); yields (task, error or None)."""
    if not tasks:
        return
    bar = tqdm(total=len(tasks), unit="notebook", desc="csp build", disable=not sys.stderr.isatty(), file=sys.stderr)
    try:
        if scheduler:
            from . import distributed

            for task, err in distributed.run(
                tasks, scheduler, execute_warm, distributed.warm_kernels(warm_kernel, stop_kernel), needs
            ):
                bar.update()
                yield task, err
            return
        own = pool is None
        pool = pool or Pool(workers, Path(tasks[0][4]).parent)
        try:
            env = build_env()
            futures = {pool.get(workers).submit(execute_warm, t, env): t for t in tasks}
            for fut in as_completed(futures):
                bar.update()
                yield futures[fut], fut.result()[1]
        finally:
            if own:
                pool.close()
    finally:
        bar.close()


__all__ = ["Pool", "NotebookError", "run", "execute_warm", "run_warm", "retrying"]
