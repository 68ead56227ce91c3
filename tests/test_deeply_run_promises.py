"""`deeply run` keeps its promises across runs: a page-budgeted run marks nothing removed, and a
closed WARC is never written again (its bytes, by SHA-256, stay those it was closed with)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import VENV_BIN

ARTICLES = 40


def deeply_run(site, tmp: Path, *extra):
    proc = subprocess.run(
        [str(VENV_BIN / "deeply"), "run", site.start_url, "--warcs", str(tmp / "warcs"),
         "--db", str(tmp / "archive.db"), "--quiet", *map(str, extra)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.warc.gz"))}


def query(tmp: Path, sql: str):
    conn = sqlite3.connect(tmp / "archive.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    """A full run, a run cut short by a page budget, a full run again, over an unchanged site."""
    from sample_site import serve

    tmp = tmp_path_factory.mktemp("runs")
    sums, outs = [], []
    with serve(articles=ARTICLES, port=0, churn=False) as site:
        for extra in ((), ("--limit", 5), ()):
            outs.append(deeply_run(site, tmp, *extra))
            sums.append(checksums(tmp / "warcs"))
    return tmp, outs, sums


def test_a_page_budgeted_run_marks_nothing_removed(three_runs):
    tmp, outs, _ = three_runs
    budgeted = outs[1]
    assert "page budget reached" in budgeted.stdout, budgeted.stdout
    assert "removed: 0" in budgeted.stdout, budgeted.stdout
    crawls = query(tmp, "select full_crawl, removed from crawls order by started")
    assert [tuple(c) for c in crawls] == [(1, 0), (0, 0), (1, 0)]
    assert query(tmp, "select count(*) from articles where removed_at is not null") == [(0,)]
    assert query(tmp, "select count(*) from latest_versions where removed_at is not null") == [(0,)]
    from sample_site.truth import article_paths

    assert {"/" + r[0] for r in query(tmp, "select key from articles")} == article_paths(ARTICLES, 0)


def test_a_closed_warc_is_never_written_again(three_runs):
    _, _, sums = three_runs
    for before, after in zip(sums, sums[1:], strict=False):
        assert before, "every run closes at least one file"
        assert {name: after.get(name) for name in before} == before, "a closed file changed"
        assert set(after) > set(before), "each run writes its own new file"
