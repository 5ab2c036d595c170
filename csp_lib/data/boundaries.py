"""LSOA boundaries as the ONS Open Geography Portal gives them, for choropleth maps: a GeoJSON or a
GeoPackage file in the data folder, read as downloaded (nothing is fetched).

``find`` picks the folder's boundary file (a ``.geojson``, ``.json`` or ``.gpkg`` whose name has
"lsoa" in it); ``read`` returns the shapes of the LSOA codes asked for, each a shapely (multi)polygon
in a flat plane: kilometres east and north, from British National Grid metres (EPSG:27700, the ONS
GeoPackages) or from longitude and latitude (GeoJSON, EPSG:4326), stretched by the cosine of the
latitude so that a kilometre is the same length both ways. Which column holds the code is found by
its name (``LSOA21CD``, ``LSOA11CD``, ``lsoa_code``...).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from pathlib import Path

import shapely
from shapely.geometry import shape

from .contract import DataError

CODE_COLUMN = re.compile(r"^lsoa(\d\d)?_?cd$|^lsoa_?code$", re.IGNORECASE)
SUFFIXES = (".geojson", ".json", ".gpkg")
KM_PER_DEGREE = 111.32  # a degree of latitude (and of longitude at the equator), in kilometres
HINT = (
    "download LSOA boundaries as GeoJSON or GeoPackage from the ONS Open Geography Portal "
    "(geoportal.statistics.gov.uk) and keep the file as downloaded"
)


def find(folder) -> Path | None:
    """The folder's LSOA boundary file, or None. Two of them stop with a DataError: which to draw is the
    analyst's choice."""
    found = sorted(
        p for p in Path(folder).glob("*") if p.suffix.lower() in SUFFIXES and "lsoa" in p.name.lower() and p.is_file()
    )
    if len(found) > 1:
        raise DataError(found[1], f"a second LSOA boundary file (also {found[0].name})", hint="keep one of them")
    return found[0] if found else None


def _code_key(path: Path, names) -> str:
    key = next((n for n in names if CODE_COLUMN.match(str(n))), None)
    if key is None:
        raise DataError(path, "no LSOA code column (such as LSOA21CD) in the boundary file", hint=HINT)
    return key


def _geojson(path: Path, codes: set[str]) -> tuple[dict, bool]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        features = doc["features"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataError(path, f"not a GeoJSON feature collection ({e})", hint=HINT) from None
    if not features:
        return {}, False
    key = _code_key(path, features[0].get("properties") or {})
    crs = json.dumps(doc.get("crs") or "")
    metres = "27700" in crs
    out = {}
    for i, feature in enumerate(features, start=1):
        code = (feature.get("properties") or {}).get(key)
        if code in codes:
            try:
                out[code] = shape(feature["geometry"])
            except (KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as e:
                raise DataError(path, f"feature {i} ({code}) has no readable geometry ({e})", hint=HINT) from None
    return out, metres


def _gpkg_wkb(blob: bytes) -> bytes:
    """The WKB inside a GeoPackage geometry blob (after its 'GP' header and envelope)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 0b111]
    return bytes(blob[8 + envelope :])


def _gpkg(path: Path, codes: set[str]) -> tuple[dict, bool]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            table, column, srs = con.execute(
                "SELECT g.table_name, g.column_name, s.organization_coordsys_id FROM gpkg_geometry_columns g "
                "JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id LIMIT 1"
            ).fetchone()
            names = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            key = _code_key(path, names)
            marks = ",".join("?" * len(codes))
            rows = con.execute(f'SELECT "{key}", "{column}" FROM "{table}" WHERE "{key}" IN ({marks})', sorted(codes))
            out = {code: shapely.from_wkb(_gpkg_wkb(blob)) for code, blob in rows}
        finally:
            con.close()
    except (sqlite3.Error, TypeError, ValueError, KeyError, IndexError, shapely.errors.ShapelyError) as e:
        raise DataError(path, f"not a GeoPackage of LSOA boundaries ({e})", hint=HINT) from None
    return out, srs == 27700


def plane(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    """Kilometres east and north of (0, 0) in the flat plane of a district around latitude ``lat0``."""
    return lon * KM_PER_DEGREE * math.cos(math.radians(lat0)), lat * KM_PER_DEGREE


def read(path: Path, codes) -> dict:
    """The shapes of ``codes`` in the boundary file at ``path``, in kilometres (see the module's note);
    codes the file does not hold are left out."""
    codes = set(codes)
    path = Path(path)
    shapes, metres = (_gpkg if path.suffix.lower() == ".gpkg" else _geojson)(path, codes)
    if not shapes:
        return {}
    if not metres and max(abs(c) for g in shapes.values() for c in g.bounds) > 360:
        metres = True  # British National Grid coordinates in a GeoJSON without its crs member
    if metres:
        return {c: shapely.transform(g, lambda xy: xy / 1000) for c, g in shapes.items()}
    lat0 = sum(g.centroid.y for g in shapes.values()) / len(shapes)
    k = math.cos(math.radians(lat0))
    return {c: shapely.transform(g, lambda xy: xy * [KM_PER_DEGREE * k, KM_PER_DEGREE]) for c, g in shapes.items()}


__all__ = ["find", "read", "plane"]
