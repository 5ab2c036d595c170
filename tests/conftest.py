"""Shared fixtures: a tiny contract data folder whose figures are worked out by hand.

Three districts: A and B in county X, C in county Y. The report is A, 2016/17
(April 2016 to March 2017) against 2015/16. Expected values are in the tests.
MARAC has a row for B in every month from April 2015 to June 2016 (and none
after), so it is a source that ends early; the other small tables are sparse.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
SCHEMA = json.loads((ROOT / "csp_lib" / "figures" / "figures.schema.json").read_text(encoding="utf-8"))
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def validate(figs: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``figs`` (as JSON: tuples are lists) is a figures.json."""
    _VALIDATOR.validate(json.loads(json.dumps(figs, default=str)))


TINY = {
    "areas.csv": """district,county,population,households
A,X,1000,400
B,X,2000,900
C,Y,500,200
""",
    "crimes.csv": """crime_ref,recorded_date,committed_date,district,offence,victim_age,offender_age,domestic_abuse,hate_strands,cse,night_time_economy
c01,2016-05-10,2016-05-09,A,Serious assault,30,31,1,,0,1
c02,2016-06-01,2016-06-01,A,Less serious assault,22,19,0,race;disability,0,0
c03,2015-07-01,2015-07-01,A,Less serious assault,40,26,0,,0,0
c04,2017-03-31,2015-01-01,A,Rape,14,,0,,1,0
c05,2016-04-01,2016-04-01,A,Rape,20,,0,,0,0
c06,2016-03-31,2016-03-01,A,Rape,25,,0,,0,0
c07,2017-02-01,2017-02-01,A,Burglary,,,0,,0,0
c08,2015-12-01,2015-11-30,A,Burglary,,,0,,0,0
c09,2016-01-15,2016-01-15,A,Burglary,,,0,,0,0
c10,2016-08-01,2016-08-01,B,Non-injury assault,50,,0,,0,0
c11,2015-08-01,2015-08-01,B,Non-injury assault,51,,0,,0,0
c12,2015-09-01,2015-09-01,B,Non-injury assault,52,,0,,0,0
c13,2016-08-01,2016-08-01,C,Other crime,,,0,,0,0
c14,2015-04-01,2015-04-01,C,Other crime,,,0,,0,0
""",
    "asb_incidents.csv": """incident_ref,date,district,asb_category
a1,2016-07-01,A,nuisance
a2,2016-07-02,A,personal
a3,2015-07-15,A,nuisance
a4,2015-07-16,A,nuisance
a5,2015-07-17,A,
a6,2016-10-01,A,environmental
a7,2015-10-01,A,nuisance
a8,2015-04-02,B,nuisance
a9,2017-03-20,B,nuisance
""",
    "hate_incidents.csv": """incident_ref,date,district,incident_type
h1,2016-05-05,A,Racist incident
h2,2015-05-05,A,Racist incident
h3,2015-06-06,A,Homophobic incident
""",
    "interventions.csv": """intervention_ref,date,district,type,context,case_ref
i1,2016-05-01,A,CPW,ASB,K1
i2,2016-05-01,A,CPW,ASB,K2
i3,2016-05-01,A,CPW,ASB,K3
i4,2016-05-01,A,CPW,ASB,K4
i5,2016-06-01,A,CPN,ASB,K1
i6,2016-07-01,A,CPN breach,ASB,K1
i7,2016-09-01,A,CPW,CSE,K5
i8,2015-04-01,B,CPW,ASB,K6
i9,2017-03-01,B,CPW,ASB,K7
""",
    "marac_cases.csv": """case_ref,listed_date,district,children,repeat
m1,2015-05-01,A,2,0
m2,2015-11-01,A,1,1
m3,2016-02-01,A,3,0
m4,2016-05-01,A,0,1
m5,2016-06-01,A,2,0
m6,2015-04-01,B,1,0
"""
    + "".join(f"mb{i},{2015 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}-15,B,0,0\n" for i in range(15)),
    "referrals.csv": """referral_ref,date,district,programme,complied
r1,2016-05-01,A,Avert,1
r2,2016-06-01,A,Avert,0
r3,2015-06-01,A,Avert,yes
r4,2016-07-01,A,ASBRAC,
""",
}


# the head of a hand-made figures.json: area A of county X, 2016/17 against 2015/16
REPORT_HEAD = {
    "area": "A",
    "county": "X",
    "period": {"label": "2016/17", "name": "April 2016 to March 2017"},
    "previous": {"label": "2015/16", "name": "April 2015 to March 2016"},
}


def write_tiny(folder: Path, **changes: str) -> Path:
    """The tiny folder, with any file's text replaced (``crimes_csv=...``) or removed (``None``)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(TINY)
    for key, text in changes.items():
        name = key.replace("_csv", ".csv").replace("_parquet", ".parquet")
        files[name] = text
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


# pytest-xdist (``make test``, ``make unit``: ``-n auto --dist loadscope``) sends each test file whole to one
# worker (its module fixtures made once), and so each notebook, whose cells nbval runs in order on one kernel
# as an analyst runs them. The files whose tests use the one demo site built end to end (``site`` below,
# which some of them rebuild in place) go together to one worker, which builds it once: not once in each
# worker, nor read by one while another rebuilds it; ``site`` fails in a file not listed here. (xdist's own
# ``xdist_group`` marks are not used: under pytest 9 they no longer reach its scheduler.)
SITE_FILES = {"test_accessibility.py", "test_build.py", "test_downloads.py", "test_paper.py", "test_statements.py"}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: without it, never called
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "site" if PurePosixPath(path).name in SITE_FILES else path

    return ByFile(config, log)


def pytest_runtest_setup(item):
    if "site" in getattr(item, "fixturenames", ()) and item.path.name not in SITE_FILES:
        pytest.fail(f"{item.path.name} uses the demo site: add it to SITE_FILES (tests/conftest.py)")


@pytest.fixture(autouse=True, scope="session")
def _cube_cache(tmp_path_factory):
    """police.uk cubes are cached under the tests' own folder, never in the user's ~/.cache."""
    import os

    old = os.environ.get("CSP_CACHE_DIR")
    os.environ["CSP_CACHE_DIR"] = str(tmp_path_factory.mktemp("csp-cache"))
    yield
    if old is None:
        os.environ.pop("CSP_CACHE_DIR", None)
    else:
        os.environ["CSP_CACHE_DIR"] = old


@pytest.fixture(autouse=True, scope="session")
def _figures_validated():
    """Every figures.json a test writes (``figures.write``: builds, ``csp figures -o``) is validated against
    figures.schema.json first (test_schema.py)."""
    from csp_lib import figures
    from csp_lib.figures import calculate

    original = calculate.write

    def write(figs, path):
        validate(figs)
        return original(figs, path)

    mp = pytest.MonkeyPatch()
    mp.setattr(calculate, "write", write)
    mp.setattr(figures, "write", write)
    yield
    mp.undo()


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_tiny(tmp_path / "tiny")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    if not (DEMO / "crimes.csv").exists():
        pytest.fail("demo data missing: run `make demo-data` (make test does it)")
    return DEMO


@pytest.fixture(scope="session")
def demo_figures(demo_dir):
    from csp_lib import figures

    figs = figures.compute_from_folder(demo_dir, "Blackpool", "2016/17")
    validate(figs)
    return figs


@pytest.fixture(scope="session")
def site(tmp_path_factory, demo_dir):
    """The demo report built end to end, with its committee paper (test_build.py, test_paper.py)."""
    from csp_lib.publish import build

    root = copy_project(tmp_path_factory.mktemp("project"))
    (root / "csp.toml").write_text('[site]\nurl = "https://example.gov.uk/csp"\n')  # the papers' footer link
    html = build.build(demo_dir, ["Blackpool"], ["2016/17"], root=root, pdf=True)
    return root, html


def copy_project(dst: Path) -> Path:
    """A copy of the book's sources (not its data or builds) for build tests."""
    shutil.copy(ROOT / "_config.yml", dst / "_config.yml")  # _toc.yml is written by each build
    for name in ("notebooks", "commentary"):
        shutil.copytree(ROOT / name, dst / name)
    (dst / "book").mkdir()
    for f in sorted((ROOT / "book").glob("*.md")):  # the hand-written pages
        shutil.copy(f, dst / "book" / f.name)
    shutil.copytree(ROOT / "docs", dst / "docs")  # the contract and figures.json pages include docs/
    for name in ("_static", "_templates"):
        shutil.copytree(ROOT / "book" / name, dst / "book" / name)
    return dst
