"""The Home Office open data tables reader: hand-made tables (tests/homeoffice.py) in CSV, XLSX and ODS,
header variants, notes rows and cover sheets, counted by hand; the bodies that are not areas; two forces'
files; the cache; and the refusals, each naming file, line (or sheet and row) and column."""

from __future__ import annotations

import os

import homeoffice as ho
import pytest

from csp_lib import data as data_pkg
from csp_lib.data import DataError
from csp_lib.data import homeoffice as H


def _alpha(cube, year=2016):
    return cube[(cube["csp"] == "Alpha") & (cube["year"] == year) & (cube["level"] == "csp")]


def _by(cube, column):
    return {k: int(v) for k, v in cube.groupby(column)["n"].sum().items()}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
@pytest.mark.parametrize(
    "style,notes", [("title", False), ("snake", True), ("upper", False), ("mixed", True), ("published", True)]
)
def test_each_format_and_header_variant_gives_the_counts_worked_by_hand(tmp_path, fmt, style, notes):
    ho.write(tmp_path, name="download (3)", fmt=fmt, style=style, notes=notes)  # recognised by header, not name
    tables = H.load(tmp_path)
    assert [(t.level, t.header_row, t.sheet) for t in tables.tables] == [
        ("csp", 4 if notes else 1, None if fmt == "csv" else "Data")  # the cover sheet is passed over
    ]
    alpha = _alpha(tables.cube)
    assert int(alpha["n"].sum()) == 64
    assert _by(alpha, "offence_group") == {
        "Violence against the person": 44,
        "Sexual offences": 4,
        "Theft offences": 16,
    }
    assert _by(alpha, "offence_subgroup") == {
        "Violence with injury": 26,
        "Violence without injury": 12,
        "Stalking and harassment": 6,
        "Rape": 4,
        "Domestic burglary": 16,
    }
    assert _by(alpha, "quarter") == {1: 14, 2: 16, 3: 16, 4: 18}
    assert int(_alpha(tables.cube, 2015)["n"].sum()) == 44
    assert set(_alpha(tables.cube, 2015).query("offence_code == '19C'")["n"]) == {0}  # a row of 0 is kept
    testshire = tables.cube[(tables.cube["force"] == "Testshire") & (tables.cube["year"] == 2016)]
    assert int(testshire["n"].sum()) == 112
    assert tables.quarters("csp") == [(y, q) for y in (2015, 2016) for q in (1, 2, 3, 4)]


def test_bodies_that_are_not_areas_are_kept_out_of_the_areas_and_named(tmp_path):
    ho.write(tmp_path, name="csp", level="csp")
    ho.write(tmp_path, name="pfa", level="pfa", fmt="xlsx")
    tables = H.load(tmp_path)
    assert sorted(t.level for t in tables.tables) == ["csp", "pfa"]
    areas = tables.areas
    assert sorted(areas[areas["level"] == "csp"]["area"]) == ["Alpha", "Beta", "Gamma"]
    assert sorted(areas[areas["level"] == "pfa"]["area"]) == ["Otherforce", "Testshire"]
    # Action Fraud: 7 a quarter, 8 quarters, in both tables; British Transport Police: 3 a quarter, PFA table only
    assert tables.bodies() == [
        {"body": "Action Fraud", "level": "csp", "offences": 56, "codes": 1},
        {"body": "Action Fraud", "level": "pfa", "offences": 56, "codes": 1},
        {"body": "British Transport Police", "level": "pfa", "offences": 24, "codes": 1},
    ]
    pfa = tables.cube[(tables.cube["level"] == "pfa") & ~tables.cube["body"] & (tables.cube["year"] == 2016)]
    assert _by(pfa, "force") == {"Testshire": 112, "Otherforce": 4}  # the sums of their CSPs


def test_two_forces_files_are_read_together(tmp_path):
    t = ho.header("csp")
    ho.write(tmp_path, name="testshire", table=[t, *ho.rows(csps=("Alpha", "Beta"))])
    ho.write(tmp_path, name="otherforce", fmt="ods", table=[t, *ho.rows(csps=("Gamma",))])
    tables = H.load(tmp_path)
    assert len(tables.tables) == 2
    assert _by(tables.cube[(tables.cube["year"] == 2016) & ~tables.cube["body"]], "csp") == {
        "Alpha": 64,
        "Beta": 48,
        "Gamma": 4,
    }


def test_a_csp_in_two_forces_files_is_refused(tmp_path):
    t = ho.header("csp")
    ho.write(tmp_path, name="a-testshire", table=[t, *ho.rows(csps=("Alpha",))])
    moved = [[*r[:2], "Otherforce", *r[3:]] for r in ho.rows(csps=("Alpha",), years=(2016,)) if r[3] == "Alpha"]
    ho.write(tmp_path, name="b-otherforce", table=[t, *moved[:1]])
    with pytest.raises(DataError) as e:
        H.load(tmp_path)
    assert str(e.value) == (
        f"{tmp_path}/b-otherforce.csv, line 2, column 'Force Name': the CSP 'Alpha' is under two forces, "
        "'Otherforce' and 'Testshire': a partnership is in one force area. Keep the tables of one release, or "
        "correct the Force Name of the CSP's rows"
    )


def test_the_same_figures_in_two_releases_are_refused(tmp_path):
    ho.write(tmp_path, name="release-1")
    ho.write(tmp_path, name="release-2", fmt="xlsx")
    with pytest.raises(DataError) as e:
        H.load(tmp_path)
    assert str(e.value).startswith(
        f"{tmp_path}/release-2.xlsx, sheet 'Data', row 2, column 'Offence Code': Alpha's offence 8N in 2015/16 "
        "quarter 1 is also in release-1.csv (line 2): two releases of the same figures"
    )


def _refused(tmp_path, fmt, row, column, value, style="title"):
    table = [ho.header("csp", style), *ho.rows()]
    table[row - 1][column] = value
    ho.write(tmp_path, fmt=fmt, table=table)
    with pytest.raises(DataError) as e:
        H.load(tmp_path)
    return str(e.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    "fmt,where", [("csv", "prc-csp-tables.csv, line 5"), ("xlsx", "prc-csp-tables.xlsx, sheet 'Data', row 5")]
)
def test_bad_values_are_refused_with_file_line_and_column(tmp_path, fmt, where):
    cases = [
        (0, "2016", "column 'Financial Year': '2016' is not a financial year. Write it as the Home Office does"),
        (0, "2016/18", "column 'Financial Year': '2016/18' is not a financial year"),
        (1, "5", "column 'Financial Quarter': '5' is not a financial quarter. Write 1 to 4"),
        (8, "-2", "column 'Number of Offences': '-2' is negative"),
        (8, "many", "column 'Number of Offences': 'many' is not a whole number"),
        (8, "", "column 'Number of Offences': '' is not a whole number"),
        (3, "Al\u202epha", "column 'CSP Name': 'Al\\u202epha' holds a control character (U+202E)"),
        (2, "Test\nshire", "column 'Force Name': 'Test\\nshire' holds a control character (U+000A)"),
        (7, " ", "column 'Offence Code': the Offence Code is blank"),
    ]
    for column, value, expected in cases:
        if fmt == "csv" and "\n" in value:
            continue  # a line break splits a CSV line: a quoted one is read, and its line counted as the row's
        folder = tmp_path / f"{column}-{abs(hash(value))}"
        message = _refused(folder, fmt, 5, column, value)
        assert message.startswith(f"{where}, {expected}"), message


def test_the_line_number_follows_notes_rows_above_the_header(tmp_path):
    table = [ho.header("csp", "snake"), *ho.rows()]
    table[9][1] = "Q9"
    ho.write(tmp_path, table=table, notes=True)  # three notes rows: the header is line 4, the bad row line 13
    with pytest.raises(DataError, match=r"prc-csp-tables\.csv, line 13, column 'financial_quarter': 'Q9' is not"):
        H.load(tmp_path)


def test_a_header_missing_a_column_is_refused_naming_it(tmp_path):
    table = [[c for c in ho.header("csp") if c != "Financial Quarter"], *(r[:1] + r[2:] for r in ho.rows())]
    ho.write(tmp_path, fmt="ods", table=table, notes=True)
    with pytest.raises(DataError) as e:
        H.load(tmp_path)
    assert str(e.value).startswith(
        f"{tmp_path}/prc-csp-tables.ods, sheet 'Data', row 4: a Home Office table's header without "
        "'Financial Quarter' (columns found: Financial Year, Force Name, CSP Name,"
    )


def test_a_column_under_two_of_its_names_is_refused_naming_both(tmp_path):
    table = [[*ho.header("csp"), "Offence Count"], *(r + [r[-1]] for r in ho.rows())]
    ho.write(tmp_path, table=table)
    with pytest.raises(DataError) as e:
        H.load(tmp_path)
    assert str(e.value).startswith(
        f"{tmp_path}/prc-csp-tables.csv, line 1: the column 'Number of Offences' (or 'Offence Count') is in the "
        "header twice (Number of Offences, Offence Count)"
    )


def test_other_files_of_the_folder_are_not_taken_for_tables(tmp_path):
    ho.write(tmp_path)
    (tmp_path / "areas.csv").write_text("district,county\nAlpha,Testshire\n")
    (tmp_path / "notes.csv").write_text("Offence Code,Number of Offences\n8N,3\n")  # two of the columns: not a table
    assert [t.path.name for t in H.find(tmp_path)] == ["prc-csp-tables.csv"]
    assert data_pkg.kind(tmp_path) == "home office"
    (tmp_path / "crimes.csv").write_text("crime_ref\n")
    assert data_pkg.kind(tmp_path) == "contract"  # a force's extract is read as it always was


def test_a_folder_of_tables_alone_is_read_as_its_csps_and_force_areas(tmp_path):
    ho.write(tmp_path)
    data = data_pkg.load(tmp_path)
    assert data.format == "home office"
    rows = data.areas[["district", "county", "level"]].values.tolist()
    assert rows == [  # Action Fraud is no area
        ["Gamma", "Otherforce", "csp"],
        ["Alpha", "Testshire", "csp"],
        ["Beta", "Testshire", "csp"],
        ["Otherforce police force area", "England and Wales", "pfa"],
        ["Testshire police force area", "England and Wales", "pfa"],
    ]


def test_the_cube_is_cached_checked_on_read_and_counted_again_when_a_file_changes(tmp_path, capsys):
    folder = tmp_path / "data"
    path = ho.write(folder)
    first = H.load(folder)
    assert not first.reused
    again = H.load(folder)
    assert again.reused and again.cube.equals(first.cube)
    from csp_lib.data.policeuk import cache_dir

    entries = sorted(cache_dir().glob(f"home-office-*{H.files_key(first.tables)}.parquet"))
    assert len(entries) == 1
    entries[0].write_bytes(b"not parquet")
    damaged = H.load(folder)
    assert not damaged.reused and damaged.cube.equals(first.cube)
    assert "is damaged: dropped and counted again" in capsys.readouterr().err
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    touched = H.load(folder)
    assert not touched.reused
    # one cube per folder: the older entry is gone
    assert len(list(cache_dir().glob(entries[0].name.rsplit("-", 1)[0] + "-*.parquet"))) == 1
    assert not list(cache_dir().glob("*.tmp"))


def test_an_unwritable_cache_counts_in_a_temporary_folder(tmp_path, capsys, monkeypatch):
    ho.write(tmp_path / "data")
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # the cache's folder would be below a file: it cannot be made, even by root
    monkeypatch.setenv("CSP_CACHE_DIR", str(blocked))
    tables = H.load(tmp_path / "data")
    assert int(_alpha(tables.cube)["n"].sum()) == 64 and not tables.reused
    assert "cannot be written" in capsys.readouterr().err


# -- figures from the offence codes (csp_lib/figures/homeoffice.py) -----------------------------------------
def _cube(tmp_path, **kw):
    ho.write(tmp_path, name="csp")
    ho.write(tmp_path, name="pfa", level="pfa")
    return H.load(tmp_path).cube


def test_figures_of_a_csp_and_its_force_are_the_sums_worked_by_hand(tmp_path):
    from csp_lib.data.periods import parse
    from csp_lib.figures import homeoffice as F

    cube = _cube(tmp_path)
    fy = F.quarters_of(parse("2016/17"))
    assert fy == [(2016, 1), (2016, 2), (2016, 3), (2016, 4)]
    alpha = F.counts(F.rows_of(cube, "csp", "Alpha"), fy)
    assert {k: alpha[k] for k in ("all_crime", "vap", "vap_violence_with_injury", "vap_violence_without_injury")} == {
        "all_crime": 64,
        "vap": 44,
        "vap_violence_with_injury": 26,
        "vap_violence_without_injury": 12,
    }
    assert (alpha["vap_stalking_and_harassment"], alpha["sexual_offences"], alpha["rape"]) == (6, 4, 4)
    assert (alpha["other_sexual_offences"], alpha["theft_offences"], alpha["domestic_burglary"]) == (0, 16, 16)
    assert alpha["shoplifting"] == 0 and alpha["fraud_offences"] == 0
    assert F.counts(F.rows_of(cube, "csp", "Alpha"), F.quarters_of(parse("2015/16")))["all_crime"] == 44
    # the force area as the sum of its CSPs, and the PFA table's own row: Action Fraud's fraud in neither
    by_csps = F.counts(F.rows_of(cube, "csp", force="Testshire"), fy)
    pfa = F.counts(F.rows_of(cube, "pfa", "Testshire"), fy)
    assert (by_csps["all_crime"], by_csps["vap"], by_csps["shoplifting"]) == (112, 52, 40)
    assert pfa == by_csps
    # a quarter, and a span of two whole quarters
    assert F.counts(F.rows_of(cube, "csp", "Alpha"), F.quarters_of(parse("2016/17-Q3")))["all_crime"] == 16
    assert F.quarters_of(parse("2016-07..2016-12")) == [(2016, 2), (2016, 3)]
    assert F.counts(F.rows_of(cube, "csp", "Alpha"), F.quarters_of(parse("2016-07..2016-12")))["all_crime"] == 32
    assert F.quarters_of(parse("2016-10..2017-03")) == [(2016, 3), (2016, 4)]


def test_fraud_is_out_of_all_crime_and_an_unlisted_subgroup_is_never_an_id_of_ours(tmp_path):
    from csp_lib.figures import homeoffice as F

    table = [ho.header("csp"), *ho.rows(years=(2016,))]
    table.append(
        ["2016/17", 1, "Testshire", "Alpha", "Fraud by false representation", "Fraud offences", "Fraud", "53A", 5]
    )
    table.append(["2016/17", 2, "Testshire", "Alpha", "Made up", "Theft offences", "All crime", "99Z", 2])
    ho.write(tmp_path, table=table)
    rows = F.rows_of(H.load(tmp_path).cube, "csp", "Alpha")
    got = F.counts(rows, [(2016, q) for q in (1, 2, 3, 4)])
    assert got["fraud_offences"] == 5
    assert got["all_crime"] == 64 + 2  # the fraud left out, the unlisted subgroup counted once
    assert got["theft_offences"] == 18
    unlisted = [k for k in got if k.startswith("unlisted_offence_subgroup_")]
    assert len(unlisted) == 1 and got[unlisted[0]] == 2
    assert F.unlisted(rows) == ["Theft offences / All crime"]


def test_the_recent_tables_spellings_of_subgroups_are_the_same_figures(tmp_path):
    """The recent tables (2024/25's sheets) spell some subgroups otherwise: "Rape offences", "Other theft
    offences", "Death or serious injury - unlawful driving", "Residential burglary" and "Non-residential
    burglary". Each is its figure, never an unlisted one: rape 3 + 2 = 5, all other theft 4, burglary 6 + 1."""
    from csp_lib.figures import homeoffice as F

    table = [ho.header("csp", "published")]
    for q, code, desc, group, sub, n in [
        (1, "19C", "Rape of a female aged 16 and over", "Sexual offences", "Rape offences", 3),
        (2, "19D", "Rape of a female aged under 16", "Sexual offences", "Rape offences", 2),
        (1, "49", "Other theft", "Theft offences", "Other theft offences", 4),
        (1, "28E", "Burglary - residential", "Theft offences", "Residential burglary", 6),
        (3, "30A", "Burglary - business and community", "Theft offences", "Non-residential burglary", 1),
        (
            4,
            "4.4",
            "Causing death by dangerous driving",
            "Violence against the person",
            "Death or serious injury - unlawful driving",
            1,
        ),
    ]:
        table.append(["2024/25", q, "Testshire", "Alpha", desc, group, sub, code, n])
    ho.write(tmp_path, fmt="ods", table=table)
    rows = F.rows_of(H.load(tmp_path).cube, "csp", "Alpha")
    got = F.counts(rows, [(2024, q) for q in (1, 2, 3, 4)])
    assert (got["rape"], got["sexual_offences"], got["all_other_theft_offences"]) == (5, 5, 4)
    assert (got["residential_burglary"], got["non_residential_burglary"]) == (6, 1)
    assert F.wide(H.load_data(tmp_path).rows()).loc["Alpha"]["burglary"].sum() == 7  # all burglary: both
    assert got["vap_death_or_serious_injury_unlawful_driving"] == 1 and got["all_crime"] == 17
    assert F.unlisted(rows) == [] and not [k for k in got if k.startswith("unlisted_")]


def test_a_span_that_is_not_whole_quarters_is_refused_with_the_quarters_around_it():
    from csp_lib.data.periods import PeriodError, parse
    from csp_lib.figures import homeoffice as F

    with pytest.raises(PeriodError) as e:
        F.quarters_of(parse("2016-05..2016-10"))
    assert str(e.value) == (
        "period '2016-05..2016-10' (May to October 2016) is not whole quarters, and the Home Office tables count "
        "quarters: choose one that is, e.g. 2016-04..2016-12 (April 2016 to December 2016), a financial year "
        "(2016/17) or a quarter (2016/17-Q3)"
    )
    with pytest.raises(PeriodError, match=r"e\.g\. 2016-01\.\.2016-03 "):
        F.quarters_of(parse("2016-02"))


def test_the_figures_cache_key_changes_with_the_tables(tmp_path):
    """figures.store's data digest reads the Home Office tables (and the population file): a table replaced
    by a new release is never answered from figures cached for the old one."""
    from csp_lib.figures.store import data_digest

    folder = tmp_path / "ho"
    ho.write(folder)
    before = data_digest(folder)
    table = [ho.header(), *ho.rows()]
    table[1][-1] = int(table[1][-1]) + 1  # one count revised
    ho.write(folder, table=table)
    assert data_digest(folder) != before
