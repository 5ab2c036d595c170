"""Bad input, case by case: each stops with one line naming file, line and column and what to do,
or, where the problem can be recovered from, goes on and reports it.

Every case and the message it gives is listed in tests/README.md; the last test
checks that the list says what the code does.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import homeoffice
import pandas as pd
import pytest
import street

from conftest import TINY, write_tiny
from csp_lib import cli

README = Path(__file__).parent / "README.md"
CRIMES = TINY["crimes.csv"]


def _line(n: int, old: str, new: str, text: str = CRIMES) -> str:
    lines = text.splitlines()
    assert old in lines[n - 1], (n, old)
    lines[n - 1] = lines[n - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


def _header_only(folder: Path):
    (folder / "crimes.csv").write_text(CRIMES.splitlines()[0] + "\n")


def _empty_file(folder: Path):
    (folder / "crimes.csv").write_text("")


def _truncated_gz(folder: Path):
    data = gzip.compress(CRIMES.encode())
    (folder / "crimes.csv").unlink()
    (folder / "crimes.csv.gz").write_bytes(data[: len(data) // 2])


def _parquet_without_offence(folder: Path):
    df = pd.read_csv(folder / "crimes.csv", dtype=str, keep_default_na=False).drop(columns="offence")
    (folder / "crimes.csv").unlink()
    df.to_parquet(folder / "crimes.parquet")


def _damaged_parquet(folder: Path):
    (folder / "crimes.csv").unlink()
    (folder / "crimes.parquet").write_bytes(b"PAR1" + b"\x00not parquet at all" * 10)


def _street_folder(folder: Path, header: str = street.HEADER, months=street.MONTHS):
    for p in folder.iterdir():
        p.unlink()
    street.write(folder, months=months, header=header)


def _home_office(folder: Path, fmt: str = "csv", change=None, notes: bool = False, second: str | None = None):
    """Only hand-made Home Office tables (tests/homeoffice.py) in the folder; ``change(rows)`` edits the table."""
    for p in folder.iterdir():
        p.unlink()
    table = [homeoffice.header("csp"), *homeoffice.rows()]
    if change:
        change(table)
    homeoffice.write(folder, fmt=fmt, table=table, notes=notes)
    if second:
        homeoffice.write(folder, name="prc-csp-tables-again", fmt=second)


def _set(row: int, column: int, value):
    def change(table):
        table[row - 1][column] = value

    return change


def _street_changed_header(folder: Path):
    _street_folder(folder, header=street.HEADER.replace("Crime type", "Crime category"))


def _street_missing_months(folder: Path):
    _street_folder(folder, months=[m for m in street.MONTHS if m not in ("2020-04", "2020-05")])


def _street_bad_month(folder: Path):
    _street_folder(folder)
    path = folder / "2021-03-testshire-street.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",2021-03,", ",March 2021,", 1)
    path.write_text("\n".join(lines) + "\n")


def _street_lsoa_names(folder: Path, old: str, new: str):
    _street_folder(folder)
    (folder / "areas.csv").unlink()  # the districts come from the LSOA names
    for path in sorted(folder.glob("*-street.csv")):
        path.write_text(path.read_text().replace(old, new))


def _street_truncated_gz(folder: Path):
    for p in folder.iterdir():
        p.unlink()
    street.write(folder, gz=True)
    path = folder / "2021-03-testshire-street.csv.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _self_link(folder: Path):
    (folder / "marac_cases.csv").unlink()
    (folder / "marac_cases.csv").symlink_to("marac_cases.csv")  # a link to itself


def _folder_table(folder: Path):
    (folder / "hate_incidents.csv").unlink()
    (folder / "hate_incidents.csv").mkdir()


def _missing_folder(folder: Path):
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()


# id: (what is wrong, changes to the tiny folder or a function, csp figures args, expected message)
ERRORS = {
    "missing-file": ("crimes.csv is absent", {"crimes_csv": None}, {}, "crimes.csv: required table is missing"),
    "missing-column": (
        "a required column is absent",
        {"crimes_csv": CRIMES.replace("offence,", "crime_type,", 1)},
        {},
        "crimes.csv, line 1, column 'offence': required column 'offence' is missing",
    ),
    "renamed-column": (
        "a column in capitals",
        {"crimes_csv": CRIMES.replace("offence,", "Offence,", 1)},
        {},
        "Found 'Offence': rename it to 'offence'",
    ),
    "wrong-type": (
        "text in a number column",
        {"crimes_csv": _line(2, ",30,31,", ",thirty,31,")},
        {},
        "crimes.csv, line 2, column 'victim_age': 'thirty' is not a whole number",
    ),
    "unparseable-date": (
        "a date in another format",
        {"crimes_csv": _line(3, "2016-06-01,", "01/06/2016,")},
        {},
        "crimes.csv, line 3, column 'recorded_date': '01/06/2016' is not a date",
    ),
    "impossible-date": (
        "30 February",
        {"crimes_csv": _line(3, "2016-06-01,", "2016-02-30,")},
        {},
        "line 3, column 'recorded_date': '2016-02-30' is not a date",
    ),
    "future-date": (
        "a date after today",
        {"crimes_csv": _line(3, "2016-06-01,2016-06-01", "2099-06-01,2016-06-01")},
        {},
        "line 3, column 'recorded_date': '2099-06-01' is in the future",
    ),
    "duplicate-reference": (
        "two rows with one reference",
        {"crimes_csv": _line(4, "c03,", "c01,")},
        {},
        "crimes.csv, line 4, column 'crime_ref': duplicate value 'c01'",
    ),
    "unknown-offence": (
        "an offence not in the list",
        {"crimes_csv": _line(5, "Rape", "Rapee")},
        {},
        "crimes.csv, line 5, column 'offence': unknown offence 'Rapee'",
    ),
    "unknown-district": (
        "a district not in areas.csv",
        {"crimes_csv": _line(12, ",B,", ",Blackburn,")},
        {},
        "crimes.csv, line 12, column 'district': unknown district 'Blackburn'",
    ),
    "unknown-hate-strand": (
        "a strand not in the list",
        {"crimes_csv": _line(3, "race;disability", "race;age")},
        {},
        "crimes.csv, line 3, column 'hate_strands': unknown hate strand in 'race;age'",
    ),
    "unknown-intervention": (
        "an intervention type not in the list",
        {"interventions_csv": _line(2, ",CPW,", ",ASBO,", TINY["interventions.csv"])},
        {},
        "interventions.csv, line 2, column 'type': unknown value 'ASBO'",
    ),
    "unknown-asb-category": (
        "an ASB category not in the list",
        {"asb_incidents_csv": _line(2, "nuisance", "noise", TINY["asb_incidents.csv"])},
        {},
        "asb_incidents.csv, line 2, column 'asb_category': unknown value 'noise'",
    ),
    "empty-table": ("a header and no rows", _header_only, {}, "crimes.csv: the table has a header but no rows"),
    "empty-file": ("a file of zero bytes", _empty_file, {}, "crimes.csv: the file is empty"),
    "negative-age": (
        "an age below zero",
        {"crimes_csv": _line(2, ",30,31,", ",-3,31,")},
        {},
        "crimes.csv, line 2, column 'victim_age': '-3' is negative",
    ),
    "impossible-age": (
        "an age of 150",
        {"crimes_csv": _line(2, ",30,31,", ",150,31,")},
        {},
        "crimes.csv, line 2, column 'victim_age': '150' is not a possible age",
    ),
    "committed-after-recorded": (
        "an offence recorded before it happened",
        {"crimes_csv": _line(2, "2016-05-10,2016-05-09", "2016-05-10,2016-05-11")},
        {},
        "crimes.csv, line 2, column 'committed_date': committed after it was recorded",
    ),
    "bad-boolean": (
        "a yes/no column with another word",
        {"marac_cases_csv": TINY["marac_cases.csv"].replace("m2,2015-11-01,A,1,1", "m2,2015-11-01,A,1,maybe")},
        {},
        "marac_cases.csv, line 3, column 'repeat': 'maybe' is not a yes/no value",
    ),
    "bad-lsoa-code": (
        "a neighbourhood that is not an LSOA code",
        {
            "asb_incidents_csv": "\n".join(
                [TINY["asb_incidents.csv"].splitlines()[0] + ",lsoa_code"]
                + [
                    r + (",Blackpool 010A" if r.startswith("a2,") else ",E01012736")
                    for r in TINY["asb_incidents.csv"].splitlines()[1:]
                ]
            )
            + "\n"
        },
        {},
        "asb_incidents.csv, line 3, column 'lsoa_code': 'Blackpool 010A' is not an LSOA code",
    ),
    "negative-count": (
        "a negative number of children",
        {"marac_cases_csv": TINY["marac_cases.csv"].replace("m2,2015-11-01,A,1,1", "m2,2015-11-01,A,-1,1")},
        {},
        "marac_cases.csv, line 3, column 'children': '-1' is negative",
    ),
    "ragged-row": (
        "a line with an extra comma",
        {"crimes_csv": _line(6, "Rape,", "Rape,,")},
        {},
        "crimes.csv, line 6: this line has 12 values where the header has 11",
    ),
    "truncated-gz": ("a gzip file cut short", _truncated_gz, {}, "crimes.csv.gz: damaged gzip file"),
    "parquet-wrong-schema": (
        "a Parquet file without a required column",
        _parquet_without_offence,
        {},
        "crimes.parquet, column 'offence': required column 'offence' is missing",
    ),
    "parquet-damaged": (
        "a Parquet file that is not Parquet",
        _damaged_parquet,
        {},
        "crimes.parquet: cannot read Parquet file",
    ),
    "duplicate-district": (
        "a district twice in areas.csv",
        {"areas_csv": TINY["areas.csv"] + "A,X,1,1\n"},
        {},
        "areas.csv, line 5, column 'district': duplicate value 'A'",
    ),
    "control-character": (
        "a line break inside a name",
        {"areas_csv": TINY["areas.csv"].replace("C,Y,", '"C\nC",Y,')},
        {},
        "areas.csv, line 4, column 'district': 'C\\nC' holds a control character (U+000A)",
    ),
    "names-share-a-folder": (
        "two districts whose folders would be one",
        {"areas_csv": TINY["areas.csv"] + "St. Helens,Y,1,1\nSt Helens,Y,1,1\n"},
        {},
        "areas.csv, line 6, column 'district': 'St Helens' and 'St. Helens' (line 5) would share one folder, "
        "st-helens, and so one report and one commentary",
    ),
    "table-links-to-itself": (
        "a table that is a symbolic link to itself",
        _self_link,
        {},
        "marac_cases.csv: is a symbolic link that leads to no file (to itself, or to a file that is gone)",
    ),
    "table-is-a-folder": (
        "a table that is a folder",
        _folder_table,
        {},
        "hate_incidents.csv: is a folder, not a file",
    ),
    "programmes-share-a-figure": (
        "two referral programmes counted as one figure",
        {"referrals_csv": TINY["referrals.csv"] + "r5,2016-08-01,A,AVERT!,1\n"},
        {},
        "referrals.csv, line 6, column 'programme': 'AVERT!' and 'Avert' (line 2) would be counted as one figure",
    ),
    "programme-named-like-a-complied-count": (
        "a referral programme named like another's complied count",
        {"referrals_csv": TINY["referrals.csv"] + "r5,2016-08-01,A,Avert complied,\n"},
        {},
        "referrals.csv, line 6, column 'programme': 'Avert complied' and 'Avert' (line 2) would be counted as one "
        "figure",
    ),
    "incident-type-with-no-name": (
        "a hate incident type with no letter or digit",
        {"hate_incidents_csv": TINY["hate_incidents.csv"] + "h4,2016-07-07,A,???\n"},
        {},
        "hate_incidents.csv, line 5, column 'incident_type': '???' has no letter or digit to name its figure by",
    ),
    "police-uk-names-share-a-folder": (
        "police.uk districts whose folders would be one",
        lambda f: _street_lsoa_names(f, "Beta 001A", "ALPHA! 001A"),
        {"--area": "Alpha", "--period": "2021-01..2021-12"},
        "DATA/2020-01-testshire-street.csv, line 2, column 'LSOA name': district 'Alpha' and district 'ALPHA!' would "
        "share one folder, alpha",
    ),
    "area-not-in-data": (
        "an area that is not a district",
        {},
        {"--area": "Nowhere"},
        "areas.csv, column 'district': area 'Nowhere' is not a district of this data",
    ),
    "misspelt-area": (
        "an area one letter from a district",
        {"areas_csv": TINY["areas.csv"].replace("\nA,X", "\nAlpha,X")},
        {"--area": "Alpa"},
        "areas.csv, column 'district': area 'Alpa' is not a district of this data. Did you mean Alpha? "
        "Districts here: Alpha, B, C",
    ),
    "period-not-in-data": (
        "a period after the data",
        {},
        {"--period": "2019/20"},
        "column 'recorded_date': period 2019/20 is outside the data, which runs from 2015-04 to 2017-03",
    ),
    "bad-period": (
        "a period that cannot be read",
        {},
        {"--period": "2016/18"},
        "period '2016/18': 18 does not follow 2016 (write e.g. 2016/17)",
    ),
    "misspelt-period": (
        "a financial year written with a dash",
        {},
        {"--period": "2016-17"},
        "period '2016-17' not understood: did you mean 2016/17? (a financial year is written 2016/17, a quarter "
        "2016/17-Q3, a span of months 2016-02..2017-01)",
    ),
    "missing-folder": ("a data folder that does not exist", _missing_folder, {}, "no such data folder"),
    "police-uk-changed-header": (
        "a police.uk street file with a changed header",
        _street_changed_header,
        {},
        "DATA/2020-01-testshire-street.csv, line 1, column 'Crime type': not the police.uk street header: "
        "column 10 should be 'Crime type', found 'Crime category'",
    ),
    "police-uk-bad-month": (
        "a police.uk Month that is not YYYY-MM",
        _street_bad_month,
        {},
        "DATA/2021-03-testshire-street.csv, line 4, column 'Month': 'March 2021' is not a month (YYYY-MM)",
    ),
    "police-uk-truncated-gz": (
        "a police.uk .csv.gz file cut short",
        _street_truncated_gz,
        {"--area": "Alpha", "--period": "2021-01..2021-12"},
        "DATA/2021-03-testshire-street.csv.gz: cannot be read: IO Error: Unexpected end of GZIP stream: "
        "2021-03-testshire-street.csv.gz. Download the file again from data.police.uk",
    ),
    "police-uk-missing-months": (
        "police.uk files missing for months of the comparison year",
        _street_missing_months,
        {"--area": "Alpha", "--period": "2021-01..2021-12"},
        "DATA: the comparison with January to December 2020 is not possible: no police.uk file for 2020-04 to 2020-05",
    ),
    "home-office-bad-quarter": (
        "a Home Office table's quarter that is not 1 to 4",
        lambda f: _home_office(f, change=_set(5, 1, "5")),
        {"--area": "Alpha"},
        "DATA/prc-csp-tables.csv, line 5, column 'Financial Quarter': '5' is not a financial quarter. Write 1 to 4 "
        "(1 is April to June, 4 is January to March)",
    ),
    "home-office-bad-count": (
        "a Home Office table's number of offences that is not a number",
        lambda f: _home_office(f, "xlsx", _set(7, 8, "12a"), notes=True),
        {"--area": "Alpha"},
        "DATA/prc-csp-tables.xlsx, sheet 'Data', row 10, column 'Number of Offences': '12a' is not a whole number",
    ),
    "home-office-hidden-character": (
        "a Home Office CSP name with a bidirectional override",
        lambda f: _home_office(f, "ods", _set(3, 3, "Al\u202ebeta")),
        {"--area": "Alpha"},
        "DATA/prc-csp-tables.ods, sheet 'Data', row 3, column 'CSP Name': 'Al\\u202ebeta' holds a control character "
        "(U+202E). The file is not as the Home Office publishes it: download it again",
    ),
    "home-office-missing-column": (
        "a Home Office table without its Offence Code column",
        lambda f: _home_office(f, change=lambda t: [r.pop(7) for r in t]),
        {"--area": "Alpha"},
        "DATA/prc-csp-tables.csv, line 1: a Home Office table's header without 'Offence Code' (columns found: "
        "Financial Year, Financial Quarter, Force Name, CSP Name, Offence Description, Offence Group, Offence "
        "Subgroup, Number of Offences)",
    ),
    "home-office-two-releases": (
        "the same Home Office figures in two files",
        lambda f: _home_office(f, second="csv"),
        {"--area": "Alpha"},
        "DATA/prc-csp-tables.csv, line 2, column 'Offence Code': Alpha's offence 8N in 2015/16 quarter 1 is also in "
        "prc-csp-tables-again.csv (line 2): two releases of the same figures. Keep one release of the tables in the "
        "folder",
    ),
    "home-office-half-quarters": (
        "a period of months that are not whole quarters, from Home Office tables alone",
        _home_office,
        {"--area": "Alpha", "--period": "2016-05..2016-10"},
        "is not whole quarters, and the Home Office tables count quarters",
    ),
}

# id: (what is unusual, changes, the warning it reports or None when it is silently fine)
RECOVERED = {
    "utf8-bom": ("a byte-order mark at the start", {"crimes_csv": "\ufeff" + CRIMES}, None),
    "windows-1252": (
        "text saved as Windows-1252",
        lambda f: (f / "areas.csv").write_bytes(TINY["areas.csv"].replace("C,Y", "C,Ynys M\xf4n").encode("cp1252")),
        "areas.csv: not UTF-8; read as Windows-1252 (first such character on line 4)",
    ),
    "crlf": ("Windows line ends", {"crimes_csv": CRIMES.replace("\n", "\r\n")}, None),
    "trailing-blank-rows": ("blank lines at the end", {"crimes_csv": CRIMES + "\n\n,,,,,,,,,,\n"}, None),
    "interior-blank-line": (
        "a blank line inside",
        {"crimes_csv": _line(4, "c03", "\nc03")},
        "crimes.csv: 1 blank line skipped",
    ),
    "extra-columns": (
        "columns the contract does not name",
        {"crimes_csv": "\n".join(r + ",x" for r in CRIMES.splitlines()) + "\n"},
        None,
    ),
    "gzipped-csv": (
        "crimes.csv.gz instead of crimes.csv",
        lambda f: ((f / "crimes.csv.gz").write_bytes(gzip.compress(CRIMES.encode())), (f / "crimes.csv").unlink()),
        None,
    ),
}


def _folder(tmp_path: Path, change) -> Path:
    if callable(change):
        folder = write_tiny(tmp_path / "data")
        change(folder)
        return folder
    return write_tiny(tmp_path / "data", **change)


def _run(folder: Path, extra: dict, capsys) -> tuple[int, str, str]:
    args = {"--data": str(folder), "--area": "A", "--period": "2016/17", **extra}
    rc = cli.main(["figures", *[x for kv in args.items() for x in kv]])
    out = capsys.readouterr()
    return rc, out.out, out.err.replace(str(folder) + "/", "DATA/").replace(str(folder), "DATA")


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_bad_input_stops_with_one_clear_line(case, tmp_path, capsys):
    _, change, extra, expected = ERRORS[case]
    rc, out, err = _run(_folder(tmp_path, change), extra, capsys)
    assert rc == 2 and out == ""
    assert err.startswith("csp: error: ") and err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", RECOVERED, ids=list(RECOVERED))
def test_recoverable_input_goes_on_and_reports(case, tmp_path, capsys):
    _, change, warning = RECOVERED[case]
    rc, out, err = _run(_folder(tmp_path, change), {}, capsys)
    assert rc == 0, err
    assert '"all_crime"' in out
    if warning:
        assert f"csp: warning: {warning}" in err
    else:
        assert err == ""


def _message(case: str, tmp_path: Path, capsys) -> str:
    _, change, extra, _ = ERRORS[case]
    return _run(_folder(tmp_path / case, change), extra, capsys)[2].strip()


def test_every_case_is_listed_in_tests_readme_with_its_message(tmp_path, capsys):
    text = README.read_text(encoding="utf-8")
    missing = []
    for case in ERRORS:
        msg = _message(case, tmp_path, capsys)
        msg = re.sub(r"\(\d+ more rows? like it\)", "", msg)
        if f"`{case}`" not in text or msg.split("csp: error: ", 1)[1][:120] not in text:
            missing.append((case, msg))
    for case in RECOVERED:
        if f"`{case}`" not in text:
            missing.append((case, "(recovered)"))
    assert not missing, "tests/README.md is out of date:\n" + "\n".join(f"{c}: {m}" for c, m in missing)
