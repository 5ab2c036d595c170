"""Residents from ONS mid-year population estimates files as downloaded (the MYE2 - Persons sheet, the long
MYEB1 CSV, a Nomis CSV), matched to districts by code or name, for rates per 1,000: hand-made files."""

from __future__ import annotations

import openpyxl
import pytest
import street

from csp_lib import figures
from csp_lib.data import load, population
from csp_lib.data.contract import DataError


def mye2(path, alpha=2000, beta="1,000"):
    """The shape of ukpopestimatesmid2021on2021geography.xlsx: notes, then Code, Name, Geography, All ages, ages."""
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    book.active.append(["Population estimates for the UK, mid-2021"])
    for title in ("MYE2 - Males", "MYE2 - Persons"):
        sheet = book.create_sheet(title)
        sheet.append(["MYE2: Population estimates: Persons by single year of age, mid-2021"])
        sheet.append(["Source: Office for National Statistics"])
        sheet.append([])
        sheet.append(["Code", "Name", "Geography", "All ages", "0", "1"])
        half = title.endswith("Males")
        sheet.append(["K04000001", "ENGLAND AND WALES", "Country", 59_597_300, 600_000, 610_000])
        sheet.append(["E10000099", "Testshire", "County", 3000, 30, 31])
        sheet.append(["E07000901", "Alpha", "Non-metropolitan District", alpha // 2 if half else alpha, 20, 21])
        sheet.append(["E07000902", "Beta", "Non-metropolitan District", beta, 10, 11])
    book.save(path)
    return path


def test_mye2_sheet_as_downloaded_gives_residents_and_rates(tmp_path):
    folder = street.write(tmp_path / "police_uk", areas=False)
    mye2(folder / "ukpopestimatesmid2021on2021geography.xlsx")
    data = load(folder)
    got = dict(zip(data.areas["district"], data.areas["population"]))
    assert got["Alpha"] == 2000 and got["Beta"] == 1000  # the Persons sheet, not the Males one; "1,000" read
    assert data.population == {
        "file": "ukpopestimatesmid2021on2021geography.xlsx",
        "sheet": "MYE2 - Persons",
        "year": 2021,
        "districts": 2,
    }
    assert any("no population for Gamma" in w for w in data.warnings)  # a district the file lacks: said
    f = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    assert f["figures"]["all_crime"]["rate"] == 36.0  # 72 crimes per 1,000 of 2,000 residents
    assert f["population"]["year"] == 2021


def test_long_myeb1_csv_is_summed_over_sex_and_age_for_the_latest_year(tmp_path):
    path = tmp_path / "MYEB1_detailed_population_estimates_series_UK_(2021_geog21).csv"
    rows = ["ladcode21,laname21,country,sex,age,population_2020,population_2021"]
    for code, name, n in (("E07000901", "Alpha", 100), ("E07000902", "Beta", 10)):
        for sex in (1, 2):
            for age in (0, 1, 2):
                rows.append(f"{code},{name},E,{sex},{age},{n - 1},{n + sex}")
    path.write_text("\n".join(rows) + "\n")
    table, what = population.read(path)
    # Alpha, 2021: ages 0-2 of sex 1 (101 each) and sex 2 (102 each) = 3 * 101 + 3 * 102 = 609
    assert dict(zip(table["code"], table["population"])) == {"E07000901": 609, "E07000902": 69}
    assert what["year"] == 2021


def test_nomis_csv_with_notes_above_and_below(tmp_path):
    path = tmp_path / "nomis_population_2022.csv"
    path.write_text(
        '"Population estimates - local authority based by single year of age"\n'
        '"ONS Crown Copyright Reserved [from Nomis on 29 November 2026]"\n'
        '"date","2022"\n\n'
        '"local authority: district / unitary (as of April 2023)","mnemonic","2022"\n'
        '"Kingston upon Hull, City of","E06000010","267,000"\n'
        '"Blackpool","E06000009","141,000"\n\n'
        '"Notes: figures may not add up"\n'
    )
    table, _ = population.read(path)
    assert dict(zip(table["name"], table["population"])) == {"Blackpool": 141000, "Kingston upon Hull, City of": 267000}
    assert population.key("Kingston upon Hull, City of") == population.key("Kingston upon Hull")
    assert population.key("Brighton & Hove") == population.key("Brighton and Hove")


def test_areas_csv_population_wins_and_code_matches_before_name(tmp_path):
    folder = street.write(tmp_path / "police_uk", areas=False)
    (folder / "areas.csv").write_text(
        "district,county,population,code\nAlpha,Testshire,,E07000902\nBeta,Testshire,700,\n"
    )
    mye2(folder / "mye2021.xlsx")
    data = load(folder)
    got = dict(zip(data.areas["district"], data.areas["population"]))
    assert got == {"Alpha": 1000, "Beta": 700}  # Alpha by its code (Beta's row in the file), Beta its own


def test_a_population_that_is_not_a_number_stops_naming_file_line_and_column(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("Code,Name,All ages\nE07000901,Alpha,2000\nE07000902,Beta,n/a\n")
    with pytest.raises(DataError) as e:
        population.read(path)
    assert "population.csv" in str(e.value) and "line 3" in str(e.value) and "All ages" in str(e.value)
    (tmp_path / "population.csv").write_text("District,People\nAlpha,2000\n")
    with pytest.raises(DataError, match="no header row with a local authority code or name column"):
        population.read(tmp_path / "population.csv")
