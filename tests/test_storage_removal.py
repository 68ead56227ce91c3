"""Removal at its edges: only a definite 404/410 counts as gone, and an article found again is back."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from storage import ingest, mark_removed
from tests.support.archives import T0, OurWarc
from tests.support.pages import Page, article_html

A = Page("water-crisis-deepens", title="Water Crisis Deepens")
C = Page("schools-reopen", title="Schools Reopen", date="2017-09-02")
C_KEY = "syria/articles/2017/09/02/schools-reopen"


def crawl(path, crawl_id, day, pages=(), statuses=()):
    """A crawl's WARC: `pages` answered 200, `statuses` as (page, status line) answered so."""
    w = OurWarc(path, crawl_id=crawl_id, start=T0 + timedelta(days=day))
    for p in pages:
        w.page(p)
    for p, status in statuses:
        w.response(p.url, article_html(p) if status.startswith("2") else b"error page", status=status)
    return w.close()


def removed_at(db, key, table="articles", column="key"):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"select removed_at from {table} where {column} = ?", [key]).fetchone()[0]
    finally:
        conn.close()


def both_tables(db, key):
    return removed_at(db, key), removed_at(db, key, "latest_versions", "article_key")


def ingest_and_mark(db, path, crawl_id):
    report = ingest(db, [path], progress=False, workers=0)
    assert report.ok, report.summary()
    return mark_removed(db, crawl_id)


@pytest.fixture
def store_with_c(tmp_path):
    db = tmp_path / "archive.db"
    assert ingest_and_mark(db, crawl(tmp_path / "c1.warc.gz", "c1", 0, [A, C]), "c1") == []
    return db


@pytest.mark.parametrize("status", ["500 Internal Server Error", "502 Bad Gateway",
                                    "503 Service Unavailable", "429 Too Many Requests"])
def test_a_server_error_does_not_mark_an_article_removed(store_with_c, tmp_path, status):
    """A 5xx (or a 429) says the server is unwell, not that the article is gone."""
    db = store_with_c
    w = crawl(tmp_path / "c2.warc.gz", "c2", 1, [A], [(C, status)])
    assert ingest_and_mark(db, w, "c2") == []
    assert both_tables(db, C_KEY) == (None, None)


@pytest.mark.parametrize("status", ["404 Not Found", "410 Gone"])
def test_a_404_or_410_marks_it_removed_in_both_tables(store_with_c, tmp_path, status):
    db = store_with_c
    w = crawl(tmp_path / "c2.warc.gz", "c2", 1, [A], [(C, status)])
    assert ingest_and_mark(db, w, "c2") == [C_KEY]
    when = removed_at(db, C_KEY)
    assert when and both_tables(db, C_KEY) == (when, when)


def test_an_article_not_found_at_all_is_removed(store_with_c, tmp_path):
    db = store_with_c
    assert ingest_and_mark(db, crawl(tmp_path / "c2.warc.gz", "c2", 1, [A]), "c2") == [C_KEY]
    assert removed_at(db, "syria/articles/2016/03/11/water-crisis-deepens") is None


@pytest.mark.parametrize("same_text", [True, False], ids=["unchanged", "changed"])
def test_removed_at_is_cleared_when_the_article_is_found_again(store_with_c, tmp_path, same_text):
    """Found again, unchanged (no new version) or changed: removed_at goes, in articles and in
    latest_versions, as soon as the capture is ingested, before any mark_removed."""
    db = store_with_c
    assert ingest_and_mark(db, crawl(tmp_path / "c2.warc.gz", "c2", 1, [A]), "c2") == [C_KEY]
    assert all(both_tables(db, C_KEY))
    back = C if same_text else Page(**{**C.__dict__, "paragraphs": C.paragraphs + ["A later addition."]})
    report = ingest(db, [crawl(tmp_path / "c3.warc.gz", "c3", 2, [A, back])], progress=False, workers=0)
    assert report.ok
    assert both_tables(db, C_KEY) == (None, None)
    assert mark_removed(db, "c3") == []
    assert both_tables(db, C_KEY) == (None, None)


def test_mark_removed_clears_an_article_its_crawl_saw(store_with_c, tmp_path):
    """An article seen only through a 5xx (no record, so ingest did not touch it) while marked removed
    is no longer removed after that crawl: mark_removed itself clears it."""
    db = store_with_c
    assert ingest_and_mark(db, crawl(tmp_path / "c2.warc.gz", "c2", 1, [A]), "c2") == [C_KEY]
    w = crawl(tmp_path / "c3.warc.gz", "c3", 2, [A], [(C, "503 Service Unavailable")])
    assert ingest(db, [w], progress=False, workers=0).ok
    assert all(both_tables(db, C_KEY)), "a 5xx capture is not a found article for ingest"
    assert mark_removed(db, "c3") == []
    assert both_tables(db, C_KEY) == (None, None)


def test_mark_removed_counts_the_removed_of_its_crawl(store_with_c, tmp_path):
    db = store_with_c
    ingest_and_mark(db, crawl(tmp_path / "c2.warc.gz", "c2", 1, [A]), "c2")
    ingest_and_mark(db, crawl(tmp_path / "c3.warc.gz", "c3", 2, [A]), "c3")
    conn = sqlite3.connect(db)
    try:
        counts = dict(conn.execute("select id, removed from crawls").fetchall())
        kept = conn.execute("select removed_in_crawl from articles where key = ?", [C_KEY]).fetchone()[0]
    finally:
        conn.close()
    assert counts == {"c1": 0, "c2": 1, "c3": 0}, "an article is removed once, by the crawl that saw it go"
    assert kept == "c2"
