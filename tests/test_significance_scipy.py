"""The test of a change and the exact intervals against scipy (issue 29, item 1).

scipy is a test dependency only (requirements-dev.txt): ``csp_lib`` works the same sums with numpy, and
these tests hold its answers to ``scipy.stats.binomtest`` (p-value and ``proportion_ci(method="exact")``)
and to the chi-square form of the exact Poisson interval, over counts and months' ratios that hypothesis
draws, and over the issue's own cases.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csp_lib.figures import calculate
from csp_lib.figures import significance as s

stats = pytest.importorskip("scipy.stats")

MONTHS = st.sampled_from([(12, 12), (3, 3), (1, 1), (6, 12), (9, 12), (11, 12), (2, 3), (12, 6)])
COUNTS = st.integers(min_value=0, max_value=3000)


def scipy_test(value: int, previous: int, t: int, t0: int) -> dict:
    """poisson_test's object worked by scipy: binomtest(value, n, t / (t + t0)) and its exact interval."""
    n = value + previous
    share = t / (t + t0)
    res = stats.binomtest(value, n, share)
    ci = res.proportion_ci(confidence_level=0.95, method="exact")
    scale = t0 / t
    lo = ci.low / (1 - ci.low) * scale
    hi = math.inf if ci.high == 1 else ci.high / (1 - ci.high) * scale
    return {"p": res.pvalue, "lo": lo, "hi": hi}


def garwood(k: int) -> tuple[float, float]:
    """The exact Poisson interval of one count in its chi-square form."""
    lo = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    return lo, stats.chi2.ppf(0.975, 2 * k + 2) / 2


def close(ours: float | None, ref: float, rel: float = 2e-3) -> bool:
    """A value figures.json rounds (ratios to 3 decimals, p to 4 significant figures) against scipy's."""
    if ours is None:
        return math.isinf(ref)
    return ours == pytest.approx(ref, rel=rel, abs=6e-4)


@settings(max_examples=150, deadline=None)
@given(value=COUNTS, previous=COUNTS, months=MONTHS)
def test_poisson_test_agrees_with_scipy_binomtest(value, previous, months):
    t, t0 = months
    if value + previous == 0:
        return
    n = value + previous
    share = t / (t + t0)
    ref = stats.binomtest(value, n, share)
    # to 1e-5 however far in the tail (2.8e-280 for 1,333 against 449: the log-factorials lose a few digits);
    # below 1e-250 scipy may underflow to 0 (10 against 1,065) where the sums here give 2.7e-300
    assert s.binom_pvalue(value, n, share) == pytest.approx(ref.pvalue, rel=1e-5, abs=1e-250)
    ci = ref.proportion_ci(confidence_level=0.95, method="exact")
    lo, hi = s.clopper_pearson(value, n)
    assert lo == pytest.approx(ci.low, rel=1e-7, abs=1e-12) and hi == pytest.approx(ci.high, rel=1e-7, abs=1e-12)
    out, want = s.poisson_test(value, previous, t, t0), scipy_test(value, previous, t, t0)
    assert out["p_value"] == pytest.approx(want["p"], rel=1e-3, abs=1e-250)
    assert close(out["ratio_ci95"][0], want["lo"]) and close(out["ratio_ci95"][1], want["hi"])
    verdict = "no clear change" if want["p"] >= 0.05 else "increase" if value * t0 > previous * t else "reduction"
    assert out["verdict"] == verdict


@pytest.mark.parametrize(
    ("value", "previous", "months", "verdict"),
    [
        (25, 16, (12, 12), "no clear change"),  # p about 0.21
        (690, 516, (12, 12), "increase"),
        (516, 690, (12, 12), "reduction"),
        (0, 5, (12, 12), "no clear change"),  # p = 0.0625: five against none is not enough to tell
        (5, 0, (12, 12), "no clear change"),
        (30, 40, (6, 12), "no clear change"),  # a partial period: 6 months against 12
        (40, 40, (6, 12), "increase"),  # as many in half the months: twice the rate
        (9, 20, (3, 12), "no clear change"),
    ],
)
def test_the_issues_cases_agree_with_scipy(value, previous, months, verdict):
    t, t0 = months
    out, want = s.poisson_test(value, previous, t, t0), scipy_test(value, previous, t, t0)
    assert out["p_value"] == pytest.approx(want["p"], rel=1e-3)
    assert close(out["ratio_ci95"][0], want["lo"]) and close(out["ratio_ci95"][1], want["hi"])
    assert out["verdict"] == verdict


def test_25_against_16_as_scipy_gives_it():
    assert stats.binomtest(25, 41, 0.5).pvalue == pytest.approx(0.2110, abs=5e-5)
    assert s.poisson_test(25, 16)["p_value"] == pytest.approx(stats.binomtest(25, 41).pvalue, rel=1e-3)


@settings(max_examples=150, deadline=None)
@given(k=st.integers(min_value=0, max_value=20000))
def test_the_poisson_interval_agrees_with_chi2_and_gamma(k):
    lo, hi = s.poisson_interval(k)
    want_lo, want_hi = garwood(k)
    assert lo == pytest.approx(want_lo, rel=1e-7, abs=1e-12) and hi == pytest.approx(want_hi, rel=1e-7)
    # the same ends as gamma quantiles: Gamma(k) at 2.5% and Gamma(k + 1) at 97.5%
    assert lo == pytest.approx(0.0 if k == 0 else stats.gamma.ppf(0.025, k), rel=1e-7, abs=1e-12)
    assert hi == pytest.approx(stats.gamma.ppf(0.975, k + 1), rel=1e-7)


@settings(max_examples=100, deadline=None)
@given(k=st.integers(min_value=0, max_value=5000), base=st.integers(min_value=1000, max_value=2_000_000))
def test_a_rates_interval_holds_scipys(k, base):
    lo, hi = calculate.rate_ci95(k, base)
    want_lo, want_hi = garwood(k)
    # rounded outwards to 1 decimal: the interval shown holds the exact one, and is no more than 0.1 wider
    assert lo <= want_lo * 1000 / base + 1e-9 and hi >= want_hi * 1000 / base - 1e-9
    assert want_lo * 1000 / base - lo < 0.1 + 1e-9 and hi - want_hi * 1000 / base < 0.1 + 1e-9


@pytest.mark.parametrize("k", [0, 1, 10, 100])
def test_rate_bands_at_the_edges_of_scipys_interval(k):
    lo, hi = garwood(k)
    ci = [lo, hi]
    assert s.rate_band(ci, hi) == "about the same as" and s.rate_band(ci, lo) == "about the same as"
    assert s.rate_band(ci, math.nextafter(hi, math.inf)) == "lower than"
    expect_low = "higher than" if lo > 0 else "about the same as"
    assert s.rate_band(ci, math.nextafter(lo, -math.inf) if lo > 0 else 0.0) == expect_low
