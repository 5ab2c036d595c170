"""Deployment (issue 27): csp publish to a folder or a git branch, csp restore, on small hand-made built sites.

Each site is what ``csp build`` leaves in ``_build/html``: a front page linking its reports, ``_static/``, a
search index (``pagefind/``), and per report its figures.json (the latest edition), its pages, its superseded
editions under ``editions/<n>/`` and the latest's redirect there. The git tests use a local bare repository.
"""

import json
import subprocess
from pathlib import Path

import pytest

from csp_lib import cli
from csp_lib.publish import deploy, editions

Q1, Q2 = "book/reports/a/2016-17-Q1", "book/reports/a/2016-17-Q2"


def _figs(period: str, number: int, all_crime: int, date: str = "2026-07-01") -> dict:
    return {
        "area": "A",
        "period": {"label": period},
        "source": {"kind": "extract", "folder": "extract"},
        "edition": {"number": number, "date": date},
        "revisions": [],
        "figures": {"all_crime": {"value": all_crime}},
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _site(folder: Path, reports: dict[str, list[dict]], search: str) -> Path:
    """A built site holding ``reports`` (folder -> its editions' figures, oldest first: the last is the latest)
    and a search index of one file, ``pagefind/<search>.pf``."""
    links = "".join(f'<a href="{rel.removeprefix("book/")}/index.html">{rel}</a>' for rel in reports)
    _write(folder / "book" / "index.html", f"<html><body>{links}</body></html>")
    _write(folder / "_static" / "csp.css", "body {}")
    _write(folder / "pagefind" / f"{search}.pf", search)
    for rel, kept in reports.items():
        *old, latest = kept
        report = folder / rel
        _write(report / "figures.json", json.dumps(latest))
        _write(report / "index.html", f"edition {latest['edition']['number']}")
        _write(report / "editions" / str(latest["edition"]["number"]) / "index.html", "redirect")
        for figs in old:
            _write(report / "editions" / str(figs["edition"]["number"]) / "figures.json", json.dumps(figs))
            _write(report / "editions" / str(figs["edition"]["number"]) / "index.html", "Superseded")
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _number(folder: Path, rel: str) -> tuple[int, int]:
    figs = json.loads((folder / rel / "figures.json").read_text())
    return figs["edition"]["number"], figs["figures"]["all_crime"]["value"]


def test_publishing_two_builds_to_a_folder_keeps_both(tmp_path, capsys):
    """Q1 built and published, then a build of Q2 alone (a runner that built only the new quarter): the folder
    holds both reports, the second build's search index alone, .nojekyll, and a warning that the front page of
    the second build does not list Q1."""
    dest = tmp_path / "public"
    one = _site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "q1")
    deploy.publish_folder(one, dest)
    assert _number(dest, Q1) == (1, 3) and (dest / ".nojekyll").is_file()
    assert capsys.readouterr().err.count("warning") == 0
    two = _site(tmp_path / "two", {Q2: [_figs("2016/17-Q2", 1, 5)]}, "q2")
    deploy.publish_folder(two, dest)
    assert _number(dest, Q1) == (1, 3) and _number(dest, Q2) == (1, 5)
    assert (dest / Q1 / "index.html").read_text() == "edition 1"
    assert sorted(p.name for p in (dest / "pagefind").iterdir()) == ["q2.pf"]  # replaced whole
    assert (dest / "book" / "index.html").read_text() == (two / "book" / "index.html").read_text()
    assert (dest / ".nojekyll").is_file()
    err = capsys.readouterr().err
    assert f"warning: {Q1} stays published at its address, but this build's front page does not list it" in err
    assert Q2 not in err.split("warning")[1]
    assert not list(tmp_path.glob(".public.*"))  # nothing left beside it


def test_a_revised_edition_replaces_the_report_and_keeps_every_earlier_edition(tmp_path):
    """Q1 revised (edition 2, all crime 3 then 2): the report's address holds edition 2 and editions/1/ edition
    1. A later build holding edition 2 without editions/1/ (its archive lost) removes nothing."""
    dest = tmp_path / "public"
    first, second = _figs("2016/17-Q1", 1, 3), _figs("2016/17-Q1", 2, 2, "2026-10-01")
    deploy.publish_folder(_site(tmp_path / "one", {Q1: [first]}, "a"), dest)
    deploy.publish_folder(_site(tmp_path / "two", {Q1: [first, second]}, "b"), dest)
    assert _number(dest, Q1) == (2, 2) and (dest / Q1 / "index.html").read_text() == "edition 2"
    assert json.loads((dest / Q1 / "editions" / "1" / "figures.json").read_text()) == first
    assert (dest / Q1 / "editions" / "1" / "index.html").read_text() == "Superseded"
    three = _site(tmp_path / "three", {Q1: [second]}, "c")
    deploy.publish_folder(three, dest)
    assert json.loads((dest / Q1 / "editions" / "1" / "figures.json").read_text()) == first
    assert _number(dest, Q1) == (2, 2)


def test_a_diverged_build_is_refused_and_nothing_changes(tmp_path, capsys):
    """The folder publishes Q1's edition 1 with all crime 3 (and edition 2 with 2); a build whose edition 1 says
    4, or whose latest is edition 1 (it did not restore the published site), is refused, the folder unchanged."""
    dest = tmp_path / "public"
    first = _figs("2016/17-Q1", 1, 3)
    deploy.publish_folder(_site(tmp_path / "one", {Q1: [first]}, "a"), dest)
    before = _files(dest)
    other = _site(tmp_path / "other", {Q1: [_figs("2016/17-Q1", 1, 4)]}, "b")
    with pytest.raises(deploy.PublishError) as e:
        deploy.publish_folder(other, dest)
    assert "nothing was changed" in str(e.value)
    assert f"publishes edition 1 of {Q1} ({Q1}/figures.json) with other figures than this build's" in str(e.value)
    assert "two builds diverged" in str(e.value)
    assert _files(dest) == before
    deploy.publish_folder(_site(tmp_path / "two", {Q1: [first, _figs("2016/17-Q1", 2, 2)]}, "c"), dest)
    before = _files(dest)
    with pytest.raises(deploy.PublishError, match=f"publishes edition 2 of {Q1}, later than this build's edition 1"):
        deploy.publish_folder(_site(tmp_path / "stale", {Q1: [first]}, "d"), dest)
    assert _files(dest) == before
    # the command says so and exits 2
    _site(tmp_path / "stale_out" / "html", {Q1: [first]}, "d")
    assert cli.main(["publish", "--to", str(dest), "--out", str(tmp_path / "stale_out")]) == 2
    assert _files(dest) == before
    assert "csp: error: cannot publish, nothing was changed" in capsys.readouterr().err


def test_the_command_publishes_the_build_outputs_site(tmp_path, capsys):
    out = tmp_path / "_build"
    _site(out / "html", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a")
    assert cli.main(["publish", "--to", str(tmp_path / "public"), "--out", str(out)]) == 0
    assert _number(tmp_path / "public", Q1) == (1, 3)
    assert cli.main(["publish", "--to", str(tmp_path / "x"), "--out", str(tmp_path / "none")]) == 2
    assert "no built site at" in capsys.readouterr().err


def test_a_folder_that_is_not_a_site_is_refused(tmp_path):
    _write(tmp_path / "home" / "notes.txt", "mine")
    with pytest.raises(deploy.PublishError, match="holds files but no published site"):
        deploy.publish_folder(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), tmp_path / "home")
    assert _files(tmp_path / "home") == {"notes.txt": b"mine"}


# git --------------------------------------------------------------------------------------------------------------


def _bare(tmp_path: Path) -> Path:
    repo = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    return repo


def _git(repo: Path, *args: str) -> str:
    import os

    who = {f"GIT_{w}_{k}": v for w in ("AUTHOR", "COMMITTER") for k, v in (("NAME", "other"), ("EMAIL", "o@x"))}
    env = {**os.environ, **who}  # another runner's commit, whatever git's configuration here
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], capture_output=True, text=True, check=True, env=env
    ).stdout


def _show(repo: Path, path: str, ref: str = "gh-pages") -> str:
    return _git(repo, "show", f"{ref}:{path}")


def test_publishing_two_builds_to_a_branch_keeps_both(tmp_path, monkeypatch):
    """Q1 from one folder, then Q2 alone from another, each published on gh-pages of a bare repository: two
    commits, the second's parent the first, both reports on the branch, the second's search index alone, and
    .nojekyll; the commit's author is csp-book unless the environment names one."""
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    repo = _bare(tmp_path)
    first = deploy.publish_git(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "q1"), str(repo))
    assert _git(repo, "rev-parse", "gh-pages").strip() == first
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Analyst")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "analyst@example.gov.uk")
    second = deploy.publish_git(_site(tmp_path / "two", {Q2: [_figs("2016/17-Q2", 1, 5)]}, "q2"), str(repo))
    assert _git(repo, "rev-parse", "gh-pages").strip() == second != first
    assert _git(repo, "rev-parse", f"{second}^").strip() == first
    assert _git(repo, "log", "-1", "--format=%an <%ae>", first).strip() == "csp-book <csp-book@localhost>"
    assert _git(repo, "log", "-1", "--format=%an <%ae>", second).strip() == "Analyst <analyst@example.gov.uk>"
    files = _git(repo, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert f"{Q1}/figures.json" in files and f"{Q2}/figures.json" in files and ".nojekyll" in files
    assert [f for f in files if f.startswith("pagefind/")] == ["pagefind/q2.pf"]
    assert json.loads(_show(repo, f"{Q1}/figures.json"))["figures"]["all_crime"]["value"] == 3
    assert json.loads(_show(repo, f"{Q2}/figures.json"))["figures"]["all_crime"]["value"] == 5
    # the same site again: no new commit
    assert deploy.publish_git(tmp_path / "two", str(repo)) == second


def test_a_diverged_build_leaves_the_branch_as_it_was(tmp_path):
    repo = _bare(tmp_path)
    tip = deploy.publish_git(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), str(repo), "pages")
    with pytest.raises(deploy.PublishError, match="the branch is unchanged:\n  .*two builds diverged"):
        deploy.publish_git(_site(tmp_path / "other", {Q1: [_figs("2016/17-Q1", 1, 4)]}, "b"), str(repo), "pages")
    assert _git(repo, "rev-parse", "pages").strip() == tip


def test_a_push_the_remote_refuses_leaves_the_branch_unchanged_and_says_so(tmp_path):
    repo = _bare(tmp_path)
    tip = deploy.publish_git(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), str(repo))
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pages are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(deploy.PublishError) as e:
        deploy.publish_git(_site(tmp_path / "two", {Q2: [_figs("2016/17-Q2", 1, 5)]}, "b"), str(repo))
    assert f"the branch is unchanged (still at {tip[:12]})" in str(e.value)
    assert "pages are frozen today" in str(e.value)
    assert _git(repo, "rev-parse", "gh-pages").strip() == tip
    assert _git(repo, "ls-tree", "-r", "--name-only", "gh-pages").count(Q2) == 0


def test_a_publication_that_lands_first_is_not_overwritten(tmp_path, monkeypatch):
    """Another publication reaches the branch between our fetch and our push: ours is not a fast-forward, the
    push is refused, and the branch keeps the other one's commit."""
    repo = _bare(tmp_path)
    tip = deploy.publish_git(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), str(repo))
    checks = deploy.conflicts

    def meanwhile(*args):
        other = _git(repo, "commit-tree", f"{tip}^{{tree}}", "-p", tip, "-m", "another runner").strip()
        _git(repo, "update-ref", "refs/heads/gh-pages", other)
        seen.append(other)
        return checks(*args)

    seen = []
    monkeypatch.setattr(deploy, "conflicts", meanwhile)
    with pytest.raises(deploy.PublishError, match=r"was refused, the branch is unchanged \(still at"):
        deploy.publish_git(_site(tmp_path / "two", {Q2: [_figs("2016/17-Q2", 1, 5)]}, "b"), str(repo))
    assert _git(repo, "rev-parse", "gh-pages").strip() == seen[0]


def test_demonstration_and_real_data_are_never_published_on_one_site(tmp_path):
    dest = tmp_path / "public"
    deploy.publish_folder(_site(tmp_path / "real", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), dest)
    before = _files(dest)
    demo = {**_figs("2016/17-Q1", 1, 7), "area": "B", "source": {"kind": "demo"}}
    with pytest.raises(deploy.PublishError, match=f"publishes {Q1}, a report of real data, and this site is not"):
        deploy.publish_folder(_site(tmp_path / "demo", {"book/reports/b/2016-17-Q1": [demo]}, "b"), dest)
    assert _files(dest) == before


# restore ------------------------------------------------------------------------------------------------------


def test_restore_fills_an_empty_build_and_the_next_edition_follows_what_was_published(tmp_path):
    """Q1's edition 2 (all crime 2; edition 1 said 3) published on a branch, then a fresh runner's empty _build
    restored from it: the site and the superseded edition 1 are where csp build looks for them, so Q1 built
    again from data that now count 1 is edition 3, revising edition 2 (2 then, 1 now, -1), not edition 1."""
    repo = _bare(tmp_path)
    first, second = _figs("2016/17-Q1", 1, 3), _figs("2016/17-Q1", 2, 2, "2026-10-01")
    deploy.publish_git(_site(tmp_path / "one", {Q1: [first, second], Q2: [_figs("2016/17-Q2", 1, 5)]}, "a"), str(repo))
    out = tmp_path / "runner" / "_build"
    assert deploy.restore_git(str(repo), "gh-pages", out) == out / "html"
    assert (out / "html").is_symlink()  # as a build publishes it (site.swap)
    assert _number(out / "html", Q1) == (2, 2) and _number(out / "html", Q2) == (1, 5)
    assert json.loads((out / "editions" / "a" / "2016-17-Q1" / "1" / "figures.json").read_text()) == first
    assert editions.archived(out, Path(Q1)) == [1]
    revised = {**_figs("2016/17-Q1", 0, 1), "edition": None}
    figs, superseded = editions.stamp(revised, out, Path(Q1), date="2027-01-05")
    assert figs["edition"] == {"number": 3, "date": "2027-01-05"} and superseded == 2
    (revision,) = figs["revisions"]
    assert (revision["edition"], revision["revised_in"]) == (2, 3)
    assert revision["figures"][0]["id"] == "all_crime"
    assert (revision["figures"][0]["old"], revision["figures"][0]["new"], revision["figures"][0]["difference"]) == (
        2,
        1,
        -1,
    )
    # an output folder that holds a site is not restored over
    with pytest.raises(deploy.PublishError, match="already holds a site"):
        deploy.restore_git(str(repo), "gh-pages", out)


def test_restore_from_a_folder_and_from_nothing_published(tmp_path, capsys):
    public = tmp_path / "public"
    deploy.publish_folder(_site(tmp_path / "one", {Q1: [_figs("2016/17-Q1", 1, 3)]}, "a"), public)
    out = tmp_path / "_build"
    assert cli.main(["restore", "--from", str(public), "--out", str(out)]) == 0
    assert _number(out / "html", Q1) == (1, 3) and not (out / "editions").exists()
    # a repository with no pages branch yet (a project's first run): nothing to restore, not an error
    assert deploy.restore_git(str(_bare(tmp_path)), "gh-pages", tmp_path / "empty") is None
    assert "has no branch gh-pages yet" in capsys.readouterr().err
    assert not (tmp_path / "empty" / "html").exists()


@pytest.mark.slow
def test_a_fresh_runner_restores_builds_a_revision_and_publishes_it(tmp_path, monkeypatch):
    """End to end (slow, two builds of the tiny data): Q1 built and published on a bare repository's gh-pages;
    the runner's _build and book/reports wiped (a CI runner starts from a clean clone); csp restore from the
    branch; the extract revised (c01, a crime of May, cancelled) and Q1 built again: edition 2 with the revision
    note (all crime 3 then, 2 now), not a new edition 1; published again, the branch holds both editions."""
    import shutil

    from conftest import TINY, copy_project, write_tiny
    from csp_lib.publish import build

    monkeypatch.setenv("CSP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project")
    data = write_tiny(tmp_path / "extract")
    repo = _bare(tmp_path)
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    deploy.publish_git(html, str(repo))
    rel = "book/reports/a/2016-17-Q1"
    assert json.loads(_show(repo, f"{rel}/figures.json"))["edition"]["number"] == 1
    shutil.rmtree(root / "_build")
    shutil.rmtree(root / "book" / "reports")
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    assert cli.main(["restore", "--git", str(repo), "--out", str(root / "_build")]) == 0
    write_tiny(
        data, crimes_csv="".join(line for line in TINY["crimes.csv"].splitlines(True) if not line.startswith("c01,"))
    )
    html = build.build(data, ["A"], ["2016/17-Q1"], root=root, out="_build")
    figs = json.loads((html / rel / "figures.json").read_text())
    assert figs["edition"]["number"] == 2
    (revision,) = figs["revisions"]
    change = next(c for c in revision["figures"] if c["id"] == "all_crime")
    assert (revision["edition"], change["old"], change["new"], change["difference"]) == (1, 3, 2, -1)
    landing = " ".join((html / rel / "index.html").read_text(encoding="utf-8").split())
    assert "This is edition 2 of this report" in landing
    assert json.loads((html / rel / "editions" / "1" / "figures.json").read_text())["edition"]["number"] == 1
    deploy.publish_git(html, str(repo))
    assert json.loads(_show(repo, f"{rel}/figures.json"))["edition"]["number"] == 2
    old = json.loads(_show(repo, f"{rel}/editions/1/figures.json"))
    assert old["edition"]["number"] == 1 and old["figures"]["all_crime"]["value"] == 3
    assert "Superseded" in _show(repo, f"{rel}/editions/1/index.html")


# the CI workflows ----------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _csp_lines(script: str, env: dict) -> list[list[str]]:
    """Each ``csp`` command a shell script runs (``.venv/bin/csp ...`` up to ``;``, ``&&``, ``||`` or the end of
    its line), its variables expanded from ``env`` and every ``${{ ... }}`` expression as a placeholder."""
    import re
    import shlex

    expr = re.compile(r"\$\{\{[^}]*\}\}")
    script, env = expr.sub("EXPR", script.replace("\\\n", " ")), {k: expr.sub("EXPR", str(v)) for k, v in env.items()}
    out = []
    for line in script.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for m in re.finditer(r"\.venv/bin/csp\b(.*?)(?:;|&&|\|\||$)", line):
            words = shlex.split(m.group(1))
            out.append([re.sub(r"\$\{?(\w+)\}?", lambda v: env.get(v.group(1), "VALUE"), w) for w in words])
    return out


def _accepted(argv: list[str], monkeypatch) -> str:
    """The subcommand ``argv`` names, once the CLI's own parser has accepted it (nothing is run)."""
    seen = []
    for name in ("_build", "_publish", "_restore", "_figures", "_preview", "_demo"):
        monkeypatch.setattr(cli, name, lambda args, name=name: seen.append(name) or 0)
    try:
        assert cli.main(argv) == 0, argv
    except SystemExit as e:  # argparse's own error
        pytest.fail(f"csp {' '.join(argv)}: the CLI's parser refuses it (exit {e.code})")
    return seen[0].lstrip("_")


def test_the_github_workflow_runs_csp_commands_the_cli_accepts(monkeypatch):
    import yaml

    wf = yaml.safe_load((ROOT / "deploy" / "github-actions.yml").read_text(encoding="utf-8"))
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key on as true
    assert "push" in on and on["schedule"][0]["cron"] and wf["permissions"]["contents"] == "write"
    commands = []
    for job in wf["jobs"].values():
        for step in job["steps"]:
            env = {**wf.get("env", {}), **job.get("env", {}), **step.get("env", {})}
            commands += [(_accepted(argv, monkeypatch), argv) for argv in _csp_lines(step.get("run", ""), env)]
    assert [c for c, _ in commands] == ["restore", "build", "publish"]
    assert commands[0][1][commands[0][1].index("--branch") + 1] == "gh-pages"
    assert commands[2][1][commands[2][1].index("--branch") + 1] == "gh-pages" and "--git" in commands[2][1]
    assert "--data" in commands[1][1] and "data/extract" in commands[1][1]  # the extract, fetched, not committed


def test_the_gitlab_pipeline_runs_csp_commands_the_cli_accepts(monkeypatch):
    import yaml

    ci = yaml.safe_load((ROOT / "deploy" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = ci["pages"]
    assert job["artifacts"]["paths"] == ["public"]
    rules = " ".join(r["if"] for r in job["rules"])
    assert '"schedule"' in rules and '"push"' in rules
    env = {**ci["variables"], **job.get("variables", {})}
    commands = [
        (_accepted(argv, monkeypatch), argv)
        for line in job.get("before_script", []) + job["script"]
        for argv in _csp_lines(line, env)
    ]
    assert [c for c, _ in commands] == ["restore", "publish", "build", "publish", "publish"]
    assert commands[3][1] == ["publish", "--to", "public"] and "--git" in commands[4][1]


def test_a_command_the_cli_would_refuse_is_caught(monkeypatch):
    """The check itself can fail: a misspelt option, a command that does not exist."""
    for argv in (["publish", "--git", "x", "--brnch", "gh-pages"], ["deploy", "--to", "public"], ["publish"]):
        with pytest.raises(pytest.fail.Exception, match="the CLI's parser refuses it"):
            _accepted(argv, monkeypatch)
