"""The one boundary where a value read from a data file becomes part of a page.

Every string of figures.json may have come from a data file (a district, a county, a force, a file or
folder name, a crime type, an outcome, a programme, a neighbourhood), and every data file is untrusted,
whoever made it. The pages are MyST Markdown and HTML, both parsed again by Sphinx and by the reader's
browser, so a value must reach them as text and never as markup.

:func:`view` gives the present stage figures.json with **every** string escaped by :func:`md`: each
character that means something in MyST Markdown, in its extensions or in HTML (``{{ }}``, roles,
``*``, backticks, ``<``, ``&``, quotes, ``|``, ``$``, a newline, a list or heading marker at the
start) written as a numeric character reference, which both Markdown and HTML decode to the
literal character and neither parses. Sentences, tiles and pages are written from that view, so a
new sentence cannot forget the escaping: it never sees a raw name. Charts (JSON), tables (escaped
once by :func:`tables.to_html`), CSV and workbook downloads and file paths need the values as they
are: they take :func:`raw`. A value that reaches them escaped shows its references literally: ugly,
and caught by the tests, but never live.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

# characters left as they are anywhere in a value: letters, digits and punctuation that is markup in neither
# MyST Markdown (inline, with this site's extensions) nor HTML text or a quoted attribute
_PUNCT = " ,.()/:;%?!-\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00a3\u20ac\u00b7\u00d7"  # and typography
_PLAIN = re.compile(rf"[^\W_]+(?:[{re.escape(_PUNCT)}]|(?<=[^\W_])_(?=[^\W_])|[^\W_])*(?<! )")
_LIST = re.compile(r"\d{1,9}[.)](?=\s|$)")  # "1. " or "1) " at the start of a line would begin an ordered list


def _ref(ch: str) -> str:
    return f"&#{ord(ch)};"


@lru_cache(maxsize=65536)
def md(value: str) -> str:
    """A data value as literal text in MyST Markdown and in HTML alike (text or a double-quoted attribute):
    ``Fy {{ 6*7 }} lde`` -> ``Fy &#123;&#123; 6&#42;7 &#125;&#125; lde``. Letters, digits and plain
    punctuation stay as they are, so names (``Blackburn with Darwen``), ids, months and dates are unchanged."""
    s = str(value)
    marker = _LIST.match(s)
    if _PLAIN.fullmatch(s) and not marker:
        return s
    out = []
    for i, ch in enumerate(s):
        keep = ch.isalnum() or (ch in _PUNCT and i > 0)
        if ch == "_":  # an underscore inside a word is no emphasis: ids (vap_serious_assault) stay as they are
            keep = 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
        if marker and i == marker.end() - 1:
            keep = False
        if ch == " " and (i == 0 or i == len(s) - 1):
            keep = False  # leading spaces make code blocks; trailing spaces, line breaks
        if ch.isprintable() or ch in "\n\t":
            out.append(ch if keep and ch.isprintable() else _ref(ch))
        else:  # a control character (refused in names: readers) is shown as one, never as what HTML maps it to
            out.append("&#65533;")
    return "".join(out)


def plain(text: str) -> str:
    """Text written from the view (a caption made of escaped values) back to the characters it shows."""
    return html.unescape(text)


class Text(dict):
    """figures.json with every string escaped for a page (:func:`md`); ``.raw`` is figures.json itself."""

    raw: dict


def _escaped(x):
    if isinstance(x, str):
        return md(x)
    if isinstance(x, dict):
        return {k: _escaped(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_escaped(v) for v in x]
    return x


def view(figs: dict) -> Text:
    """What sentences and pages are written from: figures.json, every string escaped (:func:`md`)."""
    if isinstance(figs, Text):
        return figs
    out = Text(_escaped(figs))
    out.raw = figs
    return out


def raw(figs: dict) -> dict:
    """figures.json as it is, for charts, tables, downloads and paths (from the view or figures.json)."""
    return figs.raw if isinstance(figs, Text) else figs


def css_string(value: str) -> str:
    """A value inside a double-quoted CSS string (the paper's footer): every character but letters, digits
    and spaces as a CSS escape, so no quote, backslash or ``</style>`` can end the string or the sheet."""
    return "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):x} " for ch in value)


__all__ = ["md", "plain", "view", "raw", "Text", "css_string"]
