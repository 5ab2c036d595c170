"""Disclosure control: small victim-based counts withheld, with secondary suppression."""

import copy

import pytest

from csp_lib import figures
from csp_lib.data import load as load_data
from csp_lib.figures import disclosure, sections
from csp_lib.present import charts, tables
from csp_lib.present import narrative as say


def fig(value, previous):
    return {
        "value": value,
        "previous": previous,
        "change": value - previous,
        "pct_change": round(100 * (value - previous) / previous, 1) if previous else None,
    }


def base():
    return {
        "area": "A",
        "county": "X",
        "period": {"label": "2016/17", "name": "April 2016 to March 2017"},
        "previous": {"label": "2015/16", "name": "April 2015 to March 2016"},
        "figures": {
            "all_crime": fig(3, 2),  # not victim-based: never withheld
            "sexual_offences": fig(20, 12),
            "rape": fig(3, 6),  # 3 withheld; previous 6 shown
            "sexual_assault": fig(10, 4),  # previous 4 withheld
            "other_sexual_offence": fig(7, 2),  # previous 2 withheld
            "domestic_assaults": fig(9, 9),
            "domestic_serious_assault": fig(2, 0),  # the only small part: its twin must go too
            "domestic_less_serious_assault": fig(4, 5),  # 4 withheld (two parts hidden: no secondary)
            "domestic_non_injury_assault": fig(3, 4),
            "marac_cases": fig(0, 7),  # zeros are shown
            "domestic_abuse_rank_in_county": {"value": 3, "of": 14},
        },
        "series": {
            "trend": {
                "rape": [{"period": "2015/16", "area": 6, "county": 40}, {"period": "2016/17", "area": 3, "county": 44}]
            }
        },
    }


def test_primary_suppression_and_what_it_reveals():
    out = disclosure.apply(base(), threshold=4)
    f = out["figures"]
    assert f["all_crime"]["value"] == 3 and "suppressed" not in f["all_crime"]
    assert f["rape"]["value"] is None and f["rape"]["previous"] == 6
    # the change would give the hidden value away, so it goes too
    assert f["rape"]["change"] is None and f["rape"]["pct_change"] is None
    assert f["rape"]["suppressed"] == ["change", "pct_change", "value"]
    assert f["sexual_assault"]["value"] == 10 and f["sexual_assault"]["previous"] is None
    assert f["marac_cases"]["value"] == 0
    assert f["domestic_abuse_rank_in_county"] == {"value": 3, "of": 14}
    assert out["disclosure"]["threshold"] == 4
    assert "rape" in out["disclosure"]["suppressed"] and "all_crime" not in out["disclosure"]["suppressed"]


def test_secondary_suppression_protects_totals():
    out = disclosure.apply(base(), threshold=4)
    f = out["figures"]
    # sexual offences now: only rape (3) is small; total 20 = 3 + 10 + 7 would reveal it, so the
    # next smallest part (other sexual offences, 7) is withheld as well
    assert f["other_sexual_offence"]["value"] is None
    assert f["sexual_assault"]["value"] == 10
    # domestic assaults now: serious 2, less serious 4 and non-injury 3 are all small: nothing to add
    assert [
        f[k]["value"]
        for k in ("domestic_serious_assault", "domestic_less_serious_assault", "domestic_non_injury_assault")
    ] == [None, None, None]
    # previous year: serious 0, less 5, non-injury 4 -> only non-injury hidden, so less serious follows
    assert f["domestic_non_injury_assault"]["previous"] is None
    assert f["domestic_less_serious_assault"]["previous"] is None
    assert f["domestic_serious_assault"]["previous"] == 0
    # a count withheld only to protect another is not "fewer than 5": it is 7, and reads [c] / withheld
    assert disclosure.secondary(f["other_sexual_offence"]) and not disclosure.secondary(f["rape"])
    assert say.item(out, "other_sexual_offence") == (
        "Other sexual offences: withheld (so that a small count cannot be worked out)"
    )
    shown_now = copy.deepcopy(out)
    shown_now["figures"]["rape"] = {"value": 12, "previous": None, "change": None, "pct_change": None}
    shown_now["figures"]["rape"] |= {"suppressed": ["change", "pct_change", "previous"], "secondary": ["previous"]}
    assert say.item(shown_now, "rape") == "Rape: 12 offences (withheld a year earlier; change withheld)"
    assert say.headline(shown_now, "rape", "Rape").endswith(
        "12; the count a year earlier is withheld so that a small count elsewhere cannot be worked out, "
        "so the change is withheld."
    )
    df = tables.figure_frame(out, ["rape", "other_sexual_offence"])
    # in a table every withheld cell reads [c] (small or not), and the footnote says why
    assert df.iloc[0].tolist()[1:3] == [6, "[c]"] and df.iloc[1].tolist()[1:3] == ["[c]", "[c]"]


def test_secondary_hides_the_total_when_the_other_parts_are_zero():
    figs = base()
    figs["figures"]["domestic_assaults"] = fig(2, 9)
    figs["figures"]["domestic_less_serious_assault"] = fig(0, 5)
    figs["figures"]["domestic_non_injury_assault"] = fig(0, 4)
    f = disclosure.apply(figs, threshold=4)["figures"]
    assert f["domestic_serious_assault"]["value"] is None
    assert f["domestic_assaults"]["value"] is None


def test_series_are_protected_and_input_untouched():
    figs = base()
    before = copy.deepcopy(figs)
    out = disclosure.apply(figs, threshold=4)
    assert figs == before
    assert [r["area"] for r in out["series"]["trend"]["rape"]] == [6, None]
    assert out["series"]["trend"]["rape"][1]["county"] == 44


def test_threshold_zero_withholds_nothing():
    out = disclosure.apply(base(), threshold=0)
    assert out["disclosure"]["suppressed"] == []


def test_sentences_and_tables_adapt():
    out = disclosure.apply(base(), threshold=4)
    assert say.headline(out, "rape", "Rape") == (
        "Rape in A for the period April 2016 to March 2017: fewer than 5; the exact count is withheld "
        "to protect the people involved."
    )
    assert (
        say.item(out, "sexual_assault") == "Sexual assault: 10 offences (fewer than 5 a year earlier; change withheld)"
    )
    assert say.item(out, "rape") == "Rape: fewer than 5 offences (exact count withheld)"
    df = tables.figure_frame(out, ["sexual_offences", "rape", "sexual_assault"])
    assert df.iloc[1].tolist()[1:] == [6, "[c]", "[c]", "[c]"]
    html = tables.to_html(df, "Sexual offences, A")
    assert "fewer than 5" not in html
    assert '<tfoot><tr><td colspan="5">[c]: withheld to protect the people involved: a count of 1 to 4 victims' in html


def test_threshold_from_csp_toml(tmp_path):
    assert disclosure.threshold_from(tmp_path) == 4
    (tmp_path / "csp.toml").write_text("[disclosure]\nthreshold = 9\n")
    assert disclosure.threshold_from(tmp_path) == 9


def _xmr(values):
    points = [{"month": f"2016-{m:02d}", "value": v, "special": False} for m, v in enumerate(values, start=1)]
    mean = round(sum(values) / len(values), 2)
    return {
        "points": points,
        "mean": mean,
        "mr_bar": 1.0,
        "ucl": mean + 3,
        "lcl": mean - 3,
        "trial": False,
        "signals": [],
        "label": "within normal variation",
    }


def test_a_month_by_month_chart_with_a_withheld_month_is_withheld_whole():
    figs = base()
    # 6, 7, 8, 9, 10, 3: the mean 7.17 and the five months shown would give the withheld 3 away
    figs["series"]["xmr"] = {"sexual_offences": _xmr([6, 7, 8, 9, 10, 3]), "all_crime": _xmr([1, 2, 3, 4, 5, 6])}
    figs["figures"]["sexual_offences"]["variation"] = "within normal variation"
    out = disclosure.apply(figs, threshold=4)
    chart = out["series"]["xmr"]["sexual_offences"]
    assert chart["points"] == [] and chart["mean"] is None and chart["ucl"] is None and chart["label"] is None
    assert "mean" in chart["suppressed"]
    assert out["figures"]["sexual_offences"]["variation"] is None
    assert "sexual_offences" in out["disclosure"]["suppressed"]
    assert out["series"]["xmr"]["all_crime"] == figs["series"]["xmr"]["all_crime"]  # not victim-based: shown
    assert say.variation(out, "sexual_offences", "Sexual offences") == (
        "Monthly counts of sexual offences in A are not published: some months had fewer than 5, "
        "withheld to protect the people involved."
    )
    assert charts.xmr(out, "sexual_offences") == (
        '<p class="csp-note"><em>No chart: months with fewer than 5 are withheld, and the chart with them.</em></p>'
    )
    # no small month, but the figure is withheld to protect another: its months would add up to it
    figs["series"]["xmr"]["other_sexual_offence"] = _xmr([7, 8, 9])
    assert disclosure.secondary(disclosure.apply(figs, threshold=4)["figures"]["other_sexual_offence"])
    assert disclosure.apply(figs, threshold=4)["series"]["xmr"]["other_sexual_offence"]["points"] == []
    # no small month: the chart stays
    figs["series"]["xmr"]["sexual_offences"] = _xmr([6, 7, 8, 9, 10, 0])
    assert disclosure.apply(figs, threshold=4)["series"]["xmr"]["sexual_offences"]["mean"] == 6.67


def test_monthly_falls_of_victim_based_counts_lose_their_size():
    figs = base()
    falls = {"value": 1, "of": 3, "higher": 2, "largest_falls": [{"label": "May 2016", "change": -4}]}
    figs["figures"]["domestic_abuse_months_lower"] = copy.deepcopy(falls)  # May: 7 a year earlier, 3 now
    figs["figures"]["all_crime_months_lower"] = copy.deepcopy(falls)
    out = disclosure.apply(figs, threshold=4)["figures"]
    assert out["domestic_abuse_months_lower"]["largest_falls"] == [{"label": "May 2016", "change": None}]
    assert out["domestic_abuse_months_lower"]["value"] == 1  # how many months fell is no count of people
    assert out["all_crime_months_lower"]["largest_falls"] == [{"label": "May 2016", "change": -4}]


SUMS = {  # totals that are exactly the sum of their parts
    "sexual_offences": ["rape", "sexual_assault", "other_sexual_offence"],
    "domestic_assaults": [f"domestic_{k}" for k in ("serious_assault", "less_serious_assault", "non_injury_assault")],
    "all_crime": sections.GROUP_IDS,  # the nine Home Office offence groups (checked to add up below)
}


def _unknowns(cells: list[dict], key: str) -> int:
    return sum(disclosure.withheld(c, key) for c in cells)


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2016/17", "2016/17-Q3", "2017-02..2017-02"])
def test_no_withheld_count_can_be_worked_out_across_the_county(demo_dir, period):
    """Every report of the county, as published: no sum with one unknown (a total and its parts, the
    county and its districts, a period and its months, a figure and its trend row), every district
    withheld alike in every report, and "fewer than 5" said only of counts that are."""
    data = load_data(demo_dir)
    cube = figures.build_cube(data)
    areas = list(data.areas["district"].astype(str))
    raw = {a: figures.compute(data, a, period, cube) for a in areas}
    pub = disclosure.apply_all(raw, threshold=4)  # as a build publishes them: the county at once
    withheld_somewhere = 0
    for a, r in raw.items():  # each sum really adds up in the records, or the check below means nothing
        f = r["figures"]
        assert f["all_crime"]["value"] == sum(f[g]["value"] for g in sections.GROUP_IDS), a
        assert f["sexual_offences"]["value"] == sum(f[g]["value"] for g in SUMS["sexual_offences"]), a
    for a, p in pub.items():
        f = p["figures"]
        for fid, fig in f.items():
            for key in ("value", "previous"):
                if disclosure.withheld(fig, key):
                    withheld_somewhere += 1
                    small = disclosure.small(raw[a]["figures"][fid][key], 4) and disclosure.victim_based(fid)
                    assert small != disclosure.secondary(fig, key), (a, fid, key)
        for pre in ("", "county_"):
            for total, parts in SUMS.items():
                if all(pre + q in f for q in parts):  # a part not published is an unknown of its own
                    for key in ("value", "previous"):
                        cells = [f[pre + total]] + [f[pre + q] for q in parts]
                        assert _unknowns(cells, key) != 1, (a, pre + total, key)
        s = p["series"]
        for fid, rows in s["districts"].items():
            for key in ("value", "previous"):
                if disclosure.victim_based(fid):
                    county = f.get(f"county_{fid}", {})
                    assert _unknowns(rows + [county], key) != 1, (a, fid, key)
                for r in rows:  # district b reads the same in every report as in its own
                    assert disclosure.withheld(r, key) == disclosure.withheld(pub[r["district"]]["figures"][fid], key)
        for fid, rows in s["monthly"].items():
            for key in ("value", "previous"):
                assert _unknowns(rows + [f[fid]], key) != 1, (a, fid, key)
        for fid, chart in s["xmr"].items():  # a chart shown: its months add up to figures shown
            assert chart.get("suppressed") or not (
                disclosure.withheld(f[fid]) or disclosure.withheld(f[fid], "previous")
            )
        for fid, rows in s["trend"].items():
            for r in rows:
                for key, label in (("value", p["period"]["label"]), ("previous", p["previous"]["label"])):
                    if r["period"] == label:
                        assert disclosure.withheld(r, "area") == disclosure.withheld(f[fid], key), (a, fid, key)
                # each year: the county and its districts, every district as in its own report
                county = {"suppressed": ["value"] if disclosure.withheld(r, "county") else []}
                assert _unknowns(r["districts"] + [county], "value") != 1, (a, fid, r["period"])
                for d in r["districts"]:
                    theirs = next(t for t in pub[d["district"]]["series"]["trend"][fid] if t["period"] == r["period"])
                    assert disclosure.withheld(d, "value") == disclosure.withheld(theirs, "area"), (a, fid, d)
        for fid, fig in f.items():  # a band against the group bounds its members' counts: none withheld
            if fig.get("rate_band_family") is not None:
                members = p["family"]["districts"]
                assert not any(disclosure.withheld(pub[d]["figures"][fid]) for d in members), (a, fid)
    for fid in (k.removeprefix("county_") for k in pub[areas[0]]["figures"] if k.startswith("county_")):
        for key in ("value", "previous"):  # the county less the other districts' own reports
            own = [pub[a]["figures"][fid] for a in areas] + [pub[areas[0]]["figures"][f"county_{fid}"]]
            assert _unknowns(own, key) != 1, (fid, key)
    assert withheld_somewhere > 20  # the demo has small counts to protect: the test is not empty


def test_a_band_against_the_group_goes_with_any_members_withheld_count():
    """The group's rate is its members' counts over their residents: "lower than the group" with the other
    members' counts shown bounds a withheld one (a reader of the group's reports learns each bound)."""
    fams = {"name": "urban", "districts": ["A", "B", "C"]}

    def report(area, so_b, hc_c):
        rows = {
            "sexual_offences": [fig(30, 25) | {"district": "A"}, fig(so_b, 12) | {"district": "B"}],
            "hate_crime": [fig(25, 20) | {"district": "A"}, fig(10, 20) | {"district": "B"}],
        }
        rows["sexual_offences"].append(fig(40, 35) | {"district": "C"})
        rows["hate_crime"].append(fig(hc_c, 9) | {"district": "C"})
        band = {"rate": 1.0, "rate_ci95": [0.8, 1.3], "rate_band_family": "lower than"}
        own = {r["district"]: r for r in rows["sexual_offences"]}[area]
        hate = {r["district"]: r for r in rows["hate_crime"]}[area]
        return {
            **base(),
            "area": area,
            "family": fams,
            "figures": {
                "sexual_offences": fig(own["value"], own["previous"]) | band,
                "hate_crime": fig(hate["value"], hate["previous"]) | band,
            },
            "series": {"districts": rows},
        }

    pub = disclosure.apply_all({d: report(d, so_b=3, hc_c=11) for d in "ABC"}, threshold=4)
    for d in "AC":  # B's 3 is withheld in its row of every report: no band against the group it is in
        so, hc = pub[d]["figures"]["sexual_offences"], pub[d]["figures"]["hate_crime"]
        assert so["value"] is not None and so["rate_ci95"] == [0.8, 1.3]
        assert so["rate_band_family"] is None and "rate_band_family" in so["suppressed"], d
        assert hc["rate_band_family"] == "lower than", d  # every member's hate crime shown: the band stays
    assert pub["B"]["figures"]["sexual_offences"]["rate_band_family"] is None  # its own count withheld
    shown = disclosure.apply_all({d: report(d, so_b=12, hc_c=11) for d in "ABC"}, threshold=4)
    assert all(shown[d]["figures"]["sexual_offences"]["rate_band_family"] == "lower than" for d in "ABC")
    lone = report("A", so_b=12, hc_c=11)
    lone["series"]["districts"]["sexual_offences"].pop()  # C's count not shown: the band cannot be checked
    assert disclosure.apply(lone)["figures"]["sexual_offences"]["rate_band_family"] is None


def test_side_channels_are_withheld_with_their_figure():
    """The three side channels a reader found: the figure's records with an age, the data quality
    page's "of" and the CSE funnel's steps are withheld with the figure they count."""
    figs = base()
    f = figs["figures"]
    f["sexual_offences"] = fig(3, 12)
    f["sexual_offences_age_known"] = fig(3, 12)
    f["sexual_offences_under_16"] = {**fig(1, 5), "share": 33.3, "share_of": "sexual_offences_age_known"}
    f["cse_cpw"], f["cse_cpn"], f["cse_cpn_breach"] = fig(5, 0), fig(1, 0), fig(0, 0)
    figs["quality"] = {
        "missing": [
            {"column": "victim_age", "rows": "sexual offences", "blank": 0, "of": 3, "figure": "sexual_offences"},
            {"column": "victim_age", "rows": "violence", "blank": 2, "of": 40, "figure": "vap"},
        ]
    }
    figs["series"]["funnels"] = {
        "cse": [
            {"step": "CPW", "value": 5, "share_of_previous": None, "id": "cse_cpw"},
            {"step": "CPN", "value": 1, "share_of_previous": 20.0, "id": "cse_cpn"},
            {"step": "CPN breach", "value": 0, "share_of_previous": 0.0, "id": "cse_cpn_breach"},
        ]
    }
    out = disclosure.apply(figs, threshold=4)
    g = out["figures"]
    assert g["sexual_offences"]["value"] is None and g["sexual_offences_age_known"]["value"] is None
    assert g["sexual_offences_under_16"]["share"] is None  # its whole is withheld: the share would give it
    missing = out["quality"]["missing"]
    assert missing[0]["of"] is None and missing[1]["of"] == 40 and missing[1]["blank"] == 2  # vap is not withheld
    cse = out["series"]["funnels"]["cse"]
    assert [s["value"] for s in cse] == [5, None, 0] and cse[1]["share_of_previous"] is None
    assert cse[2]["share_of_previous"] is None  # 0 of a withheld count of notices


def test_a_number_the_gate_does_not_know_stops_the_build():
    figs = base()
    figs["series"]["footfall"] = [{"cell": "A 001", "value": 3}]  # a series no rule knows
    with pytest.raises(disclosure.DisclosureError, match="series.footfall"):
        disclosure.apply(figs, threshold=4)


@pytest.mark.slow
def test_a_book_of_a_year_its_quarters_and_months_gives_nothing_away_by_subtraction(demo_dir):
    """One book holding 2016/17, its four quarters and the months of Q3, every district: no withheld count
    is a year less three quarters, or a quarter less two months (243 such sums closed when each period
    was withheld on its own), and a month reads alike in its own report and in the quarter's month rows."""
    data = load_data(demo_dir)
    cube = figures.build_cube(data)
    areas = list(data.areas["district"].astype(str))
    periods = ["2016/17", *[f"2016/17-Q{q}" for q in range(1, 5)], "2016-10", "2016-11", "2016-12"]
    raw = {(a, p): figures.compute(data, a, p, cube) for a in areas for p in periods}
    pub = disclosure.apply_all(raw, threshold=4)
    checked = 0
    for a in areas:
        year, quarters = pub[a, "2016/17"]["figures"], [pub[a, f"2016/17-Q{q}"]["figures"] for q in range(1, 5)]
        months = [pub[a, m]["figures"] for m in ("2016-10", "2016-11", "2016-12")]
        for fid in (i for i in year if disclosure.victim_based(i) and "value" in year[i]):
            for key in ("value", "previous"):
                for total, parts in ((year, quarters), (quarters[2], months)):
                    cells = [total.get(fid, {}), *[p.get(fid, {}) for p in parts]]
                    if all(c.get(key) is not None or disclosure.withheld(c, key) for c in cells):
                        checked += 1
                        assert _unknowns(cells, key) != 1, (a, fid, key)
        for m, fig in zip(("2016-10", "2016-11", "2016-12"), months):
            row = next(r for r in pub[a, "2016/17-Q3"]["series"]["monthly"]["sexual_offences"] if r["month"] == m)
            assert disclosure.withheld(row) == disclosure.withheld(fig["sexual_offences"]), (a, m)
    assert checked > 1000


def test_the_data_quality_page_shows_a_withheld_count_as_c():
    figs = base()
    figs["figures"]["sexual_offences"] = fig(3, 12)
    figs["quality"] = {
        "tables": [],
        "warnings": [],
        "missing": [
            {
                "column": "victim_age",
                "rows": "sexual offences",
                "blank": 0,
                "of": 3,
                "affects": "x",
                "figure": "sexual_offences",
            }
        ],
    }
    from csp_lib.present import pages

    page = pages.quality(disclosure.apply(figs, threshold=4))
    assert "| victim_age | sexual offences | 0 | [c] | x |" in page and "[c]: withheld to protect" in page


def _marac_two_years(folder):
    """The tiny data with marac_cases.csv covering exactly the two compared years (2015/16, 2016/17): A has
    12 cases in the first and 3 in the second, B 10 and 11 (issue 26, case 7)."""
    from conftest import write_tiny

    def month(i):  # i months after 2015-04
        return f"{2015 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}"

    rows = ["case_ref,listed_date,district,children,repeat"]
    rows += [f"a{i},{month(i)}-10,A,0,0" for i in range(12)] + [f"a2{i},{month(12 + i)}-10,A,0,0" for i in range(3)]
    rows += [f"b{i},{month(i)}-12,B,0,0" for i in range(9)] + [f"b2{i},{month(12 + i)}-12,B,0,0" for i in range(10)]
    rows += ["b30,2015-04-01,B,0,0", "b31,2017-03-31,B,0,0"]
    return write_tiny(folder, marac_cases_csv="\n".join(rows) + "\n")


def test_the_quality_pages_record_counts_cannot_difference_a_withheld_count(tmp_path):
    """A table that a victim-based figure counts whole (marac_cases): its records for the area over the
    table's months are the sum of the two compared years here, and its records in all are the districts'
    sum. Published, none of these sums has one unknown: 15 less the 12 shown for 2015/16 was A's 3."""
    folder = _marac_two_years(tmp_path / "data")
    data = load_data(folder)
    cube = figures.build_cube(data)
    raw = {a: figures.compute(data, a, "2016/17", cube) for a in ("A", "B")}
    pub = disclosure.apply_all(raw, threshold=4)

    def table(report):
        return next(t for t in report["quality"]["tables"] if t["table"] == "marac_cases")

    for a, r in raw.items():  # the sums really close in the records
        f = r["figures"]["marac_cases"]
        assert table(r)["area_rows"] == f["value"] + f["previous"], a
        assert (
            table(r)["rows"] == r["sources"]["marac_cases"]["rows"] == sum(table(x)["area_rows"] for x in raw.values())
        )
    assert pub["A"]["figures"]["marac_cases"]["suppressed"]  # 3 is withheld: there is something to protect
    # a district's records less its years shown give a withheld year; all records less the districts' shown
    # records give a withheld district's (B's records are its two years, both shown)
    for a, p in pub.items():
        f, t = p["figures"]["marac_cases"], table(p)
        if disclosure.withheld(f, "value") or disclosure.withheld(f, "previous"):
            assert disclosure.withheld(t, "area_rows"), a
            for q in pub.values():
                assert disclosure.withheld(table(q), "rows"), (a, q["area"])
                assert disclosure.withheld(q["sources"]["marac_cases"], "rows"), (a, q["area"])
    from csp_lib.present import pages

    page = pages.quality(pub["A"])
    assert "| marac_cases | [c] | [c] |" in page, page
    assert "the records of a table that one victim-based figure counts whole" in page
