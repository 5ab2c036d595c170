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

from .contract import slug
from .sections import label

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries carry no build time


def csv_name(caption: str) -> str:
    return slug(caption).replace("_", "-")[:80] + ".csv"


def write_csv(df: pd.DataFrame, folder: Path, caption: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / csv_name(caption)
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def figures_frame(figs: dict) -> pd.DataFrame:
    rows = []
    for fid, f in figs["figures"].items():
        rows.append(
            {
                "id": fid,
                "measure": label(fid),
                "previous": f.get("previous"),
                "value": f.get("value"),
                "change": f.get("change"),
                "pct_change": f.get("pct_change"),
                "of": f.get("of"),
                "share": f.get("share"),
                "label": f.get("label"),
                "start": f.get("start"),
                "end": f.get("end"),
                "note": f.get("note"),
            }
        )
    return pd.DataFrame(rows)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", name)[:28].strip() or "Table"
    out, n = base, 2
    while out.lower() in used:
        out, n = f"{base[:26]} {n}", n + 1
    used.add(out.lower())
    return out


def write_workbook(figs: dict, folder: Path, path: Path) -> Path:
    """One workbook: a Figures sheet (every id of figures.json) and a sheet per table CSV."""
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        about = pd.DataFrame(
            {
                "": [
                    f"{figs['area']}: {figs['period']['name']} ({figs['period']['label']})",
                    f"Compared with {figs['previous']['name']} and with {figs['county']}.",
                    "Every value is computed from the records; see figures.json.",
                ]
            }
        )
        about.to_excel(xl, sheet_name=_sheet_name("About", used), index=False, header=False)
        figures_frame(figs).to_excel(xl, sheet_name=_sheet_name("Figures", used), index=False)
        for csv in sorted(folder.glob("*.csv")):
            pd.read_csv(csv).to_excel(xl, sheet_name=_sheet_name(csv.stem.replace("-", " "), used), index=False)
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
