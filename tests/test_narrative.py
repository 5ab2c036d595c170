"""Sentences as the published report writes them, from figures.json only."""

import copy

import pytest

from conftest import REPORT_HEAD
from csp_lib.figures import measures
from csp_lib.present import narrative as say


def test_headline_sentences_of_the_seed(demo_figures):
    assert say.headline(demo_figures, "all_crime", "All crime") == (
        "All crime in Blackpool for the period April 2016 to March 2017 is up by 12.4% (n=+2059) "
        "compared to the previous year, more than chance would explain."
    )
    assert say.headline(
        demo_figures, "asb_incidents", "Incidents of antisocial behaviour", plural=True, unit="incidents"
    ) == (
        "Incidents of antisocial behaviour in Blackpool for the period April 2016 to March 2017 are down "
        "by 2.8% (n=-382 incidents) compared to the previous year, more than chance would explain."
    )


def test_one_offence_is_singular(demo_figures):
    """A count or a change of one takes the singular ("1 offences" was printed)."""
    f = copy.deepcopy(demo_figures)
    fig = f["figures"]["vap_serious_assault"]
    fig.update(value=1, previous=None, change=None, pct_change=None)
    assert say.item(f, "vap_serious_assault") == "Serious assaults: 1 offence"
    fig.update(value=9, previous=8, change=1, pct_change=12.5, significance=None)
    assert say.item(f, "vap_serious_assault") == "Serious assaults: increase of 12.5% (+1 offence)"
    fig.update(value=7, previous=8, change=-1, pct_change=-12.5)
    assert say.item(f, "vap_serious_assault") == "Serious assaults: reduction of 12.5% (-1 offence)"
    fig.update(value=2, previous=2, change=0, pct_change=0.0)
    assert say.item(f, "vap_serious_assault") == "Serious assaults: no change (2 offences)"
    f["figures"]["asb_incidents"].update(value=10, previous=9, change=1, pct_change=11.1, significance=None)
    assert "(n=+1 incident)" in say.headline(f, "asb_incidents", "Incidents", plural=True, unit="incidents")


def test_items_county_rank(demo_figures):
    assert say.item(demo_figures, "vap_serious_assault") == (
        "Serious assaults: increase of 10.1% (+15 offences), within the range chance gives for counts this small"
    )
    assert (
        say.county(demo_figures, "all_crime", "All crime")
        == "All crime in Lancashire has increased by 10.8% (+10,438), more than chance would explain."
    )
    s = say.rank(demo_figures, "vap", "Violence against the person")
    assert "there has been a 14.6% increase in Blackpool, with an 18.6% increase across the county" in s
    assert (
        "All districts are showing increases, each more than chance would explain. Blackpool had the 4th lowest "
        "proportional increase of the 14 districts." in s
    )
    assert "All districts are showing increases" in s
    assert (
        say.rising(demo_figures, "theft_offences", "Theft offences")
        == "Theft offences rose in 13 of the 14 districts of Lancashire, 8 of them more than chance would explain."
    )


def test_section_sentences(demo_figures):
    assert say.share_sentence(
        demo_figures,
        "sexual_offences",
        "sexual offences",
        [
            ("sexual_offences_non_recent", "were classed as 'non recent'"),
            ("sexual_offences_under_16", "were against children under 16"),
        ],
    ) == (
        "During April 2016 to March 2017 there were 690 sexual offences recorded in Blackpool. Of these, "
        "31.2% (n=215) were classed as 'non recent', and 52.3% (n=361) were against children under 16."
    )
    assert "was similar to 2015/16 (114 compared to 111)" in say.committed(demo_figures)
    p = say.peaks(demo_figures)
    assert "annual increase of 12% (+214 offences)" in p
    assert "October to December 2016 having had the highest number of offences of any quarter" in p
    assert "(n=519)" in p and "December 2016 (n=206)" in p
    c = say.comparison(demo_figures, "asb_incidents")
    assert c == (
        "Each quarterly total showed a reduction compared to the same quarter a year earlier. "
        "Eight of the twelve months showed comparative reductions. "
        "Peak reductions occurred in the months of July and October."
    )
    m = say.marac(demo_figures)
    assert m.startswith("The MARAC data runs to December 2016, so April to December 2016 is compared")
    assert "368 (+58) cases were listed, with 378 (+33) children and 95 (+30) repeat cases" in m
    f = say.funnel(demo_figures, "asb")
    assert "The warning alone stopped the behaviour in 76.7% of cases: 95 cases (23.3% of the warnings)" in f
    assert "and 8 (2% of all warned cases; 8.4% of the notices) reached a breach or prosecution" in f
    assert "Nine cases progressed to Community Protection Notice stage, equal to 8.6%" in say.cse(demo_figures)
    assert say.cse(demo_figures).endswith(
        "In the previous year there were none: a rise more than chance would explain."
    )
    assert "27% of victims and 29% of offenders, and 16% was perpetrated by people aged 25 to 29" in say.ages(
        demo_figures
    )
    refs = " ".join(say.referrals(demo_figures) + say.referrals(demo_figures, "violence"))
    assert "Avert: 131 referrals" in refs and "55% of participants (72) complied" in refs
    assert "ASBRAC: 47 referrals in 2016/17 compared with 71 in 2015/16 (-33.8%), more than chance" in refs
    assert "408 x Community Protection Warnings" in say.tools(demo_figures)


def test_summary(demo_figures):
    ids = [("vap", "Violence against the person"), ("asb_incidents", "Antisocial behaviour incidents")]
    assert say.summary(demo_figures, ids) == (
        "In April 2016 to March 2017, police recorded 18,664 crimes in Blackpool, 12.4% more than in "
        "April 2015 to March 2016, more than chance would explain; across Lancashire crime rose by 10.8%, "
        "more than chance would explain. Violence against the person (+14.6%, more than chance) rose, while "
        "antisocial behaviour incidents (-2.8%, more than chance) fell."
    )
    # a change within chance says so beside its rise (issue 29): 25 against 16, p = 0.21
    import copy

    from csp_lib.figures import significance

    figs = copy.deepcopy(demo_figures)
    figs["figures"]["vap"] |= {"value": 25, "previous": 16, "change": 9, "pct_change": 56.3}
    figs["figures"]["vap"]["significance"] = significance.poisson_test(25, 16)
    assert "Violence against the person (+56.3%, within chance) rose" in say.summary(figs, ids)
    figs["figures"]["vap"]["significance"] = None  # withheld: nothing said of chance
    assert "Violence against the person (+56.3%) rose" in say.summary(figs, ids)


@pytest.mark.parametrize(
    "text, art",
    [
        ("8.4%", "an"),
        ("18.6%", "an"),
        ("11%", "an"),
        ("14.6%", "a"),
        ("1.8%", "a"),
        ("80%", "an"),
        ("110%", "a"),
        ("11,000", "an"),
    ],
)
def test_article(text, art):
    assert say.a(text) == art


def test_sentences_say_when_a_figure_is_missing():
    figs = {
        **REPORT_HEAD,
        "figures": {
            "domestic_abuse": {
                "value": None,
                "previous": None,
                "change": None,
                "pct_change": None,
                "note": "crimes.csv has no domestic_abuse column",
            }
        },
        "series": {"funnels": {}},
    }
    assert say.headline(figs, "domestic_abuse", "Domestic abuse") == (
        "Domestic abuse in A for the period April 2016 to March 2017: not available "
        "(crimes.csv has no domestic_abuse column)."
    )
    assert "not available" in say.peaks(figs)
    assert say.funnel(figs, "asb") == ""


@pytest.mark.parametrize(
    "warnings, notices, breached, sentence",
    [
        (
            27,
            0,
            0,
            "27 Community Protection Warnings were served; no Community Protection Notice followed, "
            "so the warnings stopped the behaviour in every case.",
        ),
        (
            1,
            1,
            0,
            "1 Community Protection Warning was served. Every case went on to a Community Protection Notice, "
            "and none reached a breach or prosecution.",
        ),
        (
            10,
            4,
            1,
            "10 Community Protection Warnings were served. The warning alone stopped the behaviour in 60% of "
            "cases: 4 cases (40% of the warnings) went on to a Community Protection Notice, and 1 (10% of all "
            "warned cases; 25% of the notices) reached a breach or prosecution.",
        ),
    ],
)
def test_tools_and_powers_read_right_for_one_and_for_none(warnings, notices, breached, sentence):
    steps = measures.funnel([("cpw", warnings), ("cpn", notices), ("breach", breached)])
    assert say.funnel({"series": {"funnels": {"asb": steps}}}, "asb") == sentence


def test_cse_tools_read_right_for_one():
    figs = {
        "period": {"label": "2016/17", "name": "April 2016 to March 2017"},
        "figures": {"cse_cpw": {"value": 1}, "cse_cpn": {"value": 1}},
        "series": {
            "funnels": {
                "cse": [{"id": "cse_cpw", "share_of_previous": None}, {"id": "cse_cpn", "share_of_previous": 100.0}]
            }
        },
    }
    assert say.cse(figs) == (
        "Between April 2016 and March 2017 there was 1 Community Protection Warning served in relation to child "
        "sexual exploitation risks. One case progressed to Community Protection Notice stage, equal to 100% of "
        "the warnings."
    )
    figs["period"] = {"label": "2016-05..2016-05", "name": "May 2016"}
    assert say.cse(figs).startswith("In May 2016 there was 1 Community Protection Warning")
    figs["period"] = {"label": "2016/17", "name": "April 2016 to March 2017"}
    figs |= {"previous": {"label": "2015/16", "name": "April 2015 to March 2016"}}
    figs["figures"]["cse_cpw"] = measures.change(1, 1)
    assert say.cse(figs).endswith(" the warnings. In the previous year there was 1 too: no change.")
    figs["figures"]["cse_cpw"] = _tested(1, 96) | {"value": 1}
    assert say.cse(figs).endswith(
        " the warnings. In the previous year there were 96: down by 99% (n=-95), more than chance would explain."
    )


@pytest.mark.parametrize(
    "rising, words",
    [(0, "No district is showing an increase."), (1, "One of the 14 districts is showing an increase.")],
)
def test_rank_says_none_and_one_district_rising_right(demo_figures, rising, words):
    figs = copy.deepcopy(demo_figures)
    figs["figures"]["vap_districts_rising"]["value"] = rising
    assert words in say.rank(figs, "vap", "Violence against the person")


def test_one_referral_is_singular(demo_figures):
    figs = copy.deepcopy(demo_figures)
    fid = next(k for k in figs["figures"] if k.startswith("referrals_") and not k.endswith("_complied"))
    figs["figures"][fid] |= {"value": 1, "previous": None, "pct_change": None}
    assert any(": 1 referral in 2016/17" in s for s in say.referrals(figs))


def test_variation_keeps_an_acronym(demo_figures):
    s = say.variation(demo_figures, "cse_flagged_crimes", "Crimes flagged as CSE")
    assert "crimes flagged as CSE" in s and "cse" not in s


def _xmr(values, start="2016-01"):
    from csp_lib.data.periods import month_key, parse
    from csp_lib.figures import spc

    first = parse(start).first
    rows = [{"month": month_key(first + i), "value": v} for i, v in enumerate(values)]
    return spc.xmr(rows, range(len(values) - 12, len(values)))


@pytest.mark.parametrize(
    "values, words",
    [
        # two years flat at 100 +/- 2, then one month of 140: December's 140 stands out
        (
            [100, 102, 98, 101, 99, 100, 102, 98, 101, 99, 100, 102] * 2
            + [98, 101, 99, 100, 102, 98, 101, 99, 100, 102, 98, 140],
            "Month by month: December 2018's 140 was unusually high for Blackpool. That is more than the usual ups "
            "and downs.",
        ),
        # no signal in the period
        (
            [100, 102, 98, 101, 99, 100, 102, 98, 101, 99, 100, 102] * 3,
            "Month by month, no month of April 2016 to March 2017 was unusual for all crime in Blackpool",
        ),
    ],
)
def test_variation_says_which_month_stands_out_in_plain_words(values, words):
    """One sentence a councillor reads, the method in a note after it."""
    chart = _xmr(values)
    figs = {
        "area": "Blackpool",
        "period": {"label": "2016/17", "name": "April 2016 to March 2017", "start": "2018-01-01", "end": "2018-12-31"},
        "series": {"xmr": {"all_crime": chart}},
    }
    s = say.variation(figs, "all_crime")
    assert s.startswith(words)
    assert "*How this is judged: each month is set against the range expected from Blackpool's own 36 months" in s
    assert "XmR" in s and "special cause" not in s


def _tested(value: int, previous: int) -> dict:
    from csp_lib.figures import significance

    return measures.change(value, previous) | {"significance": significance.poisson_test(value, previous)}


def test_the_categories_that_moved_most_carry_their_verdicts(demo_figures):
    """Issue 29: the seed's drivers sentence keeps its words, then says whether each change is beyond chance."""
    f = copy.deepcopy(demo_figures)
    ids = ["vap", "theft_offences", "robbery"]
    words = "The crime categories contributing most to this increase are Theft offences, up by 13.3% (n=+908) "
    assert say.drivers(f, ids) == (
        words + "and Violence against the person, up by 14.6% (n=+751); both more than chance would explain."
    )
    f["figures"]["vap"] = _tested(25, 16)  # p = 0.21, and the smaller of the two rises
    assert say.drivers(f, ids) == (
        words + "and Violence against the person, up by 56.3% (n=+9); for Theft offences more than chance would "
        "explain, for Violence against the person within the range chance gives for counts this small."
    )
    assert say.drivers(f, ids, top=1) == words[:-1] + ", more than chance would explain."
    f["figures"]["vap"]["significance"] = None  # withheld with its counts: its verdict is not said
    assert say.drivers(f, ids).endswith("(n=+9); for Theft offences more than chance would explain.")


def test_the_districts_that_rose_are_counted_beyond_chance():
    """ "Five of the 14 districts are showing increases, none of them more than chance would explain": the
    verdicts of the district rows that rose, counted; nothing said when one of them has no verdict."""
    changes = {"A": (110, 100), "B": (300, 200), "C": (20, 13), "D": (90, 100)}  # B alone rises beyond chance
    rows = [{"district": d} | _tested(v, p) for d, (v, p) in changes.items()]
    figs = REPORT_HEAD | {
        "area": "A",
        "county": "Shire",
        "figures": {
            "vap": _tested(110, 100),
            "county_vap": _tested(520, 413),
            "vap_rank_in_county": measures.rank_lowest_first(changes, "A"),
            "vap_districts_rising": measures.count_rising(changes),
        },
        "series": {"districts": {"vap": rows}},
    }
    assert "Three of the 4 districts are showing increases, 1 of them more than chance would explain." in say.rank(
        figs, "vap", "Violence"
    )
    assert say.rising(figs, "vap", "Violence") == (
        "Violence rose in 3 of the 4 districts of Shire, 1 of them more than chance would explain."
    )
    rows[1].update(_tested(210, 200))
    assert say.rising(figs, "vap", "Violence").endswith("Shire, none of them more than chance would explain.")
    for r in rows[:3]:
        r.update(_tested(300, 200))
    assert say.rising(figs, "vap", "Violence").endswith("Shire, each more than chance would explain.")
    rows[2]["significance"] = None  # a district's test withheld with its counts
    assert say.rising(figs, "vap", "Violence") == "Violence rose in 3 of the 4 districts of Shire."
