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
