"""Reports from a folder holding only Home Office open data tables (issue 28): the hand-made tables of
tests/homeoffice.py, counted by hand there and below, through ``csp figures`` (every figures.json written is
validated against the schema: conftest.py).

Alpha (a CSP of Testshire, with Beta), 2016/17 against 2015/16 (each quarter one fewer of each code):
all crime 64 / 44; violence against the person 44 / 32, of which violence with injury (8N) 26 / 22, without
injury (105A) 12 / 8, stalking and harassment (8Q) 6 / 2; rape (19C) 4 / 0; domestic burglary (28E) 16 / 12.
Beta: assault with injury 8 / 4, shoplifting 40 / 36, so all crime 48 / 40. Testshire (Alpha + Beta) 112 / 84,
its violence 52 / 36. Action Fraud's 7 a quarter is no area, and fraud (Alpha's 2 a quarter in 2016/17)
is in no total.
Ranks (lowest % change first): all crime Alpha +45.5%, Beta +20%: Alpha 2nd of 2; violence Alpha +37.5%,
Beta +100%: Alpha 1st of 2.
"""

from __future__ import annotations

import json

import homeoffice as ho
import pytest

from csp_lib import cli
from csp_lib.present import charts, narrative

_figures, _pair = ho.figures, ho.pair  # csp figures on a folder, validated; a figure's two counts


@pytest.fixture
def csp_folder(tmp_path):
    """The CSP table only, and 2 fraud offences a quarter of 2016/17 recorded in Alpha: in no total."""
    folder = tmp_path / "ho"
    desc, group, sub = ho.GROUPS["53F"]
    fraud = [["2016/17", q, "Testshire", "Alpha", desc, group, sub, "53F", 2] for q in range(1, 5)]
    ho.write(folder, table=[ho.header(), *ho.rows(), *fraud])
    return folder


def test_a_csp_report_for_a_year_gives_the_home_office_figures(csp_folder, tmp_path):
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    assert (figs["area"], figs["county"], figs["data_format"]) == ("Alpha", "Testshire", "home office")
    assert figs["level"] == "csp"
    expected = {
        "all_crime": (64, 44),
        "vap": (44, 32),
        "vap_violence_with_injury": (26, 22),
        "vap_violence_without_injury": (12, 8),
        "vap_stalking_and_harassment": (6, 2),
        "sexual_offences": (4, 0),
        "rape": (4, 0),
        "other_sexual_offences": (0, 0),
        "domestic_burglary": (16, 12),
        "burglary": (16, 12),
        "theft_offences": (16, 12),
        "fraud_offences": (8, 0),  # counted apart, in no total (Action Fraud's rows are no CSP's)
        "county_all_crime": (112, 84),
        "county_vap": (52, 36),
    }
    assert {fid: _pair(figs, fid) for fid in expected} == expected
    assert figs["figures"]["all_crime_rank_in_county"] == {"value": 2, "of": 2}
    assert figs["figures"]["vap_rank_in_county"] == {"value": 1, "of": 2}
    # the seed's local assault split has no Home Office equivalent: said, never relabelled
    serious = figs["figures"]["vap_serious_assault"]
    assert serious["value"] is None and serious["note"].startswith("no Home Office equivalent")
    assert serious["note"].endswith("the Home Office's split of violence is shown instead")
    assert "split of sexual offences" in figs["figures"]["sexual_assault"]["note"]
    assert figs["figures"]["domestic_abuse"]["note"] == "not in the Home Office open data tables"
    assert figs["figures"]["asb_incidents"]["value"] is None
    # where each number comes from
    assert figs["figures"]["vap_violence_with_injury"]["provenance"] == {
        "source": "homeoffice",
        "table": "csp",
        "offence_group": "violence against the person",
        "offence_subgroup": "violence with injury",
    }
    assert figs["figures"]["county_all_crime"]["provenance"]["areas"] == "the CSPs of Testshire in the tables"
    assert "provenance" not in figs["figures"]["domestic_abuse"]
    source = figs["source"]
    assert (source["kind"], source["files"], source["release"]) == ("homeoffice", ["prc-csp-tables.csv"], "2016/17-Q4")
    assert source["tables"] == [{"file": "prc-csp-tables.csv", "sheet": None, "level": "csp"}]
    assert source["months"] == "2015-04 to 2017-03"
    bodies = [e["reason"] for e in figs["quality"]["excluded"]]
    assert bodies == ["Action Fraud: not an area (the CSP table)"]
    assert figs["quality"]["excluded"][0]["rows"] == 7 * 8  # 7 a quarter, the eight quarters of the two years


def test_a_csp_report_for_a_quarter(csp_folder, tmp_path):
    # 2016/17 Q3 (October to December 2016) against 2015/16 Q3: Alpha 7+3+1+1+4 = 16 against 6+2+0+0+3 = 11
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17-Q3")
    assert figs["period"]["label"] == "2016/17-Q3"
    expected = {
        "all_crime": (16, 11),
        "vap": (11, 8),
        "vap_violence_with_injury": (7, 6),
        "rape": (1, 0),
        "county_all_crime": (28, 21),  # Beta 2 + 10 = 12 against 1 + 9 = 10
    }
    assert {fid: _pair(figs, fid) for fid in expected} == expected


def test_published_figures_go_through_the_disclosure_gate(tmp_path):
    # Alpha's 5 other sexual offences a quarter of 2016/17 besides its 4 rapes: sexual offences 24 / 0
    folder = tmp_path / "ho"
    other = [
        ["2016/17", q, "Testshire", "Alpha", "Sexual assault", "Sexual offences", "Other sexual offences", "17A", 5]
        for q in range(1, 5)
    ]
    ho.write(folder, table=[ho.header(), *ho.rows(), *other])
    figs = _figures(folder, tmp_path, "--area", "Alpha", "--period", "2016/17", suppression=True)
    f = figs["figures"]
    assert f["rape"]["value"] is None and "value" in f["rape"]["suppressed"]  # 4: a small victim-based count
    assert f["sexual_offences"]["value"] == 24
    # else 24 less other sexual offences' 20 would give the rapes away
    assert f["other_sexual_offences"]["value"] is None and "value" in f["other_sexual_offences"]["secondary"]
    assert f["vap_violence_with_injury"]["value"] == 26
    assert "rape" in figs["disclosure"]["suppressed"]


def _pfa_table():
    """The PFA table of tests/homeoffice.py and a third force, Thirdshire: 5 assaults with injury a quarter in
    both years (20 against 20)."""
    rows = ho.rows("pfa")
    for label in ho.YEARS.values():
        for q in range(1, 5):
            desc, group, sub = ho.GROUPS["8N"]
            rows.append([label, q, "Thirdshire", desc, group, sub, "8N", 5])
    return [ho.header("pfa"), *rows]


def test_a_force_area_report_compares_with_england_and_wales(tmp_path):
    folder = tmp_path / "ho"
    ho.write(folder, name="prc-pfa-tables", level="pfa", table=_pfa_table())
    figs = _figures(folder, tmp_path, "--force", "Testshire", "--period", "2016/17")
    assert (figs["area"], figs["county"], figs["level"]) == ("Testshire police force area", "England and Wales", "pfa")
    # England and Wales: Testshire 112 / 84, Otherforce 4 / 0, Thirdshire 20 / 20; British Transport Police's
    # 12 a year and Action Fraud's 28 a year are in no area
    assert _pair(figs, "all_crime") == (112, 84)
    assert _pair(figs, "county_all_crime") == (136, 104)
    assert _pair(figs, "vap") == (52, 36)
    assert _pair(figs, "county_vap") == (76, 56)
    # Testshire +33.3%, Thirdshire 0%; Otherforce had none the year before and cannot be ranked
    assert figs["figures"]["all_crime_rank_in_county"] == {"value": 2, "of": 2}
    assert figs["figures"]["all_crime"]["provenance"]["table"] == "pfa"
    assert figs["figures"]["county_all_crime"]["provenance"]["areas"] == "the force areas in the tables"
    assert [e["reason"].split(":")[0] for e in figs["quality"]["excluded"]] == [
        "Action Fraud",
        "British Transport Police",
    ]


def test_a_force_area_from_the_csp_table_alone_is_the_sum_of_its_csps(csp_folder, tmp_path):
    figs = _figures(csp_folder, tmp_path, "--area", "Testshire police force area", "--period", "2016/17")
    assert _pair(figs, "all_crime") == (112, 84)
    assert _pair(figs, "county_all_crime") == (116, 84)  # Otherforce's Gamma: 4 / 0
    assert figs["figures"]["all_crime"]["provenance"]["table"] == "csp summed by force"


def test_a_period_that_is_not_whole_quarters_is_refused(csp_folder, tmp_path, capsys):
    argv = ["figures", "--data", str(csp_folder), "--area", "Alpha", "--period", "2016-05..2017-04"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "is not whole quarters" in err and "2016-04..2017-06" in err
    assert cli.main(["figures", "--data", str(csp_folder), "--area", "Alpha", "--period", "2017/18"]) == 2
    err = capsys.readouterr().err
    assert "prc-csp-tables.csv" in err and "outside the Home Office tables" in err
    assert cli.main(["figures", "--data", str(csp_folder), "--area", "Alpa", "--period", "2016/17"]) == 2
    assert "Did you mean Alpha?" in capsys.readouterr().err


def test_rolling_four_quarters_in_place_of_rolling_12_months(csp_folder, tmp_path):
    # Alpha's all crime a quarter: 2015/16 9, 11, 11, 13 (44); 2016/17 14, 16, 16, 18 (64)
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    rows = figs["series"]["rolling"]["all_crime"]
    assert [(r["quarter"], r["month"], r["value"]) for r in rows] == [
        ("2015/16-Q4", "2016-03", 44),
        ("2016/17-Q1", "2016-06", 44 - 9 + 14),
        ("2016/17-Q2", "2016-09", 49 - 11 + 16),
        ("2016/17-Q3", "2016-12", 54 - 11 + 16),
        ("2016/17-Q4", "2017-03", 64),
    ]  # never a 12 months that ends inside a quarter
    assert figs["series"]["monthly"] == {}  # the tables count quarters: no month by month
    assert "all_crime_months_lower" not in figs["figures"]
    assert figs["figures"]["all_crime_quarters_lower"] == {"value": 0, "of": 4, "higher": 4, "largest_falls": []}
    assert narrative.rolling(figs).startswith(
        "In the four quarters to March 2017 (2016/17-Q4), 64 crimes were recorded in Alpha, against 44 in the four "
        "quarters to March 2016 (2015/16-Q4)."
    )
    assert "rolling four quarters in place of the rolling 12 months" in charts.rolling(figs, "all_crime")


def test_xmr_on_quarters_over_every_quarter_the_tables_give(csp_folder, tmp_path):
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    chart = figs["series"]["xmr"]["all_crime"]
    assert [(p["quarter"], p["month"], p["value"]) for p in chart["points"]] == [
        ("2015/16-Q1", "2015-04", 9),
        ("2015/16-Q2", "2015-07", 11),
        ("2015/16-Q3", "2015-10", 11),
        ("2015/16-Q4", "2016-01", 13),
        ("2016/17-Q1", "2016-04", 14),
        ("2016/17-Q2", "2016-07", 16),
        ("2016/17-Q3", "2016-10", 16),
        ("2016/17-Q4", "2017-01", 18),
    ]
    # mean 108 / 8 = 13.5; moving ranges 2, 0, 2, 1, 2, 0, 2: 9 / 7; limits 13.5 +/- 2.66 x 9 / 7 = 3.42
    assert (chart["mean"], chart["ucl"], chart["lcl"], chart["trial"]) == (13.5, 16.92, 10.08, True)
    assert chart["label"] == (
        "special cause: a quarter outside the process limits (high); 2 of 3 quarters close to a limit (high)"
    )
    words = narrative.variation(figs, "all_crime")
    assert words.startswith("Quarter by quarter: 2016/17-Q4's 18 was unusually high for Alpha.")
    assert "the Home Office tables count quarters, so the chart is of quarters, not months" in words
    assert "the chart is of quarters, not months" in charts.xmr(figs, "all_crime")
    # the trend: as many years as the tables give (two here), each year's count
    assert [(r["period"], r["area"], r["county"]) for r in figs["series"]["trend"]["all_crime"]] == [
        ("2015/16", 44, 84),
        ("2016/17", 64, 112),
    ]


def test_the_trend_runs_over_as_many_years_as_the_tables_give(tmp_path):
    # six years of Alpha's assaults with injury: 1, 2, 3, 4, 5, 6 a quarter in 2011/12 to 2016/17
    desc, group, sub = ho.GROUPS["8N"]
    rows = [
        [f"{y}/{(y + 1) % 100:02d}", q, "Testshire", "Alpha", desc, group, sub, "8N", y - 2010]
        for y in range(2011, 2017)
        for q in range(1, 5)
    ]
    folder = tmp_path / "ho"
    ho.write(folder, table=[ho.header(), *rows])
    figs = _figures(folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    assert [(r["period"], r["area"]) for r in figs["series"]["trend"]["vap"]] == [
        ("2011/12", 4),
        ("2012/13", 8),
        ("2013/14", 12),
        ("2014/15", 16),
        ("2015/16", 20),
        ("2016/17", 24),
    ]
    assert len(figs["series"]["xmr"]["vap"]["points"]) == 24  # every quarter
    assert figs["series"]["xmr"]["vap"]["trial"] is False


@pytest.mark.slow
def test_a_folder_of_tables_alone_builds_a_csp_and_a_force_report(tmp_path, monkeypatch):
    from conftest import copy_project

    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    data = tmp_path / "ho"
    ho.write(data)
    monkeypatch.chdir(root)
    argv = ["build", "--data", str(data), "--area", "Alpha", "--force", "Testshire", "--period", "2016/17"]
    assert cli.main([*argv, "--out", str(tmp_path / "out"), "--jobs", "2"]) == 0
    reports = tmp_path / "out" / "html" / "book" / "reports"
    alpha, force = reports / "alpha" / "2016-17", reports / "testshire-police-force-area" / "2016-17"

    def csv(folder, start):
        (path,) = (folder / "downloads").glob(start + "*.csv")
        return path.read_text(encoding="utf-8").splitlines()

    # the Home Office's own split, named as such, with the counts worked by hand
    violence = (alpha / "02-violence.html").read_text(encoding="utf-8")
    assert "What the Home Office tables show (the Home Office&#x27;s split): Violence against the person" in violence
    assert "has no Home Office equivalent" in violence and "Quarter by quarter" in violence
    split = csv(alpha, "what-the-home-office-tables-show-the-home-office-s-split-violence")
    assert split[1:] == [
        "Violence against the person,32,44,12,37.5,No",  # 44 against 32: p = 0.21
        "Homicide,0,0,0,,",
        "Death or serious injury caused by unlawful driving,0,0,0,,",
        "Violence with injury,22,26,4,18.2,No",
        "Violence without injury,8,12,4,50.0,No",
        "Stalking and harassment (Home Office),2,6,4,200.0,No",  # 6 against 2: p = 0.29
    ]
    assert csv(alpha, "what-the-home-office-tables-show-the-home-office-s-split-sexual")[1:] == [
        "All sexual offences,0,[c],[c],[c],[c]",  # 4: withheld, as every report's small counts, and its test
        "Rape,0,[c],[c],[c],[c]",
        "Other sexual offences (Home Office),0,0,0,,",
    ]
    overview = (alpha / "01-overview.html").read_text(encoding="utf-8")
    assert "In the four quarters to March 2017 (2016/17-Q4), 64 crimes were recorded in Alpha" in overview
    # the sections the tables cannot give are left out, saying why
    assert not (alpha / "04-domestic-abuse.html").exists() and not (alpha / "05-antisocial-behaviour.html").exists()
    landing = (alpha / "index.html").read_text(encoding="utf-8")
    assert "Domestic abuse is left out of this report: the Home Office tables have no domestic abuse marker" in landing
    assert "Home Office police recorded crime open data tables" in landing
    assert "Action Fraud" in (alpha / "data-quality.html").read_text(encoding="utf-8")
    # the force area's report: against England and Wales (Testshire 112 / 84, with Otherforce 116 / 84)
    figs = json.loads((force / "figures.json").read_text(encoding="utf-8"))
    assert (figs["county"], figs["source"]["kind"]) == ("England and Wales", "homeoffice")
    assert _pair(figs, "all_crime") == (112, 84) and _pair(figs, "county_all_crime") == (116, 84)
    assert "compared with England and Wales" in (force / "index.html").read_text(encoding="utf-8")


def test_the_landing_page_leaves_out_what_the_tables_cannot_give(csp_folder, tmp_path):
    from csp_lib.present import pages

    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17", suppression=True)
    page = pages.report_index(figs, tmp_path)
    for title in ("Domestic abuse", "Antisocial behaviour", "Child sexual exploitation", "Hate crime"):
        assert f"*{title} is left out of this report: " in page
    assert "04-domestic-abuse.html" not in page and "05-antisocial-behaviour.html" not in page  # no tile links there
    assert '<span class="csp-tile-label">Violence with injury</span><span class="csp-tile-value">26</span>' in page
    assert '<span class="csp-tile-label">Rape</span><span class="csp-tile-value">n/a</span>' in page
    assert "withheld" in page.split('<span class="csp-tile-label">Rape</span>')[1].split("</a>")[0]
    assert "(source: Home Office, police recorded crime open data tables)" in page
    assert "Made from: Home Office police recorded crime open data tables in the folder `ho`" in page
    assert pages.quality(figs).count("## Rows of bodies that are not areas") == 1


def test_sentences_name_partnerships_and_force_areas(csp_folder, tmp_path):
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    words = narrative.rank(figs, "all_crime")
    assert "increase across the force area" in words and "across the county" not in words
    assert words.endswith("Alpha had the highest proportional increase of the 2 partnerships.")
    pfa = _figures(csp_folder, tmp_path, "--force", "Testshire", "--period", "2016/17")
    # theft: Testshire 48 -> 56, Otherforce none in either year
    assert narrative.rising(pfa, "theft_offences") == (
        "Theft offences rose in 1 of the 2 force areas of England and Wales, within the range chance gives for "
        "counts this small."  # 56 against 48: p = 0.49
    )


def test_rates_per_1000_from_the_ons_file_for_csps_and_their_force(csp_folder, tmp_path):
    from test_population import mye2

    mye2(csp_folder / "ukpopestimatesmid2021on2021geography.xlsx")  # Alpha 2,000, Beta 1,000; no Gamma
    figs = _figures(csp_folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    assert figs["figures"]["all_crime"]["rate"] == 32.0  # 64 per 2,000 residents
    assert figs["figures"]["county_all_crime"]["rate"] == 37.3  # 112 per 3,000
    assert any("no population for Gamma" in w for w in figs["quality"]["warnings"])
    pfa = _figures(csp_folder, tmp_path, "--force", "Testshire", "--period", "2016/17")
    assert pfa["figures"]["all_crime"]["rate"] == 37.3  # the force's residents: the sum of its CSPs'
    assert "rate" not in pfa["figures"]["county_all_crime"]  # Otherforce's Gamma has none: no England and Wales rate


def test_section_headings_say_quarters_and_the_force_area(tmp_path):
    """A report from the tables says its notebooks' headings in quarters and names its comparison
    (figures.sections.headings, applied by publish.execute.retitle before a built notebook runs)."""
    import nbformat

    from csp_lib.figures.sections import headings
    from csp_lib.publish.execute import retitle

    assert headings({"data_format": "extract", "county": "Lancashire", "level": "district"}) == {}
    csp = headings({"data_format": "home office", "county": "Testshire", "level": "csp"})
    assert csp["## Compared with the county"] == "## Compared with the force area"
    assert (
        csp["## Month by month: normal variation or a signal?"]
        == "## Quarter by quarter: normal variation or a signal?"
    )
    pfa = headings({"data_format": "home office", "county": "England and Wales", "level": "pfa"})
    assert pfa["## Compared with the county"] == "## Compared with England and Wales"
    # the report's level decides, not its county's name: a CSP of a force named so is still a CSP
    named = headings({"data_format": "home office", "county": "England and Wales", "level": "csp"})
    assert named["## Compared with the county"] == "## Compared with the force area"
    nb = nbformat.read(str(ho_root() / "notebooks" / "05-antisocial-behaviour.ipynb"), as_version=4)
    figs = {"data_format": "home office", "county": "England and Wales", "level": "pfa"}
    (tmp_path / "figures.json").write_text(json.dumps(figs))
    retitle(nb, tmp_path / "figures.json")
    titles = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert "## Quarter by quarter, and over the years" in titles and "## Compared with England and Wales" in titles
    assert not any("Month by month" in t or "the county" in t for t in titles)


def ho_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


# -- a force area's region (areas.csv's region column) ---------------------------------------------------------
# The CSP table, and the PFA table of _pfa_table with a fourth force, Fourthshire: 10 assaults with injury a quarter
# in 2016/17, 12 in 2015/16 (40 against 48). areas.csv puts Testshire (its CSPs Alpha and Beta), Otherforce (Gamma)
# and Fourthshire (a CSP Delta the tables do not have) in the North West; Thirdshire is in no region.
# - Testshire against the North West: Testshire 112 / 84, Otherforce 4 / 0, Fourthshire 40 / 48: 156 / 132; its
#   violence 52 / 36 against 52 + 4 + 40 = 96 / 36 + 0 + 48 = 84. Ranked on all crime among the region's forces:
#   Fourthshire -16.7%, Testshire +33.3% (Otherforce had none the year before): 2nd of 2.
# - Thirdshire against England and Wales, every force: 112 + 4 + 20 + 40 = 176 / 84 + 0 + 20 + 48 = 152; ranked
#   among the four (Otherforce not ranked): Fourthshire -16.7%, Thirdshire 0%, Testshire +33.3%: 2nd of 3.
# - Alpha, a CSP, is still compared with its force: 112 / 84.
REGIONS = "district,county,region\nAlpha,Testshire,North West\nBeta,Testshire,North West\n"
REGIONS += "Gamma,Otherforce,North West\nDelta,Fourthshire,North West\n"


def _region_folder(tmp_path, areas: str = REGIONS):
    folder = tmp_path / "ho"
    table = _pfa_table()
    desc, group, sub = ho.GROUPS["8N"]
    for year, n in ((2015, 12), (2016, 10)):
        table += [[ho.YEARS[year], q, "Fourthshire", desc, group, sub, "8N", n] for q in range(1, 5)]
    ho.write(folder, name="prc-pfa-tables", level="pfa", table=table)
    ho.write(folder)
    (folder / "areas.csv").write_text(areas, encoding="utf-8")
    return folder


def test_a_force_area_in_a_region_is_compared_with_its_region(tmp_path):
    from csp_lib.figures.sections import headings

    folder = _region_folder(tmp_path)
    figs = _figures(folder, tmp_path, "--force", "Testshire", "--period", "2016/17")
    assert (figs["area"], figs["county"], figs["level"]) == ("Testshire police force area", "North West", "pfa")
    assert _pair(figs, "all_crime") == (112, 84) and _pair(figs, "county_all_crime") == (156, 132)
    assert _pair(figs, "vap") == (52, 36) and _pair(figs, "county_vap") == (96, 84)
    assert figs["figures"]["all_crime_rank_in_county"] == {"value": 2, "of": 2}
    assert [r["district"] for r in figs["series"]["districts"]["all_crime"]] == [
        "Fourthshire police force area",
        "Otherforce police force area",
        "Testshire police force area",
    ]
    assert figs["figures"]["county_all_crime"]["provenance"]["areas"] == (
        "the force areas of the North West region in the tables"
    )
    assert "areas.csv" in figs["source"]["files"]
    # named as a region in the sentences, the headings and the note on the tables
    assert narrative.county(figs, "all_crime").startswith("All crime in the North West region has increased by 18.2%")
    assert "across the North West region" in narrative.rank(figs, "all_crime")
    assert narrative.compared_phrase(figs) == "compared with April 2015 to March 2016 and with the North West region"
    assert headings(figs)["## Compared with the county"] == "## Compared with the North West region"
    assert "compared with the North West region (the sum of its force areas" in narrative.home_office_note(figs)
    # a force in no region: England and Wales, every force, ranked among them all
    third = _figures(folder, tmp_path, "--force", "Thirdshire", "--period", "2016/17")
    assert (third["county"], third["level"]) == ("England and Wales", "pfa")
    assert _pair(third, "all_crime") == (20, 20) and _pair(third, "county_all_crime") == (176, 152)
    assert third["figures"]["all_crime_rank_in_county"] == {"value": 2, "of": 3}
    assert third["figures"]["county_all_crime"]["provenance"]["areas"] == "the force areas in the tables"
    assert headings(third)["## Compared with the county"] == "## Compared with England and Wales"
    # a CSP is compared with its force, as before
    alpha = _figures(folder, tmp_path, "--area", "Alpha", "--period", "2016/17")
    assert (alpha["county"], alpha["level"]) == ("Testshire", "csp") and _pair(alpha, "county_all_crime") == (112, 84)


@pytest.mark.parametrize(
    "areas, where, problem",
    [
        (  # two regions for one force
            REGIONS.replace("Beta,Testshire,North West", "Beta,Testshire,North East"),
            "line 3, column 'region'",
            "the region 'North East' of Testshire, but line 2 gives it 'North West'",
        ),
        (  # a region given on one row of the force, blank on another
            REGIONS.replace("Beta,Testshire,North West", "Beta,Testshire,"),
            "line 3, column 'region'",
            "the region is blank, but line 2 gives Testshire the region 'North West'",
        ),
        (  # a region named as a force: it would be read as that force
            REGIONS.replace("Gamma,Otherforce,North West", "Gamma,Otherforce,Thirdshire"),
            "line 4, column 'region'",
            "the region 'Thirdshire' is the name of a force",
        ),
        (  # a CSP of the tables under another force
            REGIONS.replace("Gamma,Otherforce,", "Gamma,Testshire,"),
            "line 4, column 'county'",
            "the CSP 'Gamma' is in 'Otherforce' in the Home Office tables, not 'Testshire'",
        ),
    ],
    ids=["two-regions", "one-blank", "region-is-a-force", "csp-under-another-force"],
)
def test_areas_csv_regions_that_disagree_are_refused(tmp_path, capsys, areas, where, problem):
    folder = _region_folder(tmp_path, areas)
    assert cli.main(["figures", "--data", str(folder), "--force", "Testshire", "--period", "2016/17"]) == 2
    err = capsys.readouterr().err
    assert f"areas.csv, {where}: {problem}" in err


def test_a_region_for_a_county_that_is_no_force_is_said(tmp_path):
    folder = _region_folder(tmp_path, REGIONS + "Epsilon,Testshir,North West\n")
    figs = _figures(folder, tmp_path, "--force", "Testshire", "--period", "2016/17")
    assert figs["county"] == "North West"
    assert any(
        "areas.csv gives a region for counties that are no force" in w and "Testshir" in w
        for w in figs["quality"]["warnings"]
    )
