"""The build's own files are checked, not believed (issue #26, item 8): a damaged cache entry is named,
dropped and made again, never published; a published file shares nothing with the cache."""

from __future__ import annotations

import json
import zipfile

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
