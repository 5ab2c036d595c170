"""XmR limits and Making Data Count rules on series worked out by hand."""

import pytest

from csp_lib.figures import spc


def rules(values):
    return {(s["rule"], s["direction"]) for s in spc.signals(values, spc.limits(values))}


def test_limits_by_hand():
    lim = spc.limits([10, 12, 11, 13, 12])
    # mean 58/5 = 11.6; moving ranges 2, 1, 2, 1 -> 1.5; 2.66 x 1.5 = 3.99
    assert lim["mean"] == pytest.approx(11.6)
    assert lim["mr_bar"] == pytest.approx(1.5)
    assert (lim["ucl"], lim["lcl"]) == (pytest.approx(15.59), pytest.approx(7.61))
    assert lim["trial"] is True
    assert spc.limits(list(range(12)))["trial"] is False


def test_point_outside_the_limits():
    values = [10] * 11 + [20]
    # mean 10.83, mean moving range 10/11 = 0.91, UCL 13.25: 20 is outside
    assert ("outside", "up") in rules(values)


def test_falling_trend_is_flagged():
    values = [30, 31, 29, 30, 27, 26, 25, 24, 23, 22, 21, 29, 30]
    found = rules(values)
    assert ("trend", "down") in found  # 29 > 27 > 26 > 25 > 24 > 23 > 22 > 21: 7 falling and more
    assert ("trend", "up") not in found


def test_six_falling_is_not_a_trend():
    assert ("trend", "down") not in rules([20, 19, 18, 17, 16, 15, 30, 14])


def test_run_of_seven_on_one_side():
    values = [10, 12, 9, 11, 10, 13, 13, 14, 13, 14, 13, 14, 9, 8]
    assert ("shift", "up") in rules(values)


def test_two_of_three_on_opposite_sides_does_not_fire():
    # mean 10; moving ranges make the limits about +/- 10.6, two-thirds about +/- 7.1:
    # 18 is beyond the upper two-thirds line and 2 beyond the lower one, in one window of three
    values = [10, 10, 10, 18, 10, 2, 10, 10, 10, 10]
    lim = spc.limits(values)
    upper, lower = lim["mean"] + 2 / 3 * (lim["ucl"] - lim["mean"]), lim["mean"] - 2 / 3 * (lim["mean"] - lim["lcl"])
    assert values[3] > upper and values[5] < lower
    assert not {r for r in rules(values) if r[0] == "two_of_three"}


def test_two_of_three_on_one_side_fires():
    values = [10, 11, 9, 10, 17, 11, 17, 10, 9, 11, 10, 10]
    assert ("two_of_three", "up") in rules(values)


def test_label_only_counts_signals_in_the_period():
    # mean 161/12 = 13.4, mean moving range 86/11 = 7.8, UCL 34.2: only 40 is special
    rows = [{"month": f"m{i}", "value": v} for i, v in enumerate([8, 14] * 5 + [11, 40])]
    assert spc.xmr(rows, range(0, 6))["label"] == "within normal variation"
    out = spc.xmr(rows, range(6, 12))
    assert out["label"] == "special cause: a month outside the process limits (high)"
    assert out["points"][11]["special"] is True and out["points"][0]["special"] is False


def test_the_making_data_count_icon_of_the_period():
    """Issue 29, item 2: common cause with no signal in the period; for crime a high signal is concerning,
    a low one improving; the latest signal in the period decides when there are both."""
    from csp_lib.figures import spc

    flat = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9]
    assert spc.xmr([{"month": f"2016-{i + 1:02d}", "value": v} for i, v in enumerate(flat)], range(12))["icon"] == (
        "common_cause"
    )
    high = flat + [40]
    rows = [{"month": f"m{i}", "value": v} for i, v in enumerate(high)]
    assert spc.xmr(rows, range(12, 13))["icon"] == "special_cause_concerning"
    # the high month lifts the mean: the twelve before it lie below it, a run of 7 low (improving)
    assert spc.xmr(rows, range(0, 12))["icon"] == "special_cause_improving"
    low = flat * 2 + [0]
    rows = [{"month": f"m{i}", "value": v} for i, v in enumerate(low)]
    assert spc.xmr(rows, range(24, 25))["icon"] == "special_cause_improving"
    up = {"rule": "outside", "direction": "up", "points": [2]}
    down = {"rule": "outside", "direction": "down", "points": [5]}
    assert spc.icon([up, down], range(0, 6)) == "special_cause_improving"  # the latest, month 5, was low
    assert spc.icon([up, down], range(0, 4)) == "special_cause_concerning"
