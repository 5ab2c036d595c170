"""figures.schema.json describes figures.json: the demo's, a police.uk one and every figures.json the tests
write (conftest.py validates each one `figures.write` writes), and a wrong type fails."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import street

from conftest import SCHEMA, validate
from csp_lib import cli, figures


def test_the_schema_is_a_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_csp_schema_prints_it(capsys):
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMA


def test_the_demo_figures_validate(demo_figures):
    validate(demo_figures)


def test_published_figures_validate(demo_dir):
    figs = figures.published(demo_dir, "Blackpool", "2016/17", 4)
    assert "disclosure" in figs
    validate(json.loads(figures.dumps(figs)))


def test_police_uk_figures_validate(tmp_path):
    folder = street.write(tmp_path / "street")
    figs = json.loads(figures.dumps(figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")))
    validate(figs)
    assert figs["level"] == "district"


def test_the_tiny_figures_validate(tiny):
    figs = json.loads(figures.dumps(figures.compute_from_folder(tiny, "A", "2016/17")))
    validate(figs)
    assert figs["level"] == "district"


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f["figures"]["all_crime"].__setitem__("value", "18664"),
        lambda f: f.__setitem__("area", 1),
        lambda f: f["period"].__setitem__("start", "1 April 2016"),
        lambda f: f.pop("figures"),
        lambda f: f["figures"]["all_crime"].__setitem__("suppressed", "value"),
        lambda f: f["series"]["monthly"]["all_crime"][0].__setitem__("value", "1,299"),
        lambda f: f["series"]["monthly"]["all_crime"][0].__setitem__("month", "April 2016"),
        lambda f: f["series"]["trend"]["all_crime"][0]["districts"][0].pop("district"),
        lambda f: f["series"]["xmr"]["all_crime"]["points"][0].__setitem__("value", 12.5),
        lambda f: f["series"]["districts"]["all_crime"][0].__setitem__("pct_change", "+3%"),
        lambda f: f.__setitem__("level", "county"),
    ],
    ids=[
        "value-as-text",
        "area-as-number",
        "date-in-words",
        "no-figures",
        "suppressed-not-a-list",
        "month-value-as-text",
        "month-in-words",
        "trend-district-unnamed",
        "xmr-point-not-a-count",
        "district-change-as-text",
        "level-unknown",
    ],
)
def test_a_wrong_type_fails(demo_figures, change):
    figs = copy.deepcopy(json.loads(figures.dumps(demo_figures)))
    change(figs)
    with pytest.raises(jsonschema.ValidationError):
        validate(figs)
