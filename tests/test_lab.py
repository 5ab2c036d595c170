"""JupyterLab draws every chart of a section notebook (issue 31): the analyst's own view of the notebooks.

JupyterLab (``.venv-lab``, ``requirements-lab.txt``, kernel ``python3`` = the project's ``.venv``) is started on a
loopback port with a token, on a copy of ``notebooks/``, and driven in Debian's headless chromium through its
DevTools protocol (tornado's websocket client, already in ``.venv``: no browser is downloaded). Each test fails when
a cell errs, a chart is not drawn (an SVG or canvas inside each vega-embed output) or the tab stops answering within
the time limit, as it did with the specs' ``"width": "container"`` (every cell left at ``[*]``, the tab dead).
nbconvert's HTML of a notebook executed by papermill is opened in the same chromium and must show the charts drawn.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / ".venv-lab"
JUPYTER = LAB / "bin" / "jupyter"
KERNEL = LAB / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
DEMO = ROOT / "data" / "demo" / "crimes.csv"
NOTEBOOK = "02-violence.ipynb"  # Blackpool 2016/17 on the demo data: its default parameters
CHARTS = 3  # its trend, XmR and ranking charts
LIMIT = 240  # seconds for Run All, data read and figures computed included (about 30 s when all is well)
ANSWER = 20  # seconds the tab has to answer one question; a tab that does not has stopped responding
TOKEN = "csp-book-lab-test"

pytestmark = pytest.mark.slow

# what the notebook in view shows: its code cells run, their errors, the charts in its outputs and those drawn
STATE = """((path) => {
  const app = window.jupyterapp;
  const w = app && [...app.shell.widgets("main")].find((w) => w.context && w.context.path === path);
  if (!w || !w.content || !w.sessionContext || !w.context || !w.context.isReady) return null;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = w.content.widgets.filter((c) => c.model.type === "code");
  const outputs = cells.flatMap((c) => c.model.outputs.toJSON());
  const embeds = [...w.content.node.querySelectorAll(".vega-embed")];
  return {
    path: w.context.path,
    kernel: kernel ? kernel.status : null,
    code: cells.length,
    run: cells.filter((c) => c.model.executionCount !== null).length,
    running: cells.filter((c) => (c.promptNode ? c.promptNode.textContent : "").includes("*")).length,
    errors: outputs.filter((o) => o.output_type === "error").map((o) => o.ename + ": " + o.evalue),
    charts: outputs.filter((o) => o.data && o.data["application/vnd.vegalite.v5+json"]).length,
    widths: outputs.filter((o) => o.data && o.data["application/vnd.vegalite.v5+json"])
      .map((o) => o.data["application/vnd.vegalite.v5+json"].width),
    embeds: embeds.length,
    drawn: embeds.filter((e) => e.querySelector("svg, canvas")).length,
  };
})(%s)"""


# Run > Run All Cells on the notebook at a path, brought to the front first
RUN_ALL = """((path) => {
  const app = window.jupyterapp;
  app.shell.activateById([...app.shell.widgets("main")].find((w) => w.context && w.context.path === path).id);
  void app.commands.execute("notebook:run-all-cells");
})(%s)"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab stopped at start (exit {proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer on {url} within {seconds} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this test started, and its children (its own session), by its id."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of notebooks/ and commentary/ beside the demo data, with the notebook also executed by papermill."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium)")
    if not JUPYTER.exists() or not KERNEL.exists():
        pytest.skip(f"JupyterLab's environment {LAB.name} is absent (make test and make lab make it)")
    if not DEMO.exists():
        pytest.skip("the demo data is absent (make demo-data makes it)")
    root = tmp_path_factory.mktemp("lab")
    for name in ("notebooks", "commentary"):
        shutil.copytree(ROOT / name, root / name)
    (root / "data").mkdir()
    (root / "data" / "demo").symlink_to(ROOT / "data" / "demo")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    executed = root / "notebooks" / "executed.ipynb"
    subprocess.run(
        [sys.executable, "-m", "papermill", "--log-level", "ERROR", NOTEBOOK, executed.name],
        cwd=root / "notebooks",
        env=env,
        check=True,
        timeout=300,
    )
    return root


@pytest.fixture(scope="module")
def lab(project):
    """JupyterLab on a loopback port, its settings, workspaces and runtime files in the test's own folders."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the kernel imports this checkout's csp_lib
        "JUPYTER_CONFIG_DIR": str(project / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(project / "jupyter" / "data"),  # no user kernel shadows .venv-lab's
        "JUPYTER_RUNTIME_DIR": str(project / "jupyter" / "runtime"),
    }
    log = project / "lab.log"
    args = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={project / 'notebooks'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the commands the menus run
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={project / 'jupyter' / 'settings'}",
        f"--LabApp.workspaces_dir={project / 'jupyter' / 'workspaces'}",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={TOKEN}", 90, proc, log)
        yield base
    finally:
        _stop(proc)


class Tab:
    """One chromium tab driven through the DevTools protocol."""

    def __init__(self, ws):
        self.ws, self.n, self.waiting = ws, 0, {}
        self.reader = asyncio.ensure_future(self._read())
        self.crashed = False

    @classmethod
    async def open(cls, port: int) -> Tab:
        from tornado.websocket import websocket_connect

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        return cls(await websocket_connect(target["webSocketDebuggerUrl"], max_message_size=256 * 2**20))

    async def _read(self):
        while (msg := await self.ws.read_message()) is not None:
            data = json.loads(msg)
            if data.get("method") == "Inspector.targetCrashed":
                self.crashed = True
            if (fut := self.waiting.pop(data.get("id"), None)) is not None and not fut.done():
                fut.set_result(data)

    async def send(self, method: str, timeout: float = ANSWER, **params):
        self.n += 1
        fut = self.waiting[self.n] = asyncio.get_running_loop().create_future()
        await self.ws.write_message(json.dumps({"id": self.n, "method": method, "params": params}))
        data = await asyncio.wait_for(fut, timeout)
        if "error" in data:
            raise RuntimeError(f"{method}: {data['error']}")
        return data["result"]

    async def js(self, expression: str, timeout: float = ANSWER):
        res = await self.send("Runtime.evaluate", timeout, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression[:80]}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self):
        self.reader.cancel()
        self.ws.close()


async def _chromium(profile: Path, size: str = "1400,1000"):
    proc = subprocess.Popen(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--window-size={size}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    port_file = profile / "DevToolsActivePort"
    for _ in range(300):
        if port_file.exists() and port_file.read_text().strip():
            break
        await asyncio.sleep(0.1)
    else:
        _stop(proc)
        pytest.fail("chromium did not open its DevTools port")
    tab = await Tab.open(int(port_file.read_text().split()[0]))
    await tab.send("Inspector.enable")
    await tab.send("Page.enable")
    await tab.send("Emulation.setFocusEmulationEnabled", enabled=True)  # a tab in front, as an analyst's is
    return proc, tab


async def _until(tab: Tab, path: str, what: str, done, seconds: float):
    """Ask the tab for the notebook's state until ``done(state)``; a tab that stops answering fails the test."""
    start, state = time.monotonic(), None
    while time.monotonic() - start < seconds:
        try:
            state, answered = await tab.js(STATE % json.dumps(path)), True
        except TimeoutError:
            answered = False
        if not answered:
            pytest.fail(
                f"{what}: the tab stopped responding after {time.monotonic() - start:.0f} s"
                f"{' (Target crashed)' if tab.crashed else ''}; last state: {state}"
            )
        if tab.crashed:
            pytest.fail(f"{what}: chromium reports the tab crashed; last state: {state}")
        if state and state.get("errors"):
            pytest.fail(f"{what}: a cell erred: {state['errors']}")
        if state and done(state):
            return state
        await asyncio.sleep(1)
    pytest.fail(f"{what}: not done within {seconds} s; last state: {state}")


def _drawn(state) -> bool:
    return state["charts"] == state["embeds"] == state["drawn"] == CHARTS


def _in_lab(lab: str, path: str, body) -> None:
    async def main():
        with tempfile.TemporaryDirectory(prefix="csp-lab-chromium-") as profile:
            proc, tab = await _chromium(Path(profile))
            try:
                await tab.send("Page.navigate", url=f"{lab}/lab/tree/{path}?token={TOKEN}")
                ready = await _until(
                    tab, path, f"opening {path}", lambda s: s["path"] == path and s["kernel"] == "idle", 120
                )
                await body(tab, ready)
            finally:
                tab.close()
                _stop(proc)

    asyncio.run(main())


def test_run_all_draws_every_chart_in_jupyterlab(lab):
    """Run All on 02-violence (Blackpool 2016/17, demo data): every cell runs, none errs, all 3 charts drawn."""

    async def body(tab, ready):
        assert ready["code"] > 0 and ready["run"] == 0, ready  # a notebook as committed: no outputs
        # the notebook's own menu command, Run > Run All Cells, on the notebook brought to the front
        await tab.js(RUN_ALL % json.dumps(NOTEBOOK))
        state = await _until(
            tab,
            NOTEBOOK,
            f"Run All on {NOTEBOOK}",
            lambda s: s["run"] == s["code"] and not s["running"] and s["kernel"] == "idle" and _drawn(s),
            LIMIT,
        )
        assert "container" not in state["widths"], state

    _in_lab(lab, NOTEBOOK, body)


def test_an_executed_notebook_opened_later_draws_every_chart(lab):
    """The notebook papermill executed (as the build does), opened in JupyterLab: its stored charts drawn."""

    async def body(tab, ready):
        assert ready["run"] == ready["code"], ready
        await _until(tab, "executed.ipynb", "the executed notebook", _drawn, 90)

    _in_lab(lab, "executed.ipynb", body)


def test_nbconvert_html_draws_every_chart(project):
    """nbconvert's HTML of the executed notebook shows each chart drawn (the SVG the output carries beside its
    spec, drawn by the project's own Vega), not only its text alternative."""
    notebooks = project / "notebooks"
    subprocess.run(
        [str(JUPYTER), "nbconvert", "--to", "html", "--log-level", "ERROR", "executed.ipynb"],
        cwd=notebooks,
        check=True,
        timeout=120,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(project / "jupyter" / "config")},
    )
    # each picture loaded and as wide as the spec says (the wide charts' 720 pixels, the trend's panels)
    drawn = """[...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="image/svg+xml"]')]
      .map((o) => { const i = o.querySelector("img"), s = o.querySelector("svg");
                    return i ? (i.complete ? i.naturalWidth : 0) : s ? s.getBoundingClientRect().width : 0; })"""

    async def main():
        with tempfile.TemporaryDirectory(prefix="csp-nbconvert-chromium-") as profile:
            proc, tab = await _chromium(Path(profile))
            try:
                await tab.send("Page.navigate", url=(notebooks / "executed.html").as_uri())
                widths = []
                for _ in range(30):
                    widths = await tab.js(drawn)
                    if len(widths) == CHARTS and all(w >= 400 for w in widths):
                        return
                    await asyncio.sleep(1)
                pytest.fail(f"nbconvert's HTML drew {len(widths)} of {CHARTS} charts (widths {widths})")
            finally:
                tab.close()
                _stop(proc)

    asyncio.run(main())
