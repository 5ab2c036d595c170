"""What a page of the site may do, whatever text reached it: a Sphinx extension of every book (``_config.yml``).

Defence in depth behind the escaping of ``present.text``: every page carries a Content-Security-Policy that
lets scripts run only from the site's own files and from the page's own inline scripts (the theme's and
Sphinx's, allowed one by one by their SHA-256), so markup that reached a page anyway could run nothing: no
inline event handler, no script written into the page, no frame, no plug-in. Styles may be inline (Vega
styles its tooltips and menus so). The search (Pagefind) compiles its WebAssembly: ``'wasm-unsafe-eval'``,
which allows no JavaScript ``eval``; the charts use Vega's expression interpreter, not ``Function``.

The themes print three titles as HTML though they are plain text (``pagetitle`` and ``root_title`` from
a page's title, ``docstitle`` from ``html_title``), and a report's titles hold its area's name: they are
escaped here and in ``book/_templates/components/navbar-logo.html``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval'",  # and the page's own inline scripts, by hash
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
# an inline script the browser runs (no src; no type, or a JavaScript one): JSON specs and configs are data
_INLINE = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_RUNS = re.compile(r"""\btype\s*=\s*["']?(?:text/javascript|module|application/javascript)\b""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>(?:\s*<meta charset=[^>]*>)?", re.I)
META = '<meta http-equiv="Content-Security-Policy" content="{}">'


def policy(page: str, **changes: str) -> str:
    """The policy of one page: POLICY, its inline scripts allowed by hash, ``changes`` (directive=sources)."""
    hashes = []
    for m in _INLINE.finditer(page):
        attrs = m.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.I) or (re.search(r"\btype\s*=", attrs, re.I) and not _RUNS.search(attrs)):
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    rules = {**POLICY, **{k.replace("_", "-"): v for k, v in changes.items()}}
    rules["script-src"] = " ".join([rules["script-src"], *dict.fromkeys(hashes)])
    return "; ".join(f"{k} {v}" for k, v in rules.items())


def protect(page: str, **changes: str) -> str:
    """The page with its Content-Security-Policy first in its head (a policy governs only what follows it)."""
    m = _HEAD.search(page)
    if m is None:
        raise ValueError("a page without <head>: no Content-Security-Policy can be given to it")
    meta = META.format(html.escape(policy(page, **changes)))
    return page[: m.end()] + meta + page[m.end() :]


def protect_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if 'http-equiv="Content-Security-Policy"' not in text:
        path.write_text(protect(text), encoding="utf-8")


def _page(app, pagename, templatename, context, doctree) -> None:
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key])
    app.env.csp_pages = getattr(app.env, "csp_pages", set()) | {pagename}


def _protect_pages(app, exception) -> None:
    """Every page Sphinx wrote in this build, once it is written (its inline scripts are then known)."""
    if exception is None and app.builder.format == "html":
        for pagename in sorted(getattr(app.env, "csp_pages", ())):
            path = Path(app.builder.get_outfilename(pagename))
            if path.exists():
                protect_file(path)
        app.env.csp_pages = set()


def setup(app):
    app.connect("html-page-context", _page, priority=900)  # after the theme has set them
    app.connect("build-finished", _protect_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["POLICY", "policy", "protect", "protect_file"]
