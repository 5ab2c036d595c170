"""Deployment: put the built site where a static host serves it, keeping every edition published before.

``csp build`` writes the site to ``<out>/html`` and keeps the superseded editions in ``<out>/editions``. ``csp
publish`` puts that site in a folder (``--to``) or on a git branch (``--git``, ``--branch``: GitHub Pages, GitLab
Pages) by merging it over what is there:

- a report or an edition the destination holds that this build lacks stays (a CI runner that built only the new
  quarter removes nothing);
- each report this build holds replaces its folder there, keeping the editions (``editions/<n>/``) it lacks;
- ``pagefind/`` (the search index, made for the latest site) is replaced whole; ``.nojekyll`` is written (GitHub
  Pages would otherwise hide ``_static/``);
- nothing changes when the destination holds an edition of a report under the number this build gives it with
  another ``figures.json``, or a later edition than this build's: two builds diverged (a runner that did not
  restore the published site first), and publishing would replace a published edition.

A folder is published whole or not at all: the merged site is made beside it and swapped in by one rename. A
branch gets one commit made with git's plumbing in a temporary repository (its parent the branch's tip, so the
push is a fast-forward), and a push the remote refuses (a hook, or someone else's publication meanwhile) leaves
the branch as it was.

``csp restore`` does the reverse for an empty ``<out>``: the published site becomes ``<out>/html`` and its
superseded editions ``<out>/editions``, so a build on a fresh runner continues the archive (edition numbers go on,
revisions are found against what was published: editions.py reads both).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import editions
from .site import BuildError, _exchange, log, swap

REPORTS = Path("book") / "reports"
SEARCH_INDEX = "pagefind"
NOJEKYLL = ".nojekyll"
AUTHOR = ("csp-book", "csp-book@localhost")  # a commit's author and committer unless GIT_AUTHOR_* say otherwise


class PublishError(BuildError):
    """The site cannot be published or restored; nothing was changed."""


def reports_of(site: Path) -> list[Path]:
    """The reports a published site holds (``book/reports/<area>/<period>``, relative to it)."""
    found = sorted((site / REPORTS).glob("*/*/figures.json"))
    return [f.parent.relative_to(site) for f in found if not f.parent.name.endswith((".staging", ".old"))]


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def editions_at(report: Path) -> dict[int, tuple[Path, dict]]:
    """A published report's editions: number -> (its figures.json, what it holds). The latest is the report's own
    figures.json; its ``editions/<n>/`` is only a redirect to it."""
    out = {}
    for fj in sorted((report / editions.ARCHIVE).glob("*/figures.json")):
        if fj.parent.name.isdigit() and (figs := _read(fj)) is not None:
            out[int(fj.parent.name)] = (fj, figs)
    if (figs := _read(report / "figures.json")) is not None:
        out[editions.edition_of(figs)["number"]] = (report / "figures.json", figs)
    return out


def _demo(figs: dict) -> bool:
    return (figs.get("source") or {}).get("kind") == "demo"


def conflicts(site: Path, dest: Path, where: str) -> list[str]:
    """Why ``site`` cannot be merged over the published site ``dest`` (``where`` names it in the messages)."""
    out = []
    ours, theirs = reports_of(site), reports_of(dest)
    kinds = {_demo(_read(site / r / "figures.json") or {}) for r in ours}
    for rel in theirs:
        figs = _read(dest / rel / "figures.json") or {}
        if kinds and _demo(figs) not in kinds:
            kind = "demonstration data" if _demo(figs) else "real data"
            out.append(
                f"{where} publishes {rel.as_posix()}, a report of {kind}, and this site is not: demonstration data "
                "and real data never share a site; publish the demo elsewhere"
            )
    for rel in ours:
        if not (dest / rel).is_dir():
            continue
        new, old = editions_at(site / rel), editions_at(dest / rel)
        for n in sorted(set(new) & set(old)):
            if new[n][1] != old[n][1]:
                out.append(
                    f"{where} publishes edition {n} of {rel.as_posix()} ({old[n][0].relative_to(dest).as_posix()}) "
                    f"with other figures than this build's edition {n} "
                    f"({new[n][0].relative_to(site).as_posix()}): two builds diverged"
                )
        if old and new and max(old) > max(new):
            out.append(
                f"{where} publishes edition {max(old)} of {rel.as_posix()}, later than this build's edition "
                f"{max(new)}: this build did not start from the published site"
            )
    return out


def _replace_copy(src: str, dst: str) -> None:
    """Copy a file over ``dst`` without writing into it (it may be a hard link to the published file)."""
    if os.path.lexists(dst):
        os.unlink(dst)
    shutil.copy2(src, dst)


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link to a published file (the merged site is made beside it: no gigabytes copied), else a copy."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst)


def merge(site: Path, dest: Path | None, into: Path) -> None:
    """Make ``into`` (which must not exist) hold ``site`` merged over the published ``dest`` (None: nothing)."""
    site = site.resolve()
    if dest is not None and dest.is_dir():
        shutil.copytree(dest, into, symlinks=True, copy_function=_link_or_copy)
    into.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(into / SEARCH_INDEX, ignore_errors=True)  # the search index is the latest site's, whole
    ours = reports_of(site)
    for rel in ours:  # a report this build holds: its folder as built, with the editions only the destination has
        kept = into.parent / f".{into.name}.editions"
        shutil.rmtree(kept, ignore_errors=True)
        if (into / rel / editions.ARCHIVE).is_dir():
            (into / rel / editions.ARCHIVE).rename(kept)
        shutil.rmtree(into / rel, ignore_errors=True)
        shutil.copytree(site / rel, into / rel, symlinks=True, copy_function=shutil.copy2)
        if kept.is_dir():
            for old in sorted(kept.iterdir()):
                if not (into / rel / editions.ARCHIVE / old.name).exists():
                    (into / rel / editions.ARCHIVE).mkdir(exist_ok=True)
                    old.rename(into / rel / editions.ARCHIVE / old.name)
            shutil.rmtree(kept)
    skip = {site / rel for rel in ours}

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(folder) / n in skip]

    shutil.copytree(site, into, symlinks=True, ignore=ignore, copy_function=_replace_copy, dirs_exist_ok=True)
    (into / NOJEKYLL).unlink(missing_ok=True)  # perhaps a hard link to the published one: never written into
    (into / NOJEKYLL).touch()  # GitHub Pages serves _static/ and _sphinx_design_static/ only without Jekyll


def _not_listed(site: Path, merged: Path) -> list[str]:
    """Reports the merged site keeps that this build's front page does not list (a runner that built one quarter
    without the others)."""
    front = site / "book" / "index.html"
    text = front.read_text(encoding="utf-8") if front.is_file() else ""
    return [
        rel.as_posix()
        for rel in reports_of(merged)
        if f'href="{rel.relative_to("book").as_posix()}/index.html"' not in text
    ]


def _check_site(site: Path) -> Path:
    if not (site / "book" / "index.html").is_file():
        raise PublishError(f"no built site at {site} (no book/index.html): run csp build first; nothing was published")
    return site.resolve()


def _warn_unlisted(site: Path, merged: Path) -> None:
    for rel in _not_listed(site, merged):
        log(
            f"csp publish: warning: {rel} stays published at its address, but this build's front page does not "
            "list it (it did not build that report): restore the published site and build every period to list it"
        )


def publish_folder(site: Path, dest: Path) -> Path:
    """Merge ``site`` over the folder ``dest`` (made when absent): made beside it, then swapped in by one rename."""
    site = _check_site(Path(site))
    dest = Path(dest).absolute()
    if dest.is_symlink():
        dest = dest.resolve()
    if dest.exists() and not dest.is_dir():
        raise PublishError(f"{dest} is not a folder: publish to a folder (csp publish --to DIR); nothing was published")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / "book" / "index.html").is_file():
        raise PublishError(
            f"{dest} holds files but no published site (no book/index.html): publish to a new or empty folder, or to "
            "one csp publish wrote; nothing was published"
        )
    if dest == site or site in dest.parents or dest in site.parents:
        raise PublishError(f"{dest} is the built site or holds it: publish elsewhere; nothing was published")
    if dest.is_dir() and (problems := conflicts(site, dest, str(dest))):
        raise PublishError("cannot publish, nothing was changed:\n  " + "\n  ".join(problems))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.publish-{os.getpid()}")
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        merge(site, dest if dest.is_dir() else None, tmp)
        _warn_unlisted(site, tmp)
        if not dest.exists():
            tmp.rename(dest)
        elif _exchange(tmp, dest):  # one step: the folder always holds a whole site
            shutil.rmtree(tmp)
        else:
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"csp publish: {len(reports_of(dest))} report(s) published in {dest}")
    return dest


# git ---------------------------------------------------------------------------------------------------------------


def _git(*args, git_dir: Path, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    if check and proc.returncode:
        said = proc.stderr.strip() or proc.stdout.strip()
        raise PublishError(f"git {args[0]} failed: {_redact(said, args)}")
    return proc


def shown(repo: str) -> str:
    """A repository's URL as messages give it: without a password or token (a user and token before the host)."""
    return re.sub(r"(://)[^/@]+@", r"\1", repo)


def _repo(repo: str) -> str:
    """A repository given as a path is given to git as an absolute path; a URL as it is."""
    return str(Path(repo).absolute()) if Path(repo).exists() else repo


def _redact(text: str, args) -> str:
    """git's words without any repository's password or token."""
    for a in args:
        if isinstance(a, str) and shown(a) != a:
            text = text.replace(a, shown(a))
    return re.sub(r"(://)[^/@\s]+@", r"\1", text)


def _fetch(repo: str, branch: str, work: Path) -> tuple[Path, str | None]:
    """A temporary bare repository holding the branch's tip (None: the branch does not exist yet)."""
    git_dir = work / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True, capture_output=True)
    heads = _git("ls-remote", "--heads", repo, f"refs/heads/{branch}", git_dir=git_dir, check=False)
    if heads.returncode:
        raise PublishError(
            f"cannot read the repository {shown(repo)}: {_redact(heads.stderr.strip(), [repo])}; nothing was changed"
        )
    if not heads.stdout.strip():
        return git_dir, None
    ref = f"+refs/heads/{branch}:refs/heads/{branch}"
    fetched = _git("fetch", "-q", "--depth=1", repo, ref, git_dir=git_dir, check=False)
    if fetched.returncode:  # a dumb transport cannot fetch shallow
        _git("fetch", "-q", repo, ref, git_dir=git_dir)
    return git_dir, _git("rev-parse", f"refs/heads/{branch}", git_dir=git_dir).stdout.strip()


def _checkout(git_dir: Path, tip: str, into: Path, work: Path) -> None:
    into.mkdir(parents=True)
    env = {"GIT_INDEX_FILE": str(work / "published.index")}
    _git(f"--work-tree={into}", "read-tree", tip, git_dir=git_dir, env=env)
    _git(f"--work-tree={into}", "checkout-index", "-a", "-f", git_dir=git_dir, env=env)


def _author_env() -> dict:
    env = {}
    for who in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{who}_NAME"] = os.environ.get(f"GIT_{who}_NAME") or os.environ.get("GIT_AUTHOR_NAME") or AUTHOR[0]
        env[f"GIT_{who}_EMAIL"] = os.environ.get(f"GIT_{who}_EMAIL") or os.environ.get("GIT_AUTHOR_EMAIL") or AUTHOR[1]
    return env


def publish_git(site: Path, repo: str, branch: str = "gh-pages", message: str | None = None) -> str | None:
    """Merge ``site`` over what the branch holds and push one commit on its tip; returns the commit (the tip when
    nothing changed). A refused push leaves the branch as it was."""
    site = _check_site(Path(site))
    repo = _repo(repo)
    with tempfile.TemporaryDirectory(prefix="csp-publish-") as tmp:
        work = Path(tmp)
        git_dir, tip = _fetch(repo, branch, work)
        published = work / "published"
        if tip is not None:
            _checkout(git_dir, tip, published, work)
            if problems := conflicts(site, published, f"{shown(repo)} {branch}"):
                raise PublishError("cannot publish, the branch is unchanged:\n  " + "\n  ".join(problems))
        merged = work / "merged"
        merge(site, published if tip is not None else None, merged)
        _warn_unlisted(site, merged)
        env = {"GIT_INDEX_FILE": str(work / "merged.index")}
        _git(f"--work-tree={merged}", "add", "-A", "-f", ".", git_dir=git_dir, env=env)
        tree = _git("write-tree", git_dir=git_dir, env=env).stdout.strip()
        if tip is not None and tree == _git("rev-parse", f"{tip}^{{tree}}", git_dir=git_dir).stdout.strip():
            log(f"csp publish: {shown(repo)} {branch} already holds this site: nothing to publish")
            return tip
        reports = reports_of(merged)
        message = message or (
            f"csp publish: {len(reports)} report(s), {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        )
        parents = ["-p", tip] if tip is not None else []
        commit = _git("commit-tree", tree, *parents, "-m", message, git_dir=git_dir, env=_author_env()).stdout.strip()
        pushed = _git("push", "-q", repo, f"{commit}:refs/heads/{branch}", git_dir=git_dir, check=False)
        if pushed.returncode:
            was = f"still at {tip[:12]}" if tip else "still absent"
            raise PublishError(
                f"the push to {shown(repo)} {branch} was refused, the branch is unchanged ({was}); nothing was "
                f"published. git said: {_redact(pushed.stderr.strip()[-1500:], [repo])}\n"
                "If another publication came first, run csp restore and csp build again, then csp publish"
            )
    log(f"csp publish: {len(reports)} report(s) published on {shown(repo)} {branch} ({commit[:12]})")
    return commit


# restore -----------------------------------------------------------------------------------------------------------


def _check_empty(out: Path) -> None:
    html, archive = out / "html", out / editions.ARCHIVE
    if os.path.lexists(html) and (not html.is_dir() or any(html.iterdir())):
        raise PublishError(
            f"{html} already holds a site: csp restore fills an empty output folder (a fresh CI runner's); move it "
            "away or restore into another --out; nothing was changed"
        )
    if archive.is_dir() and any(archive.iterdir()):
        raise PublishError(f"{archive} already holds editions: csp restore fills an empty one; nothing was changed")


def restore_folder(published: Path, out: Path) -> Path | None:
    """Fill an empty ``<out>`` from the published site in ``published``: ``<out>/html`` and ``<out>/editions``."""
    published, out = Path(published), Path(out)
    html, archive = out / "html", out / editions.ARCHIVE
    _check_empty(out)
    if not (published / "book" / "index.html").is_file():
        log(f"csp restore: nothing is published in {published} yet: the first build starts the archive")
        return None
    out.mkdir(parents=True, exist_ok=True)
    new = out / "html.restore"
    shutil.rmtree(new, ignore_errors=True)
    staged = out / f"{editions.ARCHIVE}.restore"
    shutil.rmtree(staged, ignore_errors=True)
    try:
        shutil.copytree(published, new, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        count = 0
        for rel in reports_of(new):
            for n, (fj, _) in editions_at(new / rel).items():
                if fj.parent.parent.name == editions.ARCHIVE:  # a superseded edition, as the build keeps it
                    shutil.copytree(fj.parent, staged / Path(*rel.parts[2:]) / str(n), symlinks=True)
                    count += 1
        if archive.exists():
            archive.rmdir()  # empty (checked above)
        if staged.is_dir():
            staged.rename(archive)
        if html.is_symlink() or html.is_file():
            html.unlink()
        elif html.is_dir():
            html.rmdir()  # empty (checked above)
        swap(new, html)
    finally:
        shutil.rmtree(new, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)
    log(f"csp restore: {len(reports_of(html))} report(s) and {count} superseded edition(s) restored into {out}")
    return html


def restore_git(repo: str, branch: str, out: Path) -> Path | None:
    """Fill an empty ``<out>`` from what the branch publishes (nothing when it does not exist yet)."""
    repo = _repo(repo)
    _check_empty(Path(out))
    with tempfile.TemporaryDirectory(prefix="csp-restore-") as tmp:
        work = Path(tmp)
        git_dir, tip = _fetch(repo, branch, work)
        if tip is None:
            log(f"csp restore: {shown(repo)} has no branch {branch} yet: the first build starts the archive")
            return None
        _checkout(git_dir, tip, work / "published", work)
        return restore_folder(work / "published", out)


__all__ = ["PublishError", "publish_folder", "publish_git", "restore_folder", "restore_git", "merge", "conflicts"]
