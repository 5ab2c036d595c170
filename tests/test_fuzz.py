"""Fuzzing the loaders: whatever a file holds, loading it either works or raises DataError."""

from __future__ import annotations

import gzip
import os
import string

import street
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TINY, write_tiny
from csp_lib import figures
from csp_lib.data import load as load_data
from csp_lib.data.readers import DataError

COLUMNS = TINY["crimes.csv"].splitlines()[0].split(",")
VALUES = [
    "",
    "A",
    "B",
    "Z",
    "2016-05-10",
    "2016-13-01",
    "2099-01-01",
    "1899-12-31",
    "Rape",
    "Burglary",
    "rape",
    "1",
    "0",
    "yes",
    "maybe",
    "-1",
    "150",
    "3.5",
    "race",
    "race;religion",
    ";;",
    "c01",
    '"',
    '""',
    "a,b",
    "\t",
    " ",
    "\u00e9",
    "\u0000",
    "NaN",
    "None",
    "null",
    "1e9",
    "2016-02-29",
]
cell = st.one_of(st.sampled_from(VALUES), st.text(alphabet=string.printable + "\u00e9\u2019", max_size=12))


@st.composite
def crimes_csv(draw) -> str:
    cols = draw(st.lists(st.sampled_from(COLUMNS + ["Offence", "extra", ""]), min_size=0, max_size=13))
    if draw(st.booleans()):
        cols = COLUMNS + cols[:2]
    rows = draw(st.lists(st.lists(cell, min_size=len(cols), max_size=len(cols) + 1), max_size=8))
    sep = draw(st.sampled_from(["\n", "\r\n"]))
    return sep.join([",".join(cols)] + [",".join(r) for r in rows]) + draw(st.sampled_from(["", sep, sep * 3]))


SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(text=crimes_csv())
def test_any_crimes_text_loads_or_is_refused_cleanly(tmp_path_factory, text):
    folder = write_tiny(tmp_path_factory.mktemp("fuzz"), crimes_csv=text)
    try:
        data = load_data(folder)
    except DataError as e:
        assert str(e) and "crimes.csv" in str(e)
        return
    try:
        figures.compute(data, "A", "2016/17")
    except DataError:
        pass  # e.g. the period is outside what the fuzzed records cover


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_or_are_refused_cleanly(tmp_path_factory, raw):
    folder = write_tiny(tmp_path_factory.mktemp("bytes"))
    (folder / "crimes.csv").write_bytes(raw)
    try:
        load_data(folder)
    except DataError:
        pass


@SETTINGS
@given(raw=st.binary(max_size=200), name=st.sampled_from(["crimes.csv.gz", "crimes.parquet"]))
def test_any_bytes_as_gzip_or_parquet(tmp_path_factory, raw, name):
    folder = write_tiny(tmp_path_factory.mktemp("bin"))
    (folder / "crimes.csv").unlink()
    (folder / name).write_bytes(raw)
    try:
        load_data(folder)
    except DataError:
        pass


STREET_COLUMNS = street.HEADER.split(",")


@st.composite
def street_csv(draw) -> str:
    """A police.uk street file: the real header (or a damaged one) and rows of any cells."""
    header = street.HEADER
    if draw(st.booleans()):
        header = ",".join(draw(st.lists(st.sampled_from(STREET_COLUMNS + ["Crime category", ""]), max_size=13)))
    good = street.rows("2021-01")
    rows = draw(st.lists(st.one_of(st.sampled_from(good), st.lists(cell, max_size=13).map(",".join)), max_size=8))
    return "\n".join([header, *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))


@SETTINGS
@given(text=street_csv(), gz=st.booleans())
def test_any_street_file_loads_or_is_refused_cleanly(tmp_path_factory, text, gz):
    folder = tmp_path_factory.mktemp("street")
    name = "2021-01-testshire-street.csv"
    if gz:
        (folder / (name + ".gz")).write_bytes(gzip.compress(text.encode()))
    else:
        (folder / name).write_text(text, encoding="utf-8")
    try:
        data = load_data(folder)
    except DataError as e:
        assert "street" in str(e) or str(folder) in str(e)
        return
    for area in data.areas["district"]:
        try:
            figures.compute(data, area, "2021-01")
        except DataError:
            pass  # the year before has no files


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_a_street_file(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("streetbytes")
    (folder / "2021-01-testshire-street.csv.gz").write_bytes(raw)
    try:
        load_data(folder)
    except DataError:
        pass
