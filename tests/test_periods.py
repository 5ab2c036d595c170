import datetime as dt

import pytest

from csp_lib.data.periods import Period, PeriodError, did_you_mean, month_index, parse


def test_financial_year():
    p = parse("2016/17")
    assert (p.start, p.end) == (dt.date(2016, 4, 1), dt.date(2017, 3, 31))
    assert p.label == "2016/17" and p.long_label == "April 2016 to March 2017"
    assert len(p) == 12 and p.slug == "2016-17"


def test_quarter_is_october_to_december():
    q = parse("2016/17-Q3")
    assert (q.start, q.end) == (dt.date(2016, 10, 1), dt.date(2016, 12, 31))
    assert q.label == "2016/17-Q3" and q.long_label == "October to December 2016"
    q4 = parse("2016/17-Q4")
    assert (q4.start, q4.end) == (dt.date(2017, 1, 1), dt.date(2017, 3, 31))


def test_span_of_months_and_single_month():
    s = parse("2016-02..2017-01")
    assert (s.start, s.end) == (dt.date(2016, 2, 1), dt.date(2017, 1, 31))
    assert s.label == "2016-02..2017-01"
    m = parse("2016-02")
    assert m.end == dt.date(2016, 2, 29) and len(m) == 1
    assert parse("2011-12").long_label == "December 2011"  # a month, not 2011/12


def test_previous_is_same_months_a_year_earlier():
    assert parse("2016/17").previous().label == "2015/16"
    assert parse("2016/17-Q3").previous().label == "2015/16-Q3"
    assert parse("2016-02..2017-01").previous().label == "2015-02..2016-01"


def test_trend_is_the_period_and_three_before():
    assert [p.label for p in parse("2016/17").trend()] == ["2013/14", "2014/15", "2015/16", "2016/17"]


def test_quarters_inside_a_year_and_a_span():
    assert [q.label for q in parse("2016/17").quarters()] == ["2016/17-Q1", "2016/17-Q2", "2016/17-Q3", "2016/17-Q4"]
    # February..January holds only the whole financial quarters inside it
    assert [q.label for q in parse("2016-02..2017-01").quarters()] == ["2016/17-Q1", "2016/17-Q2", "2016/17-Q3"]


def test_clip_to_a_source_that_ends_early():
    p = parse("2016/17").clip(month_index(2012, 4), month_index(2016, 12))
    assert (p.start, p.end) == (dt.date(2016, 4, 1), dt.date(2016, 12, 31))
    assert parse("2016/17").clip(month_index(2018, 1), month_index(2018, 2)) is None


@pytest.mark.parametrize("bad", ["2016/18", "2016", "2016-13", "2017-01..2016-02", "Q3", "2016/17-Q5", ""])
def test_bad_periods_are_refused_with_a_hint(bad):
    with pytest.raises(PeriodError) as e:
        parse(bad)
    assert bad in str(e.value) or "period" in str(e.value)


def test_period_must_not_end_before_it_starts():
    with pytest.raises(PeriodError):
        Period(10, 5)


def test_month_runs_joins_consecutive_months():
    from csp_lib.data.periods import month_index, month_runs

    assert month_runs(["2020-06", "2020-04", "2020-05", "2021-01"]) == "2020-04 to 2020-06, 2021-01"
    assert month_runs([month_index(2020, 12), month_index(2021, 1)]) == "2020-12 to 2021-01"  # across a year
    assert month_runs([]) == ""


@pytest.mark.parametrize(
    "text, short",
    [
        ("2016/17", "2016/17"),
        ("2016/17-Q3", "Q3 2016/17"),
        ("2016/17-Q1", "Q1 2016/17"),
        ("2016/17-Q4", "Q4 2016/17"),
        ("2021-11..2022-10", "Nov 2021\u2013Oct 2022"),
        ("2022-10", "Oct 2022"),
    ],
)
def test_short_names_read_better_than_what_is_typed(text, short):
    assert parse(text).short == short


def test_a_period_written_another_way_is_met_with_the_label_it_would_be():
    for text, label in [
        ("2016-17", "2016/17"),
        ("2016-2017", "2016/17"),
        ("2016 17", "2016/17"),
        ("2016-17-Q3", "2016/17-Q3"),
        ("2016/17 Q3", "2016/17-Q3"),
        ("2016-17 quarter 3", "2016/17-Q3"),
    ]:
        assert did_you_mean(text) == label
        with pytest.raises(PeriodError, match=f"did you mean {label}\\?"):
            parse(text)
    for text in ("2016-13", "2016/18", "2016-17-Q5", "last year"):
        assert did_you_mean(text) is None
        with pytest.raises(PeriodError) as e:
            parse(text)
        assert "did you mean" not in str(e.value)
