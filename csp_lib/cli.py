"""The ``csp`` command: figures, schema, demo-data, build, preview, publish, restore, new-section."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
from pathlib import Path

from .data.periods import PeriodError

DATA_HELP = (
    "data folder: the contract's tables (data-contract.md), police.uk street files or Home Office open data tables "
    "as downloaded (default: data/demo)"
)
FORCE_HELP = (
    "Home Office tables: a police force area's report, the force named as the tables' Force Name (the same as "
    "--area 'NAME police force area'; compared with its region where areas.csv gives one, else with England and "
    "Wales, and ranked among their forces)"
)
PARTIAL_HELP = (
    "police.uk folders with missing months: publish figures whose period or comparison year lacks "
    "months, labelled, instead of stopping (no comparison is made over incomplete months)"
)


def _figures(args) -> int:
    from . import figures
    from .data import periods, project, readers

    periods.parse(args.period)  # a mistake in the period or the area stops before the data are read
    (area,) = readers.check_areas(args.data, _named(args))
    from .figures.spc import settings_from

    settings = settings_from(project.find_root())  # csp.toml's [spc]: the XmR charts' baseline and recalculations
    if args.no_suppression:
        figs = figures.compute_from_folder(args.data, area, args.period, args.allow_partial, settings)
    else:
        from .figures.disclosure import threshold_from

        threshold = threshold_from(project.find_root())
        figs = figures.published(args.data, area, args.period, threshold, args.allow_partial, settings=settings)
    for w in figs["quality"]["warnings"]:
        print(f"csp: warning: {w}", file=sys.stderr)
    text = figures.dumps(figs)
    if args.output:
        figures.write(figs, args.output)
    else:
        sys.stdout.write(text)
    return 0


def _schema(args) -> int:
    from importlib.resources import files

    sys.stdout.write(files("csp_lib.figures").joinpath("figures.schema.json").read_text(encoding="utf-8"))
    return 0


def _demo(args) -> int:
    from . import demo

    rows = demo.write(args.output, args.seed)
    for name, n in rows.items():
        print(f"{args.output}/{name}.csv: {n:,} rows", file=sys.stderr)
    return 0


def _named(args) -> list[str]:
    """The areas named by ``--area`` and ``--force`` (a Home Office force area's report), in that order."""
    from .data.homeoffice import force_area

    areas = args.area or []
    areas = [areas] if isinstance(areas, str) else list(areas)
    forces = args.force or []
    return areas + [force_area(f) for f in ([forces] if isinstance(forces, str) else forces)]


def _areas(args) -> list[str]:
    """The areas a build is asked for: ``--area`` and ``--force`` (repeatable) or every district in the data."""
    from .data import contract, homeoffice, kind, policeuk, readers
    from .publish import build

    areas = _named(args)
    if args.all_districts and kind(args.data) in ("home office", "home office + police.uk"):
        areas = list(homeoffice.load_data(args.data).areas["district"].astype(str))
    elif args.all_districts and kind(args.data) == "police.uk":
        areas = list(policeuk.load(args.data, allow_partial=True).areas["district"].astype(str))
    elif args.all_districts:
        path = readers.table_path(args.data, "areas")
        if path is None:
            raise readers.DataError(Path(args.data) / "areas.csv", "required table is missing")
        areas = list(readers.read_table(path, contract.TABLES["areas"])["district"].astype(str))
    if not areas:
        raise build.BuildError("say which areas to build: --area NAME, --force NAME (repeatable) or --all-districts")
    return areas


def _build(args) -> int:
    from .publish import build

    site = build.build(
        data=args.data,
        areas=_areas(args),
        periods=args.period,
        jobs=args.jobs,
        out=args.out,
        suppression=not args.no_suppression,
        scheduler=args.scheduler,
        allow_partial=args.allow_partial,
        pdf=args.pdf,
    )
    print(f"The site is at {site / 'index.html'}")
    return 0


def _preview(args) -> int:
    from .publish.preview import preview

    preview(
        data=args.data,
        areas=_areas(args),
        periods=args.period,
        port=args.port,
        out=args.out,
        jobs=args.jobs,
        suppression=not args.no_suppression,
        allow_partial=args.allow_partial,
    )
    return 0


def _out(args) -> Path:
    """The build's output folder (``--out``), relative to the project folder as csp build takes it."""
    from .publish.build import find_root

    out = Path(args.out)
    return out if out.is_absolute() else find_root() / out


def _publish(args) -> int:
    from .publish import deploy

    site = _out(args) / "html"
    if args.to:
        deploy.publish_folder(site, Path(args.to))
    else:
        deploy.publish_git(site, args.git, args.branch, args.message)
    return 0


def _restore(args) -> int:
    from .publish import deploy

    if args.source:
        deploy.restore_folder(Path(args.source), _out(args))
    else:
        deploy.restore_git(args.git, args.branch, _out(args))
    return 0


def _withdraw(args) -> int:
    from .publish.withdraw import withdraw

    site = withdraw(args.area, args.period, args.reason, edition=args.edition, out=args.out)
    print(f"The site is at {site / 'index.html'}")
    return 0


def _new_section(args) -> int:
    from .publish.build import find_root
    from .publish.scaffold import new_section

    for path in new_section(find_root(), args.name):
        print(f"created {path}")
    print("next: write the measures in the csp_lib/custom module, make its test pass, then csp build")
    return 0


def main(argv=None) -> int:
    from . import __version__

    p = argparse.ArgumentParser(prog="csp", description="Community Safety Partnership performance book.")
    p.add_argument("--version", action="version", version=f"csp {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("figures", help="print the figures.json of one area and period")
    f.add_argument("--data", default="data/demo", help=DATA_HELP)
    which = f.add_mutually_exclusive_group(required=True)
    which.add_argument("--area", help="district (Home Office tables: CSP), e.g. Blackpool")
    which.add_argument("--force", help=FORCE_HELP)
    f.add_argument("--period", required=True, help="2016/17, 2016/17-Q3 or 2016-02..2017-01")
    f.add_argument("--output", "-o", help="write to this file instead of stdout")
    f.add_argument(
        "--no-suppression",
        action="store_true",
        help="internal use: show small victim-based counts, which are withheld by default as the build does (csp.toml)",
    )
    f.add_argument("--allow-partial", action="store_true", help=PARTIAL_HELP)
    f.set_defaults(run=_figures)

    s = sub.add_parser("schema", help="print figures.schema.json, the JSON Schema of figures.json (docs/figures.md)")
    s.set_defaults(run=_schema)

    d = sub.add_parser("demo-data", help="write the deterministic demo data")
    d.add_argument("--output", default="data/demo", help="folder to write (default: data/demo)")
    d.add_argument("--seed", type=int, default=2017, help="random seed: the same seed, the same files (default: 2017)")
    d.set_defaults(run=_demo)

    b = sub.add_parser("build", help="execute the section notebooks and build the site")
    b.add_argument("--data", default="data/demo", help=DATA_HELP)
    b.add_argument("--area", action="append", help="district (Home Office tables: CSP), e.g. Blackpool (repeatable)")
    b.add_argument("--force", action="append", help=FORCE_HELP + " (repeatable)")
    b.add_argument(
        "--all-districts",
        action="store_true",
        help="every district in the data (areas.csv; police.uk files without one: the 1%% rule; Home Office "
        "tables: every CSP and force area)",
    )
    b.add_argument(
        "--period", action="append", required=True, help="2016/17, 2016/17-Q3 or 2016-02..2017-01 (repeatable)"
    )
    b.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores)")
    b.add_argument("--out", default="_build", help="where the site is published (default: _build)")
    b.add_argument(
        "--no-suppression", action="store_true", help="the analyst's internal build: show small victim-based counts"
    )
    b.add_argument("--scheduler", help="run the notebooks on a Dask cluster: its address (tcp://host:8786) or 'local'")
    b.add_argument("--allow-partial", action="store_true", help=PARTIAL_HELP)
    b.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report's committee paper (PDF, cover from commentary/<area>/<period>/cover.yml)",
    )
    b.set_defaults(run=_build)

    v = sub.add_parser(
        "preview",
        help="build, serve the site on this machine (127.0.0.1) and rebuild it, the browser reloaded, at each save",
        description="Build the site as csp build does, serve it on http://127.0.0.1:PORT/ (search included), and "
        "build again whenever a file of commentary/ (cover.yml too), notebooks/, the settings or the data folder "
        "is saved; open pages reload themselves. A failing build prints its error and the last site stays served.",
    )
    v.add_argument("--data", default="data/demo", help=DATA_HELP)
    v.add_argument("--area", action="append", help="district, e.g. Blackpool (repeatable)")
    v.add_argument("--force", action="append", help=FORCE_HELP + " (repeatable)")
    v.add_argument("--all-districts", action="store_true", help="every district in the data")
    v.add_argument(
        "--period", action="append", required=True, help="2016/17, 2016/17-Q3 or 2016-02..2017-01 (repeatable)"
    )
    v.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1 (default: 8000; 0: any free one)")
    v.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: cores)")
    v.add_argument("--out", default="_build", help="where the site is built and served from (default: _build)")
    v.add_argument("--no-suppression", action="store_true", help="the analyst's internal view: show small counts")
    v.add_argument("--allow-partial", action="store_true", help=PARTIAL_HELP)
    v.set_defaults(run=_preview)

    pb = sub.add_parser(
        "publish",
        help="put the built site in a folder or on a git branch a static host serves, keeping every earlier edition",
        description="Merge the built site (<out>/html) over what a folder or a git branch publishes: reports and "
        "editions there that this build lacks stay, pagefind/ is replaced, .nojekyll is written. Refused, nothing "
        "changed, when the destination holds an edition of a report that differs from this build's of that number.",
    )
    where = pb.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="FOLDER", help="publish into this folder (made whole, then swapped in)")
    where.add_argument("--git", metavar="REPO", help="publish on a branch of this git repository (a path or URL)")
    pb.add_argument("--branch", default="gh-pages", help="the branch of --git (default: gh-pages)")
    pb.add_argument("--message", help="the commit's message (--git)")
    pb.add_argument("--out", default="_build", help="the build's output folder, holding html/ (default: _build)")
    pb.set_defaults(run=_publish)

    rs = sub.add_parser(
        "restore",
        help="fill an empty _build from what is published, so the next build continues its editions",
        description="Copy the published site into <out>/html and its superseded editions into <out>/editions "
        "(an empty output folder, as a CI runner starts with), so that csp build continues the edition numbers and "
        "finds revisions against what was published. Nothing published yet: nothing to do.",
    )
    src = rs.add_mutually_exclusive_group(required=True)
    src.add_argument("--from", dest="source", metavar="FOLDER", help="a folder csp publish --to wrote")
    src.add_argument("--git", metavar="REPO", help="a git repository (a path or URL) whose --branch publishes")
    rs.add_argument("--branch", default="gh-pages", help="the branch of --git (default: gh-pages)")
    rs.add_argument("--out", default="_build", help="the build's output folder to fill (default: _build)")
    rs.set_defaults(run=_restore)
    w = sub.add_parser(
        "withdraw",
        help="withdraw a published report (or one edition of it) from the site: a notice replaces its pages",
        description="Take a published report out of the site: its pages (every edition's, or with --edition N "
        "that edition's) are replaced by a notice saying it was withdrawn, when and why; its figures.json, "
        "downloads and paper are removed. The front page still lists it, marked withdrawn. The record stays in "
        "the archive (<out>/editions/): a build of the same area and period publishes it again as a new edition.",
    )
    w.add_argument("area", help="district, e.g. Blackpool")
    w.add_argument("period", help="2016/17, 2016/17-Q3 or 2016-02..2017-01, as it was built")
    w.add_argument("--reason", required=True, help="why, in a sentence: shown (as plain text) where the report was")
    w.add_argument("--edition", type=int, help="withdraw this edition only (default: every edition of the report)")
    w.add_argument("--out", default="_build", help="the build's output folder, as csp build's (default: _build)")
    w.set_defaults(run=_withdraw)

    n = sub.add_parser("new-section", help="scaffold a new report section (notebook, module, test, commentary)")
    n.add_argument("name", help='the section title, e.g. "Road safety"')
    n.set_defaults(run=_new_section)

    args = p.parse_args(argv)
    from .data.readers import DataError
    from .figures.disclosure import DisclosureError
    from .publish.build import BuildError
    from .publish.scaffold import ScaffoldError

    try:
        return args.run(args)
    except (DataError, PeriodError, BuildError, ScaffoldError, DisclosureError) as e:
        print(f"csp: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("csp: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        if (message := full_message(e)) is None:
            raise
        print(f"csp: error: {message}", file=sys.stderr)
        return 2


FULL = {errno.ENOSPC: "no space left", errno.EDQUOT: "the disk quota is used up", errno.EROFS: "read-only"}


def full_message(e: OSError) -> str | None:
    """One line for a disk that cannot take what a command writes (where, and what to do); None for any other
    error. shutil.copytree gathers its files' errors in one shutil.Error: (source, destination, why) each."""
    if isinstance(e, shutil.Error) and e.args and isinstance(e.args[0], list):
        for _, dst, why in e.args[0]:
            if (code := next((c for c in FULL if f"[Errno {c}]" in str(why)), None)) is not None:
                return full_message(OSError(code, os.strerror(code), dst))
        return None
    if e.errno not in FULL:
        return None
    where = e.filename2 or e.filename or "the output folder"
    return (
        f"cannot write {where}: {FULL[e.errno]} on its disk. Free space there, or write elsewhere (csp build --out "
        "DIR; the police.uk cube cache: CSP_CACHE_DIR); the published site is as it was"
    )


if __name__ == "__main__":
    sys.exit(main())
