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


# the fast reader (Arrow, readers._fast_table) reads a plain file to the very frame the exact reader (pandas,
# readers._exact_table) makes, and leaves every file it has a doubt about to the exact one, which names the problem


def _both(folder, name):
    from csp_lib.data import contract, readers

    table = contract.TABLES[name]
    path = readers.table_path(folder, name)
    fast = readers._fast_table(path, table, {"A", "B", "C"})
    exact = readers._exact_table(path, table, {"A", "B", "C"}, [])
    return fast, exact


SPACED = TINY["crimes.csv"].replace(",A,", ", A ,").replace("c02,", '" c02 ",').replace(",22,", ", 22,")
UPPER = TINY["referrals.csv"].replace(",1\n", ",YES\n").replace(",0\n", ",False\n")
QUOTED = TINY["hate_incidents.csv"].replace("Racist incident", '"Racist, incident"')
CHOICE = TINY["asb_incidents.csv"].replace("nuisance", "Nuisance")


@pytest.mark.parametrize(
    "name,text",
    [
        ("crimes", TINY["crimes.csv"]),
        ("crimes", TINY["crimes.csv"].replace("\n", "\r\n")),
        ("crimes", TINY["crimes.csv"].rstrip("\n")),  # no line end after the last line
        ("crimes", SPACED),
        ("referrals", UPPER),
        ("hate_incidents", QUOTED),
        ("asb_incidents", CHOICE),
        ("marac_cases", TINY["marac_cases.csv"]),
        ("interventions", TINY["interventions.csv"]),
        ("areas", TINY["areas.csv"]),
        ("areas", "district,county,code\nA,X,E06000009\nB,X,E06000010\nC,Y,E06000011\n"),  # three text columns
    ],
)
def test_fast_reader_reads_as_the_exact_reader(tmp_path, name, text):
    folder = write_tiny(tmp_path / "ok", **{f"{name}_csv": text})
    fast, (exact, lines) = _both(folder, name)
    assert fast is not None, "a plain file is read fast"
    pd.testing.assert_frame_equal(fast[0], exact, check_exact=True)
    assert fast[1].tolist() == lines.tolist()


def test_fast_reader_reads_gzip(tmp_path):
    import gzip

    folder = write_tiny(tmp_path / "gz", crimes_csv=None)
    (folder / "crimes.csv.gz").write_bytes(gzip.compress(TINY["crimes.csv"].encode()))
    fast, (exact, _) = _both(folder, "crimes")
    assert fast is not None
    pd.testing.assert_frame_equal(fast[0], exact, check_exact=True)


CRIMES = TINY["crimes.csv"]


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + CRIMES,  # a byte-order mark
        CRIMES.replace("\nc03", "\n\nc03"),  # a blank line inside
        CRIMES + "\n",  # a blank line at the end (the exact reader skips it)
        CRIMES.replace("c02,", "c02\t,"),  # a tab: str.strip() strips it, Arrow's reader would not
        CRIMES.replace("c01,", "c01\u00a0,"),  # a no-break space, the same
        CRIMES.replace("c05,", '"c0\n5",'),  # a value holding a line end: lines are not rows
        CRIMES.replace("Burglary", "Burglery"),  # an unknown offence
        CRIMES.replace(",A,", ",Q,", 1),  # an unknown district
        CRIMES.replace("2016-05-10", "2016-5-10"),  # a date the exact reader may read otherwise
        CRIMES.replace("2016-05-10", "2999-05-10"),  # a date in the future
        CRIMES.replace("2016-05-10", "1899-05-10"),  # before 1900
        CRIMES.replace(",30,31,", ",-3,31,"),  # a negative age
        CRIMES.replace(",30,31,", ",130,31,"),  # not a possible age
        CRIMES.replace(",30,31,", ",3.5,31,"),  # not a whole number
        CRIMES.replace(",1,,0,1", ",maybe,,0,1"),  # not yes/no
        CRIMES.replace("c01,2016-05-10", ",2016-05-10"),  # empty in a required column
        CRIMES.replace("c02,2016-06-01,2016-06-01,A,Less serious assault,22,19,0,race;disability,0,0", ",,,,,,,,,,"),
        CRIMES.replace("c02,", "c02,x,"),  # a line with a value too many
        CRIMES.replace("crime_ref", "crime ref"),  # a misspelt column
        CRIMES.split("\n")[0] + "\n",  # a header and no rows
    ],
)
def test_fast_reader_leaves_doubt_to_the_exact_reader(tmp_path, text):
    folder = write_tiny(tmp_path / "doubt", crimes_csv=text)
    from csp_lib.data import contract, readers

    path = readers.table_path(folder, "crimes")
    assert readers._fast_table(path, contract.TABLES["crimes"], {"A", "B", "C"}) is None


def test_fast_reader_names_a_hidden_character_and_a_duplicate_as_the_exact_one(tmp_path):
    from csp_lib.data import contract, readers

    for name, text in [
        ("hate_incidents", TINY["hate_incidents.csv"].replace("Homophobic", "Homo\u202ephobic")),
        ("crimes", CRIMES.replace("c03,", "c02,")),
    ]:
        folder = write_tiny(tmp_path / name, **{f"{name}_csv": text})
        path = readers.table_path(folder, name)
        with pytest.raises(DataError) as fast:
            readers._fast_table(path, contract.TABLES[name], {"A", "B", "C"})
        with pytest.raises(DataError) as exact:
            readers._exact_table(path, contract.TABLES[name], {"A", "B", "C"}, [])
        assert str(fast.value) == str(exact.value) and ", line " in str(fast.value)
