"""Editions (issue 27): what an edition says of itself, without a build."""

import datetime

from csp_lib.publish import editions


def test_an_editions_date_is_the_date_in_england_and_wales():
    utc = datetime.UTC
    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time: the next day's edition
    assert editions.today(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=utc)) == "2026-07-01"
    # in winter London is on UTC
    assert editions.today(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=utc)) == "2026-12-31"
    assert editions.today(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=utc)) == "2027-01-01"
    assert editions.today() == datetime.datetime.now(editions.LONDON).date().isoformat()


def test_keys_new_code_adds_to_a_chart_revise_nothing():
    """An XmR chart published before its baseline and segments were recorded (issue 29) is the same chart when
    built again with the same limits: no new edition; a limit that moved, or a segment more, is a revision."""
    chart = {"mean": 11.0, "ucl": 16.32, "lcl": 5.68, "points": [{"month": "2016-04", "value": 10, "special": False}]}
    old = {"series": {"xmr": {"all_crime": chart}, "rolling": {"all_crime": [{"month": "2016-04", "value": 10}]}}}
    segment = {"first": "2016-04", "last": "2016-04", "points": 1, "mean": 11.0, "ucl": 16.32, "lcl": 5.68}
    now = {"series": {"xmr": {"all_crime": {**chart, "baseline": None, "basis": "all points", "segments": [segment]}}}}
    now["series"]["rolling"] = old["series"]["rolling"]
    assert editions.changed_series(old, now) == []
    moved = {**now["series"]["xmr"]["all_crime"], "ucl": 16.5}
    assert editions.changed_series(old, {"series": {**now["series"], "xmr": {"all_crime": moved}}}) == ["xmr"]
    later = {"series": {"xmr": {"all_crime": {**now["series"]["xmr"]["all_crime"], "segments": [segment] * 2}}}}
    assert editions.changed_series(now, later) == ["xmr"]
    point = {"series": {"rolling": {"all_crime": [{"month": "2016-04", "value": 11}]}}}
    assert editions.changed_series(old, point) == ["rolling"]


def _report(label: str, name: str, short: str, values: dict, kind: str = "extract", edition=None) -> dict:
    figures = {}
    for fid, v in values.items():
        figures[fid] = {"value": None, "suppressed": ["value"]} if v == "withheld" else {"value": v}
    out = {"area": "A", "period": {"label": label, "name": name, "short": short}, "figures": figures}
    out["source"] = {"kind": kind}
    return out | ({"edition": edition} if edition else {})


def test_since_the_last_report_gives_the_period_befores_headlines_as_published():
    """Issue 27: a report's "Since the last report" is the area's report of the period before of the same kind,
    as the site publishes it (its latest edition, its date and permanent address): its headline values beside
    this report's, a withheld one withheld on either side, a figure absent from either left out, and nothing
    when there is no such report or it is of the other kind of data."""
    from csp_lib.present import revisions
    from csp_lib.present.pages import HEADLINE_TILES

    q1 = _report(
        "2016/17-Q1",
        "April to June 2016",
        "Q1 2016/17",
        {"all_crime": 4792, "vap": 310, "sexual_offences": "withheld"},
        edition={"number": 2, "date": "2026-12-02"},
    )
    q2 = _report(
        "2016/17-Q2",
        "July to September 2016",
        "Q2 2016/17",
        {"all_crime": 4930, "vap": "withheld", "sexual_offences": 12, "hate_crime": 40},
    )
    last = editions.last_report(q2, {"2016-17-Q1": q1, "2016-17-Q3": q1}, "a")
    assert last == {
        "period": "2016/17-Q1",
        "short": "Q1 2016/17",
        "name": "April to June 2016",
        "report": "2016-17-Q1",
        "edition": 2,
        "date": "2026-12-02",
        "address": "book/reports/a/2016-17-Q1/editions/2/",
        "figures": {"all_crime": 4792, "vap": 310, "sexual_offences": None},  # hate crime: not in Q1's report
        "withheld": ["sexual_offences"],
    }
    lines = revisions.last_report_note({**q2, "last_report": last}, [(f, n) for f, n, _ in HEADLINE_TILES])
    assert lines[0] == "## Since the last report"
    assert lines[2] == (
        'Since the last report (<a href="../2016-17-Q1/editions/2/index.html">Q1 2016/17</a>, edition 2, published '
        "on 2 December 2026): all crime 4,792 then, 4,930 now; violence against the person 310 then, withheld now; "
        "sexual offences withheld then, 12 now."
    )
    assert "not a change in crime" in lines[4] and "April to June 2016, this one July to September 2016" in lines[4]
    # the period before, of the same kind: a quarter across the year's end, a year; none, or the other kind: nothing
    q4 = _report("2016/17-Q4", "January to March 2017", "Q4 2016/17", {"all_crime": 5000})
    q1_next = _report("2017/18-Q1", "April to June 2017", "Q1 2017/18", {"all_crime": 4000})
    assert editions.last_report(q1_next, {"2016-17-Q4": q4}, "a")["edition"] == 1  # published before editions
    year = _report("2017/18", "April 2017 to March 2018", "2017/18", {"all_crime": 1})
    before = _report("2016/17", "April 2016 to March 2017", "2016/17", {"all_crime": 2})
    assert editions.last_report(year, {"2016-17": before, "2016-17-Q4": q4}, "a")["period"] == "2016/17"
    assert editions.last_report(q2, {"2016-17-Q4": q4}, "a") is None
    assert editions.last_report(q2, {"2016-17-Q1": {**q1, "source": {"kind": "demo"}}}, "a") is None
    assert revisions.last_report_note({**q2, "last_report": None}, [("all_crime", "All crime")]) == []
