"""Loading the data contract into typed frames. The bad-input cases themselves, each with
its message, are in test_bad_input.py."""

import pandas as pd
import pytest

from conftest import TINY, write_tiny
from csp_lib.data import load as load_data
from csp_lib.data.readers import DataError


def test_loads_typed_frames(tiny):
    data = load_data(tiny)
    c = data["crimes"]
    assert len(c) == 14
    assert str(c["recorded_date"].dtype).startswith("datetime64")
    assert str(c["victim_age"].dtype) == "Int64" and c["victim_age"].isna().sum() == 5
    assert c["domestic_abuse"].sum() == 1
    assert c.loc[1, "hate_strands"] == "disability;race"
    complied = data["referrals"]["complied"]
    assert complied.iloc[:3].tolist() == [True, False, True] and pd.isna(complied.iloc[3])
    assert data.districts_of("X") == ["A", "B"] and data.county_of("C") == "Y"
    assert set(data.tables) == {
        "crimes",
        "asb_incidents",
        "hate_incidents",
        "interventions",
        "marac_cases",
        "referrals",
    }


def _error(tmp_path, **changes) -> str:
    folder = write_tiny(tmp_path / "bad", **changes)
    with pytest.raises(DataError) as e:
        load_data(folder)
    return str(e.value)


def test_counts_other_bad_rows(tmp_path):
    text = TINY["crimes.csv"].replace("Burglary", "Burglery")
    msg = _error(tmp_path, crimes_csv=text)
    assert "line 8," in msg and "(2 more rows like it)" in msg


def test_bom_crlf_and_trailing_blank_lines_are_read(tmp_path):
    text = "\ufeff" + TINY["crimes.csv"].replace("\n", "\r\n") + "\r\n\r\n"
    data = load_data(write_tiny(tmp_path / "ok", crimes_csv=text))
    assert len(data["crimes"]) == 14


def test_blank_line_inside_keeps_line_numbers(tmp_path):
    lines = TINY["crimes.csv"].splitlines()
    lines.insert(3, "")  # a blank line 4: the bad value below is on line 9 of the file
    lines[8] = lines[8].replace("Burglary", "Burglry")
    msg = _error(tmp_path, crimes_csv="\n".join(lines) + "\n")
    assert "crimes.csv, line 9, column 'offence': unknown offence 'Burglry'" in msg


def test_windows_1252_is_read_and_reported(tmp_path):
    folder = write_tiny(tmp_path / "latin")
    (folder / "areas.csv").write_bytes("district,county\nA,X\nB,X\nC,Ynys M\xf4n\n".encode("cp1252"))
    data = load_data(folder)
    assert data.county_of("C") == "Ynys M\u00f4n"
    assert data.warnings == [
        "areas.csv: not UTF-8; read as Windows-1252 (first such character on line 4). "
        "Save the export as UTF-8 to silence this."
    ]


def test_bytes_that_are_no_text_stop(tmp_path):
    folder = write_tiny(tmp_path / "bin")
    (folder / "areas.csv").write_bytes(b"district,county\nA,X\x81\n")
    with pytest.raises(DataError, match="areas.csv, line 2: not UTF-8 text"):
        load_data(folder)


def test_parquet_table(tmp_path, tiny):
    df = pd.read_csv(tiny / "crimes.csv", dtype=str, keep_default_na=False)
    (tiny / "crimes.csv").unlink()
    df.to_parquet(tiny / "crimes.parquet")
    data = load_data(tiny)
    assert len(data["crimes"]) == 14
    df.loc[3, "offence"] = "Nope"
    df.to_parquet(tiny / "crimes.parquet")
    with pytest.raises(DataError, match=r"crimes.parquet, row 4, column 'offence': unknown offence 'Nope'"):
        load_data(tiny)


def test_area_and_period_outside_the_data(tiny):
    data = load_data(tiny)
    with pytest.raises(DataError, match="area 'Nowhere' is not a district.*Districts here: A, B, C"):
        data.check_area("Nowhere")
    assert data.check_area("a") == "A"
    with pytest.raises(DataError, match="period 2018/19 is outside the data, which runs from 2015-04 to 2017-03"):
        data.check_period(2018 * 12 + 3, 2019 * 12 + 2, "2018/19")
