"""A capture's history is found through indexes that lead with the crawl, and each URL's latest
capture is a table of its own: what a weekly crawl writes no longer grows with the crawls before
it, and the lookups people and the crawler make stay a seek per crawl, not a scan of every capture.
The expected rows are computed here from the captures themselves, by the rule as the docs state it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from storage import ingest, open_store
from storage.queries import latest_originals
from tests.support.archives import T0, OurWarc, sha1_digest, warc_date
from tests.support.pages import HOST, Page, article_html

CSS = f"{HOST}/assets/site.css"
GONE = f"{HOST}/syria/articles/2016/03/11/gone"


def _rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _expected_latest(db_path):
    """Each URL's newest capture that holds or points to a payload: a 200, or a revisit."""
    out = {}
    for url, when, digest, cid in _rows(
            db_path, "SELECT url, fetched_at, payload_digest, id FROM captures "
                     "WHERE payload_digest IS NOT NULL AND (status = 200 OR is_revisit = 1) ORDER BY rowid"):
        if url not in out or when >= out[url][0]:
            out[url] = (when, digest, cid)
    return out


def _latest(db_path):
    return {url: (when, digest, cid) for url, when, digest, cid in
            _rows(db_path, "SELECT url, fetched_at, payload_digest, capture_id FROM latest_captures")}


def test_latest_captures_hold_each_urls_newest_payload_whatever_order_the_files_come_in(tmp_path):
    a, b = Page("bread"), Page("water", title="Water Runs Short Again")
    a2 = Page("bread", paragraphs=["The text changed in the third crawl, so it is a new response."])

    first = OurWarc(tmp_path / "1.warc.gz", crawl_id="c1", start=T0)
    first.page(a)
    a_date = _date_of_last(first)
    first.page(b)
    first.response(CSS, b"body{}", mime="text/css")
    first.response(GONE, b"not found", status="404 Not Found")
    first.close()

    second = OurWarc(tmp_path / "2.warc.gz", crawl_id="c2", start=T0 + timedelta(weeks=1))
    second.revisit(a.url, article_html(a), a_date)
    b_changed = _id(second.response(b.url, article_html(Page("water", title="Water Runs Short, Updated"))))
    second.response(GONE, b"still not found", status="404 Not Found")
    second.close()

    third = OurWarc(tmp_path / "3.warc.gz", crawl_id="c3", start=T0 + timedelta(weeks=2))
    a_new = _id(third.page(a2))
    third.response(b.url, b"server error", status="500 Internal Server Error")
    third.close()

    # A collection brought in later, captured before all of them: it changes no URL's latest.
    older = OurWarc(tmp_path / "0.warc.gz", crawl_id="c0", start=T0 - timedelta(weeks=30))
    older.page(a)
    older.response(CSS, b"body{color:red}", mime="text/css")
    older.close()

    db_path = tmp_path / "archive.db"
    for path in (first.path, second.path, third.path, older.path):
        assert ingest(db_path, [path], progress=False, workers=0).ok

    latest = _latest(db_path)
    assert latest == _expected_latest(db_path)
    assert set(latest) == {a.url, b.url, CSS}  # the 404 never held a payload to dedup against
    assert latest[a.url][2] == a_new and latest[a.url][1] == sha1_digest(article_html(a2))
    assert latest[b.url][2] == b_changed  # the 500 of the third crawl is no payload
    assert latest[CSS][1] == sha1_digest(b"body{}")  # the first crawl's, not the older file's

    # Re-ingest adds nothing and changes nothing.
    assert ingest(db_path, [first.path, second.path, third.path, older.path], progress=False, workers=0).ok
    assert _latest(db_path) == latest

    # The crawler's dedup memory: each URL's latest payload, at its original response.
    priors = {url: (digest, when) for url, digest, when, _warc, _offset in latest_originals(db_path)}
    assert priors == {
        a.url: (sha1_digest(article_html(a2)), latest[a.url][0]),
        b.url: (latest[b.url][1], latest[b.url][0]),
        CSS: (sha1_digest(b"body{}"), _rows(db_path, "SELECT fetched_at FROM captures WHERE url = ? AND "
                                                     "warc_file = '1.warc.gz'", [CSS])[0][0]),
    }


def test_a_revisit_points_the_latest_capture_at_the_original_it_repeats(tmp_path):
    a = Page("bread")
    first = OurWarc(tmp_path / "1.warc.gz", crawl_id="c1", start=T0)
    original = _id(first.page(a))
    first.close()
    second = OurWarc(tmp_path / "2.warc.gz", crawl_id="c2", start=T0 + timedelta(weeks=1))
    revisit = _id(second.revisit(a.url, article_html(a), _date_of_last(first)))
    second.close()
    db_path = tmp_path / "archive.db"
    assert ingest(db_path, [first.path, second.path], progress=False, workers=0).ok

    assert _latest(db_path)[a.url][2] == revisit
    [(url, digest, when, warc, offset)] = latest_originals(db_path)
    assert (url, digest, warc) == (a.url, sha1_digest(article_html(a)), "1.warc.gz")
    assert (when, offset) == _rows(db_path, "SELECT fetched_at, warc_offset FROM captures WHERE id = ?",
                                   [original])[0]


def _id(record_id: str) -> str:
    """A WARC-Record-ID as the store keeps it, without its angle brackets."""
    return record_id.strip("<>")


def _date_of_last(warc: OurWarc) -> str:
    """The WARC-Date of the record just written."""
    return warc_date(warc.when)


def _plan(conn, sql, params):
    return " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_a_captures_history_is_read_one_seek_per_crawl(tmp_path):
    """An article's, a version's, a URL's and a capture's revisits are each found through the
    crawl-led index, skipping from crawl to crawl, never by reading the whole table; the
    statistics that make the planner do so are written by every ingest."""
    db_path = tmp_path / "archive.db"
    pages = [Page(f"story-{i}", title=f"Story Number {i} About The Harvest") for i in range(24)]
    dates = {}
    for week in range(3):
        warc = OurWarc(tmp_path / f"{week}.warc.gz", crawl_id=f"c{week}", start=T0 + timedelta(weeks=week))
        for page in pages:
            if week == 0:
                warc.page(page)
                dates[page.url] = _date_of_last(warc)
            else:
                warc.revisit(page.url, article_html(page), dates[page.url])
        warc.close()
        assert ingest(db_path, [warc.path], progress=False, workers=0).ok

    conn = sqlite3.connect(db_path)
    try:
        key, version_id, capture_id, url = conn.execute(
            "SELECT article_key, version_id, refers_to, url FROM captures WHERE is_revisit = 1 LIMIT 1"
        ).fetchone()
        lookups = {
            "idx_captures_crawl_id_article_key": (
                "SELECT * FROM captures WHERE article_key = ? ORDER BY fetched_at DESC", [key]),
            "idx_captures_crawl_id_version_id": (
                "SELECT count(*) FROM captures WHERE version_id = ?", [version_id]),
            "idx_captures_crawl_id_refers_to": (
                "SELECT count(*) FROM captures WHERE refers_to = ?", [capture_id]),
            "idx_captures_crawl_id_url": ("SELECT * FROM captures WHERE url = ?", [url]),
        }
        for index, (sql, params) in lookups.items():
            plan = _plan(conn, sql, params)
            assert f"USING INDEX {index} (ANY(crawl_id)" in plan or \
                f"USING COVERING INDEX {index} (ANY(crawl_id)" in plan, plan
        counts = [conn.execute(sql, p).fetchone()[0] for sql, p in list(lookups.values())[1:3]]
        assert counts == [3, 2]  # the original and its two revisits; the two revisits
        # Looked up by ingest among the originals only, by the narrow index of originals.
        plan = _plan(conn, "SELECT * FROM captures WHERE url = ? AND is_revisit = 0 AND fetched_at = ? "
                           "LIMIT 1", [url, "x"])
        assert "idx_captures_url_original" in plan, plan
    finally:
        conn.close()


def test_an_empty_store_takes_the_statistics(tmp_path):
    """The statistics are written for a store that holds no capture yet, and a first ingest."""
    db_path = tmp_path / "archive.db"
    from storage.schema import refresh_statistics

    db = open_store(db_path)
    refresh_statistics(db)
    db.close()
    warc = OurWarc(tmp_path / "1.warc.gz", crawl_id="c1")
    warc.page(Page("bread"))
    warc.close()
    assert ingest(db_path, [warc.path], progress=False, workers=0).ok
    stats = dict(_rows(db_path, "SELECT idx, stat FROM sqlite_stat1 "
                                "WHERE idx LIKE 'idx_captures_crawl_id_%'"))
    assert stats == {f"idx_captures_crawl_id_{c}": "1 1 1" for c in ("article_key", "url", "version_id",
                                                                    "refers_to")}


def test_an_articles_captures_are_read_crawl_by_crawl_even_after_a_sampled_analyze(tmp_path):
    """A hand-run ANALYZE with analysis_limit on a large store samples the first crawl only and
    reports a thousand captures per article: the article page's and the canned query's lookups
    still seek the crawl-led index once per crawl, never read every capture."""
    import yaml

    from storage.schema import CAPTURES_CRAWL_BY_CRAWL

    db_path = tmp_path / "archive.db"
    pages = [Page(f"story-{i}", title=f"Story Number {i} About The Harvest") for i in range(3)]
    for week in range(2):
        warc = OurWarc(tmp_path / f"{week}.warc.gz", crawl_id=f"c{week}", start=T0 + timedelta(weeks=week))
        for page in pages:
            warc.page(page)
        warc.close()
    loose = OurWarc(tmp_path / "loose.warc.gz", start=T0 + timedelta(weeks=3))  # no crawl named
    loose.page(pages[0])
    loose.close()
    for path in sorted(tmp_path.glob("*.warc.gz")):
        assert ingest(db_path, [path], progress=False, workers=0).ok
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("UPDATE sqlite_stat1 SET stat = '2593766 1001 1001' "
                     "WHERE idx = 'idx_captures_crawl_id_article_key'")
        conn.commit()
        conn.execute("ANALYZE sqlite_schema")
        key = conn.execute("SELECT article_key FROM captures WHERE crawl_id IS NULL").fetchone()[0]
        plain = "SELECT count(*) FROM captures c WHERE c.article_key = ?"
        assert _plan(conn, plain, [key]).startswith("SCAN c")  # what the statistics alone would do
        canned = yaml.safe_load((Path(__file__).parents[1] / "storage" / "metadata.yml").read_text())
        canned = canned["databases"]["archive"]["queries"]["article_captures"]["sql"]
        assert " ".join(CAPTURES_CRAWL_BY_CRAWL.lower().split()) in " ".join(canned.lower().split())
        for sql in (f"{plain} AND {CAPTURES_CRAWL_BY_CRAWL}", canned.replace(":key", "?")):
            plan = _plan(conn, sql, [key])
            seek = "idx_captures_crawl_id_article_key (crawl_id=? AND article_key=?)"
            assert "SCAN c" not in plan and seek in plan, plan
        # Every capture of the article, the one of no crawl included.
        assert conn.execute(f"{plain} AND {CAPTURES_CRAWL_BY_CRAWL}", [key]).fetchone()[0] == 3
    finally:
        conn.close()
