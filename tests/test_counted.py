"""The large tables counted, not held (csp_lib/data/counted.py): DuckDB's count of a plain CSV file is the
pandas count of the same file read into frames, group for group; a value DuckDB is in any doubt about sends
the file to the careful readers, so every error still names its file, line and column."""

from __future__ import annotations

import pytest

from conftest import TINY, write_tiny
from csp_lib.data import counted, readers
from csp_lib.data import load as load_data
from csp_lib.data.readers import DataError

CRIMES = TINY["crimes.csv"]
ASB = TINY["asb_incidents.csv"]


def _both(folder, name="crimes"):
    """(DuckDB's count, pandas' count) of a table of ``folder``."""
    path = folder / f"{name}.csv"
    districts = {"A", "B", "C"}
    fast = counted.count_csv(path, name, districts, counted.plain_header(path), readers._convert)
    frame = readers.read_table(path, readers.contract.TABLES[name], districts)
    return fast, counted.from_frame(name, frame)


def test_crimes_counted_by_hand(tiny):
    data = load_data(tiny)
    assert "crimes" in data._counted  # counted by DuckDB, not read into a frame
    g = data.counted("crimes").groups
    assert data.counted("crimes").rows == 14 and int(g["n"].sum()) == 14
    # c04: a rape of 2017-03 committed in 2015-01, against a victim of 14 (the step below 15 is 0), no
    # offender age, CSE-flagged, recorded 820 days after it took place
    c04 = g[(g["offence"] == "Rape") & (g["month"] == 2017 * 12 + 2)].iloc[0]
    assert int(c04["victim_age"]) == 0 and c04["offender_age"] is pd_na()
    assert bool(c04["cse"]) and bool(c04["non_recent"]) and int(c04["cmonth"]) == 2015 * 12
    # c02: ages 22 and 19 are in the 15-24 bands (steps 16 and 15), its strands sorted
    c02 = g[g["hate_strands"] != ""].iloc[0]
    assert (int(c02["victim_age"]), int(c02["offender_age"]), c02["hate_strands"]) == (16, 15, "disability;race")
    assert not bool(c02["non_recent"]) and c02["cmonth"] is pd_na()
    # B's three non-injury assaults are in three months, one group each
    b = g[g["district"] == "B"]
    assert sorted(b["month"]) == [2015 * 12 + 7, 2015 * 12 + 8, 2016 * 12 + 7] and set(b["n"]) == {1}


def pd_na():
    import pandas as pd

    return pd.NA


def test_asb_counted_by_district_and_month(tiny):
    data = load_data(tiny)
    assert "asb_incidents" in data._counted
    g = data.counted("asb_incidents").groups
    # a3, a4 and a5 are three incidents of A in 2015-07: one group of 3
    assert int(g[(g["district"] == "A") & (g["month"] == 2015 * 12 + 6)]["n"].iloc[0]) == 3
    assert list(g.columns) == ["district", "month", "n"]


def test_the_two_counts_are_the_same(tmp_path):
    crimes = CRIMES + "c15,2016-08-02,,A,Rape,,,,race ; race,,\nc16,2016-08-03,2016-08-01,A,Rape,120,0,yes,,TRUE,No\n"
    folder = write_tiny(tmp_path / "t", crimes_csv=crimes)
    fast, slow = _both(folder)
    assert fast is not None
    assert fast.groups.equals(slow.groups) and fast.rows == slow.rows == 16
    fast, slow = _both(folder, "asb_incidents")
    assert fast.groups.equals(slow.groups)


def test_neighbourhoods_counted_alike(tmp_path):
    asb = "incident_ref,date,district,asb_category,lsoa_code,lsoa_name\n"
    asb += "a1,2016-07-01,A,nuisance,E01000001,A 001A\na2,2016-07-02,A,,E01000001,\n"
    asb += "a3,2016-07-03,A,,E01000002,\na4,2016-08-01,B,,,\n"
    folder = write_tiny(tmp_path / "t", asb_incidents_csv=asb)
    fast, slow = _both(folder, "asb_incidents")
    assert fast.lsoa.equals(slow.lsoa)
    # a2 has no name: named by its code; a4 has no code: in no neighbourhood
    assert list(fast.lsoa["lsoa_name"]) == ["A 001A", "E01000001", "E01000002"]
    assert list(fast.lsoa["n"]) == [1, 1, 1]
    frame = load_data(folder).lsoa("A")
    assert frame.groupby("lsoa_code")["n"].sum().to_dict() == {"E01000001": 2, "E01000002": 1}
    assert set(frame["lsoa_name"]) == {"A 001A", "E01000002"}  # one name a code: the least


@pytest.mark.parametrize(
    "old, new",
    [
        (",30,31,", ",5.0,31,"),  # a whole number pandas reads and DuckDB would round
        (",30,31,", ",+30,31,"),
        ("2016-05-10,", "2016-5-10,"),  # a date pandas reads; DuckDB's cast reads looser ones too
        (",1,,0,1", ",yeſ,,0,1"),  # a long s: RE2's case folding would read it as yes, Python's lower does not
        (",A,Serious", ", A ,Serious"),  # spaces to strip
        (",A,Serious", ",A\t,Serious"),  # whitespace Python strips and DuckDB's trim would not
        (",A,Serious", ",\u00a0A,Serious"),
        (",30,31,", ",30\t,31,"),
        ("c01,", "c01\u3000,"),
        ("c01,", '"c01",'),  # quoted
        ("crime_ref,", "\ufeffcrime_ref,"),  # a byte-order mark
        ("\nc05,", "\n\nc05,"),  # a blank line: the exact reader says so
        ("\nc05,", "\r\nc05,"),
    ],
)
def test_a_value_in_doubt_is_read_by_the_careful_readers(tmp_path, old, new):
    folder = write_tiny(tmp_path / "t", crimes_csv=CRIMES.replace(old, new, 1))
    path = folder / "crimes.csv"
    said: list[str] = []
    try:
        frame = readers.read_table(path, readers.contract.TABLES["crimes"], {"A", "B", "C"}, said)
    except DataError as e:
        with pytest.raises(DataError) as got:
            load_data(folder)
        assert str(got.value) == str(e)
        return
    fast = counted.count_csv(path, "crimes", {"A", "B", "C"}, counted.plain_header(path), readers._convert)
    assert fast is None or fast.groups.equals(counted.from_frame("crimes", frame).groups)
    data = load_data(folder)
    assert data.counted("crimes").groups.equals(counted.from_frame("crimes", frame).groups)
    assert all(w in data.warnings for w in said)  # a blank line skipped is still said


@pytest.mark.parametrize(
    "old, new",
    [
        (",30,31,", ",5.5,31,"),
        ("2016-05-10,", "2016-05-10 00:00:00,"),
        ("2016-05-10,", "2016-02-30,"),
        (",30,31,", ",121,31,"),
        ("Serious assault", "Serious Assault"),
        (",1,,0,1", ",2,,0,1"),
        ("race;disability", "race;age"),
        ("c03,", "c01,"),
        ("c03,", "c01 ,"),  # a duplicate once stripped
        ("2016-05-10,2016-05-09", "2016-05-10,2016-05-11"),
    ],
)
def test_duckdb_refuses_what_the_careful_readers_refuse(tmp_path, old, new):
    folder = write_tiny(tmp_path / "t", crimes_csv=CRIMES.replace(old, new, 1))
    path = folder / "crimes.csv"
    assert counted.count_csv(path, "crimes", {"A", "B", "C"}, counted.plain_header(path), readers._convert) is None
    with pytest.raises(DataError, match=r"crimes\.csv, line \d+, column"):
        load_data(folder)


def test_the_records_are_read_only_when_asked_for(tiny):
    data = load_data(tiny)
    assert callable(dict.__getitem__(data.tables, "crimes"))  # not read yet
    assert len(data["crimes"]) == 14 and int(data["crimes"].attrs["lines"][3]) == 5


def test_a_temporary_folder_with_a_quote_in_its_name(tiny, tmp_path, monkeypatch):
    import tempfile

    odd = tmp_path / "it's"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))  # where DuckDB spills: quoted in its SET
    assert "crimes" in load_data(tiny)._counted
