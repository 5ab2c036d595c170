"""Warm kernels: one kernel runs notebook after notebook, each as if in a fresh kernel."""

from __future__ import annotations

import nbformat
import pytest

from csp_lib.publish import execute


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return str(path)


@pytest.fixture
def kernel():
    yield
    execute.stop_kernel()


def test_each_notebook_starts_clean_on_the_same_kernel(tmp_path, kernel):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _notebook(tmp_path / "first.ipynb", "leak = x\nimport os\nopen('here.txt', 'w').write(str(os.getpid()))")
    second = _notebook(
        tmp_path / "second.ipynb",
        "assert 'leak' not in dir(), 'the namespace of the last notebook is still there'\nassert x == 2",
        "import os\nopen('here.txt', 'w').write(str(os.getpid()))",
    )
    assert execute.run_warm(first, str(tmp_path / "a" / "out.ipynb"), {"x": 1}, str(tmp_path / "a")) == ("first", None)
    assert execute.run_warm(second, str(tmp_path / "b" / "out.ipynb"), {"x": 2}, str(tmp_path / "b")) == (
        "second",
        None,
    )
    # the same kernel process ran both, each in its own working folder
    assert (tmp_path / "a" / "here.txt").read_text() == (tmp_path / "b" / "here.txt").read_text()
    out = nbformat.read(tmp_path / "b" / "out.ipynb", as_version=4)
    injected = [c for c in out.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "remove-cell" in injected[0].metadata["tags"] and "x = 2" in injected[0].source


def test_a_cell_that_raises_is_an_analysis_error_not_a_kernel_failure(tmp_path, kernel):
    nb = _notebook(tmp_path / "bad.ipynb", "raise ValueError('no such district')")
    with pytest.raises(execute.NotebookError, match="ValueError: no such district"):
        execute.run_warm(nb, str(tmp_path / "out.ipynb"), {}, str(tmp_path))
    # the kernel is still there for the next notebook
    ok = _notebook(tmp_path / "ok.ipynb", "y = 1")
    assert execute.run_warm(ok, str(tmp_path / "ok-out.ipynb"), {}, str(tmp_path)) == ("ok", None)


def test_kernel_failures_are_retried_three_times_analysis_errors_are_not():
    calls, resets = [], []

    def dies():
        calls.append(1)
        raise RuntimeError("Kernel died before replying")

    assert execute.retrying("nb/01-x.ipynb", dies, after_failure=lambda: resets.append(1)) == (
        "01-x",
        "kernel failed three times: RuntimeError: Kernel died before replying",
    )
    assert len(calls) == 3 and len(resets) == 3

    calls.clear()

    def raises():
        calls.append(1)
        raise execute.NotebookError("ValueError: no such district")

    assert execute.retrying("nb/01-x.ipynb", raises) == ("01-x", "ValueError: no such district")
    assert len(calls) == 1

    attempts = iter([RuntimeError("Address already in use"), None])

    def clash_then_runs():
        if (e := next(attempts)) is not None:
            raise e

    assert execute.retrying("nb/01-x.ipynb", clash_then_runs) == ("01-x", None)


def test_a_kernel_that_dies_at_start_is_killed_and_started_again_over_its_own_sockets(monkeypatch):
    """Two pool workers' kernels starting at once over TCP could be given one port: the loser died ("Address
    already in use") and jupyter_client's start_new_kernel, asking it to shut down, waited for ever (seen once in
    make test). A build's kernels talk over Unix sockets in a folder of their own, and one that does not start is
    killed, never asked, and started again."""
    import shutil
    from pathlib import Path

    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.manager import KernelManager

    ready, shutdowns = BlockingKernelClient.wait_for_ready, []
    real_shutdown = KernelManager.shutdown_kernel

    def dies_first(self, timeout=None):
        if not shutdowns:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return ready(self, timeout=timeout)

    def shutdown(self, now=False, restart=False):
        shutdowns.append(now)
        return real_shutdown(self, now=True)

    monkeypatch.setattr(BlockingKernelClient, "wait_for_ready", dies_first)
    monkeypatch.setattr(KernelManager, "shutdown_kernel", shutdown)
    km, kc, sockets = execute._start_kernel()
    try:
        assert shutdowns == [True]  # the dead one killed, not asked
        assert km.transport == "ipc" and Path(km.ip).parent == Path(sockets)
        assert kc.execute_interactive("1 + 1", timeout=60)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        shutil.rmtree(sockets)


def test_a_kept_kernel_runs_the_next_notebook_after_its_last_folder_is_gone(tmp_path, kernel):
    """A pool is kept from one build to the next (Pool.shared): its kernels' working folder is the last
    build's staging folder, gone once that build published. The next notebook runs on the same kernel (%reset
    stopped on the missing working folder, and the kernel was started again: 3 s a worker a build)."""
    import shutil

    (tmp_path / "gone").mkdir()
    (tmp_path / "next").mkdir()
    pid = "import os\nopen('pid.txt', 'w').write(str(os.getpid()))"
    first = _notebook(tmp_path / "first.ipynb", pid)
    assert execute.run_warm(first, str(tmp_path / "gone" / "out.ipynb"), {}, str(tmp_path / "gone"))[1] is None
    before = (tmp_path / "gone" / "pid.txt").read_text()
    shutil.rmtree(tmp_path / "gone")  # the last build's staging folder: renamed into place, or removed
    assert execute.run_warm(first, str(tmp_path / "next" / "out.ipynb"), {}, str(tmp_path / "next"))[1] is None
    assert (tmp_path / "next" / "pid.txt").read_text() == before


def test_a_kept_kernel_sees_each_builds_own_environment(tmp_path, kernel, monkeypatch):
    """A kernel kept from an earlier build was started with that build's environment: each notebook is given
    the build's CSP_* settings and XDG_CACHE_HOME (set, or removed where the build has none)."""
    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "first"))
    shown = _notebook(
        tmp_path / "env.ipynb",
        "import os\nopen('env.txt', 'w').write(repr((os.environ.get('CSP_CACHE_DIR'), os.environ.get('CSP_X'))))",
    )
    for name, env in [("a", {"CSP_CACHE_DIR": "/one", "CSP_X": "1"}), ("b", {"CSP_CACHE_DIR": "/two"})]:
        (tmp_path / name).mkdir()
        assert (
            execute.execute_warm(
                (shown, str(tmp_path / name / "o.ipynb"), {}, str(tmp_path / name), str(tmp_path / f"{name}.log")), env
            )[1]
            is None
        )
    assert (tmp_path / "a" / "env.txt").read_text() == "('/one', '1')"
    assert (tmp_path / "b" / "env.txt").read_text() == "('/two', None)"


def test_a_process_keeps_one_pool_from_build_to_build_and_replaces_a_broken_one(tmp_path):
    pool = execute.Pool.shared(2, tmp_path)
    try:
        assert execute.Pool.shared(2, tmp_path / "other") is pool  # the next build's: the same workers
        assert pool.get(1)._max_workers == 2  # made for its size, whatever the first build needed
        pool.executor._broken = "a worker died"  # as concurrent.futures marks it
        again = execute.Pool.shared(2, tmp_path)
        assert again is not pool and again.executor is None
    finally:
        for p in list(execute._SHARED.values()):
            p.close()
        execute._SHARED.clear()
