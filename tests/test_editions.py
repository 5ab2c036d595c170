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
