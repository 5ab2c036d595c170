"""figures.json on the tiny folder: every value below is counted by hand in conftest.TINY."""

import pytest

from csp_lib import figures
from csp_lib.data import contract


def core(f: dict) -> dict:
    return {k: f[k] for k in ("value", "previous", "change", "pct_change")}


@pytest.fixture
def figs(tiny):
    return figures.compute_from_folder(tiny, "A", "2016/17")


def test_shape_and_required_ids(figs):
    assert figs["area"] == "A" and figs["county"] == "X"
    assert figs["period"]["start"] == "2016-04-01" and figs["previous"]["label"] == "2015/16"
    missing = [i for i in contract.REQUIRED_IDS if i not in figs["figures"]]
    assert missing == []


def test_counts_change_and_pct(figs):
    f = figs["figures"]
    assert core(f["all_crime"]) == {"value": 5, "previous": 4, "change": 1, "pct_change": 25.0}
    assert core(f["vap"]) == {"value": 2, "previous": 1, "change": 1, "pct_change": 100.0}
    assert core(f["theft_offences"]) == {"value": 1, "previous": 2, "change": -1, "pct_change": -50.0}
    assert f["vap_serious_assault"]["value"] == 1 and f["vap_less_serious_assault"]["value"] == 1
    assert core(f["domestic_abuse"]) == {"value": 1, "previous": 0, "change": 1, "pct_change": None}
    assert f["domestic_serious_assault"]["value"] == 1 and f["domestic_assaults"]["value"] == 1


def test_sexual_offences_shares_and_committed_date(figs):
    f = figs["figures"]
    assert (f["sexual_offences"]["value"], f["sexual_offences"]["previous"]) == (2, 1)
    assert f["sexual_offences_non_recent"]["value"] == 1  # c04: 2017-03-31 vs 2015-01-01
    assert f["sexual_offences_non_recent"]["share"] == 50.0
    assert f["sexual_offences_under_16"]["value"] == 1 and f["sexual_offences_under_16"]["share"] == 50.0
    # c05 took place in 2016/17; c06 in 2015/16; c04 in 2014/15 (counted in neither)
    assert (f["rape_committed_in_period"]["value"], f["rape_committed_in_period"]["previous"]) == (1, 1)


def test_hate_crime_strands(figs):
    f = figs["figures"]
    assert f["hate_crime"]["value"] == 1
    assert f["hate_crime_race"]["value"] == 1 and f["hate_crime_disability"]["value"] == 1
    assert f["hate_crime_religion"]["value"] == 0
    assert (f["hate_incident_racist"]["value"], f["hate_incident_racist"]["previous"]) == (1, 1)
    assert (f["hate_incident_homophobic"]["value"], f["hate_incident_homophobic"]["previous"]) == (0, 1)


def test_county_rank_and_rising(figs):
    f = figs["figures"]
    # county X = A + B: 5 + 1 now, 4 + 2 before
    assert core(f["county_all_crime"]) == {"value": 6, "previous": 6, "change": 0, "pct_change": 0.0}
    # VAP: A +100%, B -50% -> A is 2nd lowest of 2
    assert f["vap_rank_in_county"] == {"value": 2, "of": 2}
    assert f["county_vap"]["pct_change"] == pytest.approx(0.0)  # 3 vs 3
    assert f["vap_districts_rising"] == {"value": 1, "of": 2}


def test_marac_partial_window_compares_like_for_like(figs):
    f = figs["figures"]["marac_cases"]
    # MARAC ends 2016-06: April-June 2016 (m4, m5) against April-June 2015 (m1)
    assert (f["value"], f["previous"], f["change"]) == (2, 1, 1)
    assert (f["start"], f["end"]) == ("2016-04-01", "2016-06-30")
    assert (f["previous_start"], f["previous_end"]) == ("2015-04-01", "2015-06-30")
    assert figs["figures"]["marac_children"]["value"] == 2
    assert figs["figures"]["marac_repeat_cases"]["value"] == 1


def test_asb_quarters_and_months(figs):
    f = figs["figures"]
    assert (f["asb_incidents"]["value"], f["asb_incidents"]["previous"]) == (3, 4)
    assert f["asb_incidents_months_lower"]["value"] == 1
    assert f["asb_incidents_months_lower"]["largest_falls"] == [{"label": "July 2016", "change": -1}]
    assert f["asb_incidents_quarters_lower"]["value"] == 1 and f["asb_incidents_quarters_lower"]["of"] == 4


def test_tools_funnel_and_referrals(figs):
    f = figs["figures"]
    assert (f["asb_cpw"]["value"], f["asb_cpn"]["value"], f["asb_cpn_breach"]["value"]) == (4, 1, 1)
    assert f["cse_cpw"]["value"] == 1 and f["cse_cpn"]["value"] == 0
    assert [s["share_of_previous"] for s in figs["series"]["funnels"]["asb"]] == [None, 25.0, 100.0]
    assert (f["referrals_avert"]["value"], f["referrals_avert"]["previous"]) == (2, 1)
    assert f["referrals_avert_complied"]["share"] == 50.0
    assert f["referrals_asbrac"]["pct_change"] is None
    assert "referrals_asbrac_complied" not in f  # no compliance recorded for ASBRAC


def test_domestic_abuse_peaks(figs):
    q = figs["figures"]["domestic_abuse_peak_quarter"]
    assert (q["label"], q["value"], q["in_period"]) == ("April to June 2016", 1, True)


def test_series_trend_and_monthly(figs):
    trend = figs["series"]["trend"]["all_crime"]
    # the data start in April 2015: only 2015/16 and 2016/17 are whole years
    assert [(r["period"], r["area"], r["county"]) for r in trend] == [("2015/16", 4, 6), ("2016/17", 5, 6)]
    months = figs["series"]["monthly"]["all_crime"]
    assert months[0] == {"month": "2016-04", "label": "April 2016", "value": 1, "previous": 0}


def test_quarter_and_span_periods(tiny):
    q = figures.compute_from_folder(tiny, "A", "2016/17-Q1")["figures"]
    assert (q["all_crime"]["value"], q["all_crime"]["previous"]) == (3, 0)  # c01, c02, c05
    s = figures.compute_from_folder(tiny, "A", "2016-01..2016-03")["figures"]
    # January-March 2015 is before the data start: no comparison rather than a false zero
    assert (s["theft_offences"]["value"], s["theft_offences"]["previous"]) == (1, None)


def test_missing_optional_table_and_column(tmp_path):
    from conftest import TINY, write_tiny

    text = "\n".join(",".join(r.split(",")[:5]) for r in TINY["crimes.csv"].splitlines()) + "\n"
    folder = write_tiny(tmp_path / "lean", crimes_csv=text, marac_cases_csv=None)
    f = figures.compute_from_folder(folder, "A", "2016/17")["figures"]
    assert f["marac_cases"]["value"] is None and "marac_cases.csv is not in the data folder" in f["marac_cases"]["note"]
    assert f["domestic_abuse"]["value"] is None and "no domestic_abuse column" in f["domestic_abuse"]["note"]
    assert f["all_crime"]["value"] == 5


def test_output_is_deterministic(tiny):
    a = figures.dumps(figures.compute_from_folder(tiny, "A", "2016/17"))
    b = figures.dumps(figures.compute_from_folder(tiny, "A", "2016/17"))
    assert a == b


def test_rates_per_thousand(figs):
    f = figs["figures"]
    # A has 1,000 residents and 400 households; county X has 3,000 residents
    assert (f["all_crime"]["rate"], f["all_crime"]["previous_rate"]) == (5.0, 4.0)
    assert f["county_all_crime"]["rate"] == 2.0  # 6 crimes per 3,000 residents
    assert f["burglary"]["rate"] == 2.5 and f["burglary"]["rate_per"] == "1,000 households"  # 1 per 400


def test_variation_label_from_xmr(figs):
    chart = figs["series"]["xmr"]["all_crime"]
    assert [p["value"] for p in chart["points"]][:3] == [0, 0, 0]  # April 2015 onwards, month by month
    assert chart["trial"] is False and len(chart["points"]) == 24
    assert figs["figures"]["all_crime"]["variation"] == chart["label"]


def test_neighbourhoods_from_an_extract_with_lsoa_codes(tmp_path):
    """A force extract with the optional lsoa_code (and lsoa_name) columns gets series.neighbourhoods as
    police.uk files do, counted by hand: A's crimes of 2016/17 are c01, c02, c07 in E01000001, c05 in
    E01000002 (no name: the code stands for it) and c04 with no code; of 2015/16, c03, c06 and c08."""
    from conftest import TINY, write_tiny

    codes = {
        "c01": "E01000001",
        "c02": "E01000001",
        "c07": "E01000001",
        "c03": "E01000001",
        "c05": "E01000002",
        "c06": "E01000002",
        "c08": "E01000003",
    }
    lines = TINY["crimes.csv"].strip().splitlines()
    crimes = [lines[0] + ",lsoa_code,lsoa_name"] + [
        f"{x},{codes.get(x[:3], '')},{'A 001A' if codes.get(x[:3]) == 'E01000001' else ''}" for x in lines[1:]
    ]
    folder = write_tiny(tmp_path / "lsoa", **{"crimes.csv": "\n".join(crimes) + "\n"})
    s = figures.published(folder, "A", "2016/17", 4)["series"]
    assert s["neighbourhoods"] == [
        {"lsoa_code": "E01000001", "lsoa_name": "A 001A", "value": 3, "previous": 1, "change": 2},
        {"lsoa_code": "E01000002", "lsoa_name": "E01000002", "value": 1, "previous": 1, "change": 0},
        {"lsoa_code": "E01000003", "lsoa_name": "E01000003", "value": 0, "previous": 1, "change": -1},
    ]
    assert s["neighbourhoods_asb"] == []  # the ASB table has no LSOA codes
    assert "neighbourhoods" not in figures.compute_from_folder(write_tiny(tmp_path / "plain"), "A", "2016/17")["series"]


def test_a_bad_lsoa_code_names_the_file_line_and_column(tmp_path):
    from conftest import TINY, write_tiny
    from csp_lib.data import load
    from csp_lib.data.contract import DataError

    lines = TINY["crimes.csv"].strip().splitlines()
    crimes = [lines[0] + ",lsoa_code"] + [x + ("," if i != 2 else ",Blackpool 010A") for i, x in enumerate(lines[1:])]
    folder = write_tiny(tmp_path / "bad", **{"crimes.csv": "\n".join(crimes) + "\n"})
    with pytest.raises(
        DataError, match=r"crimes.csv, line 4, column 'lsoa_code': 'Blackpool 010A' is not an LSOA code"
    ):
        load(folder)


def test_rank_on_rates_in_the_county(tiny):
    """A: 5 crimes in 2016/17 for 1,000 residents; B: 1 for 2,000 (conftest.py): A has the higher rate."""
    from csp_lib.present import narrative as say

    a = figures.compute_from_folder(tiny, "A", "2016/17")
    b = figures.compute_from_folder(tiny, "B", "2016/17")
    assert a["figures"]["all_crime_rate_rank_in_county"] == {"value": 1, "of": 2}
    assert b["figures"]["all_crime_rate_rank_in_county"] == {"value": 2, "of": 2}
    assert say.rate(b, "all_crime").endswith(": the 2nd highest rate of the 2 districts.")


def test_most_similar_group_from_families_csv(tiny):
    """families.csv puts A with C (another county) and B alone: A is ranked within its group too. A's crimes
    rose from 4 to 5 (+25%) and C's stayed at 1 (conftest.py): A has the higher % change of the two."""
    from csp_lib.present import narrative as say

    (tiny / "families.csv").write_text("district,family\nA,F1\nB,F2\nC,F1\n")
    a = figures.compute_from_folder(tiny, "A", "2016/17")
    assert a["family"] == {"name": "F1", "districts": ["A", "C"]}
    assert a["figures"]["all_crime_rank_in_family"] == {"value": 2, "of": 2}
    assert say.family(a, "all_crime") == " Among its most similar group (F1, 2 districts), A had the highest % change."
    b = figures.compute_from_folder(tiny, "B", "2016/17")  # alone in its group: nothing to compare with
    assert "family" not in b and "all_crime_rank_in_family" not in b["figures"]


def test_a_family_of_an_unknown_district_names_the_file_line_and_column(tiny):
    from csp_lib.data.contract import DataError

    (tiny / "families.csv").write_text("district,family\nA,F1\nQ,F1\n")
    with pytest.raises(DataError, match=r"families.csv, line 3, column 'district'"):
        figures.compute_from_folder(tiny, "A", "2016/17")


def test_crimes_counted_in_blocks_give_the_same_figures(tiny, monkeypatch):
    """The cube counts the crimes a block of rows at a time (memory grows with the block, not the table): blocks
    of 4 of the 14 crimes, one block ending between a district's rows, give the figures one block gives."""
    from csp_lib.figures import cube

    whole = figures.dumps(figures.compute_from_folder(tiny, "A", "2016/17"))
    monkeypatch.setattr(cube, "CHUNK_ROWS", 4)
    assert figures.dumps(figures.compute_from_folder(tiny, "A", "2016/17")) == whole
    assert (
        core(figures.compute_from_folder(tiny, "A", "2016/17")["figures"]["all_crime"])["value"] == 5
    )  # c01, c02, c04, c05, c07


def test_line_numbers_are_shared_not_copied_into_every_column(tiny):
    """pandas deep-copies a frame's attrs into everything made from it: the records' line numbers (8 bytes a
    record) are one array however many columns and measures are made from the table."""
    from csp_lib.data import load

    crimes = load(tiny)["crimes"]
    derived = crimes["offence"].astype(str) == "Rape"
    assert derived.attrs["lines"] is crimes.attrs["lines"]
    assert crimes.iloc[2:5].attrs["lines"] is crimes.attrs["lines"]
    assert int(crimes.attrs["lines"][3]) == 5
