"""`deeply demo`, what `make demo` runs: the whole pipeline on the sample site, twice."""

from __future__ import annotations

import re
import sqlite3

from tests.support.archives import warcio_check


def test_demo_runs_the_pipeline_and_says_what_to_open(tmp_path, deeply):
    out = tmp_path / "demo"
    cmd = ["demo", "--articles", "20", "--out", out]
    first = deeply(*cmd, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"deeply serve --db {out / 'archive.db'}" in first.stdout
    assert "deeply replay" in first.stdout
    from replay.browser import find_chromium

    if find_chromium():  # the demo ends with its replay check
        tail = first.stdout.split("What to open:")[1]
        assert re.search(r"^qa: +\d+ pages replay complete", tail, re.M), first.stdout
    warcio_check(sorted((out / "warcs").glob("*.warc.gz")))
    conn = sqlite3.connect(out / "archive.db")
    from sample_site.truth import article_paths

    keys = {"/" + r[0] for r in conn.execute("select key from articles")}
    assert keys == article_paths(20, 0), sorted(keys ^ article_paths(20, 0))[:5]  # explainers too
    articles = len(keys)
    second = deeply(*cmd, timeout=600)  # safe to run again
    assert second.returncode == 0, second.stderr
    assert conn.execute("select count(*) from versions").fetchone()[0] == articles
    assert conn.execute("select count(*) from crawls").fetchone()[0] == 2
