"""The build's own files are checked, not believed (issue #26, item 8): a damaged cache entry is named,
dropped and made again, never published; a published file shares nothing with the cache."""

from __future__ import annotations

import json
import zipfile

import pytest

from csp_lib.publish import cache, site


def test_truncated_figures_are_dropped(tmp_path, capsys):
    store = cache.Cache(tmp_path)
    store.put_figures("k", {"area": "X"})
    p = tmp_path / "figures" / "k.json"
    p.write_text('{"area": "X', encoding="utf-8")
    assert store.get_figures("k") is None
    assert "k.json" in capsys.readouterr().err and not p.exists()


def test_figures_written_atomically(tmp_path):
    store = cache.Cache(tmp_path)
    store.put_figures("k", {"a": 1})
    assert json.loads((tmp_path / "figures" / "k.json").read_text()) == {"a": 1}
    assert not list((tmp_path / "figures").glob("*.tmp"))


def test_truncated_notebook_is_not_restored(tmp_path, capsys):
    store = cache.Cache(tmp_path / "c")
    src = tmp_path / "s" / "nb.ipynb"
    src.parent.mkdir()
    src.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    store.store_notebook("k", src)
    entry = tmp_path / "c" / "notebooks" / "k" / "notebook.ipynb"
    entry.write_text('{"cells": [')
    dst = tmp_path / "d.ipynb"
    assert store.restore_notebook("k", dst) is False
    assert not dst.exists() and not entry.exists()
    assert "notebook.ipynb" in capsys.readouterr().err


def test_workbook_check(tmp_path):
    junk = tmp_path / "a.xlsx"
    junk.write_bytes(b"junkjunk")
    assert not cache.workbook_ok(junk)
    good = tmp_path / "b.xlsx"
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
    assert cache.workbook_ok(good)


def test_empty_cached_page_is_rebuilt(tmp_path):
    (tmp_path / "index.html").write_text("")
    assert not site._book_ok(tmp_path)
    (tmp_path / "index.html").write_text("<html></html>")
    assert site._book_ok(tmp_path)


def test_published_file_is_not_the_cache_file(tmp_path):
    cached, published = tmp_path / "book", tmp_path / "site"
    cached.mkdir()
    (cached / "index.html").write_text("cached")
    site._copy_tree(cached, published)  # as a cached report book enters the site
    (cached / "index.html").write_text("junk")  # written into the cache in place
    assert (published / "index.html").read_text() == "cached"


def test_junk_cube_cache_is_dropped(tmp_path):
    from csp_lib.data import policeuk

    junk = tmp_path / "x.lsoa.parquet"
    junk.write_bytes(b"junk")
    assert not policeuk._parquet_ok(junk)
    import pandas as pd

    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "y.parquet")
    assert policeuk._parquet_ok(tmp_path / "y.parquet")


def test_second_build_stops_naming_the_first(tmp_path):
    """Issue #26 item 9: one build at a time; the second names the running build's PID, no traceback."""
    import os
    import subprocess
    import sys

    import pytest

    from csp_lib.publish import build
    from csp_lib.publish.site import BuildError

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time;from csp_lib.publish import build;"
            "f=build._lock(__import__('pathlib').Path(sys.argv[1]));print('ok',flush=True);time.sleep(30)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(BuildError, match=f"PID {holder.pid}"):
            build._lock(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    build._lock(tmp_path).close()  # free again once it ended


def test_worker_dies_with_its_parent(tmp_path):
    """Issue #26 item 9: a pool worker ends when the build's process is killed with SIGKILL."""
    import os
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import os,sys,time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from csp_lib.publish.execute import die_with_parent\n"
        "ex=ProcessPoolExecutor(1,initializer=die_with_parent)\n"
        "print(ex.submit(os.getpid).result(),flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    for _ in range(50):
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the worker outlived its killed parent by 5 s")


def _site(folder, text):
    folder.mkdir()
    (folder / "index.html").write_text(text)


def test_publish_switches_a_symlink(tmp_path):
    """Issue #26 item 10: an older build's real folder is migrated, then each publish is one symlink switch
    and the old site is removed once the new one is in place."""
    final = tmp_path / "html"
    _site(final, "old")  # a real folder, as older builds left it
    _site(tmp_path / "html.new", "one")
    site.swap(tmp_path / "html.new", final)
    assert final.is_symlink() and (final / "index.html").read_text() == "one"
    first = final.resolve()
    _site(tmp_path / "html.new", "two")
    site.swap(tmp_path / "html.new", final)
    assert (final / "index.html").read_text() == "two" and not first.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", final.resolve().name]


def test_killed_at_the_switch_the_old_site_stays(tmp_path, monkeypatch):
    """A build killed as it puts the new site in place leaves the old one served, never no site."""
    import os
    from pathlib import Path

    final = tmp_path / "html"
    _site(tmp_path / "html.new", "one")
    site.swap(tmp_path / "html.new", final)
    _site(tmp_path / "html.new", "two")

    class Killed(BaseException):
        pass

    rename, replace = Path.rename, os.replace

    def dying_rename(self, dst):
        if Path(dst) == final:
            raise Killed
        return rename(self, dst)

    def dying_replace(src, dst):
        if Path(dst) == final:
            raise Killed
        return replace(src, dst)

    monkeypatch.setattr(Path, "rename", dying_rename)
    monkeypatch.setattr(os, "replace", dying_replace)
    try:
        site.swap(tmp_path / "html.new", final)
    except Killed:
        pass
    assert (final / "index.html").read_text() == "one"


def test_a_full_disk_stops_with_one_line_and_no_temporary_file(tmp_path, monkeypatch, capsys):
    """Issue #26 item 11: the disk fills as the figures cache is written: one line naming the file and what
    to do, no traceback, no temporary file left in the cache."""
    import errno
    from pathlib import Path

    from conftest import copy_project, write_tiny
    from csp_lib import cli

    data = write_tiny(tmp_path / "tiny")
    root = copy_project(tmp_path)
    write_bytes = Path.write_bytes

    def full(self, data):
        if self.parent.name == "figures" and self.name.endswith(".tmp"):
            self.touch()  # the file is made, then no byte fits
            raise OSError(errno.ENOSPC, "No space left on device")  # as a write names no file
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.chdir(root)
    rc = cli.main(["build", "--data", str(data), "--area", "A", "--period", "2016/17", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert rc == 2 and "Traceback" not in err, err
    assert last.startswith(f"csp: error: cannot write {tmp_path / 'out' / 'cache' / 'figures'}/"), last
    assert "no space left on its disk. Free space there, or write elsewhere (csp build --out DIR" in last
    assert not list((tmp_path / "out").rglob("*.tmp"))


def _small_disk(where, size: str):
    """A tmpfs of ``size`` mounted at ``where`` (root only), unmounted by the caller; skips where none can be."""
    import os
    import subprocess

    import pytest

    where.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]).returncode
    ):
        pytest.skip("a small disk needs root and tmpfs (mount)")
    return where


def _fill(disk, leave: int) -> None:
    """Fill the disk but ``leave`` bytes."""
    import os

    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def test_a_full_police_uk_cache_is_named_and_counted_elsewhere(tmp_path, monkeypatch, capsys):
    """The police.uk cube cache's disk is full: a warning naming the cache folder and what to do (not "download
    the file again"), the files counted right in a temporary folder, nothing left in the cache."""
    import subprocess

    import street

    from csp_lib import figures

    disk = _small_disk(tmp_path / "disk", "1m")
    try:
        _fill(disk, 2048)
        monkeypatch.setenv("CSP_CACHE_DIR", str(disk / "cache"))
        folder = street.write(tmp_path / "police_uk")
        f = figures.compute_from_folder(folder, "Alpha", "2021-01..2021-12")["figures"]
        assert (f["all_crime"]["value"], f["all_crime"]["previous"]) == (72, 60)
        err = capsys.readouterr().err
        assert f"the police.uk cache {disk / 'cache' / 'csp-book'} cannot be written (No space left on device)" in err
        assert "download" not in err.lower()
        assert not [p for p in (disk / "cache").rglob("*") if p.is_file()]
    finally:
        subprocess.run(["umount", str(disk)])


@pytest.mark.slow
def test_a_build_on_a_full_disk_leaves_the_site_and_no_litter(tmp_path, monkeypatch, capsys):
    """The disk fills as a build runs the notebooks (5 kB left), copies the front book's sources (200 kB) or
    assembles the new site (20 MB): one line naming the file and what to do; the published site is the one
    before, whole; no temporary file, work folder, half-made site or staging folder is left; with space again,
    the next build publishes the whole site."""
    import subprocess

    from conftest import copy_project, write_tiny
    from csp_lib import cli

    disk = _small_disk(tmp_path / "disk", "80m")
    try:
        data, root = write_tiny(tmp_path / "tiny"), copy_project(tmp_path)
        monkeypatch.chdir(root)
        args = ["build", "--data", str(data), "--area", "A", "--period", "2016/17", "--out", str(disk / "out")]
        assert cli.main(args) == 0
        out, site = disk / "out", disk / "out" / "html"
        page = site / "book" / "reports" / "a" / "2016-17" / "01-overview.html"
        before = sorted(p.relative_to(site) for p in site.rglob("*"))
        (root / "commentary" / "a" / "2016-17" / "overview.md").write_text("New words.\n")
        for leave in (5_000, 200_000, 20_000_000):
            capsys.readouterr()
            _fill(disk, leave)
            assert cli.main(args) == 2, leave
            err = capsys.readouterr().err
            assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("csp: error: cannot write "), err
            assert "no space left on its disk. Free space there" in err
            assert sorted(p.relative_to(site) for p in site.rglob("*")) == before, leave
            assert "New words." not in page.read_text()
            assert not (out / "work").exists() and not (out / "html.new").exists(), leave
            assert not list(out.rglob("*.tmp")) and not list((root / "book" / "reports").rglob("*.staging")), leave
            (disk / "filler").unlink()
        assert cli.main(args) == 0
        assert "New words." in page.read_text()
        pages = [p for p in before if p.parts[0] != "pagefind"]  # the search index's names follow the words
        assert [p for p in sorted(p.relative_to(site) for p in site.rglob("*")) if p.parts[0] != "pagefind"] == pages
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_merge_of_static_files_that_stopped_is_made_again(tmp_path, capsys):
    """The books' merged static files, left half-copied by a build that stopped, are merged again from every
    book, never reused with a file missing or cut short."""
    books = tmp_path / "books"
    book = books / "k1"
    (book / "_static" / "styles").mkdir(parents=True)
    (book / "_static" / "styles" / "theme.css").write_text("body { color: black }")
    merged = books / "_static-abc"
    (merged / "styles").mkdir(parents=True)
    (merged / "styles" / "theme.css").write_text("body {")  # cut short as the disk filled
    (merged / ".incomplete").touch()
    assert site._books_static(books, "abc", [("a", "p", book)], []) == merged
    assert (merged / "styles" / "theme.css").read_text() == "body { color: black }"
    assert not (merged / ".incomplete").exists() and "_static-abc" in capsys.readouterr().err


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc."""
    from pathlib import Path

    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _alive(pids) -> set[int]:
    import os

    alive = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.add(pid)
    return alive


@pytest.mark.slow
def test_real_builds_one_at_a_time_and_killed_leave_no_process(tmp_path):
    """Two real `csp build` on one checkout at once: the second stops at once with one line naming the first's
    PID, the first publishes. Then a build killed with SIGKILL as its kernels run: its workers and their
    kernels end within seconds, and the next build publishes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import copy_project, write_tiny

    data, root = write_tiny(tmp_path / "tiny"), copy_project(tmp_path)
    cmd = [sys.executable, "-m", "csp_lib.cli", "build", "--data", str(data), "--area", "A", "--period", "2016/17"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    def start():
        return subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_for(proc, done, what):
        for _ in range(600):
            if done():
                return
            assert proc.poll() is None, f"the build ended before {what}: {proc.stdout.read()}"
            time.sleep(0.1)
        raise AssertionError(f"no {what} within 60 s")

    first = start()
    lock = root / "_build" / "build.lock"
    wait_for(first, lambda: lock.exists() and lock.read_text().strip() == str(first.pid), "lock")
    second = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    assert second.stderr.strip().splitlines()[-1] == (
        f"csp: error: another csp build (PID {first.pid}) is building {root / '_build'}: wait for it to finish, "
        "then build again"
    )
    assert first.wait(timeout=300) == 0, first.stdout.read()
    assert (root / "_build" / "html" / "book" / "reports" / "a" / "2016-17" / "index.html").exists()

    (root / "commentary" / "a" / "2016-17" / "overview.md").write_text("Killed words.\n")
    (root / "commentary" / "a" / "2016-17" / "violence.md").write_text("More killed words.\n")
    killed = start()

    def kernel() -> bool:
        return any(b"ipykernel" in _cmdline(p) for p in _descendants(killed.pid))

    wait_for(killed, kernel, "kernel")
    below = _descendants(killed.pid)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    for _ in range(100):
        if not _alive(below):
            break
        time.sleep(0.1)
    left = _alive(below)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} of the build's {len(below)} processes outlived it by 10 s"
    assert (
        "Killed words."
        not in (root / "_build" / "html" / "book" / "reports" / "a" / "2016-17" / "01-overview.html").read_text()
    )
    again = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert (
        "Killed words."
        in (root / "_build" / "html" / "book" / "reports" / "a" / "2016-17" / "01-overview.html").read_text()
    )


def test_a_damaged_cached_paper_is_printed_again(tmp_path, monkeypatch, capsys):
    """A cached committee paper cut short (or junk) is named, dropped and printed again, never copied into the
    site; a whole one is reused; the paper printed is cached whole (written to a temporary file, renamed)."""
    import contextlib

    from csp_lib.publish import paper

    good = b"%PDF-1.7\n" + b"x" * 4000 + b"\n%%EOF\n"
    printed = []
    monkeypatch.setattr(paper, "document", lambda *a, **k: "<html>paper</html>")
    monkeypatch.setattr(paper, "_site_root", lambda report: tmp_path)
    monkeypatch.setattr(paper, "_serve", lambda site, doc: contextlib.nullcontext("http://127.0.0.1:1/"))
    monkeypatch.setattr(paper, "print_pdf", lambda url, out: (printed.append(out), out.write_bytes(good)))
    monkeypatch.setattr(paper, "page_texts", lambda pdf: [])
    monkeypatch.setattr(paper, "pages_of", lambda texts, headings: {})
    store = cache.Cache(tmp_path / "cache")
    pdf = tmp_path / "paper.pdf"
    paper.make(tmp_path, {}, {}, [], pdf, store)
    (entry,) = (tmp_path / "cache" / "papers").glob("*.pdf")
    assert entry.read_bytes() == good and len(printed) == 2
    paper.make(tmp_path, {}, {}, [], pdf, store)
    assert len(printed) == 2  # reused
    for damaged in (good[: len(good) // 2], b"junk"):
        entry.write_bytes(damaged)
        paper.make(tmp_path, {}, {}, [], pdf, store)
        assert pdf.read_bytes() == good and entry.read_bytes() == good
        assert entry.name in capsys.readouterr().err
    assert len(printed) == 6 and not list((tmp_path / "cache").rglob("*.tmp"))
