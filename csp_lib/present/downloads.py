"""Downloads of one report: a CSV per table and the whole report as one XLSX workbook.

Both are made from figures.json (through the tables of the pages), and both are
deterministic: two builds of the same inputs give byte-identical files.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from ..data.contract import slug
from ..figures.sections import label
from .narrative import capital, compared_phrase, period_name, source_line
from .tables import WITHHELD, withheld_note
from .text import raw

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries carry no build time


WORKBOOK = "report.xlsx"  # the whole report, a sheet per table


def csv_name(caption: str) -> str:
    return slug(caption).replace("_", "-")[:80] + ".csv"


# a spreadsheet reads a cell that starts so as a formula (OWASP's CSV injection): a name from the data such as
# "=HYPERLINK(...)" or "@SUM(...)" is written with a leading apostrophe, which spreadsheets show as text
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?![\d.]))")


def _text_cell(value):
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def write_csv(df: pd.DataFrame, folder: Path, caption: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / csv_name(caption)
    df.map(_text_cell).to_csv(path, index=False, lineterminator="\n")
    return path


LINK = re.compile(r'href=\\?"downloads/([^"\\]+)\\?"')


def linked(page: str) -> set[str]:
    """The download files a page (or an executed notebook's text) links to."""
    return set(LINK.findall(page))


def figures_frame(figs: dict) -> pd.DataFrame:
    """Every figure of figures.json, a row each; a withheld cell reads [c], as in every table."""
    figs = raw(figs)
    rows = []
    for fid, f in figs["figures"].items():
        row = {"id": fid, "measure": label(fid)}
        for key in ("previous", "value", "change", "pct_change", "of", "share", "rate", "label", "start", "end"):
            row[key] = WITHHELD if key in f.get("suppressed", []) else f.get(key)
        row.update(_test_cells(f))
        row["note"] = f.get("note")
        rows.append(row)
    return pd.DataFrame(rows)


TEST_COLUMNS = ("p_value", "ratio", "ratio_ci95_low", "ratio_ci95_high", "verdict")


def _test_cells(f: dict) -> dict:
    """The test of a figure's change (its ``significance``): p-value, rate ratio, its 95% interval and the
    verdict; [c] where it is withheld, empty where there is none (no comparison, an open upper end)."""
    if "significance" in f.get("suppressed", []):
        return dict.fromkeys(TEST_COLUMNS, WITHHELD)
    sig = f.get("significance") or {}
    lo, hi = sig.get("ratio_ci95") or (None, None)
    return {"p_value": sig.get("p_value"), "ratio": sig.get("ratio"), "ratio_ci95_low": lo, "ratio_ci95_high": hi} | {
        "verdict": sig.get("verdict")
    }


def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """A table read back from its CSV as text: numbers become numbers again, [c] and words stay text."""

    def cell(text: str):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text or None

    return df.map(cell)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", name)[:28].strip() or "Table"
    out, n = base, 2
    while out.lower() in used:
        out, n = f"{base[:26]} {n}", n + 1
    used.add(out.lower())
    return out


def write_workbook(figs: dict, folder: Path, path: Path) -> Path:
    """One workbook: a Figures sheet (every id of figures.json) and a sheet per table CSV."""
    figs = raw(figs)
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        sheets = {_sheet_name("About", used): None, _sheet_name("Figures", used): "figures.json"}
        tables = {_sheet_name(csv.stem.replace("-", " "), used): csv for csv in sorted(folder.glob("*.csv"))}
        sheets.update({name: csv.name for name, csv in tables.items()})
        about = [
            f"{figs['area']}: {period_name(figs)} ({figs['period']['label']})",
            capital(compared_phrase(figs)) + ".",  # the county keeps its capital
            "Every value is computed from the records; see figures.json.",
            "Made from: " + source_line(figs).replace("`", ""),
        ]
        if figs.get("disclosure"):
            about.append(withheld_note(figs["disclosure"]["threshold"]))
        about += ["", "Sheet: what it holds (the CSV of the same table on the report's pages)"]
        about += [f"{name}: {src}" for name, src in sheets.items() if src]
        pd.DataFrame({"": about}).to_excel(xl, sheet_name="About", index=False, header=False)
        figures_frame(figs).to_excel(xl, sheet_name="Figures", index=False)
        for name, csv in tables.items():
            _cells(pd.read_csv(csv, dtype=str, keep_default_na=False)).to_excel(xl, sheet_name=name, index=False)
        for sheet in xl.book.worksheets:  # no text from the data becomes a formula (openpyxl makes "=..." one)
            for row in sheet.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        c.data_type = "s"
        xl.book.properties.creator = "csp-book"
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return path


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with no timestamps in it, so identical inputs give identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
