"""Tables of figures: a pandas frame (for downloads) and accessible HTML (for pages)."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd

from ..figures.sections import label
from .narrative import pct, short, signed, source_of
from .text import raw

WITHHELD = "[c]"  # the GSS symbol for a confidential value


def withheld_note(threshold: int = 4) -> str:
    """The footnote of every table (and the workbook) with a withheld cell."""
    return (
        f"{WITHHELD}: withheld to protect the people involved: a count of 1 to {threshold} victims, or a "
        "figure from which such a count could be worked out."
    )


def records(n) -> str:
    """A count of records as a page shows it: ``1,234``, or ``[c]`` where the disclosure gate withheld it."""
    return WITHHELD if n is None else f"{n:,}"


def _window_name(f: dict, key: str, default: str) -> str:
    start, end = f.get(f"{key}start" if key else "start"), f.get(f"{key}end" if key else "end")
    if not start:
        return default
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return f"{a:%B} to {b:%B %Y}" if a.year == b.year else f"{a:%B %Y} to {b:%B %Y}"


def _window_names(figs: dict, f: dict) -> tuple[str, str]:
    """Column headers of the comparison year and the period, as figure ``f`` counts them."""
    return _window_name(f, "previous_", short(figs, "previous")), _window_name(f, "", short(figs))


BEYOND = "Beyond chance?"  # the column of each change's verdict, the exact test at the 5% level (methods page)


def _beyond(f: dict) -> str | None:
    """``Yes`` where the change is more than chance would explain, ``No`` where it is within chance, [c] where
    the test is withheld with its counts, nothing where there is no change or no test."""
    if "significance" in f.get("suppressed", []):
        return WITHHELD
    verdict = (f.get("significance") or {}).get("verdict")
    if not verdict or not f.get("change"):
        return None
    return "No" if verdict == "no clear change" else "Yes"


def figure_frame(figs: dict, ids: list[str]) -> pd.DataFrame:
    """One row per figure: previous, current, change and % change, the rate and whether the change is beyond
    chance (``BEYOND``; left out, as the rate is, where no figure of the table has one)."""
    figs = raw(figs)
    rows = []
    for fid in ids:
        f = figs["figures"].get(fid)
        if f is None:
            continue
        row = {
            "Measure": label(fid),
            "Previous": f.get("previous"),
            "Current": f.get("value"),
            "Change": f.get("change"),
            "% change": f.get("pct_change"),
            "Per 1,000": f.get("rate"),
            BEYOND: _beyond(f),
            "Note": f.get("note", ""),
        }
        hidden = set(f.get("suppressed", []))
        for col, key in (
            ("Previous", "previous"),
            ("Current", "value"),
            ("Change", "change"),
            ("% change", "pct_change"),
        ):
            if key in hidden:  # [c] in every table, CSV and workbook alike; the footnote says why
                row[col] = WITHHELD
        if "rate" in hidden:
            row["Per 1,000"] = WITHHELD
        rows.append(row)
    columns = ["Measure", "Previous", "Current", "Change", "% change", "Per 1,000", BEYOND, "Note"]
    df = pd.DataFrame(rows, columns=columns)
    if (figs.get("source") or {}).get("policeuk"):  # two sources (data/combined.py): which counted each figure
        df["Source"] = [source_of(figs["figures"][fid]) for fid in ids if fid in figs["figures"]]
    if df["Per 1,000"].isna().all() or (df["Per 1,000"].isin([WITHHELD]) | df["Per 1,000"].isna()).all():
        df = df.drop(columns="Per 1,000")
    if df[BEYOND].isna().all():
        df = df.drop(columns=BEYOND)
    first = figs["figures"].get(ids[0], {}) if ids else {}
    before, now = _window_names(figs, first)
    df = df.rename(columns={"Previous": before, "Current": now})
    if not df["Note"].astype(bool).any():
        df = df.drop(columns="Note")
    df.attrs["threshold"] = figs.get("disclosure", {}).get("threshold", 4)
    return df


def cell(value, col: str) -> tuple[str, bool]:
    """Text and whether it is a number (right-aligned)."""
    if isinstance(value, str) and value == WITHHELD:
        return value, True
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ("" if col == "Note" else "–", col != "Note")
    if col == BEYOND:  # Yes or No, under its right-aligned header
        return str(value), True
    if col == "% change":
        return pct(value, True, trim=False), True
    if col == "Change":
        return signed(int(value)), True
    if col == "Per 1,000":
        return f"{value:,.1f}", True
    if "%" in col:  # a share: 41.9%, never cut to a whole number
        return pct(value, trim=False), True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{int(value):,}", True
    return str(value), False


def to_html(df: pd.DataFrame, caption: str, css_class: str = "csp-table") -> str:
    """An accessible HTML table: caption, header scopes, right-aligned numbers."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for i, col in enumerate(df.columns):
            text, is_num = cell(row[col], str(col))
            if i == 0:
                cells.append(f'<th scope="row">{html.escape(text)}</th>')
            else:
                cls = ' class="num"' if is_num else ""
                cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    foot = ""
    if (df.astype(str) == WITHHELD).any().any():
        note = withheld_note(df.attrs.get("threshold", 4))
        foot = f'<tfoot><tr><td colspan="{len(df.columns)}">{note}</td></tr></tfoot>'
    return (
        f'<table class="{css_class}"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table>"
    )


def neighbourhood_frame(figs: dict, fid: str, rows: list[dict]) -> pd.DataFrame:
    """One row per neighbourhood (LSOA), the most first: name, code, the two windows and the change."""
    figs = raw(figs)
    f = figs["figures"].get(fid, {})
    before, now = _window_names(figs, f)
    df = pd.DataFrame(
        [
            {
                "Neighbourhood (LSOA)": r["lsoa_name"],
                "LSOA code": r["lsoa_code"],
                before: r["previous"],
                now: r["value"],
                "Change": r["change"],
            }
            for r in rows
        ]
    )
    df.attrs["threshold"] = figs.get("disclosure", {}).get("threshold", 4)
    return df


def hotspot_frame(figs: dict, rows: list[dict], unit: str) -> pd.DataFrame:
    """One row per map cell, the busiest first: its neighbourhood, count and H3 id (which GIS software reads
    as the cell's shape)."""
    figs = raw(figs)
    return pd.DataFrame(
        [
            {
                "Neighbourhood (LSOA)": r["lsoa_name"],
                "LSOA code": r["lsoa_code"],
                unit.capitalize(): r["value"],
                "H3 cell": r["cell"],
            }
            for r in rows
        ]
    )


def outcome_frame(figs: dict, rows: list[dict]) -> pd.DataFrame:
    """One row per last outcome, the most first: the period and the year before, counts and shares."""
    figs = raw(figs)
    f = figs["figures"].get("all_crime", {})
    before, now = _window_names(figs, f)
    df = pd.DataFrame(
        [
            {
                "Last outcome": r["outcome"],
                before: r["previous"],
                f"% of crimes, {before}": r["previous_share"],
                now: r["value"],
                f"% of crimes, {now}": r["share"],
            }
            for r in rows
        ]
    )
    df.attrs["threshold"] = figs.get("disclosure", {}).get("threshold", 4)
    return df


def outcome_type_frame(figs: dict, by_type: dict[str, list[dict]]) -> pd.DataFrame:
    """One row per crime type: its crimes in the period and its most common last outcome, with its share."""
    figs = raw(figs)
    rows = []
    for tid, outcomes in by_type.items():
        if not outcomes:
            continue
        top = outcomes[0]
        rows.append(
            {
                "Crime type": label(tid),
                "Crimes": figs["figures"].get(tid, {}).get("value"),
                "Most common last outcome": top["outcome"],
                "% of the type's crimes": top["share"],
                "% under investigation": next(
                    (o["share"] for o in outcomes if o["outcome"] == "Under investigation"), 0.0
                ),
            }
        )
    df = pd.DataFrame(rows).sort_values("Crimes", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs["threshold"] = figs.get("disclosure", {}).get("threshold", 4)
    return df
