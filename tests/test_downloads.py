import hashlib

import openpyxl

from csp_lib import downloads, figures, tables


def test_workbook_is_deterministic_and_complete(tiny, tmp_path):
    figs = figures.compute_from_folder(tiny, "A", "2016/17")
    folder = tmp_path / "downloads"
    downloads.write_csv(tables.figure_frame(figs, ["all_crime", "vap"]), folder, "Crime, A")
    a = downloads.write_workbook(figs, folder, tmp_path / "a.xlsx")
    b = downloads.write_workbook(figs, folder, tmp_path / "b.xlsx")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    wb = openpyxl.load_workbook(a)
    assert wb.sheetnames == ["About", "Figures", "crime a"]
    rows = {r[0].value: r for r in wb["Figures"].iter_rows(min_row=2)}
    assert rows["all_crime"][3].value == 5 and rows["all_crime"][2].value == 4
    assert [c.value for c in wb["crime a"][2]] == ["All crime", 4, 5, 1, 25, 5]  # 5 per 1,000 of 1,000 residents


def test_csv_names_are_slugs():
    assert (
        downloads.csv_name("Violence against the person by offence, Blackpool")
        == "violence-against-the-person-by-offence-blackpool.csv"
    )
