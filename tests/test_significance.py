"""The test of a year-on-year change (issue 29): the exact conditional test for two Poisson counts.

Every expected value is worked here by hand, in exact integer arithmetic (``math.comb`` and fractions),
independently of the module's floating-point sums, or from a closed form. scipy is not installed in the
project's environment; the values it gives (``binomtest(25, 41).pvalue`` = 0.2110...,
``binomtest(690, 1206).pvalue`` = 6.04e-07, ``binomtest(0, 5).pvalue`` = 0.0625) are the ones below.
"""

import math
from fractions import Fraction

import pytest

from conftest import REPORT_HEAD
from csp_lib import figures
from csp_lib.figures import disclosure
from csp_lib.figures import significance as s


def exact_pvalue(k: int, n: int, p: Fraction) -> float:
    """scipy.stats.binomtest's two-sided p-value in exact fractions: the outcomes no more likely than k."""
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    return float(sum(q for q in pmf if q <= pmf[k] * Fraction(10**7 + 1, 10**7)))


def tail_at_least(k: int, n: int, p: float) -> float:
    return math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def test_25_against_16_is_within_chance():
    # n = 41; under 1/2 the pmf is symmetric, so the outcomes no likelier than 25 are <= 16 and >= 25
    by_hand = Fraction(2 * sum(math.comb(41, i) for i in range(17)), 2**41)
    assert s.binom_pvalue(25, 41) == pytest.approx(float(by_hand), rel=1e-9)
    assert float(by_hand) == pytest.approx(0.2110, abs=5e-5)
    out = s.poisson_test(25, 16)
    assert out["p_value"] == pytest.approx(0.211, abs=5e-4) and out["verdict"] == "no clear change"
    assert out["ratio"] == 1.563  # 25 / 16 = 1.5625, half away from zero
    lo, hi = s.clopper_pearson(25, 41)  # the ends solve the exact tail equations
    assert tail_at_least(25, 41, lo) == pytest.approx(0.025, rel=1e-9)
    assert 1 - tail_at_least(26, 41, hi) == pytest.approx(0.025, rel=1e-9)
    assert out["ratio_ci95"] == [round(lo / (1 - lo), 3), round(hi / (1 - hi), 3)] == [0.802, 3.132]
    assert out["ratio_ci95"][0] < 1 < out["ratio_ci95"][1]  # the interval holds 1: no clear change


def test_690_against_516_is_an_increase():
    n = 1206
    by_hand = Fraction(2 * sum(math.comb(n, i) for i in range(517)), 2**n)
    assert s.binom_pvalue(690, n) == pytest.approx(float(by_hand), rel=1e-7)
    out = s.poisson_test(690, 516)
    assert out["p_value"] == pytest.approx(6.041e-07, rel=1e-3) and out["verdict"] == "increase"
    assert out["ratio"] == 1.337  # 690 / 516 = 1.3372...
    lo, hi = out["ratio_ci95"]
    assert 1 < lo < out["ratio"] < hi and (lo, hi) == (1.191, 1.502)
    assert s.poisson_test(516, 690)["verdict"] == "reduction"  # and the other way round
    assert s.poisson_test(516, 690)["p_value"] == out["p_value"]


def test_0_against_5_is_not_enough_to_tell():
    out = s.poisson_test(0, 5)
    assert out["p_value"] == 0.0625  # 2 * (1/2)**5: 0 and 5 are the two least likely outcomes
    assert out["ratio"] == 0.0 and out["verdict"] == "no clear change"
    hi = 1 - 0.025 ** (1 / 5)  # Clopper-Pearson with k = 0: (1 - hi)**5 = 0.025, lo = 0
    assert s.clopper_pearson(0, 5) == (0.0, pytest.approx(hi, rel=1e-12))
    assert out["ratio_ci95"] == [0.0, round(hi / (1 - hi), 3)] == [0.0, 1.091]
    # 5 against 0: no ratio and no upper end (null), the lower end the mirror of the above
    back = s.poisson_test(5, 0)
    assert back["p_value"] == 0.0625 and back["ratio"] is None and back["verdict"] == "no clear change"
    assert back["ratio_ci95"] == [round((1 - hi) / hi, 3), None] == [0.916, None]


def test_0_against_0_has_nothing_to_test():
    assert s.poisson_test(0, 0) == {"p_value": None, "ratio": None, "ratio_ci95": None, "verdict": "no clear change"}
    with pytest.raises(ValueError):
        s.binom_pvalue(0, 0)


def test_equal_counts_give_p_1():
    out = s.poisson_test(7, 7)
    assert (out["p_value"], out["ratio"], out["verdict"]) == (1.0, 1.0, "no clear change")
    lo, hi = out["ratio_ci95"]  # 7 of 14 sits in the middle: the interval's ends are reciprocals
    assert lo * hi == pytest.approx(1, abs=0.002) and lo < 1 < hi


def test_a_period_of_fewer_months_is_tested_with_the_months_ratio():
    # 30 in 6 months against 40 in 12: monthly rates 5 and 3.33, ratio 1.5; under one rate value is
    # Binomial(70, 6/18 = 1/3)
    out = s.poisson_test(30, 40, months=6, months_previous=12)
    assert s.binom_pvalue(30, 70, 1 / 3) == pytest.approx(exact_pvalue(30, 70, Fraction(1, 3)), rel=1e-9)
    assert out["p_value"] == pytest.approx(exact_pvalue(30, 70, Fraction(1, 3)), rel=1e-3)
    assert out["ratio"] == 1.5 and out["verdict"] == "no clear change"
    lo, hi = s.clopper_pearson(30, 70)  # the proportion's interval, as a count ratio, times 12 / 6
    assert out["ratio_ci95"] == [round(2 * lo / (1 - lo), 3), round(2 * hi / (1 - hi), 3)]
    # as counts of equal months, 30 against 40 would be a fall (ratio 0.75) with another p-value
    assert s.poisson_test(30, 40)["ratio"] == 0.75
    assert s.poisson_test(30, 40)["p_value"] == pytest.approx(exact_pvalue(30, 70, Fraction(1, 2)), rel=1e-3)
    # 60 in 6 months against 40 in 12 is beyond chance: p by hand under 1/3
    assert exact_pvalue(60, 100, Fraction(1, 3)) < 0.05
    assert s.poisson_test(60, 40, 6, 12)["verdict"] == "increase"


def test_every_compared_figure_carries_its_test(tiny):
    f = figures.compute_from_folder(tiny, "A", "2016/17")["figures"]
    # all crime 5 against 4 (conftest.TINY): binomtest(5, 9) = 1 - P(X = 4 or 5) = 1
    assert f["all_crime"]["significance"] == s.poisson_test(5, 4)
    assert f["all_crime"]["significance"]["p_value"] == 1.0
    assert f["theft_offences"]["significance"]["ratio"] == 0.5  # 1 against 2
    assert f["domestic_abuse"]["significance"]["ratio"] is None  # 1 against 0
    # MARAC ends 2016-06: its partial window, 3 months against the same 3 a year earlier
    assert f["marac_cases"]["partial"] and f["marac_cases"]["significance"] == s.poisson_test(2, 1, 3, 3)
    compared = [k for k, v in f.items() if v.get("value") is not None and v.get("previous") is not None]
    assert compared and all("significance" in f[k] for k in compared if "of" not in f[k])


def test_each_districts_row_carries_its_test(tiny):
    out = figures.compute_from_folder(tiny, "A", "2016/17")
    rows = {r["district"]: r for r in out["series"]["districts"]["all_crime"]}
    assert rows["A"]["significance"] == out["figures"]["all_crime"]["significance"] == s.poisson_test(5, 4)
    assert len(rows) > 1 and all(r["significance"] == s.poisson_test(r["value"], r["previous"]) for r in rows.values())
    # a row withheld (a small count) withholds its test with it, in every report
    pub = disclosure.apply(out, threshold=4)
    for fid, rows in pub["series"]["districts"].items():
        for r in rows:
            if disclosure.withheld(r) or disclosure.withheld(r, "previous"):
                assert r["significance"] is None and "significance" in r["suppressed"], (fid, r)


def test_a_withheld_count_withholds_its_test():
    def fig(v, p):
        return {"value": v, "previous": p, "change": v - p, "pct_change": None, "significance": s.poisson_test(v, p)}

    figs = {
        **REPORT_HEAD,
        "figures": {"rape": fig(3, 16), "hate_crime": fig(25, 2), "all_crime": fig(3, 2), "marac_cases": fig(25, 16)},
        "series": {},
    }
    f = disclosure.apply(figs, threshold=4)["figures"]
    for fid in ("rape", "hate_crime"):  # a small value, a small previous
        assert f[fid]["significance"] is None and "significance" in f[fid]["suppressed"]
    assert f["all_crime"]["significance"] == s.poisson_test(3, 2)  # not victim-based: shown
    assert f["marac_cases"]["significance"]["p_value"] == pytest.approx(0.211, abs=5e-4)
    # the gate knows each number of the test, and stops at one it does not
    paths = {p for p, _, _ in disclosure.numbers({"figures": f})}
    assert "figures.marac_cases.significance.ratio_ci95[]" in paths
    assert all(disclosure._kind(p) == ("derived", None) for p in paths if ".significance." in p)
    f["marac_cases"]["significance"]["z"] = 1.2
    with pytest.raises(disclosure.DisclosureError, match="significance.z"):
        disclosure._sweep({"figures": f}, 4)


def poisson_at_most(j: int, mu: float) -> float:
    return math.fsum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(j + 1))


def test_the_exact_poisson_interval_of_a_count():
    # k = 0: P(X = 0 | hi) = e^-hi = 0.025; k = 1: 1 - e^-lo = 0.025 and e^-hi (1 + hi) = 0.025
    assert s.poisson_interval(0) == (0.0, pytest.approx(-math.log(0.025), rel=1e-12))
    lo, hi = s.poisson_interval(1)
    assert lo == pytest.approx(-math.log(0.975), rel=1e-12)
    assert math.exp(-hi) * (1 + hi) == pytest.approx(0.025, rel=1e-12) and hi == pytest.approx(5.5716, abs=1e-4)
    # k = 10 from the published tables (Garwood 1936): 4.795 to 18.390
    assert s.poisson_interval(10) == (pytest.approx(4.7954, abs=1e-4), pytest.approx(18.3904, abs=1e-4))
    lo, hi = s.poisson_interval(100)  # the defining equations, summed term by term
    assert 1 - poisson_at_most(99, lo) == pytest.approx(0.025, rel=1e-9)
    assert poisson_at_most(100, hi) == pytest.approx(0.025, rel=1e-9)


@pytest.mark.parametrize(
    "comparator, band",
    [
        (0.99, "higher than"),  # the interval wholly above
        (1.0, "about the same as"),  # on its lower end: around it
        (1.5, "about the same as"),
        (2.0, "about the same as"),  # on its upper end
        (2.01, "lower than"),
    ],
)
def test_the_bands_at_their_edges(comparator, band):
    assert s.rate_band([1.0, 2.0], comparator) == band


def test_rates_carry_their_interval_and_bands(tiny):
    (tiny / "families.csv").write_text("district,family\nA,F1\nB,F2\nC,F1\n")
    f = figures.compute_from_folder(tiny, "A", "2016/17")["figures"]
    # A: 5 crimes per 1,000 residents; the Poisson interval of 5 is 1.6235 to 11.6683 (Garwood), per 1,000
    # of 1,000: [1.6, 11.7] (outwards); the county's 6 per 3,000 = 2.0 and the group's (A and C) 6 per
    # 1,500 = 4.0 lie inside it
    a = f["all_crime"]
    assert (a["rate"], a["rate_ci95"]) == (5.0, [1.6, 11.7])
    assert a["rate_band_county"] == "about the same as" and a["rate_band_family"] == "about the same as"
    assert f["county_all_crime"]["rate_ci95"] == [0.7, 4.4]  # 6: 2.2009 to 13.0594, per 1,000 of 3,000
    assert "rate_band_county" not in f["county_all_crime"]
    b = figures.compute_from_folder(tiny, "B", "2016/17")["figures"]["all_crime"]  # 1 per 2,000: [0.0, 2.8]
    assert b["rate_ci95"] == [0.0, 2.8] and b["rate_band_county"] == "about the same as"
    assert "rate_band_family" not in b  # alone in its group


def test_a_high_rate_is_higher_than_the_county(demo_figures):
    f = demo_figures["figures"]
    a, c = f["all_crime"], f["county_all_crime"]
    assert a["rate_ci95"][0] <= a["rate"] <= a["rate_ci95"][1] and a["rate_ci95"][0] > c["rate"]
    assert a["rate_band_county"] == "higher than"


def test_a_withheld_count_withholds_its_rate_interval_and_bands():
    def fig(v, p):
        return {"value": v, "previous": p, "change": v - p, "pct_change": None, "rate": 0.1, "rate_ci95": [0.0, 0.3]}

    figs = {
        **REPORT_HEAD,
        "figures": {
            "sexual_offences": fig(3, 16) | {"rate_band_county": "lower than", "rate_band_family": "lower than"},
            "county_sexual_offences": fig(20, 20),
            "hate_crime": fig(25, 20) | {"rate_band_county": "higher than", "rate_band_family": "lower than"},
            "county_hate_crime": fig(3, 20),
        },
        "family": {"name": "urban", "districts": ["A", "B"]},
        "series": {
            "districts": {
                "hate_crime": [
                    {"district": "A", "value": 25, "previous": 20},
                    {"district": "B", "value": 9, "previous": 9},
                ]
            }
        },
    }
    f = disclosure.apply(figs, threshold=4)["figures"]
    so = f["sexual_offences"]
    assert so["rate_ci95"] is None and so["rate_band_county"] is None and so["rate_band_family"] is None
    assert {"rate_ci95", "rate_band_county", "rate_band_family"} <= set(so["suppressed"])
    hc = f["hate_crime"]  # its own count shown, the county's withheld: the band against the county goes
    assert hc["rate_ci95"] == [0.0, 0.3] and hc["rate_band_county"] is None
    # and the county's withheld count takes a member's row with it (B's, secondary): the group's band goes too
    assert hc["rate_band_family"] is None and hc["suppressed"] == ["rate_band_county", "rate_band_family"]


def test_a_tile_says_whether_its_change_is_beyond_chance(demo_figures):
    import copy

    from csp_lib.present import pages

    tile = pages.tile(demo_figures, "all_crime", "All crime", "01-overview.html")  # 18,664 against 16,605
    assert '<span class="csp-tile-prev csp-tile-verdict">more than chance</span>' in tile
    figs = copy.deepcopy(demo_figures)
    figs["figures"]["all_crime"] |= {"value": 25, "previous": 16, "change": 9, "significance": s.poisson_test(25, 16)}
    assert '>within chance</span><span class="csp-mdc">' in pages.tile(figs, "all_crime", "All crime", "x.html")
    figs["figures"]["all_crime"] |= {"value": 16, "change": 0, "significance": s.poisson_test(16, 16)}
    assert "chance" not in pages.tile(figs, "all_crime", "All crime", "x.html")  # no change: nothing to test
    figs["figures"]["all_crime"]["significance"] = None  # withheld
    assert "chance" not in pages.tile(figs, "all_crime", "All crime", "x.html")


def test_a_test_asked_again_is_worked_once():
    """A report asks the same tests of its county's districts again and again (14 reports of Lancashire: 1,190
    tests, 647 of them different): each is worked once, and the answer is the same."""
    from csp_lib.figures import significance as s

    for f in (s.binom_pvalue, s.clopper_pearson, s.poisson_interval, s._poisson_test):
        f.cache_clear()
    first = s.poisson_test(690, 516), s.poisson_interval(37)
    again = s.poisson_test(690, 516), s.poisson_interval(37)
    assert first == again and first[0] is not again[0]  # a new object each time: a report may change its own
    assert s._poisson_test.cache_info().hits == 1 and s.clopper_pearson.cache_info().misses == 1
    assert s.binom_pvalue.cache_info().misses == 1 and s.poisson_interval.cache_info().hits == 1


def test_a_table_says_whether_each_change_is_beyond_chance(demo_figures):
    """The section tables (and their CSVs) carry each change's verdict: Yes, No, [c] where the test is withheld
    with its counts, nothing where nothing changed."""
    import copy

    from csp_lib.present import tables

    figs = copy.deepcopy(demo_figures)
    figs["figures"]["robbery"] |= {"value": 16, "previous": 16, "change": 0, "significance": s.poisson_test(16, 16)}
    figs["figures"]["drug_offences"] |= {"significance": None, "suppressed": ["significance"]}
    ids = ["all_crime", "vap_serious_assault", "robbery", "drug_offences"]  # 18,664 v 16,605; 164 v 149 (p = 0.44)
    df = tables.figure_frame(figs, ids)
    assert list(df[tables.BEYOND].fillna("")) == ["Yes", "No", "", "[c]"]
    assert '<td class="num">Yes</td>' in tables.to_html(df, "x") and '<td class="num">[c]</td>' in tables.to_html(
        df, "x"
    )
    for fid in ids:
        figs["figures"][fid] |= {"significance": None, "suppressed": []}
    assert tables.BEYOND not in tables.figure_frame(figs, ids).columns  # no test: no column
