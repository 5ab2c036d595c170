"""Sentences checked against their numbers: hypothesis makes the figures (rises, falls, flat,
one district, withheld, one month, no comparison) and each sentence's claim is checked on them; the verdict
on chance against a p-value worked here in exact integers."""

import math
import re
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csp_lib.figures import disclosure, measures, significance
from csp_lib.present import narrative as say

ORD = r"(\d+)(?:st|nd|rd|th)"
counts = st.integers(min_value=0, max_value=5000)
districts = st.lists(st.tuples(counts, st.integers(min_value=1, max_value=5000)), min_size=1, max_size=14)


def _figs(changes: dict, area: str, fid: str = "vap", rising: bool = True) -> dict:
    f = {
        fid: measures.change(*changes[area]),
        f"county_{fid}": measures.change(sum(v for v, _ in changes.values()), sum(p for _, p in changes.values())),
        f"{fid}_rank_in_county": measures.rank_lowest_first(changes, area),
    }
    if rising:
        f[f"{fid}_districts_rising"] = measures.count_rising(changes)
    series = {"districts": {fid: [{"district": d, **measures.change(v, p)} for d, (v, p) in changes.items()]}}
    return {
        "area": area,
        "county": "Shire",
        "period": {"label": "2016/17", "name": "April 2016 to March 2017", "short": "2016/17"},
        "previous": {"label": "2015/16", "name": "April 2015 to March 2016", "short": "2015/16"},
        "figures": f,
        "series": series,
    }


@settings(max_examples=300, deadline=None)
@given(districts, st.data(), st.booleans())
def test_rank_sentence_says_what_the_ranks_are(rows, data, rising_counted):
    changes = {f"D{i}": r for i, r in enumerate(rows)}
    area = data.draw(st.sampled_from(sorted(changes)))
    figs = _figs(changes, area, rising=rising_counted)
    s = say.rank(figs, "vap", "Violence")
    v, p = changes[area]
    ratio = {d: Fraction(a - b, b) for d, (a, b) in changes.items()}
    higher = sum(r > ratio[area] for r in ratio.values())
    lower = sum(r < ratio[area] for r in ratio.values())
    up = sum(a > b for a, b in changes.values())
    of = len(changes)
    # the rising districts: said only when counted, and then right
    if not rising_counted:
        assert "showing" not in s
    elif up == of:
        assert "All districts are showing increases." in s
    elif up == 0:
        assert "No district is showing an increase." in s
    else:
        assert f"of the {of} districts {'is' if up == 1 else 'are'} showing" in s
    last = s.rsplit(". ", 1)[-1] if "districts." in s else s
    if v < p:
        assert "increase of the" not in last and "reduction" in last
        n = 1 if "the largest proportional reduction" in last else int(re.search(ORD + " largest", last).group(1))
        assert n == lower + 1
    elif v > p:
        assert "reduction of the" not in last and "increase" in last
        if m := re.search(ORD + " highest", last):
            assert int(m.group(1)) == higher + 1
        elif "the highest proportional increase" in last:
            assert higher == 0
        else:
            n = 1 if "the lowest proportional increase" in last else int(re.search(ORD + " lowest", last).group(1))
            assert n == lower + 1 and up == of
    else:
        assert "unchanged" in last and f"{higher} of the {of} districts had a higher" in last


@settings(max_examples=200, deadline=None)
@given(counts, st.one_of(st.none(), counts), st.sampled_from([None, "small", "secondary"]))
def test_headline_direction_and_withheld_counts(value, previous, hidden):
    figs = _figs({"A": (value, previous or 1)}, "A")
    figs["figures"]["vap"] = measures.change(value, previous)
    if hidden:
        figs["figures"]["vap"] = {"value": None, "previous": None, "change": None, "pct_change": None}
        figs["figures"]["vap"]["suppressed"] = ["value", "change", "pct_change"]
        if hidden == "secondary":
            figs["figures"]["vap"]["secondary"] = ["value"]
        figs["disclosure"] = {"threshold": 4}
    s = say.headline(figs, "vap", "Violence")
    if hidden:
        assert "withheld" in s and not re.search(r"\d+%", s)
        assert ("fewer than 5" in s) == (hidden == "small")
        return
    if previous is None:
        assert " up " not in s and " down " not in s and "compared" not in s
    elif previous == 0 and value:
        assert f"is {value:,}, up from none" in s
    elif value > previous:
        assert " is up by " in s and f"n=+{value - previous}" in s
    elif value < previous:
        assert " is down by " in s and f"n={value - previous}" in s
    else:
        assert "unchanged" in s


def _tested(value: int, previous: int) -> dict:
    return measures.change(value, previous) | {"significance": significance.poisson_test(value, previous)}


def _beyond_chance(value: int, previous: int) -> bool:
    """p < 0.05 by hand: under one rate, value of n = value + previous is Binomial(n, 1/2); the two-sided
    p-value sums the outcomes no more likely than value (C(n, i) <= C(n, value)), in exact integers."""
    n = value + previous
    seen = math.comb(n, value)
    return 20 * sum(math.comb(n, i) for i in range(n + 1) if math.comb(n, i) <= seen) < 2**n


small_counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=150, deadline=None)
@given(small_counts, small_counts, st.lists(st.tuples(small_counts, small_counts), max_size=3))
def test_a_change_is_called_beyond_chance_only_when_it_is(value, previous, others):
    assume(value + previous > 0)
    changes = {"A": (value, previous), **{f"D{i}": (v, p) for i, (v, p) in enumerate(others)}}
    figs = _figs({d: (v, p or 1) for d, (v, p) in changes.items()}, "A")
    cv, cp = sum(v for v, _ in changes.values()), sum(p for _, p in changes.values())
    figs["figures"]["vap"], figs["figures"]["county_vap"] = _tested(value, previous), _tested(cv, cp)
    beyond, county_beyond = _beyond_chance(value, previous), _beyond_chance(cv, cp)
    head = say.headline(figs, "vap", "Violence")
    if value == previous:  # no change: nothing to say of chance
        assert "chance" not in head and "unchanged" in head
    else:
        # the seed's words, then the verdict
        said = "up from none" if previous == 0 else f" by {say.pct(figs['figures']['vap']['pct_change'])} "
        assert said in head and head.index(said) < head.index("chance")
        assert head.endswith(", more than chance would explain.") == beyond
        assert head.endswith(", within the range chance gives for counts this small.") == (not beyond)
    county = say.county(figs, "vap", "Violence")
    if cp and cv != cp:
        assert ("more than chance would explain" in county) == county_beyond
        assert ("within the range chance gives" in county) == (not county_beyond)
    if not previous:
        return
    first = say.rank(figs, "vap", "Violence").split(". ")[0]  # the area's change and the county's
    if value != previous and cv != cp:
        if beyond and county_beyond:
            assert "; both more than chance would explain" in first
        else:
            assert ("more than chance would explain" in first) == (beyond or county_beyond)
    # never an increase or a reduction without its verdict when the verdict is "no clear change"
    for name, moved, b in (("in A", value != previous, beyond), ("across the county", cv != cp, county_beyond)):
        if moved and not b:
            assert "within the range chance gives" in first, name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=12))
def test_months_compared_are_counted_right(pairs):
    import pandas as pd

    labels = [f"M{i} 2016" for i in range(len(pairs))]
    cmp = measures.compare(
        pd.Series([a for a, _ in pairs], index=labels), pd.Series([b for _, b in pairs], index=labels)
    )
    figs = {"figures": {"asb_incidents_months_lower": cmp}}
    s = say.comparison(figs, "asb_incidents")
    lower = sum(a < b for a, b in pairs)
    if len(pairs) == 1:
        a, b = pairs[0]
        word = "lower than" if a < b else "higher than" if a > b else "the same as"
        assert s.startswith(f"The month was {word} the same month a year earlier.")
        assert "of the one" not in s
    elif lower == len(pairs):
        assert f"All {say.words(len(pairs))} months" in s
    elif lower == 0:
        assert "No month of the" in s and "Peak" not in s and "only reduction" not in s
    else:
        assert s.startswith(f"{say.words(lower).capitalize()} of the {say.words(len(pairs))} months")
        assert ("only reduction" in s) == (lower == 1)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["violence_and_sexual_offences", "burglary", "drugs", "shoplifting"]),
        st.tuples(counts, counts),
        min_size=1,
    )
)
def test_drivers_name_the_largest_moves_in_the_direction_of_all_crime(types):
    total = (sum(v for v, _ in types.values()), sum(p for _, p in types.values()))
    assume(total[0] != total[1])
    f = {k: measures.change(*vp) for k, vp in types.items()}
    f["all_crime"] = measures.change(*total)
    s = say.drivers({"figures": f, "data_format": "police.uk"}, [])
    sign = 1 if total[0] > total[1] else -1
    moving = sorted((sign * (v - p), k) for k, (v, p) in types.items() if sign * (v - p) > 0)
    assert moving  # all crime moved, so some type moved with it
    named = [k for k in types if say.label(k) + "," in s]
    best = moving[-1][0]
    assert any(sign * f[k]["change"] == best for k in named)  # the largest move is named
    assert ("increase" in s) == (sign > 0)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(5, 500))
def test_a_withheld_count_is_never_printed(small, other):
    figs = _figs({"A": (small, other), "B": (other, other)}, "A", fid="sexual_offences")
    pub = disclosure.apply(figs, threshold=4)
    for s in (say.headline(pub, "sexual_offences"), say.item(pub, "sexual_offences")):
        assert not re.search(rf"(?<![\d,]){small}(?![\d,])", s.replace("fewer than 5", ""))


def test_rate_says_whose_earlier_rate_it_is():
    figs = _figs({"A": (1337, 1189), "B": (100, 100)}, "A", fid="all_crime")
    figs["figures"]["all_crime"].update(rate=133.7, previous_rate=118.9, rate_per="1,000 residents")
    figs["figures"]["county_all_crime"].update(rate=72.0, previous_rate=70.0)
    assert say.rate(figs, "all_crime", "crimes") == (
        "That is 133.7 crimes per 1,000 residents in A (118.9 in 2015/16), higher than the 72.0 across Shire."
    )


@settings(max_examples=150, deadline=None)
@given(counts, st.integers(min_value=100, max_value=500_000), st.integers(min_value=0, max_value=3000))
def test_a_rate_is_called_higher_or_lower_only_when_its_interval_says_so(value, residents, county_tenths):
    from csp_lib.figures.calculate import rate_ci95

    county_rate = county_tenths / 10
    figs = _figs({"A": (value, 1), "B": (1, 1)}, "A", fid="all_crime")
    figs["family"] = {"name": "Urban", "districts": ["A", "B"]}
    ci = rate_ci95(value, residents)
    band = significance.rate_band(ci, county_rate)
    figs["figures"]["all_crime"].update(
        rate=measures.rate(value, residents), rate_ci95=ci, rate_per="1,000 residents", rate_band_county=band
    )
    figs["figures"]["all_crime"]["rate_band_family"] = significance.rate_band(ci, county_rate / 2)
    figs["figures"]["county_all_crime"]["rate"] = county_rate
    s = say.rate(figs, "all_crime", "crimes")
    # the interval holds the count's rate, and the words follow it against the county's rate
    lo, hi = ci
    assert lo <= value * 1000 / residents <= hi
    assert f"(95% interval {lo:,.1f} to {hi:,.1f})" in s
    word = "higher than" if lo > county_rate else "lower than" if hi < county_rate else "about the same as"
    assert f", {word} the {county_rate:,.1f} across Shire" in s
    half = county_rate / 2
    family = "higher than" if lo > half else "lower than" if hi < half else "about the same as"
    assert s.endswith(f" and {family} the average of its most similar group (Urban).")


@settings(max_examples=100, deadline=None)
@given(counts, counts)
def test_rapes_by_when_they_took_place_compare_right(value, previous):
    figs = _figs({"A": (1, 1)}, "A")
    figs["figures"]["rape_committed_in_period"] = measures.change(value, previous)
    s = say.committed(figs)
    if value == previous:
        assert "was the same as" in s  # "0 compared to 0" read "lower than" (Ribble Valley, Feb 2017)
    elif value > previous:
        assert "higher than" in s or "similar to" in s
    else:
        assert "lower than" in s or "similar to" in s


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 11), st.booleans(), counts, counts)
def test_a_partial_period_names_the_months_it_counts(months, compared, value, previous):
    """A report whose data lack months: the headline names the months counted and what they are compared
    with (or that they are not), never the whole period or 'the previous year'."""
    figs = _figs({"A": (1, 1)}, "A")
    first = [
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "January",
        "February",
        "March",
    ]
    counted = f"April to {first[months - 1]} 2016" if months > 1 else "April 2016"
    figs["period"] |= {"counted": counted, "counted_short": "x", "months_counted": months, "months": 12}
    if compared:
        figs["previous"] |= {"counted": counted.replace("2016", "2015"), "counted_short": "y"}
        figs["figures"]["vap"] = measures.change(value, previous)
    else:
        figs["previous"] |= {"counted": None, "compared": False}
        figs["figures"]["vap"] = {**measures.change(value, None), "partial_note": "no comparison: no data for 2015"}
    s = say.headline(figs, "vap", "Violence")
    assert f"for the period {counted} ({months} of the 12 months of 2016/17)" in s
    assert "previous year" not in s and "April 2016 to March 2017" not in s
    if compared and value != previous and previous:
        word = "month" if months == 1 else "months"
        assert s.endswith(f"compared to the same {word} a year earlier ({counted.replace('2016', '2015')}).")
    if not compared:
        assert "compared" not in s and "no comparison" in s


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(small_counts, small_counts), min_size=1, max_size=14), st.data())
def test_the_districts_said_to_rise_beyond_chance_are_those_that_do(rows, data):
    changes = {f"D{i}": (v, p or 1) for i, (v, p) in enumerate(rows)}
    area = data.draw(st.sampled_from(sorted(changes)))
    figs = _figs(changes, area)
    figs["series"]["districts"]["vap"] = [{"district": d, **_tested(v, p)} for d, (v, p) in changes.items()]
    said = say.rising(figs, "vap", "Violence")
    assert not re.search(r"\b1 districts", said) and ("the one district" in said) == (len(changes) == 1)
    assert ("rose in none of the" in said) == (len(changes) > 1 and all(v <= p for v, p in changes.values()))
    up = sum(v > p for v, p in changes.values())
    beyond = sum(v > p and _beyond_chance(v, p) for v, p in changes.values())
    if up == 0:
        assert "chance" not in said
    elif up == 1:
        assert said.endswith(", more than chance would explain." if beyond else " for counts this small.")
    elif beyond == up:
        assert said.endswith(", each more than chance would explain.")
    else:
        assert said.endswith(f", {beyond or 'none'} of them more than chance would explain.")
    assert ("chance" in say.rank(figs, "vap", "Violence").split(". ", 1)[1]) == (up > 0)
