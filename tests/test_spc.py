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


def _rows(values, first=(2015, 4)):
    """Monthly rows from ``first`` (April 2015), as figures.json's XmR points."""
    y, m = first
    out = []
    for v in values:
        out.append({"month": f"{y:04d}-{m:02d}", "value": v})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


STEP = [10, 12] * 6 + [20, 24] * 6  # 24 months, a step at the 13th (April 2016)


def test_limits_recalculated_after_a_step_change():
    """Issue 29: limits recalculated from the 13th of 24 points (csp.toml's [spc] recalculate), each segment
    mean +/- 2.66 x its own mean moving range; the range of 12 -> 20 across the step belongs to neither."""
    out = spc.xmr(_rows(STEP), range(12, 24), recalculate=["2016-04"])
    first, second = out["segments"]
    # before: mean 132/12 = 11, moving ranges 2 (11 of them) -> 2, 11 +/- 5.32
    assert first == {
        "first": "2015-04",
        "last": "2016-03",
        "points": 12,
        "baseline_points": 12,
        "mean": 11.0,
        "mr_bar": 2.0,
        "ucl": 16.32,
        "lcl": 5.68,
        "trial": False,
    }
    # after: mean 264/12 = 22, moving ranges 4 (11 of them, not the 8 of 12 -> 20) -> 4, 22 +/- 10.64
    assert (second["first"], second["last"], second["points"]) == ("2016-04", "2017-03", 12)
    assert (second["mean"], second["mr_bar"], second["ucl"], second["lcl"]) == (22.0, 4.0, 32.64, 11.36)
    # the chart's own limits are the current segment's; alternating points give no signal in either
    assert (out["mean"], out["mr_bar"], out["ucl"], out["lcl"], out["trial"]) == (22.0, 4.0, 32.64, 11.36, False)
    assert out["recalculated"] == ["2016-04"] and out["basis"] == "all points" and out["baseline"] is None
    assert out["signals"] == [] and out["icon"] == "common_cause" and out["label"] == "within normal variation"
    # without the recalculation the step is a signal: mean 396/24 = 16.5, mr_bar (22 + 8 + 44)/23 = 3.22, and
    # the 12 months after it a run above the mean (special cause, concerning)
    whole = spc.xmr(_rows(STEP), range(12, 24))
    assert (whole["mean"], whole["mr_bar"], len(whole["segments"]), whole["recalculated"]) == (16.5, 3.22, 1, [])
    assert whole["icon"] == "special_cause_concerning" and ("shift", "up") in {
        (s["rule"], s["direction"]) for s in whole["signals"]
    }


def test_the_icon_after_the_step_uses_the_current_segments_limits():
    """A month after the step judged against the new limits: 20 is ordinary for the old process (11.36 to
    32.64) and beyond the new one's (mean 140/12 = 11.67, moving ranges 2 x 10 and 8 -> 30/11 = 2.73, UCL
    11.67 + 2.66 x 2.727 = 18.92): special cause, concerning, with the limits recalculated only."""
    values = [20, 24] * 6 + [10, 12] * 5 + [10, 20]
    out = spc.xmr(_rows(values), range(12, 24), recalculate=["2016-04"])
    assert (out["mean"], out["mr_bar"], out["ucl"], out["lcl"]) == (11.67, 2.73, 18.92, 4.41)
    assert {"rule": "outside", "direction": "up", "points": [23]} in out["signals"]
    assert out["icon"] == "special_cause_concerning"
    assert out["label"].startswith("special cause: a month outside the process limits (high)")
    # the old limits never see the last month as outside: the run below the mean decides (improving)
    whole = spc.xmr(_rows(values), range(12, 24))
    assert not [s for s in whole["signals"] if s["rule"] == "outside"]
    assert whole["icon"] == "special_cause_improving"


def test_a_baseline_of_12_points():
    """csp.toml's [spc] baseline = 12: the mean and limits of the first 12 points, extended over the rest."""
    values = [10, 12] * 6 + [11] * 8  # 20 months
    out = spc.xmr(_rows(values), range(8, 20), baseline=12)
    # the first 12: mean 11, moving ranges 2 -> 2, 11 +/- 5.32
    assert (out["mean"], out["mr_bar"], out["ucl"], out["lcl"], out["trial"]) == (11.0, 2.0, 16.32, 5.68, False)
    assert (out["baseline"], out["basis"]) == (12, "baseline")
    assert [(s["points"], s["baseline_points"]) for s in out["segments"]] == [(20, 12)]
    # every point: mean 220/20 = 11, moving ranges 2 x 11, 1, 0 x 7 -> 23/19 = 1.21, UCL 11 + 3.22
    whole = spc.xmr(_rows(values), range(8, 20))
    assert (whole["mean"], whole["mr_bar"], whole["ucl"], whole["lcl"]) == (11.0, 1.21, 14.22, 7.78)
    assert (whole["baseline"], whole["basis"]) == (None, "all points")
    # a baseline before a step: the 12 months after it are all beyond the baseline's UCL of 16.32
    step = spc.xmr(_rows(STEP), range(12, 24), baseline=12)
    assert all({"rule": "outside", "direction": "up", "points": [i]} in step["signals"] for i in range(12, 24))
    # with a recalculation too each segment has its own baseline; one of 6 points is all of it, trial limits
    short = spc.xmr(_rows(STEP[:18]), range(12, 18), baseline=12, recalculate=["2016-04"])
    assert [(s["points"], s["baseline_points"], s["trial"]) for s in short["segments"]] == [
        (12, 12, False),
        (6, 6, True),
    ]
    assert short["trial"] is True and (short["mean"], short["mr_bar"]) == (22.0, 4.0)


def test_a_recalculation_month_outside_a_series_changes_nothing_in_it():
    """A month of csp.toml before a series' first point or after its last is no segment of it (the build refuses
    months outside the data: test_spc_settings)."""
    plain = spc.xmr(_rows(STEP), range(12, 24))
    for m in ("2015-04", "2014-01", "2018-01"):
        assert spc.xmr(_rows(STEP), range(12, 24), recalculate=[m]) == plain


def test_the_methods_pages_xmr_paragraph_explains_baseline_and_recalculation():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "book" / "methods.md").read_text(encoding="utf-8")
    part = " ".join(text.split("## Normal variation or a signal?")[1].split("\n## ")[0].split())
    assert "**baseline** (`[spc] baseline`, 12 to 20 months" in part
    assert "**recalculated** from the month of the change (`[spc] recalculate`" in part
    assert '"limits recalculated from October 2016"' in part
