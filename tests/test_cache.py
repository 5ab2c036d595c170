"""The build cache: keys change exactly when what they stand for changes."""

import json

from csp_lib.publish import cache


def test_data_digest_follows_content(tiny):
    a = cache.data_digest(tiny)
    assert cache.data_digest(tiny) == a
    text = (tiny / "crimes.csv").read_text()
    (tiny / "crimes.csv").write_text(text.replace("2016-05-10,2016-05-09", "2016-05-11,2016-05-09"))
    assert cache.data_digest(tiny) != a
    (tiny / "crimes.csv").write_text(text)
    assert cache.data_digest(tiny) == a  # content, not modification time
    # the optional files read beside the tables: most similar groups, LSOA boundaries
    (tiny / "families.csv").write_text("district,family\n")
    b = cache.data_digest(tiny)
    assert b != a
    (tiny / "lsoa_boundaries.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    assert cache.data_digest(tiny) not in (a, b)


def test_data_digest_follows_what_figures_json_says_of_the_folder(tmp_path):
    """figures.json's ``source`` names the folder and says whether it is the demo's: the same extract copied into
    a new folder (``extracts/2016-Q2/``), or marked as the demo, is not served the figures of the first."""
    from conftest import write_tiny
    from csp_lib.data import contract

    q1 = write_tiny(tmp_path / "2016-Q1")
    q2 = write_tiny(tmp_path / "2016-Q2")
    assert cache.data_digest(q1) != cache.data_digest(q2)
    assert cache.data_digest(q1) == cache.data_digest(write_tiny(tmp_path / "elsewhere" / "2016-Q1"))
    before = cache.data_digest(q1)
    (q1 / contract.DEMO_MARKER).write_text("Invented.\n")
    assert cache.data_digest(q1) != before


def test_notebook_key_follows_inputs(tmp_path):
    nb, figs, note = tmp_path / "n.ipynb", tmp_path / "figures.json", tmp_path / "c.md"
    nb.write_text("{}")
    figs.write_text(json.dumps({"a": 1}))
    note.write_text("words")
    store = cache.Cache(tmp_path / "cache")
    key = store.notebook_key(nb, {"area": "A"}, figs, note)
    assert store.notebook_key(nb, {"area": "A"}, figs, note) == key
    assert store.notebook_key(nb, {"area": "B"}, figs, note) != key
    note.write_text("other words")
    assert store.notebook_key(nb, {"area": "A"}, figs, note) != key


def test_notebook_round_trip_with_its_downloads(tmp_path):
    run = tmp_path / "run"
    (run / "downloads").mkdir(parents=True)
    (run / "downloads" / "t.csv").write_text("a,b\n1,2\n")
    (run / "downloads" / "other.csv").write_text("x\n")
    nb = run / "02-violence.ipynb"
    nb.write_text(json.dumps({"cells": [{"outputs": [{"data": {"text/html": '<a href="downloads/t.csv">'}}]}]}))
    store = cache.Cache(tmp_path / "cache")
    assert not store.restore_notebook("k", tmp_path / "x.ipynb")
    store.store_notebook("k", nb)
    again = tmp_path / "again"
    again.mkdir()
    assert store.restore_notebook("k", again / "02-violence.ipynb")
    assert (again / "downloads" / "t.csv").read_text() == "a,b\n1,2\n"
    assert not (again / "downloads" / "other.csv").exists()  # only what the page links to


def test_file_hashes_are_remembered_across_processes_while_the_file_is_unchanged(tmp_path, monkeypatch):
    """A build remembers its files' hashes (a national data folder is gigabytes): a later process takes a hash
    from the memo while the file's size, modification time and inode are unchanged, and hashes it again when
    one changes; the memo keeps no entry for a file that is gone."""
    import hashlib

    from csp_lib.data import readers

    memo, f, gone = tmp_path / "hashes.json", tmp_path / "a.csv", tmp_path / "b.csv"
    f.write_text("x,y\n1,2\n")
    gone.write_text("z\n")
    monkeypatch.delenv(readers.HASH_MEMO, raising=False)
    readers.remember_hashes(memo)
    assert readers.file_hash(f) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    readers.file_hash(gone)
    gone.unlink()
    readers.save_hashes()
    assert list(json.loads(memo.read_text())) == [str(f.resolve())]

    def no_read(*_):
        raise AssertionError("read again")

    readers._MEMO.clear()  # another process: nothing in memory, the memo on disk
    monkeypatch.setattr(readers, "_file_hash", no_read)
    assert readers.file_hash(f) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    f.write_text("x,y\n1,3\n")  # same size, a new modification time
    monkeypatch.undo()
    readers.remember_hashes(memo)
    assert readers.file_hash(f) == hashlib.sha256(b"x,y\n1,3\n").hexdigest()
    monkeypatch.delenv(readers.HASH_MEMO, raising=False)


def test_sync_replaces_a_changed_file_and_leaves_a_published_hard_link_as_it_was(tmp_path):
    """The published site holds hard links to a report's sources (downloads, figures.json): a later build
    replaces a changed source by a new file, so the site still published is not written over meanwhile."""
    from csp_lib.publish.site import sync

    final, staging, site = tmp_path / "final", tmp_path / "staging", tmp_path / "site"
    for d in (final, staging, site):
        d.mkdir()
    (final / "table.csv").write_text("a\n1\n")
    (final / "same.csv").write_text("b\n")
    (site / "table.csv").hardlink_to(final / "table.csv")
    (staging / "table.csv").write_text("a\n2\n")
    (staging / "same.csv").write_text("b\n")
    before = (final / "same.csv").stat().st_mtime_ns
    sync(staging, final)
    assert (final / "table.csv").read_text() == "a\n2\n"
    assert (site / "table.csv").read_text() == "a\n1\n"
    assert (final / "same.csv").stat().st_mtime_ns == before  # unchanged: not touched
    assert not staging.exists()


def test_a_notebooks_figures_come_from_the_cache_the_second_time(tiny, tmp_path, monkeypatch, capsys):
    """figures.published with a store (a notebook run on its own: report.open) gives what it gives without one,
    keeps each district's internal figures, and the next run reads no record; a damaged entry is named and
    made again; a cache that cannot be written is named in a warning and the figures still come."""
    from csp_lib import figures
    from csp_lib.figures import calculate
    from csp_lib.figures.store import FiguresCache

    plain = figures.published(tiny, "A", "2016/17", 4)
    store = FiguresCache(tmp_path / "cache", optional=True)
    assert figures.published(tiny, "A", "2016/17", 4, store=store) == plain
    kept = sorted((tmp_path / "cache" / "figures").glob("*.json"))
    county = {r["district"] for r in plain["series"]["districts"]["all_crime"]}
    assert len(kept) == len(county) > 1  # every district of the county, withheld together

    def no_reading(*a, **k):
        raise AssertionError("the records were read again")

    monkeypatch.setattr(calculate, "load", no_reading)
    assert figures.published(tiny, "A", "2016/17", 4, store=store) == plain
    monkeypatch.undo()

    kept[0].write_text('{"figures": ')  # half a file
    assert figures.published(tiny, "A", "2016/17", 4, store=store) == plain
    assert f"cache entry {kept[0]} is damaged" in capsys.readouterr().err
    json.loads(kept[0].read_text())  # made again, whole

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's folder would be")
    assert figures.published(tiny, "A", "2016/17", 4, store=FiguresCache(blocked, optional=True)) == plain
    assert f"csp: warning: cannot keep figures in {blocked}" in capsys.readouterr().err
