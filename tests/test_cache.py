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
