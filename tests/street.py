"""Hand-made police.uk street files for the tests: a small force whose counts are worked out by hand.

Testshire Constabulary, two districts (Alpha, Beta), 2020-01 to 2021-12. Every month:

| LSOA name     | Crime type                   | rows in 2020 | rows in 2021 |
|---------------|------------------------------|-------------:|-------------:|
| Alpha 001A    | Burglary                     | 3            | 4            |
| Alpha 002B    | Violence and sexual offences | 2            | 2            |
| Alpha 001A    | Anti-social behaviour        | 1            | 1            |
| Beta 001A     | Shoplifting                  | 1            | 2            |
| (blank)       | Other theft                  | 1            | 1            |
| Gamma 003C    | Drugs                        | 1            | 1            |   (a neighbouring force's district)

With areas.csv (Alpha, Beta in Testshire): Gamma and the blank rows are in no district.
Each LSOA's rows share one map point (POINTS), about 3.5 km apart: each is its own hotspot cell; blank
rows have no coordinates.
"""

from __future__ import annotations

import gzip
from pathlib import Path

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
FORCE = "Testshire Constabulary"
PLAN = [  # (LSOA code, LSOA name, crime type, rows a month in 2020, in 2021)
    ("E01000001", "Alpha 001A", "Burglary", 3, 4),
    ("E01000002", "Alpha 002B", "Violence and sexual offences", 2, 2),
    ("E01000001", "Alpha 001A", "Anti-social behaviour", 1, 1),
    ("E01000003", "Beta 001A", "Shoplifting", 1, 2),
    ("", "", "Other theft", 1, 1),
    ("E01000009", "Gamma 003C", "Drugs", 1, 1),
]
POINTS = {  # LSOA code -> its map point (longitude, latitude)
    "E01000001": ("-3.050000", "53.810000"),
    "E01000002": ("-3.000000", "53.800000"),
    "E01000003": ("-2.950000", "53.790000"),
    "E01000009": ("-2.900000", "53.780000"),
}
MONTHS = [f"{y}-{m:02d}" for y in (2020, 2021) for m in range(1, 13)]
AREAS = "district,county,population,households\nAlpha,Testshire,1000,400\nBeta,Testshire,500,200\n"


def rows(month: str) -> list[str]:
    out = []
    year = int(month[:4])
    for i, (code, name, crime_type, n2020, n2021) in enumerate(PLAN):
        for j in range(n2020 if year == 2020 else n2021):
            crime_id = "" if crime_type == "Anti-social behaviour" else f"{month}-{i}-{j:04x}abc"
            location = "On or near Test Street" if name else "No Location"
            lon, lat = POINTS.get(code, ("", ""))
            out.append(
                f"{crime_id},{month},{FORCE},{FORCE},{lon},{lat},{location},{code},{name},{crime_type},"
                f"Under investigation,"
            )
    return out


def write(folder: Path, months=MONTHS, nested: bool = False, gz: bool = False, areas: bool = True, header=HEADER):
    """The street files of ``months`` (flat or in YYYY-MM/ folders, plain or gzipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    for month in months:
        text = "\n".join([header, *rows(month)]) + "\n"
        where = folder / month if nested else folder
        where.mkdir(exist_ok=True)
        name = f"{month}-testshire-street.csv"
        if gz:
            (where / (name + ".gz")).write_bytes(gzip.compress(text.encode(), mtime=0))
        else:
            (where / name).write_text(text, encoding="utf-8")
    if areas:
        (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
    return folder
