"""csp.toml's [spc] (issue 29): the XmR charts' baseline and recalculations after a step change, read and
refused as the analyst wrote them, carried into the figures, their cache key, the build's workers, the chart
and the sentence."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conftest import validate
from csp_lib import cli, figures
from csp_lib.data.contract import DataError
from csp_lib.data.periods import parse
from csp_lib.figures import spc
from csp_lib.figures.store import FiguresCache
from csp_lib.present import charts, narrative


def _settings(tmp_path: Path, text: str) -> spc.Settings:
    (tmp_path / "csp.toml").write_text(text, encoding="utf-8")
    return spc.settings_from(tmp_path)


def test_settings_read_from_csp_toml(tmp_path):
    assert _settings(tmp_path, "[disclosure]\nthreshold = 4\n") == spc.Settings()  # unset: every point, as before
    got = _settings(tmp_path, '[spc]\nbaseline = 12\nrecalculate = ["2016-10", "2016-04"]\n')
    assert (got.baseline, got.recalculate) == (12, ("2016-04", "2016-10"))  # sorted
    assert _settings(tmp_path, "[spc]\nbaseline = 20\n").baseline == 20


REFUSED = {
    "baseline-too-short": ("baseline = 11", "[spc] baseline = 11 is not a number of points from 12 to 20"),
    "baseline-too-long": ("baseline = 21", "[spc] baseline = 21 is not a number of points from 12 to 20"),
    "baseline-as-text": ('baseline = "12"', "[spc] baseline = '12' is not a number of points from 12 to 20"),
    "baseline-true": ("baseline = true", "[spc] baseline = True is not a number of points from 12 to 20"),
    "month-13": ('recalculate = ["2016-13"]', "[spc] recalculate: '2016-13' is not a month. Write each month as"),
    "month-in-words": ('recalculate = ["October 2016"]', "[spc] recalculate: 'October 2016' is not a month"),
    "month-as-number": ("recalculate = [201610]", "[spc] recalculate: 201610 is not a month"),
    "not-a-list": ('recalculate = "2016-10"', "[spc] recalculate = '2016-10' is not a list of months"),
    "misspelt-key": ("basline = 12", "[spc] basline: not a setting of [spc]. Its settings are baseline and"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_bad_settings_are_refused_naming_csp_toml_and_the_key(case, tmp_path):
    line, message = REFUSED[case]
    with pytest.raises(DataError) as e:
        _settings(tmp_path, f"[spc]\n{line}\n")
    assert str(e.value).startswith(f"{tmp_path / 'csp.toml'}: {message}"), str(e.value)


def test_a_month_outside_the_data_is_refused(tiny):
    """The tiny data run from April 2015 to March 2017: 2030-01 and 2014-12 are in no series of theirs."""
    for m in ("2030-01", "2014-12"):
        with pytest.raises(DataError) as e:
            figures.compute_from_folder(tiny, "A", "2016/17", settings=spc.Settings(None, (m,), "csp.toml"))
        assert str(e.value) == (
            f"csp.toml: [spc] recalculate: '{m}' is outside the monthly series of the data, which run from April "
            "2015 to March 2017. Give the month the process changed as YYYY-MM within the data (a quarterly series: "
            "the quarter's first month), or remove it"
        )
    figures.compute_from_folder(tiny, "A", "2016/17", settings=spc.Settings(None, ("2015-04", "2017-03")))


def _project(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "notebooks").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("title: test\n", encoding="utf-8")
    (tmp_path / "csp.toml").write_text(toml, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[spc]\nbaseline = 10\n", "csp.toml: [spc] baseline = 10 is not a number of points from 12 to 20"),
        ('[spc]\nrecalculate = ["2099-01"]\n', "csp.toml: [spc] recalculate: '2099-01' is outside the monthly"),
    ],
)
def test_csp_figures_stops_with_one_line(tmp_path, tiny, monkeypatch, capsys, toml, message):
    monkeypatch.chdir(_project(tmp_path / "project", toml))
    rc = cli.main(["figures", "--data", str(tiny), "--area", "A", "--period", "2016/17"])
    out = capsys.readouterr()
    assert rc == 2 and out.out == "" and out.err.count("\n") == 1 and "Traceback" not in out.err
    assert out.err.startswith(f"csp: error: {tmp_path / 'project'}/{message}"), out.err


def test_csp_figures_publishes_the_settings(tmp_path, tiny, monkeypatch, capsys):
    """Through the command, disclosure control and the schema: each XmR series says its baseline, the limits'
    basis and its segments."""
    import json

    monkeypatch.chdir(_project(tmp_path / "project", '[spc]\nbaseline = 12\nrecalculate = ["2016-10"]\n'))
    assert cli.main(["figures", "--data", str(tiny), "--area", "A", "--period", "2016/17"]) == 0
    figs = json.loads(capsys.readouterr().out)
    validate(figs)
    shown = [c for c in figs["series"]["xmr"].values() if not c.get("suppressed")]
    assert shown, "the tiny data show some XmR chart"
    for chart in shown:
        assert (chart["baseline"], chart["basis"], chart["recalculated"]) == (12, "baseline", ["2016-10"])
        assert [(s["first"], s["last"]) for s in chart["segments"]] == [("2015-04", "2016-09"), ("2016-10", "2017-03")]
        assert [s["baseline_points"] for s in chart["segments"]] == [12, 6]
    for chart in (c for c in figs["series"]["xmr"].values() if c.get("suppressed")):
        assert chart["segments"] == [] and chart["baseline"] is None and "segments" in chart["suppressed"]


def test_the_settings_are_part_of_the_figures_cache_key(tiny, tmp_path):
    """A notebook's figures (figures.published with the build's cache) follow csp.toml: changing [spc] never
    serves the figures cached under the old settings."""
    store = FiguresCache(tmp_path / "cache", optional=True)
    assert store.figures_key("d", "A", "2016/17", spc.Settings(12).key()) != store.figures_key("d", "A", "2016/17")
    with_baseline = figures.published(tiny, "A", "2016/17", 4, store=store, settings=spc.Settings(12))
    plain = figures.published(tiny, "A", "2016/17", 4, store=store)
    assert with_baseline["series"]["xmr"]["all_crime"]["baseline"] == 12
    assert plain["series"]["xmr"]["all_crime"]["baseline"] is None
    assert plain == figures.published(tiny, "A", "2016/17", 4)  # the same as without the cache
    again = figures.published(tiny, "A", "2016/17", 4, store=store, settings=spc.Settings(12))
    assert again == with_baseline


def test_the_builds_figures_workers_get_the_settings(tiny, monkeypatch):
    """The build's pool workers (spawned: they read csp.toml's settings from their initargs, never again)."""
    import pickle

    from csp_lib.publish import build, execute

    monkeypatch.setattr(execute, "die_with_parent", lambda: None)
    monkeypatch.setattr(build, "_WORKER", {})
    settings = pickle.loads(pickle.dumps(spc.Settings(12, ("2016-10",), "csp.toml")))  # as spawn passes it
    build._figures_worker(str(tiny), False, settings)
    chart = build._figures_task(("A", parse("2016/17")))["series"]["xmr"]["all_crime"]
    assert (chart["baseline"], chart["recalculated"]) == (12, ["2016-10"])


@pytest.fixture
def recalculated(tiny) -> dict:
    return figures.compute_from_folder(tiny, "A", "2016/17", settings=spc.Settings(None, ("2016-10",)))


def test_the_chart_draws_each_periods_limits_and_marks_the_change(recalculated):
    chart = recalculated["series"]["xmr"]["all_crime"]
    html = charts.xmr(recalculated, "all_crime")
    spec = charts.spec_of(html)
    segs = [ly for ly in spec["layer"] if ly.get("mark", {}).get("type") == "rule" and "x2" in ly.get("encoding", {})]
    assert [ly["encoding"]["y"]["field"] for ly in segs] == ["mean", "ucl", "lcl"]
    rows = segs[0]["data"]["values"]
    assert [(r["start"], r["end"]) for r in rows] == [("2015-04-01", "2016-09-01"), ("2016-10-01", "2017-03-01")]
    assert [r["mean"] for r in rows] == [s["mean"] for s in chart["segments"]]
    assert not [ly for ly in spec["layer"] if "datum" in ly.get("encoding", {}).get("y", {})]  # no rule across both
    marker = [ly for ly in spec["layer"] if ly.get("mark", {}).get("type") == "text"]
    assert marker[0]["data"]["values"] == [{"month": "2016-10-01", "text": "Limits recalculated from October 2016"}]
    # October 2016 is late in April 2015 to March 2017: the label to the left of the line, inside the chart
    assert (marker[0]["mark"]["align"], marker[0]["mark"]["dx"]) == ("right", -4)
    before, after = chart["segments"]
    assert (
        f"limits recalculated from October 2016: April 2015 to September 2016 mean {before['mean']:,.1f}, process "
        f"limits {max(before['lcl'], 0):,.1f} to {before['ucl']:,.1f}; October 2016 to March 2017 mean "
        f"{after['mean']:,.1f}"
    ) in spec["description"]
    assert "The process changed: limits recalculated from October 2016" in spec["usermeta"]["caption"]


def test_one_segment_keeps_the_chart_as_it_was(tiny):
    plain = figures.compute_from_folder(tiny, "A", "2016/17")
    spec = charts.spec_of(charts.xmr(plain, "all_crime"))
    assert [ly["encoding"]["y"]["datum"] for ly in spec["layer"] if "datum" in ly["encoding"].get("y", {})][0] == (
        plain["series"]["xmr"]["all_crime"]["mean"]
    )
    assert "recalculated" not in spec["description"] and "baseline" not in spec["usermeta"]["caption"]


def test_the_sentence_says_the_limits_were_recalculated(recalculated, tiny):
    text = narrative.variation(recalculated, "all_crime")
    assert "limits recalculated from October 2016, where the process changed" in text
    assert "recalculated" not in narrative.variation(figures.compute_from_folder(tiny, "A", "2016/17"), "all_crime")
    base = copy.deepcopy(recalculated)
    base["series"]["xmr"]["all_crime"] |= {"basis": "baseline", "baseline": 12}
    assert (
        "from the baseline of A's first 12 of 24 months of figures to March 2017 (an XmR chart"
        in narrative.variation(base, "all_crime")
    )
