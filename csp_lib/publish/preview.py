"""``csp preview``: the built site served on this machine, rebuilt when its sources are saved, the browser reloaded.

As Quarto's ``preview`` and sphinx-autobuild do: the site (``<out>/html``) is served on the loopback interface
only; the project's commentary (and the papers' ``cover.yml``), notebooks, settings and hand-written pages and
the data folder are watched (their files' sizes and modification times, polled: no watcher to install); a save
runs the same ``build.build`` that ``csp build`` runs, with the same arguments, whose caches make an unchanged
report cost little; and each open page reloads itself once the new site is published.

The site is served through ``<out>/html``, the symlink each publish switches in one step, so every request sees
the newest complete site. The reload is a script served under the site's own origin (``/_preview/reload.js``,
which the pages' Content-Security-Policy allows, where an inline script would be refused), added to the HTML
pages by this server as it sends them and never written into the published files. It polls
``/_preview/stamp``, the site's build stamp (the folder the symlink points to), and reloads the page when it
changes. A build that fails prints its error on one line and the last site is served on.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

PREFIX = "/_preview/"
RELOAD_JS = """// csp preview: reload this page once a new build of the site is published (never in the published site)
(function () {
  var me = document.currentScript;
  var stamp = new URL(me.src).searchParams.get("stamp");
  document.documentElement.setAttribute("data-csp-preview", "watching");
  function poll() {
    fetch("/_preview/stamp", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : stamp; })
      .then(function (now) {
        if (now && now !== stamp) { window.location.reload(); } else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });  // the preview was stopped, or is restarting
  }
  setTimeout(poll, 700);
})();
"""
_BODY_END = re.compile(r"</body\s*>", re.I)
IGNORED_DIRS = {".ipynb_checkpoints", "__pycache__", ".git"}


def stamp(site: Path) -> str:
    """The published site's build stamp: the folder ``<out>/html`` points to (``html-<n>``, new at each
    publish), or a real folder's modification time; "" while there is no site."""
    try:
        return os.readlink(site)
    except OSError:
        pass
    try:
        return f"mtime-{site.stat().st_mtime_ns}"
    except OSError:
        return ""


def inject(page: str, site_stamp: str) -> str:
    """The page with the reload script (a file of this server, which the page's policy allows) before
    ``</body>``; a page without one gets it at its end."""
    from urllib.parse import quote

    tag = f'<script src="{PREFIX}reload.js?stamp={html.escape(quote(site_stamp, safe=""))}"></script>'
    matches = list(_BODY_END.finditer(page))
    if not matches:
        return page + tag
    at = matches[-1].start()
    return page[:at] + tag + page[at:]


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files of ``directory`` (the site's symlink, resolved at each request), HTML pages with the reload script,
    and ``/_preview/`` (the script, the stamp). Nothing is cached by the browser: a reload shows the new site."""

    def __init__(self, *args, site: Path, **kwargs):
        self.site = site
        super().__init__(*args, directory=str(site), **kwargs)

    def log_message(self, format, *args):
        pass  # the build's lines are what the analyst reads

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, body: bytes, kind: str, head: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "reload.js":
            return self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        if path == PREFIX + "stamp":
            return self._send(stamp(self.site).encode(), "text/plain; charset=utf-8", head)
        local = Path(self.translate_path(self.path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            try:
                page = local.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass  # the base class answers as it would
            else:
                return self._send(inject(page, stamp(self.site)).encode("utf-8"), "text/html; charset=utf-8", head)
        if not self.site.exists():
            self.send_error(503, "No site yet: the first build has not been published")
            return
        return super().do_HEAD() if head else super().do_GET()


class _Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True  # a preview stopped a moment ago leaves its port in TIME_WAIT, not in use
    daemon_threads = True


def serve(site: Path, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """Serve ``site`` on ``host:port`` (loopback by default) from a thread; ``.shutdown()`` stops it."""
    server = _Server((host, port), functools.partial(Handler, site=site))
    threading.Thread(target=server.serve_forever, name="csp-preview", daemon=True).start()
    return server


def watched(root: Path, data_dir: Path) -> list[Path]:
    """What a save there changes in the site: the commentary (and each paper's cover.yml), the notebooks, the
    project's settings and hand-written pages, and the data folder."""
    return [
        root / "commentary",
        root / "notebooks",
        root / "_config.yml",
        root / "csp.toml",
        root / "book" / "_static",
        root / "book" / "_templates",
        *sorted((root / "book").glob("*.md")),
        data_dir,
    ]


def snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Every watched file's (size, modification time); editors' hidden and backup files left out."""
    out = {}
    for path in paths:
        if path.is_file():
            st = path.stat()
            out[str(path)] = (st.st_size, st.st_mtime_ns)
            continue
        for where, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if d not in IGNORED_DIRS and not d.startswith(".")]
            for name in names:
                if name.startswith((".", "#")) or name.endswith("~"):
                    continue
                full = os.path.join(where, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue  # removed while we looked
                out[full] = (st.st_size, st.st_mtime_ns)
    return out


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def preview(
    data,
    areas: list[str],
    periods: list[str],
    port: int = 8000,
    out="_build",
    root: Path | None = None,
    interval: float = 0.5,
    stop: threading.Event | None = None,
    **build_args,
) -> None:
    """Build, serve ``<out>/html`` on ``http://127.0.0.1:port/``, and build again whenever a watched file is
    saved, until ``stop`` is set (or Ctrl-C). ``build_args`` are ``build.build``'s (jobs, suppression, ...)."""
    from ..data.periods import PeriodError
    from ..data.readers import DataError
    from ..figures.disclosure import DisclosureError
    from . import build as build_
    from .site import BuildError, log

    root = build_.find_root(root)
    data_dir = Path(data).resolve()
    out_dir = (root / out).resolve() if not Path(out).is_absolute() else Path(out)
    site = out_dir / "html"
    stop = stop or threading.Event()

    def run() -> None:
        started = time.perf_counter()
        try:
            build_.build(data_dir, areas, periods, out=out_dir, root=root, **build_args)
        except (BuildError, DataError, PeriodError, DisclosureError, OSError) as e:
            log(f"csp preview: the build failed, the last site is served on: {one_line(e)}")
        except Exception as e:  # whatever broke, the preview serves on
            log(f"csp preview: the build failed, the last site is served on: {type(e).__name__}: {one_line(e)}")
        else:
            log(f"csp preview: site published in {time.perf_counter() - started:.1f} s: {stamp(site)}")

    try:
        server = serve(site, port)
    except OSError as e:
        raise BuildError(f"cannot serve on 127.0.0.1:{port}: {e.strerror or e}: choose another with --port") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    term = None
    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does: the server closed
        term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        log(f"csp preview: serving {site} at {url} (Ctrl-C stops)")
        # the files as they were when a build started: a save during the build starts another one after it (and
        # so do the templates a first build writes for a new report: that build finds nothing changed, at once)
        before = snapshot(watched(root, data_dir))
        run()
        log(f"csp preview: watching commentary/, notebooks/ and {data_dir} for changes; the site is at {url}")
        while not stop.wait(interval):
            now = snapshot(watched(root, data_dir))
            if now == before:
                continue
            while not stop.wait(min(interval, 0.3)):  # a save in several writes: wait until it has settled
                settled = snapshot(watched(root, data_dir))
                if settled == now:
                    break
                now = settled
            changed = _changed(before, now)
            names = ", ".join(os.path.relpath(p, root) for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
            log(f"csp preview: {names} changed: building")
            before = now
            run()
    finally:
        server.shutdown()
        server.server_close()
        if term is not None:
            signal.signal(signal.SIGTERM, term)
        sys.stderr.flush()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


__all__ = ["preview", "serve", "inject", "stamp", "snapshot", "watched", "RELOAD_JS"]
