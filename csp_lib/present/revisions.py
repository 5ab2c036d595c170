"""The words of editions and revisions on a report's landing page (``figures.json`` ``edition``, ``revisions``;
publish/editions.py makes them): the "Revised" note with each figure that changed (then, now, the difference)
and what changed in the data, and the list of every edition."""

from __future__ import annotations

from ..data.periods import parse
from ..figures.sections import label
from . import text


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


FIELD_NAMES = {
    "value": "",
    "previous": "the same months a year earlier",
    "rate": "rate",
    "previous_rate": "rate a year earlier",
}
SERIES_NAMES = {
    "trend": "the four-year trend",
    "monthly": "the months",
    "rolling": "the rolling year",
    "xmr": "the XmR charts",
    "districts": "the districts' ranking",
    "funnels": "the funnels",
    "neighbourhoods": "the neighbourhoods",
    "neighbourhoods_asb": "the neighbourhoods (ASB)",
    "hotspots": "the hotspot map",
    "hotspots_asb": "the hotspot map (ASB)",
    "outcomes": "the outcomes",
    "outcomes_by_type": "the outcomes by crime type",
}


def fmt(v) -> str:
    """A number of a revision note as the pages write it: ``4,792``, withheld when none."""
    if v is None:
        return "withheld"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.1f}" if not v.is_integer() else f"{int(v):,}"
    return str(v)


def signed(v) -> str:
    if v is None:
        return "n/a"
    return ("+" if v > 0 else "\u2212" if v < 0 else "") + fmt(abs(v))


def figure_name(change: dict) -> str:
    name = label(change["id"])
    field = change.get("field", "value")
    extra = FIELD_NAMES.get(field, field.replace("_", " "))
    return f"{name} ({extra})" if extra else name


DATA_FIELDS = {
    "kind": "kind of data",
    "folder": "data folder",
    "file_count": "files",
    "months": "months covered",
    "hash": "content",
    "rows": "records",
    "first_month": "first month",
    "last_month": "last month",
    "file": "file",
    "table": "table present",
}


def data_line(change: dict) -> str:
    what = DATA_FIELDS.get(change["field"], change["field"])
    old, new = change["old"], change["new"]
    if change["field"] == "hash":
        old, new = (str(x)[:19] + "\u2026" if x else x for x in (old, new))
    item = "the data" if change["item"] == "source" else change["item"]
    line = f"{item}, {what}: {fmt(old)} then, {fmt(new)} now"
    if _number(old) and _number(new):
        line += f" ({signed(new - old)})"
    return line


def _date(iso: str | None) -> str:
    import datetime

    if not iso:
        return "an earlier date"
    d = datetime.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def revised_note(figs: dict) -> list[str]:
    """The landing page's "Revised" note (Markdown lines) when this edition revises the one before, else none."""
    raw = text.raw(figs)  # numbers, ids and dates as they are (a view escapes "_" and "-")
    ed = raw.get("edition") or {}
    last = (raw.get("revisions") or [None])[-1]
    if not last or last.get("revised_in") != ed.get("number"):
        return []
    lines = [
        "```{admonition} Revised",
        ":class: warning csp-revised",
        f"This is edition {ed['number']} of this report, published on {_date(ed.get('date'))}. It revises "
        f"edition {last['edition']}, published on {_date(last.get('edition_date'))}, "
        f'<a href="editions/{last["edition"]}/index.html">which is kept as it was published</a>.',
        "",
    ]
    if last["figures"]:
        lines += [
            f"| Figure | Edition {last['edition']} | Edition {ed['number']} | Difference |",
            "|:--|--:|--:|--:|",
        ]
        for c in last["figures"]:
            name = figure_name(c)
            lines.append(f"| {name} | {fmt(c['old'])} | {fmt(c['new'])} | {signed(c['difference'])} |")
        lines.append("")
    if last.get("series"):
        shown = ", ".join(SERIES_NAMES.get(k, k.replace("_", " ")) for k in last["series"])
        lines += [f"The numbers of {shown} changed too.", ""]
    if last.get("data"):
        lines += ["What changed in the data:", ""]
        # the folder's and files' names from the view: escaped, as every string of the data on a page
        lines += [f"- {data_line(c)}" for c in text.view(figs)["revisions"][-1]["data"]]
    else:
        lines += ["The data files are the same; the figures were computed again by a new csp-book."]
    lines += ["```", ""]
    return lines


def withdrawn_note(figs: dict) -> list[str]:
    """The landing page's note when this edition is published after the report's last edition was withdrawn
    (``csp withdraw``): "edition N+1, published after edition N was withdrawn on DATE", and why (the analyst's
    reason, escaped as every string of figures.json: shown as written, never as markup)."""
    raw = text.raw(figs)
    ed = raw.get("edition") or {}
    rows = [w for w in text.view(figs).get("withdrawals") or [] if w["editions"]]
    if not ed or not rows:
        return []
    last = max(rows, key=lambda w: max(w["editions"]))
    if max(last["editions"]) >= ed["number"]:
        return []
    n = max(last["editions"])
    return [
        "```{admonition} Published again after a withdrawal",
        ":class: note csp-republished",
        f"This is edition {ed['number']} of this report, published on {_date(ed.get('date'))} after edition {n} "
        f"was withdrawn on {_date(last['date'])}. Why it was withdrawn: {last['reason']}",
        "```",
        "",
    ]


def _lower(name: str) -> str:
    return name if name[:2].isupper() else name[0].lower() + name[1:]


def last_report_note(figs: dict, tiles: list[tuple[str, str]]) -> list[str]:
    """The landing page's "Since the last report" (Markdown lines): the headline figures of the area's report of
    the period before, as the site published it (its edition, date and permanent address), beside this
    report's: what the last report said, not a change in crime (the two count different months). A figure
    withheld in either stays withheld; nothing when there is no last report. ``tiles``: (id, name) of the
    headlines."""
    raw = text.raw(figs)
    last = raw.get("last_report")
    if not last:
        return []
    shown = text.view(figs)["last_report"]  # its period's words as text
    parts = []
    for fid, name in tiles:
        if fid not in last["figures"] or fid not in raw["figures"]:
            continue
        then = (
            "withheld"
            if fid in last["withheld"]
            else fmt(last["figures"][fid])
            if last["figures"][fid] is not None
            else "n/a"
        )
        fig = raw["figures"][fid]
        now = (
            fmt(fig["value"])
            if fig.get("value") is not None
            else "withheld"
            if "value" in fig.get("suppressed", [])
            else "n/a"
        )
        parts.append(f"{_lower(name)} {then} then, {now} now")
    if not parts:
        return []
    here = text.view(figs)["period"]
    link = f'<a href="../{last["report"]}/editions/{last["edition"]}/index.html">{shown["short"]}</a>'
    return [
        "## Since the last report",
        "",
        f"Since the last report ({link}, edition {last['edition']}, published on {_date(last['date'])}): "
        + "; ".join(parts)
        + ".",
        "",
        f"The last report counted {shown['name']}, this one {here['name']}: the two are different months, so "
        "the difference between them is not a change in crime. Each report compares its own months with the same "
        "months a year earlier.",
        "",
    ]


def editions_list(figs: dict) -> list[str]:
    """The landing page's list of every edition of the report, the latest first, each with its address."""
    raw = text.raw(figs)
    ed = raw.get("edition") or {}
    if not ed:
        return []
    lines = [
        "## Editions",
        "",
        f"- Edition {ed['number']} (this one), published on {_date(ed.get('date'))}: its permanent address is "
        f'<a href="editions/{ed["number"]}/index.html">editions/{ed["number"]}/</a>.',
    ]
    for r in reversed(raw.get("revisions") or []):
        n = len(r["figures"])
        lines.append(
            f'- <a href="editions/{r["edition"]}/index.html">Edition {r["edition"]}</a>, published on '
            f"{_date(r.get('edition_date'))}, superseded on {_date(r.get('date'))} by edition {r['revised_in']} "
            f"({n} figure{'s' if n != 1 else ''} revised)."
        )
    for w in reversed(raw.get("withdrawals") or []):
        for k in sorted(w["editions"], reverse=True):
            lines.append(f'- <a href="editions/{k}/index.html">Edition {k}</a>, withdrawn on {_date(w["date"])}.')
    return [*lines, ""]


def earlier_note(figs: dict) -> list[str]:
    """The landing page's note on the earlier periods this report shows that were revised since they were
    published, or that this report's data count otherwise than their published report (Markdown lines)."""
    rows = text.raw(figs).get("earlier_revisions") or []
    if not rows:
        return []
    lines = ["```{admonition} Earlier periods revised", ":class: note csp-earlier-revised"]
    for r in rows:
        p = parse(r["period"])
        name = label(r["id"])
        name = name[0].lower() + name[1:] if not name[:2].isupper() else name
        link = f'<a href="../{r["report"]}/index.html">{p.short}</a>'
        if r.get("revised"):
            lines.append(
                f"- {link}'s {name} was {fmt(r['published'])} when published on {_date(r['published_date'])} and "
                f"is {fmt(r['now'])} since it was revised on {_date(r['revised'])} (edition {r['edition']}), as "
                "this report counts it."
            )
        else:
            lines.append(
                f"- {link}'s {name} was {fmt(r['published'])} when published on {_date(r['published_date'])} and "
                f"is {fmt(r['now'])} in this extract ({signed(r['difference'])}): that report has not been built "
                "again from it."
            )
    return [*lines, "```", ""]
