"""One data folder, two sources (issue 28): a Home Office CSP table beside police.uk street files
(csp_lib/data/combined.py), counted by hand.

The street files are tests/street.py's (Testshire Constabulary, 2020-01 to 2021-12, districts Alpha and Beta in
areas.csv); the table is tests/homeoffice.py's ``beside_rows``: Alpha 10 violence with injury a quarter in
2021/22, 8 in 2020/21, 6 in 2019/20; Beta 5 shoplifting a quarter; Otherforce's Gamma 1 (no street files).

For April to December 2021 against April to December 2020 (whole quarters):
- Home Office: Alpha's all crime 30 / 24 (3 quarters of 10 and of 8), Testshire's 45 / 39.
- police.uk: Alpha's antisocial behaviour 1 a month: 9 / 9; Beta has none, so Testshire's is 9 / 9 too.
  Alpha's crimes: 4 burglaries (Alpha 001A) and 2 violence (Alpha 002B) a month in 2021, 3 and 2 in 2020:
  54 / 45 crimes, all "Under investigation"; neighbourhoods Alpha 001A 36 / 27, Alpha 002B 18 / 18.
- Reconciliation, a quarter: Alpha's police.uk crimes 15 in 2020 (5 a month), 18 in 2021 (6 a month) against
  the tables' 6 (2019/20), 8 (2020/21), 10 (2021/22): 2019/20-Q4 15 / 6 (+9, +150.0%), 2020/21-Q1 15 / 8 (+7,
  +87.5%), 2020/21-Q4 18 / 8 (+10, +125.0%), 2021/22-Q1 18 / 10 (+8, +80.0%). Beta: 3 a quarter in 2020, 6 in
  2021, against 5: 2020/21-Q1 3 / 5 (-2, -40.0%), 2021/22-Q1 6 / 5 (+1, +20.0%). The files' crimes with no
  location: 1 a month, 3 a quarter.
"""

from __future__ import annotations

import homeoffice as ho
import pandas as pd
import pytest
import street

from csp_lib import cli
from csp_lib.data import combined, kind
from csp_lib.present import pages, tables

PERIOD = "2021-04..2021-12"


def _figures(folder, tmp_path, *args):
    return ho.figures(folder, tmp_path, *args, "--period", PERIOD)


_pair = ho.pair


@pytest.fixture
def both(tmp_path):
    folder = tmp_path / "both"
    street.write(folder)
    ho.write(folder, table=ho.beside_rows())
    return folder


def _quarters(figs):
    return {
        r["quarter"]: (r["policeuk"], r["homeoffice"], r["difference"], r["share"], r["no_location"])
        for r in figs["quality"]["reconciliation"]["quarters"]
    }


def test_a_folder_with_both_sources_counts_offences_from_the_table_and_asb_from_police_uk(both, tmp_path):
    assert kind(both) == "home office + police.uk"
    figs = _figures(both, tmp_path, "--area", "Alpha")
    assert figs["data_format"] == "home office" and figs["source"]["kind"] == "homeoffice"
    assert figs["source"]["policeuk"]["files"] == 24 and figs["source"]["policeuk"]["counted"] == "2020-01 to 2021-12"
    # offence counts: the Home Office table's, each saying so
    assert _pair(figs, "all_crime") == (30, 24) and _pair(figs, "county_all_crime") == (45, 39)
    assert _pair(figs, "vap_violence_with_injury") == (30, 24)
    assert figs["figures"]["all_crime"]["provenance"]["source"] == "homeoffice"
    # antisocial behaviour: police.uk's, each saying so and naming the districts counted
    assert _pair(figs, "asb_incidents") == (9, 9) and _pair(figs, "county_asb_incidents") == (9, 9)
    prov = figs["figures"]["asb_incidents"]["provenance"]
    assert (prov["source"], prov["table"], prov["districts"]) == ("police.uk", "street files", ["Alpha"])
    assert figs["figures"]["county_asb_incidents"]["provenance"]["source"] == "police.uk"
    # neighbourhoods, outcomes and hotspots from the street files, over the report's whole quarters
    hoods = {r["lsoa_name"]: (r["value"], r["previous"]) for r in figs["series"]["neighbourhoods"]}
    assert hoods == {"Alpha 001A": (36, 27), "Alpha 002B": (18, 18)}
    assert [(r["lsoa_name"], r["value"]) for r in figs["series"]["neighbourhoods_asb"]] == [("Alpha 001A", 9)]
    assert [(r["outcome"], r["value"], r["previous"]) for r in figs["series"]["outcomes"]] == [
        ("Under investigation", 54, 45)
    ]
    assert sum(c["value"] for c in figs["series"]["hotspots"]) == 54
    # ASB counted by quarter, as the tables: the rolling four quarters, the XmR chart of quarters
    assert [r["value"] for r in figs["series"]["rolling"]["asb_incidents"]] == [12, 12, 12, 12, 12]
    assert [p["value"] for p in figs["series"]["xmr"]["asb_incidents"]["points"]] == [3] * 8
    assert figs["series"]["monthly"] == {}


def test_the_reconciliation_quarter_by_quarter(both, tmp_path):
    alpha = _figures(both, tmp_path, "--area", "Alpha")
    r = alpha["quality"]["reconciliation"]
    assert r["districts"] == ["Alpha"] and len(r["reasons"]) >= 2
    q = _quarters(alpha)
    assert list(q) == [
        "2019/20-Q4",
        "2020/21-Q1",
        "2020/21-Q2",
        "2020/21-Q3",
        "2020/21-Q4",
        "2021/22-Q1",
        "2021/22-Q2",
        "2021/22-Q3",
    ]
    assert q["2019/20-Q4"] == (15, 6, 9, 150.0, 3)
    assert q["2020/21-Q1"] == (15, 8, 7, 87.5, 3)
    assert q["2020/21-Q4"] == (18, 8, 10, 125.0, 3)
    assert q["2021/22-Q1"] == (18, 10, 8, 80.0, 3)
    beta = _quarters(_figures(both, tmp_path, "--area", "Beta"))
    assert beta["2020/21-Q1"] == (3, 5, -2, -40.0, 3) and beta["2021/22-Q1"] == (6, 5, 1, 20.0, 3)
    force = _figures(both, tmp_path, "--force", "Testshire")
    assert force["quality"]["reconciliation"]["districts"] == ["Alpha", "Beta"]
    assert _quarters(force)["2021/22-Q1"] == (24, 15, 9, 60.0, 3)
    assert _pair(force, "asb_incidents") == (9, 9)
    # England and Wales: Otherforce has no street files, so its ASB is not given rather than counted as 0
    assert force["figures"]["county_asb_incidents"]["value"] is None
    assert "Otherforce" in force["figures"]["county_asb_incidents"]["note"]
    # the data quality page shows them, with the reasons
    page = pages.quality(alpha)
    assert "## Two sources: police.uk's all crime against the Home Office tables" in page
    assert "| 2021/22-Q1 (April 2021 to June 2021) | 18 | 10 | +8 | +80.0% | 3 |" in page
    assert "snapshot" in page and "could not place on its map" in page
    assert "## Areas that could not be matched" in page and "None: every CSP" in page


def test_the_reconciliation_sums_quarters_outside_the_report_by_financial_year(tmp_path):
    """Street files from April 2019 (2019's months as 2021's: Alpha 6 crimes a month, Beta 2, 1 with no
    location) beside the table (2019/20 to 2021/22). The page shows the report's own quarters (its period and
    the year before, two years at least: eight quarters to the period's end) one by one and sums the others by
    financial year; figures.json keeps every quarter, each saying whether it is the report's.

    April to December 2021: its quarters are 2019/20-Q4 to 2021/22-Q3; 2019/20's first three quarters (April to
    December 2019) are summed: Alpha police.uk 9 x 6 = 54, the tables 3 x 6 = 18, +36, +200.0%, 9 with no
    location; Beta 9 x 2 = 18 against 3 x 5 = 15, +3, +20.0%.
    2020/21-Q1 (April to June 2020): its quarters are 2019/20-Q1 to 2020/21-Q1 (the tables start there); the
    later ones summed: 2020/21's Q2 to Q4 (July 2020 to March 2021): police.uk 6 x 5 + 3 x 6 = 48, the tables
    3 x 8 = 24, +24, +100.0%, 9; 2021/22's Q1 to Q3: 9 x 6 = 54 against 3 x 10 = 30, +24, +80.0%, 9."""
    folder = tmp_path / "long"
    street.write(folder, months=[f"2019-{m:02d}" for m in range(4, 13)] + street.MONTHS)
    ho.write(folder, table=ho.beside_rows())
    alpha = _figures(folder, tmp_path, "--area", "Alpha")
    r = alpha["quality"]["reconciliation"]
    assert [q["quarter"] for q in r["quarters"]][:3] == ["2019/20-Q1", "2019/20-Q2", "2019/20-Q3"]
    assert len(r["quarters"]) == 11 and sum(q["in_report"] for q in r["quarters"]) == 8
    assert r["years"] == [
        {
            "year": "2019/20",
            "start": "2019-04",
            "name": "April 2019 to December 2019",
            "quarters": 3,
            "policeuk": 54,
            "homeoffice": 18,
            "difference": 36,
            "share": 200.0,
            "no_location": 9,
        }
    ]
    page = pages.quality(alpha)
    table = [line for line in page.splitlines() if line.startswith("| 20")]
    assert table[0] == "| 2019/20, 3 quarters (April 2019 to December 2019) | 54 | 18 | +36 | +200.0% | 9 |"
    assert table[1].startswith("| 2019/20-Q4 (January 2020 to March 2020) | 15 | 6 |")
    assert table[-1].startswith("| 2021/22-Q3 (October 2021 to December 2021) | 18 | 10 |")
    assert len(table) == 9 and "| Quarter or financial year |" in page
    assert "summed by financial year" in page
    beta = _figures(folder, tmp_path, "--area", "Beta")["quality"]["reconciliation"]["years"]
    assert [(y["policeuk"], y["homeoffice"], y["difference"], y["share"]) for y in beta] == [(18, 15, 3, 20.0)]
    # a report of one quarter: the later years summed
    q1 = ho.figures(folder, tmp_path, "--area", "Alpha", "--period", "2020/21-Q1")
    years = [
        (
            y["year"],
            y["name"],
            y["quarters"],
            y["policeuk"],
            y["homeoffice"],
            y["difference"],
            y["share"],
            y["no_location"],
        )
        for y in q1["quality"]["reconciliation"]["years"]
    ]
    assert years == [
        ("2020/21", "July 2020 to March 2021", 3, 48, 24, 24, 100.0, 9),
        ("2021/22", "April 2021 to December 2021", 3, 54, 30, 24, 80.0, 9),
    ]
    table = [line for line in pages.quality(q1).splitlines() if line.startswith("| 20")]
    assert [line.split(" |")[0] for line in table] == [
        "| 2019/20-Q1 (April 2019 to June 2019)",
        "| 2019/20-Q2 (July 2019 to September 2019)",
        "| 2019/20-Q3 (October 2019 to December 2019)",
        "| 2019/20-Q4 (January 2020 to March 2020)",
        "| 2020/21-Q1 (April 2020 to June 2020)",
        "| 2020/21, 3 quarters (July 2020 to March 2021)",
        "| 2021/22, 3 quarters (April 2021 to December 2021)",
    ]


def test_every_figure_in_a_table_says_its_source(both, tmp_path):
    figs = _figures(both, tmp_path, "--area", "Alpha")
    df = tables.figure_frame(figs, ["all_crime", "asb_incidents", "hate_crime"])
    assert list(df["Source"]) == ["Home Office tables", "police.uk", ""]
    landing = pages.report_index(figs, tmp_path)
    assert "Antisocial behaviour incidents (police.uk)" in landing
    assert "Antisocial behaviour is left out" not in landing and "Hate crime is left out" in landing
    assert "data.police.uk street files" in landing and "Community Safety Partnership performance report" in landing


def test_csp_names_matched_by_each_variant_and_the_lookup_column():
    csps = pd.DataFrame(
        [
            ("Telford & Wrekin", "West Mercia"),  # "&" and "and"
            ("Kingston upon Hull, City of", "Humberside"),  # ", City of" after
            ("York", "North Yorkshire"),  # "City of" before, on police.uk's side
            ("Bath and North East Somerset UA", "Avon and Somerset"),  # UA
            ("BLACKPOOL", "Lancashire"),  # case
            ("Blackburn  with   Darwen", "Lancashire"),  # spaces
            ("Hastings and Rother", "Sussex"),  # two districts, by the lookup column
            ("Lonely", "Lancashire"),  # no district
            ("Elsewhere", "Dyfed-Powys"),  # a force the files do not cover: not listed
        ],
        columns=["csp", "force"],
    )
    districts = pd.DataFrame(
        [
            ("Telford and Wrekin", None),
            ("Kingston upon Hull", None),
            ("City of York", None),
            ("Bath and North East Somerset", None),
            ("Blackpool", None),
            ("Blackburn with Darwen", None),
            ("Hastings", "Hastings and Rother"),
            ("Rother", "Hastings and Rother"),
            ("Nowhere", None),
            ("Wrong", "No Such CSP"),
        ],
        columns=["district", "csp"],
    )
    m = combined.match(csps, districts)
    assert m.districts_of["Telford & Wrekin"] == ["Telford and Wrekin"]
    assert m.districts_of["Kingston upon Hull, City of"] == ["Kingston upon Hull"]
    assert m.districts_of["York"] == ["City of York"]
    assert m.districts_of["Bath and North East Somerset UA"] == ["Bath and North East Somerset"]
    assert m.districts_of["BLACKPOOL"] == ["Blackpool"]
    assert m.districts_of["Blackburn  with   Darwen"] == ["Blackburn with Darwen"]
    assert m.districts_of["Hastings and Rother"] == ["Hastings", "Rother"]
    assert m.how["Hastings and Rother"] == "lookup" and m.how["BLACKPOOL"] == "name"
    assert m.unmatched_csps == [("Lonely", "Lancashire")]
    assert [d for d, _ in m.unmatched_districts] == ["Nowhere", "Wrong"]
    assert "No Such CSP" in dict(m.unmatched_districts)["Wrong"]
    assert m.forces_without == ["Dyfed-Powys"]
    listed = {u["area"] for u in m.unmatched}
    assert listed == {"Lonely", "Nowhere", "Wrong"}
    assert "Lonely" in m.warning() and "Nowhere" in m.warning()


def test_a_table_spelling_its_csp_otherwise_is_matched_by_name(tmp_path):
    folder = tmp_path / "variant"
    street.write(folder)
    ho.write(folder, table=ho.beside_rows(names={"Alpha": "ALPHA  UA"}))
    figs = _figures(folder, tmp_path, "--area", "ALPHA  UA")
    assert _pair(figs, "asb_incidents") == (9, 9) and _pair(figs, "all_crime") == (30, 24)
    assert figs["quality"]["matched"] == {"districts": ["Alpha"], "how": "name"}


def test_the_lookup_column_and_an_unmatched_csp_listed(tmp_path, capsys):
    folder = tmp_path / "lookup"
    street.write(folder)
    (folder / "areas.csv").write_text(
        "district,county,csp\nAlpha,Testshire,Northshire Central\nBeta,Testshire,\n", encoding="utf-8"
    )
    ho.write(folder, table=ho.beside_rows(names={"Alpha": "Northshire Central"}, forces={"Delta": "Testshire"}))
    figs = _figures(folder, tmp_path, "--area", "Northshire Central")
    assert _pair(figs, "asb_incidents") == (9, 9)
    assert figs["quality"]["matched"] == {"districts": ["Alpha"], "how": "lookup"}
    assert figs["quality"]["unmatched"] == [
        {
            "area": "Delta",
            "source": "Home Office table (CSP Name)",
            "why": "no police.uk district of this name (Testshire)",
        }
    ]
    assert any("Delta" in w and "could not be matched" in w for w in figs["quality"]["warnings"])
    assert "could not be matched" in capsys.readouterr().err
    # the force's ASB is not the sum of a part of its CSPs: not given, and Delta not ranked among them
    assert figs["figures"]["county_asb_incidents"]["value"] is None
    assert "Delta" in figs["figures"]["county_asb_incidents"]["note"]
    assert {r["district"] for r in figs["series"]["districts"]["asb_incidents"]} == {"Beta", "Northshire Central"}
    delta = _figures(folder, tmp_path, "--area", "Delta")
    assert delta["figures"]["asb_incidents"]["value"] is None and "asb_incidents" not in delta["series"]["rolling"]
    assert "neighbourhoods" not in delta["series"] and "outcomes" not in delta["series"]
    page = pages.quality(figs)
    assert "| Delta | Home Office table (CSP Name) | no police.uk district of this name (Testshire) |" in page
    assert "matched by areas.csv's csp column" in page


def test_a_table_alone_still_leaves_asb_out(tmp_path):
    folder = tmp_path / "ho"
    ho.write(folder, table=ho.beside_rows())
    assert kind(folder) == "home office"
    figs = _figures(folder, tmp_path, "--area", "Alpha")
    assert "policeuk" not in figs["source"] and "reconciliation" not in figs["quality"]
    assert "Antisocial behaviour is left out" in pages.report_index(figs, tmp_path)


def test_a_force_in_a_region_beside_street_files(both, tmp_path):
    """areas.csv (its districts police.uk's, their county the force) gives Testshire the region North West, and
    no region to Otherforce. The North West is Testshire alone: its all crime 45 / 39 (England and Wales, with
    Otherforce's 3 / 3, would be 48 / 42), and its antisocial behaviour is given (9 / 9: every CSP of the region
    is matched; England and Wales's is not, Otherforce having no street files)."""
    (both / "areas.csv").write_text(
        "district,county,region\nAlpha,Testshire,North West\nBeta,Testshire,North West\n", encoding="utf-8"
    )
    force = _figures(both, tmp_path, "--force", "Testshire")
    assert (force["county"], force["level"]) == ("North West", "pfa")
    assert _pair(force, "all_crime") == (45, 39) and _pair(force, "county_all_crime") == (45, 39)
    assert _pair(force, "county_asb_incidents") == (9, 9)
    assert force["figures"]["county_asb_incidents"]["provenance"]["areas"] == (
        "the police.uk districts matched to the force areas of the North West region"
    )
    assert force["figures"]["all_crime_rank_in_county"] == {"value": 1, "of": 1}
    other = _figures(both, tmp_path, "--force", "Otherforce")
    assert other["county"] == "England and Wales" and _pair(other, "county_all_crime") == (48, 42)
    alpha = _figures(both, tmp_path, "--area", "Alpha")  # a CSP: its force, as before
    assert alpha["county"] == "Testshire" and _pair(alpha, "county_all_crime") == (45, 39)


@pytest.mark.slow
def test_a_folder_with_both_sources_builds_with_the_asb_page(both, tmp_path, monkeypatch):
    from conftest import copy_project

    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    argv = ["build", "--data", str(both), "--area", "Alpha", "--force", "Testshire", "--period", PERIOD]
    assert cli.main([*argv, "--out", str(tmp_path / "out"), "--jobs", "2"]) == 0
    alpha = tmp_path / "out" / "html" / "book" / "reports" / "alpha" / "2021-04_to_2021-12"
    asb = (alpha / "05-antisocial-behaviour.html").read_text(encoding="utf-8")
    assert "Made from the data.police.uk street files beside the Home Office tables" in asb
    (csv,) = (alpha / "downloads").glob("antisocial-behaviour-incidents-alpha*.csv")
    assert csv.read_text(encoding="utf-8").splitlines()[1].endswith(",police.uk")
    overview = (alpha / "01-overview.html").read_text(encoding="utf-8")
    assert "Alpha 001A" in overview and "What happened next" in overview
    quality = (alpha / "data-quality.html").read_text(encoding="utf-8")
    assert "Two sources" in quality and "+80.0%" in quality
    force = tmp_path / "out" / "html" / "book" / "reports" / "testshire-police-force-area" / "2021-04_to_2021-12"
    landing = (force / "index.html").read_text(encoding="utf-8")
    assert "Police force area performance report for" in landing
    assert "Community Safety Partnership performance report" not in landing


def test_all_districts_of_a_folder_with_both_sources_is_every_csp_and_force_area(both, tmp_path):
    """``--all-districts`` on a folder with the CSP table (alone or beside street files) is the table's areas:
    every CSP and every force area, not areas.csv's police.uk districts."""
    import argparse

    ns = argparse.Namespace(area=None, force=None, all_districts=True, data=str(both))
    expected = ["Alpha", "Beta", "Gamma", "Otherforce police force area", "Testshire police force area"]
    assert sorted(cli._areas(ns)) == expected
    alone = tmp_path / "alone"
    ho.write(alone, table=ho.beside_rows())
    assert (
        sorted(cli._areas(argparse.Namespace(area=None, force=None, all_districts=True, data=str(alone)))) == expected
    )
