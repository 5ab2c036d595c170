"""The csp command as an analyst meets it: output on stdout, errors without tracebacks."""

import json
import subprocess
import sys

from conftest import TINY, write_tiny


def csp(*args):
    return subprocess.run([sys.executable, "-m", "csp_lib.cli", *args], capture_output=True, text=True)


def test_figures_for_any_district_and_period(tiny):
    for area, period in (("B", "2016/17"), ("A", "2016/17-Q2"), ("C", "2016-02..2017-01")):
        r = csp("figures", "--data", str(tiny), "--area", area, "--period", period)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["area"] == area


def test_figures_to_a_file(tiny, tmp_path):
    out = tmp_path / "f.json"
    assert csp("figures", "--data", str(tiny), "--area", "A", "--period", "2016/17", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["figures"]["all_crime"]["value"] == 5


def _fails(r, *fragments):
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in r.stderr, r.stderr


def test_errors_are_one_line_without_traceback(tiny, tmp_path):
    _fails(
        csp("figures", "--data", str(tiny), "--area", "Nowhere", "--period", "2016/17"),
        "area 'Nowhere' is not a district",
    )
    _fails(
        csp("figures", "--data", str(tiny), "--area", "A", "--period", "2019/20"), "period 2019/20 is outside the data"
    )
    _fails(csp("figures", "--data", str(tiny), "--area", "A", "--period", "2016/18"), "2016/18")
    bad = write_tiny(
        tmp_path / "bad",
        crimes_csv=TINY["crimes.csv"]
        .replace("Shoplifting", "x")
        .replace("c07,2017-02-01,2017-02-01,A,Burglary", "c07,2017-02-01,2017-02-01,A,Shoplifted"),
    )
    _fails(
        csp("figures", "--data", str(bad), "--area", "A", "--period", "2016/17"),
        "crimes.csv, line 8, column 'offence': unknown offence 'Shoplifted'",
    )
    _fails(
        csp("figures", "--data", str(tmp_path / "nowhere"), "--area", "A", "--period", "2016/17"), "no such data folder"
    )


def test_demo_data_is_deterministic(tmp_path):
    from csp_lib import demo

    a = demo.generate()
    b = demo.generate()
    assert all(a[k].equals(b[k]) for k in a)
    assert sorted(a["areas"]["district"]) == sorted(demo.DISTRICTS) and len(demo.DISTRICTS) == 14
    months = a["crimes"]["recorded_date"].str[:7]
    assert (months.min(), months.max()) == ("2012-04", "2017-03")
    assert a["marac_cases"]["listed_date"].max() <= "2016-12-31"


def test_build_needs_areas(tmp_path):
    _fails(csp("build", "--period", "2016/17"), "say which areas to build")
    _fails(
        csp("build", "--data", str(tmp_path), "--all-districts", "--period", "2016/17"),
        "areas.csv: required table is missing",
    )


def test_a_misspelt_area_or_period_is_met_with_the_nearest_before_the_data_are_read(tiny, tmp_path):
    """Issue #31, item 5: `--area Blackpol` suggests Blackpool and `--period 2016-17` 2016/17, from areas.csv and
    the period alone: a crimes table that cannot be read is not reached."""
    (tiny / "areas.csv").write_text((tiny / "areas.csv").read_text().replace("\nA,X", "\nBlackpool,X"))
    (tiny / "crimes.csv").write_text("not,the,crimes,header\n")
    for command in ("figures", "build"):
        _fails(
            csp(command, "--data", str(tiny), "--area", "Blackpol", "--period", "2016/17"),
            "area 'Blackpol' is not a district of this data. Did you mean Blackpool? Districts here: B, Blackpool, C",
        )
        _fails(
            csp(command, "--data", str(tiny), "--area", "blackpool", "--period", "2016-17"),
            "period '2016-17' not understood: did you mean 2016/17?",
        )
        _fails(csp(command, "--data", str(tiny), "--area", "B", "--period", "2016-17-Q3"), "did you mean 2016/17-Q3?")
    r = csp("figures", "--data", str(tiny), "--area", "Nowhere", "--period", "2016/17")
    _fails(r, "area 'Nowhere' is not a district of this data. Districts here: B, Blackpool, C")
    assert "did you mean" not in r.stderr.lower()


def test_version():
    import tomllib
    from pathlib import Path

    r = csp("--version")
    version = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["version"]
    assert r.returncode == 0 and r.stdout == f"csp {version}\n"


def test_figures_withholds_small_counts_as_the_build_does(tiny):
    """`csp figures` prints what the site would publish; `--no-suppression` is the analyst's internal view."""
    shown = csp("figures", "--data", str(tiny), "--area", "A", "--period", "2016/17")
    assert shown.returncode == 0, shown.stderr
    rape = json.loads(shown.stdout)["figures"]["rape"]
    assert rape["value"] is None and "value" in rape["suppressed"]
    internal = csp("figures", "--data", str(tiny), "--area", "A", "--period", "2016/17", "--no-suppression")
    assert internal.returncode == 0, internal.stderr
    assert json.loads(internal.stdout)["figures"]["rape"]["value"] == 2
