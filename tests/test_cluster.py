"""Dask across machines, honestly (issue 31, item 7): a worker that does not see the project, the data or the
output folder at the client's paths stops the build at once with one message naming the worker and each folder
it cannot see, not "kernel failed three times ... kernel reset failed: No such file or directory: ...staging".

The other machine is a ``dask worker`` process in its own mount namespace (``unshare --mount``, root), where a
tmpfs is mounted over a folder: at the same path it sees another, empty folder, as a machine without the shared
mount would. A LocalCluster without workers of its own, started here, is its scheduler. Skipped when unshare,
mount or dask.distributed are not at hand."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, write_tiny
from csp_lib.publish import build, distributed
from csp_lib.publish.site import BuildError


def _namespaces_work() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "csp-probe", "/mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def scheduler():
    pytest.importorskip("dask.distributed")
    if not _namespaces_work():
        pytest.skip("needs root, unshare and mount (a worker in its own mount namespace)")
    from dask.distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", scheduler_port=0, dashboard_address=":0"
    )
    yield cluster
    cluster.close()


def _worker(address: str, hide: list[Path], name: str, log: Path) -> subprocess.Popen:
    """A dask worker that sees an empty tmpfs at each path of ``hide`` (its own mount namespace)."""
    mounts = "".join(f'mount -t tmpfs csp-hidden "{p}" && ' for p in hide)
    dask = Path(sys.executable).with_name("dask")
    worker = f'exec "{dask}" worker {address} --nthreads 1 --nworkers 1 --no-nanny --no-dashboard --name {name}'
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "w") as fh:
        return subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts + worker],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernel too is stopped with its process group
        )


def _stop(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(20)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _run(tmp_path, scheduler, hide) -> tuple[str, float, Path, Path, Path]:
    data = write_tiny(tmp_path / "data")
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    folders = {"project": root, "data": data, "out": out}
    workers = [
        _worker(scheduler.scheduler_address, [folders[h] for h in hide], "blind", tmp_path / "blind.log"),
        _worker(scheduler.scheduler_address, [], "sighted", tmp_path / "sighted.log"),
    ]
    try:
        from dask.distributed import Client

        with Client(scheduler.scheduler_address) as client:
            client.wait_for_workers(2, timeout=90)
        started = time.monotonic()
        with pytest.raises(BuildError) as e:
            build.build(data, ["A"], ["2016/17"], root=root, out=str(out), scheduler=scheduler.scheduler_address)
        took = time.monotonic() - started
    finally:
        for w in workers:
            _stop(w)
    return str(e.value), took, root, data, out


@pytest.mark.slow
def test_a_worker_that_cannot_see_the_project_and_output_folders_is_named_at_once(tmp_path, scheduler):
    msg, took, root, data, out = _run(tmp_path, scheduler, ["project", "out"])
    print(msg)
    assert "the Dask worker tcp://" in msg and msg.count("cannot see") == 1  # the blind worker only
    assert f"the project folder {root} (another folder at that path" in msg
    assert f"the output folder {out} (another folder at that path" in msg
    assert "data folder" not in msg.split(":", 3)[-1].split("the workers of")[0]  # it sees the data
    assert "NFS" in msg and "same paths" in msg and "nothing was published" in msg
    assert "kernel" not in msg and "staging" not in msg
    assert "\n" not in msg  # one message, one line
    assert took < 60, f"took {took:.0f} s"
    assert not list(root.glob(".csp-preflight-*")) and not list(out.glob(".csp-preflight-*"))  # probes removed
    assert not list((root / "book" / "reports").rglob("*.staging"))
    assert not list(root.rglob("*.ipynb")) or all("notebooks" in p.parts for p in root.rglob("*.ipynb"))


@pytest.mark.slow
def test_a_worker_that_sees_another_data_folder_is_named(tmp_path, scheduler):
    """The notebooks read the data folder for the LSOA boundaries of the maps, and a worker without it dropped
    them silently: the build used to succeed."""
    msg, _, root, data, out = _run(tmp_path, scheduler, ["data"])
    assert f"cannot see the data folder {data} (another folder at that path: its files differ)" in msg
    assert "project folder" not in msg.split("the workers of")[0] and "kernel" not in msg


def test_sees_names_what_a_worker_cannot_see(tmp_path):
    project, data = tmp_path / "project", tmp_path / "data"
    project.mkdir()
    data.mkdir()
    (data / "crimes.csv").write_text("x\n", encoding="utf-8")
    needs = [("the project folder", str(project), True), ("the data folder", str(data), False)]
    checks = distributed.probes(needs, "abc")
    assert distributed.sees(checks) == []  # this machine sees them
    (data / "crimes.csv").write_text("x\ny\n", encoding="utf-8")
    (project / ".csp-preflight-abc").unlink()
    assert distributed.sees(checks) == [
        f"the project folder {project} (another folder at that path: it lacks the file just written)",
        f"the data folder {data} (another folder at that path: its files differ)",
    ]
    shutil.rmtree(project)
    assert distributed.sees(checks)[0] == f"the project folder {project} (no such folder there)"


def test_a_task_on_a_worker_that_joined_later_checks_first(tmp_path, monkeypatch):
    """Workers that join after the preflight are checked by each task before it runs."""
    import distributed as dask_distributed

    project = tmp_path / "project"
    project.mkdir()
    checks = distributed.probes([("the project folder", str(project), True)], "abc")
    monkeypatch.setattr(dask_distributed, "get_worker", lambda: type("W", (), {"address": "tcp://10.0.0.7:4000"}))
    assert distributed.checked(lambda task: ("ran", task), checks, "t") == ("ran", "t")
    (project / ".csp-preflight-abc").unlink()
    with pytest.raises(distributed.PreflightError, match=r"tcp://10\.0\.0\.7:4000 \(host .*\) cannot see the project"):
        distributed.checked(lambda task: ("ran", task), checks, "t")
