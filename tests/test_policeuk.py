"""police.uk street files read as downloaded: hand-made files (always run) and the real
Lancashire files in ../shared/data/police_uk (skipped when absent), whose expected counts
are made here by a plain ``csv`` loop over the raw files."""

from __future__ import annotations

import csv
import gzip
import io
import os
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import street

from csp_lib import cli, figures
from csp_lib.data import contract, policeuk, readers, streetfiles
from csp_lib.data import load as load_data
from csp_lib.data.periods import parse
from csp_lib.figures import sections, significance
from csp_lib.present import charts, narrative, pages, tables

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "police_uk"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))  # each test counts its own cube


@pytest.fixture
def folder(tmp_path) -> Path:
    return street.write(tmp_path / "police_uk")


def _figs(folder, area="Alpha", period="2021-01..2021-12", allow_partial=False) -> dict:
    return figures.compute_from_folder(folder, area, period, allow_partial)["figures"]


def test_counts_worked_out_by_hand(folder):
    f = _figs(folder)
    assert f["all_crime"] | {} == {**f["all_crime"], "value": 72, "previous": 60, "change": 12, "pct_change": 20.0}
    assert (f["burglary"]["value"], f["burglary"]["previous"]) == (48, 36)
    assert (f["violence_and_sexual_offences"]["value"], f["violence_and_sexual_offences"]["previous"]) == (24, 24)
    assert (f["asb_incidents"]["value"], f["asb_incidents"]["previous"]) == (12, 12)
    assert (f["theft_offences"]["value"], f["theft_offences"]["previous"]) == (48, 36)  # burglary only in Alpha
    assert f["shoplifting"]["value"] == 0 and f["bicycle_theft"]["value"] == 0  # no rows: 0, not absent
    # the county is its two districts: Alpha 72 + Beta 24, a year earlier 60 + 12
    assert (f["county_all_crime"]["value"], f["county_all_crime"]["previous"]) == (96, 72)
    assert f["county_all_crime"]["pct_change"] == 33.3
    assert (f["county_theft_offences"]["value"], f["county_shoplifting"]["value"]) == (72, 24)
    # Alpha +20%, Beta +100%: Alpha has the lowest rise
    assert f["all_crime_rank_in_county"] == {"value": 1, "of": 2}
    assert f["all_crime"]["rate"] == 72.0  # per 1,000 of 1,000 residents
    assert f["burglary"]["rate"] == 120.0  # 48 per 400 households


def test_district_is_the_lsoa_name_without_its_code(tmp_path):
    names = {  # LSOA name as written -> district
        "Blackpool 001A": "Blackpool",
        "Ynys Môn 004C": "Ynys Môn",
        "Kingston upon Hull 012B": "Kingston upon Hull",
        "Blackpool  002B": "Blackpool",  # spaces around the name are not part of it
        " Blackpool 003C": "Blackpool",
        "Blackpool 001A ": "Blackpool",  # not the ONS form: the name without its last word
        "Blackpool\t001A": "Blackpool",
        "Wyre": "Wyre",
        "": None,
    }
    quoted = ['"' + name + '"' if name else "" for name in names]
    lines = [street.HEADER] + [f"x,2021-01,{street.FORCE},{street.FORCE},,,,E01,{q},Drugs,," for q in quoted]
    (tmp_path / "2021-01-testshire-street.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cube = pd.read_parquet(streetfiles.count_cube(streetfiles.find(tmp_path), tmp_path / "cube.parquet"))
    got = {d: int(n) for d, n in zip(cube["district"].fillna("(none)"), cube["n"])}
    assert got == {"Blackpool": 5, "Kingston upon Hull": 1, "Wyre": 1, "Ynys Môn": 1, "(none)": 1}


def test_rows_outside_the_districts_are_counted_not_dropped(folder):
    figs = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    excluded = {e["reason"].split(" (")[0]: e for e in figs["quality"]["excluded"]}
    assert excluded["no LSOA"]["rows"] == 24  # one a month over the two years
    assert excluded["in districts outside the county"] == {**excluded["in districts outside the county"], "rows": 24}
    assert excluded["in districts outside the county"]["districts"] == 1
    data = load_data(folder)
    assert data.cube["n"].sum() == sum(len(street.rows(m)) for m in street.MONTHS)  # every row is in the cube
    assert data.cube["district"].isna().sum() > 0  # ... the rows with no LSOA too


def test_figures_police_uk_lacks_say_so(folder):
    figs = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    for fid in ("vap", "domestic_abuse", "hate_crime", "sexual_offences_under_16", "marac_cases"):
        assert figs["figures"][fid]["value"] is None
        assert figs["figures"][fid]["note"] == policeuk.UNAVAILABLE
    assert narrative.headline(figs, "vap", "Violence against the person") == (
        "Violence against the person in Alpha for the period January to December 2021: "
        "not available from police.uk open data."
    )
    assert figs["data_format"] == "police.uk"


def test_flat_plain_and_nested_gzipped_files_give_the_same_figures(tmp_path, folder):
    nested = street.write(tmp_path / "nested", nested=True, gz=True)
    assert _figs(nested) == _figs(folder)
    assert {f.path.parent.name for f in streetfiles.find(nested)} == set(street.MONTHS)


def test_two_forces_are_two_counties(tmp_path):
    folder = street.write(tmp_path / "two", areas=False)
    other = (
        street.HEADER + "\n"
        ",2021-01,Otherton Police,Otherton Police,-1,52,On or near X,E02000001,Zeta 001A,Robbery,,\n" * 1
    )
    (folder / "2021-01-otherton-street.csv").write_text(other)
    data = load_data(folder)
    assert data.county_of("Zeta") == "Otherton"
    assert data.county_of("Alpha") == "Testshire"


def test_one_percent_rule_without_areas_csv(tmp_path):
    big = [r for r in street.rows("2021-01") if "Alpha 001A,Burglary" in r][0]
    stray = [r for r in street.rows("2021-01") if "Gamma" in r][0]
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "2021-01-testshire-street.csv").write_text("\n".join([street.HEADER] + [big] * 150 + [stray]) + "\n")
    data = load_data(folder)
    assert list(data.areas["district"]) == ["Alpha"]  # Gamma: 1 of 151 rows, under 1%
    # with 99 rows beside it, one row is 1%: a district
    (folder / "2021-01-testshire-street.csv").write_text("\n".join([street.HEADER] + [big] * 99 + [stray]) + "\n")
    assert list(policeuk.load(folder).areas["district"]) == ["Alpha", "Gamma"]


def test_missing_months_refuse_the_comparison_and_name_them(folder):
    for m in ("2020-03", "2020-04"):
        (folder / f"{m}-testshire-street.csv").unlink()
    with pytest.raises(readers.DataError, match="no police.uk file for 2020-03 to 2020-04"):
        _figs(folder)
    with pytest.raises(
        readers.DataError, match=r"period 2020-01..2020-12 has no police.uk file for 2020-03 to 2020-04"
    ):
        _figs(folder, period="2020-01..2020-12")
    f = _figs(folder, allow_partial=True)
    assert f["all_crime"]["value"] == 72 and f["all_crime"]["previous"] is None and f["all_crime"]["change"] is None
    assert (
        "no comparison with January to December 2020: no data for 2020-03 to 2020-04"
        in (f["all_crime"]["partial_note"])
    )
    assert f["all_crime_rank_in_county"]["value"] is None  # never compare 10 months with 12


def test_cli_allow_partial(folder, capsys):
    (folder / "2020-06-testshire-street.csv").unlink()
    args = ["figures", "--data", str(folder), "--area", "Alpha", "--period", "2021-01..2021-12"]
    assert cli.main(args) == 2
    assert "2020-06" in capsys.readouterr().err
    assert cli.main([*args, "--allow-partial"]) == 0
    assert '"previous_missing_months": [\n        "2020-06"' in capsys.readouterr().out


def test_the_cube_is_cached_and_counted_again_when_a_file_changes(folder, tmp_path):
    assert load_data(folder).reused is False
    assert load_data(folder).reused is True
    path = folder / "2021-05-testshire-street.csv"
    path.write_text(path.read_text() + street.rows("2021-05")[0] + "\n")
    again = load_data(folder)
    assert again.reused is False
    assert _figs(folder)["all_crime"]["value"] == 73
    cubes = tmp_path / "cache" / "csp-book"
    kept = 1 + len(streetfiles.FINER)  # the cube and its finer ones (neighbourhoods, map points, outcomes)
    assert len(list(cubes.glob("*.parquet"))) == kept  # the old cube's are gone
    other = street.write(tmp_path / "other")  # another folder keeps its own cube
    load_data(other)
    assert load_data(folder).reused is True
    assert len(list(cubes.glob("*.parquet"))) == 2 * kept


def test_a_cache_that_cannot_be_written_is_counted_in_a_temporary_folder(folder, tmp_path, monkeypatch):
    (tmp_path / "in-the-way").write_text("a file where the cache folder would be")
    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "in-the-way"))
    data = load_data(folder)
    assert (data.reused, int(data.cube["n"].sum())) == (False, sum(len(street.rows(m)) for m in street.MONTHS))
    assert load_data(folder).reused is False  # nothing was kept: counted again


def test_a_file_duckdb_cannot_read_stops_and_leaves_no_cube(tmp_path):
    folder = street.write(tmp_path / "gz", gz=True)
    path = folder / "2021-03-testshire-street.csv.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(readers.DataError, match=r"2021-03-testshire-street.csv.gz: cannot be read"):
        streetfiles.count_cube(streetfiles.find(folder), out / "cube.parquet")
    assert list(out.iterdir()) == []  # neither the cube nor its half-written file


def test_the_cube_is_counted_without_pandas(folder, tmp_path):
    """Counting is DuckDB's work alone: the step imports neither pandas nor pyarrow."""
    code = (
        "import sys; from csp_lib.data import streetfiles as s; "
        f"s.count_cube(s.find({str(folder)!r}), {str(tmp_path / 'cube.parquet')!r}); "
        "print([m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    cube = pd.read_parquet(tmp_path / "cube.parquet")
    assert list(cube.columns) == ["force", "district", "month", "crime_type", "n"]
    assert int(cube["n"].sum()) == sum(len(street.rows(m)) for m in street.MONTHS)


def test_xmr_starts_after_a_gap(folder):
    for m in ("2020-02",):
        (folder / f"{m}-testshire-street.csv").unlink()
    figs = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12", allow_partial=True)
    assert figs["series"]["xmr"]["all_crime"]["points"][0]["month"] == "2020-03"
    assert [r["period"] for r in figs["series"]["trend"]["all_crime"]] == ["2021-01..2021-12"]


# -- the real Lancashire files -------------------------------------------------------------
real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/police_uk is not on this machine")


def _raw_counts() -> tuple[Counter, Counter]:
    """(district, month, crime type) -> rows, and district -> rows, by a csv loop over the raw files."""
    cells: Counter = Counter()
    per_district: Counter = Counter()
    for path in sorted(REAL.glob("*-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(io.TextIOWrapper(fh.buffer, encoding="utf-8", newline="")):
                name = row["LSOA name"].strip()
                district = name.rsplit(" ", 1)[0] if name else None
                cells[(district, row["Month"], row["Crime type"])] += 1
                per_district[district] += 1
    return cells, per_district


@pytest.fixture(scope="module")
def raw():
    return _raw_counts()


@real
def test_real_files_match_a_plain_csv_count(raw):
    cells, per_district = raw
    total = sum(per_district.values())
    county = sorted(d for d, n in per_district.items() if d and n >= total / 100)
    assert len(county) == 14 and "Blackpool" in county
    period = parse("2021-11..2022-10")
    cur = {"2021-11", "2021-12"} | {f"2022-{m:02d}" for m in range(1, 11)}
    prev = {f"{int(m[:4]) - 1}{m[4:]}" for m in cur}

    def count(districts, months, types=None, asb=False):
        return sum(
            n
            for (d, m, t), n in cells.items()
            if d in districts
            and m in months
            and (t == "Anti-social behaviour") == asb
            and (types is None or t in types)
        )

    figs = figures.compute_from_folder(REAL, "Blackpool", period.label)
    f = figs["figures"]
    assert figs["county"] == "Lancashire"
    assert f["all_crime"]["value"] == count({"Blackpool"}, cur)
    assert f["all_crime"]["previous"] == count({"Blackpool"}, prev)
    assert f["asb_incidents"]["value"] == count({"Blackpool"}, cur, asb=True)
    assert f["county_all_crime"]["value"] == count(set(county), cur)
    assert f["county_asb_incidents"]["previous"] == count(set(county), prev, asb=True)
    theft = set(policeuk.THEFT_TYPES)
    assert f["theft_offences"]["value"] == count({"Blackpool"}, cur, theft)
    for t in {t for (_, _, t) in cells} - {"Anti-social behaviour"}:
        fid = policeuk.crime_type_id(t)
        assert f[fid]["value"] == count({"Blackpool"}, cur, {t}), t
        assert f[f"county_{fid}"]["previous"] == count(set(county), prev, {t}), t
    for t, group in policeuk.GROUP_OF_TYPE.items():  # the offence groups that are one crime type
        assert f[group]["value"] == count({"Blackpool"}, cur, {t}), group
    ratios = {d: Fraction(count({d}, cur) - count({d}, prev), count({d}, prev)) for d in county}
    assert f["all_crime_rank_in_county"] == {
        "value": 1 + sum(r < ratios["Blackpool"] for r in ratios.values()),
        "of": 14,
    }
    excluded = {e["reason"].split(" (")[0]: e["rows"] for e in figs["quality"]["excluded"]}
    both = cur | prev
    assert excluded["no LSOA"] == sum(n for (d, m, _), n in cells.items() if d is None and m in both)
    assert excluded["in districts outside the county"] == sum(
        n for (d, m, _), n in cells.items() if d and d not in county and m in both
    )


@real
def test_real_files_refuse_2021_22_naming_the_missing_months():
    with pytest.raises(readers.DataError, match=r"no police.uk file for 2020-04 to 2020-09"):
        figures.compute_from_folder(REAL, "Blackpool", "2021/22")


@real
@pytest.mark.slow
def test_real_files_build_a_report(tmp_path, raw):
    from conftest import copy_project
    from csp_lib.publish import build

    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    site = build.build(REAL, ["Blackpool"], ["2021-11..2022-10"], out=tmp_path / "out", root=root)
    report = site / "book" / "reports" / "blackpool" / "2021-11_to_2022-10"
    built = figures.read(report / "figures.json")
    assert built["figures"] == figures.compute_from_folder(REAL, "Blackpool", "2021-11..2022-10")["figures"]
    page = (report / "02-violence.html").read_text(encoding="utf-8")
    assert "not available from police.uk open data" in page
    assert "Open Government Licence" in (report / "index.html").read_text(encoding="utf-8")
    assert os.path.exists(report / "data-quality.html")
    overview = (report / "01-overview.html").read_text(encoding="utf-8")
    for what in (
        "The 10 neighbourhoods with the most crime",
        "Hotspot map",
        '"description":"Map of Blackpool, north up',
    ):
        assert what in overview, what
    assert "Crimes by last outcome" in overview
    assert (report / "downloads" / "every-map-cell-crime-blackpool.csv").exists()


def test_each_section_says_what_open_data_shows_once(folder, monkeypatch):
    from csp_lib.present import report

    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(getattr(obj, "data", str(obj))))
    r = report.open(folder, "Alpha", "2021-01..2021-12")
    r.open_data("overview")  # all crime: the section's own sentences give its headline
    assert not any("All crime in Alpha" in s for s in shown)
    assert any("What police.uk open data shows: All crime, Alpha" in s for s in shown)
    shown.clear()
    r.open_data("violence")  # not the section's own figure: said here
    assert sum("Violence and sexual offences in Alpha" in s for s in shown) == 1
    assert any("December 2021 are unchanged at 24" in s for s in shown)  # a plural subject takes "are"
    assert any("Jan 2020\u2013Dec 2020" in s and "Jan 2021\u2013Dec 2021" in s for s in shown)  # table headers


def test_a_period_the_files_end_inside_names_the_months_it_counts(folder):
    """Files end at December 2021: 2021/22 counts April to December 2021 against April to December 2020,
    and every title, tile and sentence says so (it read 'April 2021 to March 2022 ... the previous year')."""
    from pathlib import Path

    figs = figures.compute_from_folder(folder, "Alpha", "2021/22", allow_partial=True)
    assert figs["period"]["counted"] == "April to December 2021" and figs["period"]["months_counted"] == 9
    assert figs["previous"]["counted"] == "April to December 2020"
    f = figs["figures"]["all_crime"]
    assert (f["value"], f["previous"]) == (9 * 6, 9 * 5) and f["start"] == "2021-04-01" and f["end"] == "2021-12-31"
    assert narrative.headline(figs, "all_crime") == (
        "All crime in Alpha for the period April to December 2021 (9 of the 12 months of 2021/22) is up by 20% "
        "(n=+9) compared to the same months a year earlier (April to December 2020), within the range chance "
        "gives for counts this small."
    )
    # tested over the 9 months each period counts: 54 against 45, Binomial(99, 1/2)
    assert f["significance"] == significance.poisson_test(54, 45, 9, 9) and f["significance"]["p_value"] > 0.05
    page = pages.report_index(figs, Path("/nonexistent"))
    assert page.startswith("# Alpha: April to December 2021 (9 of the 12 months of 2021/22)")
    assert "Apr 2020\u2013Dec 2020: 45" in page and "2020/21" not in page and "March 2022" not in page


def test_a_comparison_the_files_start_inside_is_made_like_for_like(folder):
    """Files start in January 2020: July 2020 to June 2021 is compared on January to June, the months both
    years have (it promised a comparison with July 2019 to June 2020 and made none)."""
    figs = figures.compute_from_folder(folder, "Alpha", "2020-07..2021-06", allow_partial=True)
    assert figs["period"]["counted"] == "January to June 2021" and figs["previous"]["counted"] == "January to June 2020"
    f = figs["figures"]["all_crime"]
    assert (f["value"], f["previous"], f["change"]) == (6 * 6, 6 * 5, 6)
    assert "compared to the same months a year earlier (January to June 2020)" in narrative.headline(figs, "all_crime")
    with pytest.raises(readers.DataError, match="2019-07..2020-06 has no police.uk file for 2019-07 to 2019-12") as e:
        figures.compute_from_folder(folder, "Alpha", "2019-07..2020-06")
    assert "nor its comparison with July 2018 to June 2019 for 2018-07 to 2019-06" in str(e.value)


@pytest.mark.parametrize("period", ["2021/22", "2020-07..2021-06", "2021-01..2021-12"])
def test_a_partial_report_passes_the_disclosure_gate(folder, period):
    """The gate knows every number of a police.uk report, partial or whole (it stopped the build at
    period.months_counted when the counted months were new)."""
    from csp_lib.figures import disclosure

    figs = figures.compute_from_folder(folder, "Alpha", period, allow_partial=True)
    assert disclosure.apply(figs, 4)["figures"]["all_crime"]["value"] == figs["figures"]["all_crime"]["value"]


def test_violence_and_sexual_offences_stand_in_where_police_uk_has_only_the_combined_category(folder, monkeypatch):
    """police.uk publishes violence and sexual offences as one category: its trend, months, XmR and county
    ranking are there, and the violence and sexual offences pages draw them, labelled as the combined category.
    Counted by hand (street.py): Alpha has 2 such rows a month in 2020 and in 2021, Beta none."""
    from csp_lib.present import report

    figs = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    vso = "violence_and_sexual_offences"
    assert [(r["period"], r["area"], r["county"]) for r in figs["series"]["trend"][vso]] == [
        ("2020-01..2020-12", 24, 24),
        ("2021-01..2021-12", 24, 24),
    ]
    assert [m["value"] for m in figs["series"]["monthly"][vso]] == [2] * 12
    assert [p["value"] for p in figs["series"]["xmr"][vso]["points"]] == [2] * 24
    assert figs["figures"][f"{vso}_rank_in_county"] == {"value": 1, "of": 1}  # Beta has no earlier count: unranked
    assert figs["figures"][f"{vso}_districts_rising"]["value"] == 0
    assert "vap" not in figs["series"]["trend"] and figs["figures"]["vap"]["value"] is None

    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(getattr(obj, "data", str(obj))))
    r = report.Report(figs)
    assert r.measure("vap") == vso and r.measure("sexual_offences") == vso
    assert r.measure("all_crime") == "all_crime"
    assert len(shown) == 1 and "police.uk's combined category, violence and sexual offences" in shown[0]


def test_neighbourhoods_counted_by_hand(folder):
    """series.neighbourhoods: every LSOA of the district, the most first, ties by code; blank LSOAs (no
    district) and other districts' LSOAs are in no list; ASB apart. Counted by hand from street.py."""
    s = figures.published(folder, "Alpha", "2021-01..2021-12", 4)["series"]
    assert s["neighbourhoods"] == [
        {"lsoa_code": "E01000001", "lsoa_name": "Alpha 001A", "value": 48, "previous": 36, "change": 12},
        {"lsoa_code": "E01000002", "lsoa_name": "Alpha 002B", "value": 24, "previous": 24, "change": 0},
    ]
    assert s["neighbourhoods_asb"] == [
        {"lsoa_code": "E01000001", "lsoa_name": "Alpha 001A", "value": 12, "previous": 12, "change": 0}
    ]
    beta = figures.compute_from_folder(folder, "Beta", "2021-01..2021-12")["series"]
    assert beta["neighbourhoods"] == [
        {"lsoa_code": "E01000003", "lsoa_name": "Beta 001A", "value": 24, "previous": 12, "change": 12}
    ]
    assert beta["neighbourhoods_asb"] == []
    # one month, and a tie between two LSOAs (the same count): ordered by code
    one = figures.compute_from_folder(folder, "Alpha", "2021-06")["series"]["neighbourhoods"]
    assert [(r["lsoa_code"], r["value"], r["previous"]) for r in one] == [("E01000001", 4, 3), ("E01000002", 2, 2)]
    from csp_lib.data.periods import parse
    from csp_lib.figures.calculate import neighbourhood_rows

    frame = pd.DataFrame(
        {
            "lsoa_code": ["E2", "E1", "E3"],
            "lsoa_name": ["B", "A", "C"],
            "month": [parse("2021-01").first] * 2 + [parse("2020-01").first],
            "n": [5, 5, 7],
        }
    )
    rows = neighbourhood_rows(frame, parse("2021-01"), parse("2020-01"))
    assert [(r["lsoa_code"], r["value"], r["previous"]) for r in rows] == [("E1", 5, 0), ("E2", 5, 0), ("E3", 0, 7)]


def test_neighbourhood_sentence_and_table(folder):
    from csp_lib.present import narrative as say
    from csp_lib.present import tables

    f = figures.published(folder, "Alpha", "2021-01..2021-12", 4)
    assert say.neighbourhoods(f) == (
        "Of the 2 neighbourhoods (LSOAs) of Alpha, Alpha 001A recorded the most crime in January to "
        "December 2021: 48 crimes, 12 more than a year earlier. The ten with the most are below; the download "
        "lists every neighbourhood."
    )
    gone = {
        **f,
        "series": {**f["series"], "neighbourhoods_asb": [{**r, "value": 0} for r in f["series"]["neighbourhoods_asb"]]},
    }
    assert say.neighbourhoods(gone, "neighbourhoods_asb") == (
        "No antisocial behaviour was recorded in Alpha's neighbourhoods (LSOAs) in January to December 2021; "
        "1 neighbourhood had some a year earlier."
    )
    df = tables.neighbourhood_frame(f, "all_crime", f["series"]["neighbourhoods"])
    assert list(df.columns) == ["Neighbourhood (LSOA)", "LSOA code", "Jan 2020–Dec 2020", "Jan 2021–Dec 2021", "Change"]
    assert df.iloc[0].tolist() == ["Alpha 001A", "E01000001", 36, 48, 12]


@real
def test_real_neighbourhoods_and_outcomes_match_a_plain_csv_count():
    """Blackpool's neighbourhoods and its crimes' last outcomes (Nov 2021 to Oct 2022 and the year before),
    counted again by a csv loop over the raw files: every LSOA, crimes and ASB apart; every outcome; and the
    hotspot map's cells (H3 resolution 9 for Blackpool: its points fill under 400 cells), each point placed by h3
    here."""
    import h3

    cur = {"2021-11", "2021-12"} | {f"2022-{m:02d}" for m in range(1, 11)}
    prev = {f"{int(m[:4]) - 1}{m[4:]}" for m in cur}
    counts = {k: Counter() for k in ("crime_cur", "crime_prev", "asb_cur", "asb_prev")}
    names = {}
    outcomes = {"cur": Counter(), "prev": Counter()}
    cells = {"crime": Counter(), "asb": Counter()}
    for path in sorted(REAL.glob("*-street.csv.gz")):
        month = path.name[:7]
        if month not in cur | prev:
            continue
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name, code = row["LSOA name"].strip(), row["LSOA code"].strip()
                if name.rsplit(" ", 1)[0] != "Blackpool":
                    continue
                if row["Crime type"] != "Anti-social behaviour":
                    outcome = row["Last outcome category"].strip() or "No outcome recorded"
                    outcomes["cur" if month in cur else "prev"][outcome] += 1
                if not code:
                    continue
                names[code] = name
                kind = "asb" if row["Crime type"] == "Anti-social behaviour" else "crime"
                counts[f"{kind}_{'cur' if month in cur else 'prev'}"][code] += 1
                if month in cur and row["Longitude"] and row["Latitude"]:
                    cells[kind][h3.latlng_to_cell(float(row["Latitude"]), float(row["Longitude"]), 9)] += 1
    s = figures.published(REAL, "Blackpool", "2021-11..2022-10", 4)["series"]
    for key, kind in (("neighbourhoods", "crime"), ("neighbourhoods_asb", "asb")):
        now, before = counts[f"{kind}_cur"], counts[f"{kind}_prev"]
        want = sorted(
            (
                {
                    "lsoa_code": c,
                    "lsoa_name": names[c],
                    "value": now[c],
                    "previous": before[c],
                    "change": now[c] - before[c],
                }
                for c in set(now) | set(before)
            ),
            key=lambda r: (-r["value"], r["lsoa_code"]),
        )
        assert s[key] == want
    assert len(s["neighbourhoods"]) > 90 and s["neighbourhoods"][0]["lsoa_name"].startswith("Blackpool ")
    assert len(cells["crime"]) <= 400
    for key, kind in (("hotspots", "crime"), ("hotspots_asb", "asb")):
        assert {r["cell"]: r["value"] for r in s[key]} == dict(cells[kind])
        assert [r["value"] for r in s[key]] == sorted(cells[kind].values(), reverse=True)
    got = {r["outcome"]: (r["value"], r["previous"]) for r in s["outcomes"]}
    assert got == {o: (outcomes["cur"][o], outcomes["prev"][o]) for o in set(outcomes["cur"]) | set(outcomes["prev"])}


def test_outcomes_counted_by_hand(tmp_path):
    """series.outcomes: the period's crimes (not ASB) by last outcome, blank as "No outcome recorded", with
    shares and the year before; by crime type too. street.py's crimes are all "Under investigation"; here
    Alpha's burglaries of 2021 have no outcome recorded."""
    folder = street.write(tmp_path / "police_uk")
    for month in [m for m in street.MONTHS if m.startswith("2021")]:
        path = folder / f"{month}-testshire-street.csv"
        lines = path.read_text().splitlines()
        lines = [x.replace(",Under investigation,", ",,") if "Alpha 001A,Burglary" in x else x for x in lines]
        path.write_text("\n".join(lines) + "\n")
    s = figures.published(folder, "Alpha", "2021-01..2021-12", 4)["series"]
    # 2021: 48 burglaries with no outcome, 24 violence and sexual offences under investigation; 2020: 60 all under
    assert s["outcomes"] == [
        {"outcome": "No outcome recorded", "value": 48, "share": 66.7, "previous": 0, "previous_share": 0.0},
        {"outcome": "Under investigation", "value": 24, "share": 33.3, "previous": 60, "previous_share": 100.0},
    ]
    assert s["outcomes_by_type"] == {
        "burglary": [{"outcome": "No outcome recorded", "value": 48, "share": 100.0}],
        "violence_and_sexual_offences": [{"outcome": "Under investigation", "value": 24, "share": 100.0}],
    }
    one = figures.compute_from_folder(folder, "Alpha", "2021-03")["series"]["outcomes"]
    assert [(r["outcome"], r["value"], r["previous"]) for r in one] == [
        ("No outcome recorded", 4, 0),
        ("Under investigation", 2, 5),
    ]


def test_rolling_twelve_months_counted_by_hand(folder):
    """series.rolling: the 12-month total to each month the files cover. Alpha's crimes are 5 a month in 2020
    and 6 in 2021 (street.py), so the totals run 60, 61, ... 72 from December 2020 to December 2021; a one-month
    report says where its month sits."""
    from csp_lib.present import charts
    from csp_lib.present import narrative as say

    f = figures.published(folder, "Alpha", "2021-06", 4)
    rows = f["series"]["rolling"]["all_crime"]
    assert [(r["month"], r["value"]) for r in rows] == [("2020-12", 60)] + [
        (f"2021-{m:02d}", 60 + m) for m in range(1, 13)
    ]
    assert {r["value"] for r in f["series"]["rolling"]["asb_incidents"]} == {12}
    assert say.rolling(f) == (
        "In the 12 months to June 2021, 66 crimes were recorded in Alpha. Over the 13 twelve-month totals the data "
        "give, the highest was to December 2021 (72) and the lowest to December 2020 (60)."
    )
    year = figures.published(folder, "Alpha", "2021-01..2021-12", 4)
    assert say.rolling(year).startswith(
        "In the 12 months to December 2021, 72 crimes were recorded in Alpha, against 60 in the 12 months to "
        "December 2020."
    )
    assert "12-month total" in charts.rolling(f, "all_crime")


def test_outcome_tables_show_shares_as_shares(tmp_path):
    """The outcomes tables read as the sentences do: 66.7%, not 66; each crime type's crimes are its figure."""
    from csp_lib.present import tables

    folder = street.write(tmp_path / "police_uk")
    f = figures.published(folder, "Alpha", "2021-01..2021-12", 4)
    html = tables.to_html(tables.outcome_frame(f, f["series"]["outcomes"]), "Outcomes")
    assert '<td class="num">100.0%</td>' in html  # 2021: every crime under investigation
    by_type = tables.outcome_type_frame(f, f["series"]["outcomes_by_type"])
    assert by_type.to_dict("records") == [
        {
            "Crime type": "Burglary",
            "Crimes": 48,
            "Most common last outcome": "Under investigation",
            "% of the type's crimes": 100.0,
            "% under investigation": 100.0,
        },
        {
            "Crime type": "Violence and sexual offences",
            "Crimes": 24,
            "Most common last outcome": "Under investigation",
            "% of the type's crimes": 100.0,
            "% under investigation": 100.0,
        },
    ]
    assert tables.cell(41.9, "% of the type's crimes") == ("41.9%", True)
    assert tables.cell(-2.8, "% change") == ("-2.8%", True)


A_CELL, B_CELL = "891951d492bffff", "8919518b373ffff"  # Alpha 001A's and Alpha 002B's map points, H3 res 9


def test_hotspots_counted_by_hand(folder):
    """series.hotspots: the period's crimes by H3 cell of their map point, the busiest first, each with its LSOA.
    Alpha, 2021: 48 burglaries at 001A's point, 24 violence at 002B's; 12 ASB at 001A's."""
    s = figures.published(folder, "Alpha", "2021-01..2021-12", 4)["series"]
    assert s["hotspots"] == [
        {"cell": A_CELL, "value": 48, "lsoa_code": "E01000001", "lsoa_name": "Alpha 001A"},
        {"cell": B_CELL, "value": 24, "lsoa_code": "E01000002", "lsoa_name": "Alpha 002B"},
    ]
    assert s["hotspots_asb"] == [{"cell": A_CELL, "value": 12, "lsoa_code": "E01000001", "lsoa_name": "Alpha 001A"}]
    one = figures.compute_from_folder(folder, "Alpha", "2021-03")["series"]
    assert [(r["cell"], r["value"]) for r in one["hotspots"]] == [(A_CELL, 4), (B_CELL, 2)]
    assert figures.compute_from_folder(folder, "Beta", "2021-01..2021-12")["series"]["hotspots_asb"] == []


def test_hotspot_cells_take_the_lsoa_with_most_records_and_skip_blank_coordinates(tmp_path):
    """Alpha 002B's violence moved onto 001A's map point: one cell of 72, in 001A (48 of its 72); then
    001A's burglaries with blank coordinates: not on the map (24 left), still in their neighbourhood."""
    folder = street.write(tmp_path / "police_uk")
    files = sorted(folder.glob("2021-*-street.csv"))
    for path in files:
        path.write_text(path.read_text().replace("-3.000000,53.800000", "-3.050000,53.810000"))
    s = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")["series"]
    assert s["hotspots"] == [{"cell": A_CELL, "value": 72, "lsoa_code": "E01000001", "lsoa_name": "Alpha 001A"}]
    for path in files:
        lines = path.read_text().splitlines()
        lines = [x.replace("-3.050000,53.810000", ",") if "Burglary" in x else x for x in lines]
        path.write_text("\n".join(lines) + "\n")
    s = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")["series"]
    assert s["hotspots"] == [{"cell": A_CELL, "value": 24, "lsoa_code": "E01000002", "lsoa_name": "Alpha 002B"}]
    assert s["neighbourhoods"][0] == {
        "lsoa_code": "E01000001",
        "lsoa_name": "Alpha 001A",
        "value": 48,
        "previous": 36,
        "change": 12,
    }


def test_hotspot_ties_go_by_cell_id_and_a_cell_split_between_lsoas_takes_the_lower_code():
    from csp_lib.figures.calculate import hotspot_rows

    frame = pd.DataFrame(
        {
            "lsoa_code": ["E02", "E01", "E01"],
            "lsoa_name": ["Alpha 002B", "Alpha 001A", "Alpha 001A"],
            "lon": [-3.0, -3.0, -3.05],
            "lat": [53.8, 53.8, 53.81],
            "n": [2, 2, 4],
        }
    )
    assert hotspot_rows(frame, 9) == [
        {"cell": B_CELL, "value": 4, "lsoa_code": "E01", "lsoa_name": "Alpha 001A"},  # 2 and 2: the lower code
        {"cell": A_CELL, "value": 4, "lsoa_code": "E01", "lsoa_name": "Alpha 001A"},
    ]  # 4 and 4: by cell id


def test_hotspot_resolution_is_the_finest_that_keeps_the_map_readable():
    """500 map points 300 m apart fill 500 cells of 0.1 km² (resolution 9): too many; at 0.7 km² (8) fewer
    than 400. One point: resolution 9."""
    from csp_lib.figures.calculate import HOTSPOT_CELLS, hotspot_resolution

    grid = pd.DataFrame(
        [(-3.0 + 0.0045 * (i % 25), 53.8 + 0.0027 * (i // 25)) for i in range(500)], columns=["lon", "lat"]
    )
    assert HOTSPOT_CELLS == 400
    assert hotspot_resolution(grid) == 8
    assert hotspot_resolution(grid.head(1)) == 9


def test_hotspot_sentence_map_and_table(folder):
    f = figures.published(folder, "Alpha", "2021-01..2021-12", 4)
    assert narrative.hotspots(f) == (
        "Crime in Alpha was recorded in 2 map cells in January to December 2021. The busiest cell (48 crimes) is "
        "in Alpha 001A; the next busiest cell is in Alpha 002B."
    )
    spec = charts.spec_of(charts.hotspot_map(f))
    assert spec["description"].startswith("Map of Alpha, north up, in 2 hexagonal cells")
    assert "48 crimes" in spec["description"]
    cells = spec["layer"][0]["data"]["values"]
    assert [c["properties"]["value"] for c in cells] == [48, 24]
    assert all(len(c["geometry"]["coordinates"][0][0]) == 7 for c in cells)  # a hexagon: six corners, closed
    df = tables.hotspot_frame(f, f["series"]["hotspots"], "crimes")
    assert list(df["Crimes"]) == [48, 24] and list(df["Neighbourhood (LSOA)"]) == ["Alpha 001A", "Alpha 002B"]
    assert list(df["H3 cell"]) == [A_CELL, B_CELL]


def test_a_district_is_read_from_its_row_groups_only(tmp_path):
    """The finer cubes are sorted by district in small row groups: a district's rows come from the groups whose
    statistics can hold it, whole when it spans several groups, and none (with the columns) when it has none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [("Alpha", "E1", 3), ("Alpha", "E2", 1), ("Alpha", "E3", 2), ("Beta", "E4", 5), ("Gamma", "E5", 7)]
    path = tmp_path / "lsoa.parquet"
    table = pa.table({k: [r[i] for r in rows] for i, k in enumerate(("district", "lsoa_code", "n"))})
    pq.write_table(table, path, row_group_size=2)  # Alpha spans groups 0 and 1, which Beta shares
    alpha = policeuk._read_district(path, "Alpha")
    assert alpha["lsoa_code"].tolist() == ["E1", "E2", "E3"] and alpha["n"].sum() == 6
    assert policeuk._read_district(path, "Beta", ["n"]).to_dict("list") == {"n": [5]}
    assert policeuk._read_district(path, "Gamma")["lsoa_code"].tolist() == ["E5"]
    none = policeuk._read_district(path, "Delta")
    assert none.empty and list(none.columns) == ["district", "lsoa_code", "n"]


def test_the_finer_cubes_are_sorted_by_district_not_by_force(folder):
    """A district's rows are read from the row groups whose statistics can hold it: every finer cube must be in
    district order, also where a force's name sorts before another force's districts (outcomes were once sorted
    by force first, so every district's read took the whole file)."""
    import pyarrow.parquet as pq

    other = street.HEADER + "\n" + ",2021-01,Aardvark Police,Aardvark Police,-1,52,On or near X,E02000009,Zeta 001A,"
    (folder / "2021-01-aardvark-street.csv").write_text(other + "Robbery,Under investigation,\n")
    data = load_data(folder)
    for which, (where, _) in streetfiles.FINER.items():
        districts = pq.read_table(where(data.finer), columns=["district"])["district"].to_pylist()
        assert "Zeta" in districts and districts == sorted(districts), which


def test_an_unlisted_crime_type_is_counted_once_under_its_own_key(folder):
    """A crime type police.uk does not list, even one spelt like a figure of ours ("All crime", "Theft
    offences", "Rape"), is counted in all crime once, under a key of its own, and named on the quality
    page: it never replaces a figure. 2021-03 gains 2 + 1 + 1 such rows in Alpha."""
    month = folder / "2021-03-testshire-street.csv"
    extra = [("All crime", 2), ("Theft offences", 1), ("Rape", 1)]
    lines = [
        f"{t}-{j},2021-03,{street.FORCE},{street.FORCE},-3.05,53.81,On or near Test Street,E01000001,"
        f"Alpha 001A,{t},Under investigation,"
        for t, n in extra
        for j in range(n)
    ]
    month.write_text(month.read_text() + "\n".join(lines) + "\n")
    figs = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")
    f = figs["figures"]
    assert (f["all_crime"]["value"], f["all_crime"]["previous"]) == (72 + 4, 60)
    assert (f["theft_offences"]["value"], f["theft_offences"]["previous"]) == (48, 36)  # burglary only
    assert (f["rape"]["value"], f["rape"]["note"]) == (None, policeuk.UNAVAILABLE)  # police.uk gives no rape
    keys = {t: policeuk.crime_type_id(t) for t, _ in extra}
    assert len(set(keys.values())) == 3
    for t, n in extra:
        assert keys[t].startswith(policeuk.UNLISTED), keys[t]
        assert (f[keys[t]]["value"], f[keys[t]]["previous"]) == (n, 0), t
    assert policeuk.crime_type_id("Burglary") == "burglary"
    assert sections.label(keys["All crime"]) == "All crime (not a police.uk crime type)"
    named = [w for w in figs["quality"]["warnings"] if "not in the police.uk list" in w]
    assert len(named) == 1 and all(t in named[0] for t, _ in extra), figs["quality"]["warnings"]
    # no figure id of the product begins like an unlisted crime type's key
    ours = [*contract.REQUIRED_IDS, *sections.COUNTY_IDS, *sections.TREND_IDS, *sections.LABELS]
    assert not [i for i in ours if i.startswith(policeuk.UNLISTED)]
