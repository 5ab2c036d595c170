import pandas as pd
import pytest

from csp_lib.figures import measures as m


@pytest.mark.parametrize(
    "x, want",
    [
        (0.05, 0.1),
        (0.25, 0.3),
        (-0.25, -0.3),
        (12.45, 12.5),
        (2.675, 2.7),
        (-2.5, -2.5),
        (0, 0.0),
    ],
)
def test_round_half_away_from_zero(x, want):
    from fractions import Fraction

    assert m.round_half_away(Fraction(str(x))) == want


def test_pct_change_rounds_half_away_not_to_even():
    # 100 * 1 / 8 = 12.5 exactly; 100 * 1 / 80 = 1.25 -> 1.3 (round() would give 1.2)
    assert m.pct_change(9, 8) == 12.5
    assert m.pct_change(81, 80) == 1.3
    assert m.pct_change(79, 80) == -1.3
    assert m.pct_change(18664, 16605) == 12.4
    assert m.pct_change(5, 0) is None


def test_change_object():
    assert m.change(18664, 16605) == {"value": 18664, "previous": 16605, "change": 2059, "pct_change": 12.4}
    assert m.change(3, None) == {"value": 3, "previous": None, "change": None, "pct_change": None}


def test_rank_lowest_first_uses_exact_ratio_and_ties_share():
    changes = {"A": (110, 100), "B": (105, 100), "C": (220, 200), "D": (50, 0)}
    # A and C are both +10% (exact tie), B +5%: B 1st, A and C share 2nd; D has no previous
    assert m.rank_lowest_first(changes, "A") == {"value": 2, "of": 3}
    assert m.rank_lowest_first(changes, "C") == {"value": 2, "of": 3}
    assert m.rank_lowest_first(changes, "B") == {"value": 1, "of": 3}
    assert m.rank_lowest_first(changes, "D") == {"value": None, "of": 3}
    # 10.04% vs 10.0%: equal when rounded, but 10.0 is lower
    assert m.rank_lowest_first({"P": (2510, 2281), "Q": (110, 100)}, "Q")["value"] == 1


def test_count_rising():
    assert m.count_rising({"A": (2, 1), "B": (1, 1), "C": (0, 3)}) == {"value": 1, "of": 3}


def test_peak_earliest_wins_a_tie():
    s = pd.Series({"Jan": 5, "Feb": 9, "Mar": 9})
    assert m.peak(s) == {"label": "Feb", "value": 9}


def test_compare_counts_falls_and_orders_them():
    cur = pd.Series({"Apr": 10, "May": 8, "Jun": 20, "Jul": 1})
    prev = pd.Series({"Apr": 12, "May": 8, "Jun": 15, "Jul": 9})
    out = m.compare(cur, prev)
    assert out["value"] == 2 and out["of"] == 4 and out["higher"] == 1
    assert out["largest_falls"] == [{"label": "Jul", "change": -8}, {"label": "Apr", "change": -2}]


def test_non_recent_is_more_than_365_days():
    rec = pd.to_datetime(pd.Series(["2017-01-01", "2017-01-01", "2017-01-02"]))
    com = pd.to_datetime(pd.Series(["2016-01-01", "2016-01-02", "2016-01-01"]))
    # 2016 is a leap year: 366, 365 and 367 days
    assert m.non_recent(rec, com).tolist() == [True, False, True]


def test_funnel_shares_of_the_step_before():
    out = m.funnel([("CPW", 408), ("CPN", 95), ("CPN breach", 8)])
    assert [s["share_of_previous"] for s in out] == [None, 23.3, 8.4]
    assert m.funnel([("CPW", 0), ("CPN", 0)])[1]["share_of_previous"] is None


def test_share():
    assert m.share(215, 690) == 31.2
    assert m.share(72, 131) == 55.0
    assert m.share(1, 0) is None


def test_rank_on_rates_highest_first():
    counts = {"A": (5, 1000), "B": (1, 2000), "C": (10, 2000), "D": (3, 0)}
    assert m.rank_highest_rate(counts, "A") == {"value": 1, "of": 3}  # 5.0 per 1,000 = C's 5.0: they share 1st
    assert m.rank_highest_rate(counts, "C") == {"value": 1, "of": 3}
    assert m.rank_highest_rate(counts, "B") == {"value": 3, "of": 3}
    assert m.rank_highest_rate(counts, "D") == {"value": None, "of": 3}  # no residents: not ranked
