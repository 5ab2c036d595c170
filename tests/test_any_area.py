"""Every district and several kinds of period of the demo data: figures and sentences hold up."""

import pytest

from csp_lib import demo, figures
from csp_lib.data import contract
from csp_lib.data import load as load_data
from csp_lib.present import narrative as say

PERIODS = ["2012/13", "2016/17-Q4", "2014-10..2015-09", "2017-03"]


@pytest.fixture(scope="module")
def loaded(demo_dir):
    data = load_data(demo_dir)
    return data, figures.build_cube(data)


@pytest.mark.parametrize("period", PERIODS)
def test_every_district(loaded, period):
    data, cube = loaded
    totals = {}
    for area in demo.DISTRICTS:
        f = figures.compute(data, area, period, cube)
        assert not [i for i in contract.REQUIRED_IDS if i not in f["figures"]]
        totals[area] = f["figures"]["all_crime"]["value"]
        for text in (
            say.headline(f, "all_crime"),
            say.peaks(f),
            say.marac(f),
            say.cse(f),
            say.hate(f),
            say.comparison(f, "asb_incidents"),
            say.funnel(f, "asb"),
            say.ages(f),
            say.committed(f),
            say.rank(f, "vap", "Violence"),
            *say.referrals(f),
        ):
            assert "None" not in text and "{" not in text, text
    # the county is the sum of its districts
    assert f["figures"]["county_all_crime"]["value"] == sum(totals.values())


def test_first_year_has_no_comparison(loaded):
    data, cube = loaded
    f = figures.compute(data, "Fylde", "2012/13", cube)
    assert f["figures"]["all_crime"]["previous"] is None
    assert "there is no earlier year to compare with" in say.headline(f, "all_crime")
    assert f["figures"]["vap_rank_in_county"]["value"] is None


def test_a_period_after_the_marac_data_says_so(loaded):
    data, cube = loaded
    f = figures.compute(data, "Blackpool", "2016/17-Q4", cube)
    assert f["figures"]["marac_cases"]["value"] is None
    assert "cover April 2012 to December 2016, not January to March 2017" in say.marac(f)
