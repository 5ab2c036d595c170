"""The published 2016/17 report, as figures (docs/figures.md), from the demo data.

The golden table is copied into tests/golden/ so that the test runs on a clone
without shared/. An empty cell in it is a figure the report does not state.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "blackpool-2016-17.csv"
ROWS = list(csv.DictReader(GOLDEN.open()))


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_golden_figure(demo_figures, row):
    f = demo_figures["figures"][row["id"]]
    for key in ("previous", "value", "change"):
        if row[key]:
            assert f[key] == int(row[key]), key
    if row["pct_change"]:
        assert f["pct_change"] == float(row["pct_change"])


def test_golden_ranks_shares_and_windows(demo_figures):
    f = demo_figures["figures"]
    assert f["vap_rank_in_county"] == {"value": 4, "of": 14}
    assert f["domestic_abuse_rank_in_county"] == {"value": 3, "of": 14}
    assert f["sexual_offences_non_recent"]["share"] == 31.2
    assert (f["referrals_avert_complied"]["value"], f["referrals_avert_complied"]["share"]) == (72, 55.0)
    for mid in ("marac_cases", "marac_children", "marac_repeat_cases"):
        assert (f[mid]["start"], f[mid]["end"]) == ("2016-04-01", "2016-12-31")
        assert (f[mid]["previous_start"], f[mid]["previous_end"]) == ("2015-04-01", "2015-12-31")


def test_golden_statements(demo_figures):
    f = demo_figures["figures"]
    q, m = f["domestic_abuse_peak_quarter"], f["domestic_abuse_peak_month"]
    assert (q["label"], q["value"]) == ("October to December 2016", 519)
    assert (m["label"], m["value"]) == ("December 2016", 206)
    assert (q["start"], q["end"]) == ("2013-04-01", "2017-03-31")
    quarters = f["asb_incidents_quarters_lower"]
    assert (quarters["value"], quarters["of"]) == (4, 4)
    months = f["asb_incidents_months_lower"]
    assert (months["value"], months["of"]) == (8, 12)
    assert [x["label"] for x in months["largest_falls"][:2]] == ["July 2016", "October 2016"]
    assert f["theft_offences_districts_rising"] == {"value": 13, "of": 14}
    assert f["vap_districts_rising"] == {"value": 14, "of": 14}
    assert f["vap_victim_age_15_24"]["previous_share"] == 27.0
    assert f["vap_offender_age_15_24"]["previous_share"] == 29.0
    assert f["vap_offender_age_25_29"]["previous_share"] == 16.0
    for fid, rows in demo_figures["series"]["trend"].items():
        if fid != "cse_flagged_crimes":
            assert [r["period"] for r in rows] == ["2013/14", "2014/15", "2015/16", "2016/17"], fid


def test_csp_figures_command_prints_the_same_json(demo_dir, demo_figures):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "csp_lib.cli",
            "figures",
            "--data",
            str(demo_dir),
            "--area",
            "Blackpool",
            "--period",
            "2016/17",
            "--no-suppression",  # the internal figures, as demo_figures are
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == demo_figures
