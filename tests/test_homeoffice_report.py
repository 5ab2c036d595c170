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

from conftest import validate
from csp_lib import cli


def _figures(folder, tmp_path, *args, suppression=False):
    out = tmp_path / "figures.json"
    argv = ["figures", "--data", str(folder), *args, "-o", str(out)]
    assert cli.main(argv + ([] if suppression else ["--no-suppression"])) == 0
    figs = json.loads(out.read_text(encoding="utf-8"))
    validate(figs)
    return figs


def _pair(figs, fid):
    f = figs["figures"][fid]
    return f["value"], f["previous"]


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
    assert "violence with injury" in serious["note"]
    assert "rape and other sexual offences" in figs["figures"]["sexual_assault"]["note"]
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
    assert bodies == ["Action Fraud: not an area (CSP table, every quarter the tables hold)"]
    assert figs["quality"]["excluded"][0]["rows"] == 7 * 8  # 7 a quarter, eight quarters


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
    assert (figs["area"], figs["county"]) == ("Testshire police force area", "England and Wales")
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
