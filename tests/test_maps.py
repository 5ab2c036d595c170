"""LSOA boundaries read as the ONS gives them (GeoJSON in degrees, GeoPackage in British National Grid
metres), and the choropleth drawn from them: hand-made files of two square neighbourhoods."""

from __future__ import annotations

import json
import sqlite3
import struct

import pytest
import shapely
import street

from csp_lib import figures
from csp_lib.data import boundaries
from csp_lib.data.contract import DataError
from csp_lib.present import charts

# Alpha 001A: a square of 0.01 degrees at (-3.05, 53.81); Alpha 002B: its neighbour to the east
SQUARES = {
    "E01000001": [(-3.06, 53.80), (-3.04, 53.80), (-3.04, 53.82), (-3.06, 53.82), (-3.06, 53.80)],
    "E01000002": [(-3.04, 53.80), (-3.02, 53.80), (-3.02, 53.82), (-3.04, 53.82), (-3.04, 53.80)],
}


def geojson(path, key="LSOA21CD"):
    features = [
        {
            "type": "Feature",
            "properties": {key: code, "LSOA21NM": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in SQUARES.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def geopackage(path):
    """A minimal GeoPackage: two 1 km squares in British National Grid metres (EPSG:27700)."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
            organization_coordsys_id INTEGER, definition TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
            srs_id INTEGER, z INTEGER, m INTEGER);
        CREATE TABLE lsoa (fid INTEGER PRIMARY KEY, LSOA21CD TEXT, LSOA21NM TEXT, SHAPE BLOB);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('British National Grid', 27700, 'EPSG', 27700, '');
        INSERT INTO gpkg_contents VALUES ('lsoa', 'features', 27700);
        INSERT INTO gpkg_geometry_columns VALUES ('lsoa', 'SHAPE', 'POLYGON', 27700, 0, 0);
        """
    )
    for i, code in enumerate(SQUARES):
        x = 330000 + 1000 * i
        square = shapely.box(x, 435000, x + 1000, 436000)
        blob = (
            b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", 27700) + struct.pack("<4d", x, x + 1000, 435000, 436000)
        )
        con.execute("INSERT INTO lsoa VALUES (?, ?, ?, ?)", (i, code, code, blob + shapely.to_wkb(square)))
    con.commit()
    con.close()
    return path


def test_geojson_in_degrees_is_read_in_kilometres(tmp_path):
    path = geojson(tmp_path / "LSOA_2021_EW_BGC.geojson")
    assert boundaries.find(tmp_path) == path
    shapes = boundaries.read(path, ["E01000001", "E01000002", "E01000099"])
    assert sorted(shapes) == ["E01000001", "E01000002"]  # a code the file lacks is left out
    a = shapes["E01000001"]
    # 0.02 degrees of longitude at 53.81 N is 0.02 * 111.32 * cos(53.81) = 1.315 km; of latitude 2.226 km
    assert (round(a.bounds[2] - a.bounds[0], 3), round(a.bounds[3] - a.bounds[1], 3)) == (1.315, 2.226)


def test_geopackage_in_national_grid_metres_is_read_in_kilometres(tmp_path):
    path = geopackage(tmp_path / "lsoa_boundaries.gpkg")
    shapes = boundaries.read(path, ["E01000001", "E01000002"])
    assert shapes["E01000002"].bounds == (331.0, 435.0, 332.0, 436.0)
    assert shapes["E01000001"].area == 1.0


def test_a_boundary_file_without_lsoa_codes_or_two_files_stop_naming_them(tmp_path):
    path = geojson(tmp_path / "lsoa.geojson", key="NAME")
    with pytest.raises(DataError, match=r"lsoa\.geojson.*no LSOA code column"):
        boundaries.read(path, ["E01000001"])
    (tmp_path / "lsoa_2011.json").write_text("{}")
    with pytest.raises(DataError, match="a second LSOA boundary file"):
        boundaries.find(tmp_path)
    (tmp_path / "lsoa.geojson").unlink()
    with pytest.raises(DataError, match=r"lsoa_2011\.json.*not a GeoJSON feature collection"):
        boundaries.read(tmp_path / "lsoa_2011.json", ["E01000001"])


def test_choropleth_shades_the_neighbourhoods_of_the_report(tmp_path):
    folder = street.write(tmp_path / "police_uk")
    geojson(folder / "LSOA_2021_EW_BGC.geojson")
    f = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    shapes = boundaries.read(boundaries.find(folder), [r["lsoa_code"] for r in f["series"]["neighbourhoods"]])
    html = charts.choropleth(f, shapes)
    spec = charts.spec_of(html)
    assert spec["description"].startswith("Map of Alpha's 2 neighbourhoods (LSOAs), north up")
    assert "The most: Alpha 001A, 48." in spec["description"]
    shaded = spec["layer"][0]["data"]["values"]
    assert [(s["properties"]["lsoa_name"], s["properties"]["value"], s["properties"]["class"]) for s in shaded] == [
        ("Alpha 001A", 48, "20 or more"),
        ("Alpha 002B", 24, "20 or more"),
    ]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [
        "1",
        "2 to 4",
        "5 to 9",
        "10 to 19",
        "20 or more",
    ]
    assert spec["projection"] == {"type": "identity", "reflectY": True}  # kilometres, north up
    assert charts.choropleth(f, {}) is None  # no shapes for its neighbourhoods: no map


def test_map_classes():
    assert charts.classes(3) == [1, 2]
    assert charts.classes(48) == [1, 2, 5, 10, 20]
    assert charts.classes(1076) == [1, 5, 20, 100, 500]  # at most six classes, from 1
