"""``csp preview`` (issue 31, item 4): the built site served on 127.0.0.1 through ``<out>/html``, rebuilt when a
watched file is saved, the open pages reloaded by a script the server adds to the HTML it sends (a file of the
site's origin, allowed by the pages' Content-Security-Policy) and never writes into the published files; a build
that fails prints one line and the last site stays served.

The fast tests run ``preview.preview`` on a stand-in build (a site written and published by ``site.swap``, the
build's own switch of the symlink) and a real headless chromium on the reload script; the slow one runs the
``csp preview`` command on a copy of the project and the tiny data, edits a commentary file and sees the page
change, and searches the served site (Pagefind) in chromium."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, write_tiny
from csp_lib.publish import policy, preview, site
from csp_lib.publish.site import BuildError

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head>
<body><main><p id="words">{words}</p></main><script>var inline = 1;</script></body></html>"""


def _get(url: str) -> tuple[str, dict]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8"), dict(r.headers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _publish(out: Path, words: str) -> None:
    """A site of one page, published as the build publishes one: a new folder, the symlink switched."""
    new = out / "html.new"
    shutil.rmtree(new, ignore_errors=True)
    (new / "book").mkdir(parents=True)
    (new / "book" / "page.html").write_text(policy.protect(PAGE.format(words=words)), encoding="utf-8")
    (new / "index.html").write_text(policy.protect(PAGE.format(words="front")), encoding="utf-8")
    site.swap(new, out / "html")


def _until(check, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            got = check()
        except OSError:  # not listening yet
            got = None
        if got is not None and got is not False:
            return got
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "commentary" / "a" / "2016-17").mkdir(parents=True)
    (root / "_config.yml").write_text("title: t\n", encoding="utf-8")
    note = root / "commentary" / "a" / "2016-17" / "violence.md"
    note.write_text("first words", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "crimes.csv").write_text("x\n", encoding="utf-8")
    return root, data, note


def test_preview_serves_rebuilds_on_save_and_keeps_the_last_site_when_a_build_fails(project, monkeypatch):
    root, data, note = project
    out = root / "_build"
    calls, lines = [], []

    def fake_build(data_dir, areas, periods, out, root, **kw):
        calls.append((Path(data_dir), areas, periods, Path(out), kw))
        words = note.read_text(encoding="utf-8")
        if words.startswith("fail"):
            raise BuildError("notebook failed, nothing was published:\n  A 2016/17, section 'Violence': KeyError: 'x'")
        _publish(Path(out), words)

    monkeypatch.setattr("csp_lib.publish.build.build", fake_build)
    monkeypatch.setattr(site, "log", lines.append)
    port, stop = _free_port(), threading.Event()
    args = dict(port=port, root=root, interval=0.1, stop=stop, suppression=False)
    thread = threading.Thread(target=preview.preview, args=(data, ["A"], ["2016/17"]), kwargs=args, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        first = _until(lambda: _get(f"{base}/_preview/stamp")[0] or None, 20, "the first site published")
        assert first == os.readlink(out / "html")  # the folder the symlink points to
        # the build is the one `csp build` runs, with the preview's arguments
        assert calls[0] == (data.resolve(), ["A"], ["2016/17"], out.resolve(), {"suppression": False})
        page, headers = _get(f"{base}/book/page.html")
        assert "first words" in page and headers["Cache-Control"] == "no-store"
        tag = f'<script src="/_preview/reload.js?stamp={first}"></script></body>'
        assert tag in page
        # no inline script added: the page's policy, unchanged, allows it as a file of the site's origin ('self')
        assert policy.policy(page) == policy.policy(PAGE) and "script-src 'self'" in policy.policy(page)
        assert "_preview" not in (out / "html" / "book" / "page.html").read_text(encoding="utf-8")  # served only
        assert "_preview" in _get(f"{base}/")[0]  # a folder's index.html too
        js, headers = _get(f"{base}/_preview/reload.js")
        assert "/_preview/stamp" in js and headers["Content-Type"].startswith("text/javascript")

        note.write_text("second words", encoding="utf-8")  # a save
        second = _until(lambda: (s := _get(f"{base}/_preview/stamp")[0]) != first and s, 20, "a rebuild on save")
        assert "second words" in _get(f"{base}/book/page.html")[0]

        note.write_text("fail, please", encoding="utf-8")
        failed = _until(lambda: [x for x in lines if "failed" in x] or None, 20, "the failed build's line")
        assert failed == [
            "csp preview: the build failed, the last site is served on: notebook failed, nothing was published: "
            "A 2016/17, section 'Violence': KeyError: 'x'"
        ]
        assert _get(f"{base}/_preview/stamp")[0] == second and "second words" in _get(f"{base}/book/page.html")[0]

        note.write_text("third words", encoding="utf-8")  # fixed: served again
        _until(lambda: "third words" in _get(f"{base}/book/page.html")[0], 20, "the fixed build served")
        n = len(calls)
        (root / "commentary" / "a" / "2016-17" / ".violence.md.swp").write_text("editor", encoding="utf-8")
        time.sleep(1)
        assert len(calls) == n  # an editor's hidden file starts no build
        (data / "crimes.csv").write_text("x\ny\n", encoding="utf-8")  # the data folder is watched too
        _until(lambda: len(calls) > n, 20, "a rebuild when the data change")
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    with pytest.raises(OSError):
        _get(f"{base}/_preview/stamp")  # stopped: the port is closed


def test_the_preview_listens_on_the_loopback_interface_only(tmp_path):
    server = preview.serve(tmp_path / "html", 0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        assert _get(f"http://127.0.0.1:{port}/_preview/stamp")[0] == ""  # no site yet
        with pytest.raises(urllib.error.HTTPError) as e:
            _get(f"http://127.0.0.1:{port}/book/page.html")
        assert e.value.code == 503
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow  # drives a browser
def test_a_page_in_chromium_reloads_itself_when_a_new_site_is_published(tmp_path):
    """Debian's headless chromium: the page's policy lets the served script run, its poll sees the new stamp
    (published here when the first poll arrives) and it reloads, showing the new site's page."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make test installs it)")
    out = tmp_path / "_build"
    out.mkdir()
    _publish(out, "before the save")
    polls = []

    class Publishing(preview.Handler):
        def _serve(self, head):
            if self.path.startswith("/_preview/stamp") and not polls:
                polls.append(self.path)
                _publish(out, "after the save")
            return super()._serve(head)

    handler = preview.functools.partial(Publishing, site=out / "html")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dom = _chromium(f"http://127.0.0.1:{server.server_address[1]}/book/page.html")
    finally:
        server.shutdown()
        server.server_close()
    assert polls, "the page never polled the stamp (its script did not run)"
    assert 'data-csp-preview="watching"' in dom
    assert "after the save" in dom and "before the save" not in dom


def _chromium(url: str, budget: int = 20000) -> str:
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    cmd += [f"--virtual-time-budget={budget}", "--dump-dom", url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180).stdout


@pytest.mark.slow
def test_csp_preview_rebuilds_a_report_when_its_commentary_is_saved(tmp_path):
    data = write_tiny(tmp_path / "data")
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "csp_lib.cli", "preview", "--data", str(data), "--area", "A"]
    cmd += ["--period", "2016/17", "--port", "0"]
    log = tmp_path / "preview.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        text = lambda: log.read_text(encoding="utf-8")  # noqa: E731
        base = _until(lambda: re.search(r"at (http://127\.0\.0\.1:\d+)/", text()), 30, "the address").group(1)
        _until(lambda: "site published" in text() or proc.poll() is not None, 600, "the first build")
        assert proc.poll() is None, text()
        first = _get(f"{base}/_preview/stamp")[0]
        report = "book/reports/a/2016-17/02-violence.html"
        page = _get(f"{base}/{report}")[0]
        assert f'<script src="/_preview/reload.js?stamp={first}"></script>' in page
        published = root / "_build" / "html"
        assert published.is_symlink()
        leaked = [p for p in published.rglob("*") if p.is_file() and b"_preview" in p.read_bytes()]
        assert not leaked, leaked  # the script is the server's, never a published file's

        note = root / "commentary" / "a" / "2016-17" / "violence.md"
        note.write_text(note.read_text(encoding="utf-8") + "\n\nThe preview saw this sentence.\n", encoding="utf-8")
        started = time.monotonic()
        _until(lambda: _get(f"{base}/_preview/stamp")[0] != first, 240, f"a rebuild after the save: {text()}")
        assert "The preview saw this sentence." in _get(f"{base}/{report}")[0]
        print(f"rebuilt and served {time.monotonic() - started:.1f} s after the save")
        assert "7 unchanged and reused, 1 to run" in text()  # only the edited section's notebook ran again

        if shutil.which("chromium"):  # the search (Pagefind) works on the served site, the reload script too
            for _ in range(3):  # a machine under load can end chromium's budget before Pagefind has answered
                dom = _chromium(f"{base}/book/search-reports.html?q=violence", budget=30000)
                if 'href="/book/reports/a/2016-17/02-violence.html' in dom:
                    break
            assert 'data-csp-preview="watching"' in dom
            assert 'href="/book/reports/a/2016-17/02-violence.html' in dom, f"no search result: {dom[-3000:]}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 130, log.read_text(encoding="utf-8")


def test_a_port_in_use_is_named_with_what_to_do(project, monkeypatch):
    root, data, _ = project
    monkeypatch.setattr("csp_lib.publish.build.build", lambda *a, **k: pytest.fail("built without a server"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(BuildError, match=rf"cannot serve on 127\.0\.0\.1:{port}: .*choose another with --port"):
            preview.preview(data, ["A"], ["2016/17"], port=port, root=root)


def test_a_save_during_a_build_is_built_after_it(project, monkeypatch):
    root, data, note = project
    out = root / "_build"

    def fake_build(data_dir, areas, periods, out, root, **kw):
        words = note.read_text(encoding="utf-8")
        if words == "second words":  # the analyst saves again while this build runs
            time.sleep(0.3)
            note.write_text("saved during the build", encoding="utf-8")
        _publish(Path(out), words)

    monkeypatch.setattr("csp_lib.publish.build.build", fake_build)
    monkeypatch.setattr(site, "log", lambda line: None)
    port, stop = _free_port(), threading.Event()
    args = dict(port=port, root=root, interval=0.1, stop=stop)
    thread = threading.Thread(target=preview.preview, args=(data, ["A"], ["2016/17"]), kwargs=args, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: "first words" in _get(f"{base}/book/page.html")[0], 20, "the first site")
        note.write_text("second words", encoding="utf-8")
        _until(lambda: "saved during the build" in _get(f"{base}/book/page.html")[0], 20, "the save during the build")
    finally:
        stop.set()
        thread.join(30)
    assert "_preview" not in (out / "html" / "book" / "page.html").read_text(encoding="utf-8")
