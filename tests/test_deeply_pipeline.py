"""Crawl → ingest → re-crawl an edition → ingest, with the real commands: versions follow content,
not bytes, and re-ingesting everything changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

ARTICLES = 40


def counts(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("articles", "versions", "qa_turns", "captures", "warc_files")}
    finally:
        conn.close()


def test_only_changed_articles_get_a_second_version(tmp_path, deeply):
    from sample_site import expected_changes, serve

    db, first, second = tmp_path / "archive.db", tmp_path / "w1", tmp_path / "w2"
    with serve(articles=ARTICLES, port=0) as site:  # editions also change every page's sidebar
        deeply("crawl", site.start_url, "--warcs", first, "--quiet", check=True)
        deeply("ingest", first, "--db", db, "--no-progress", check=True)
        site.set_edition(1)
        deeply("crawl", site.start_url, "--warcs", second, "--quiet", check=True)
    deeply("ingest", second, "--db", db, "--no-progress", check=True)

    conn = sqlite3.connect(db)
    changed = {r[0] for r in conn.execute("select article_key from versions where version = 2")}
    changes = expected_changes(ARTICLES, 1)
    assert {"/" + k for k in changed} == set(changes["edited"]) | set(changes["retitled"])
    assert conn.execute("select max(version) from versions").fetchone()[0] == 2
    added = {r[0] for r in conn.execute(
        "select article_key from versions where version = 1 and crawl_id = "
        "(select crawl_id from captures where warc_file like 'deeply-%' order by fetched_at desc limit 1)")}
    assert {"/" + k for k in added} == set(changes["added"])
    # every version points to the capture, and so the WARC bytes, it came from
    orphans = conn.execute("select count(*) from versions v left join captures c on c.id = v.capture_id "
                           "where c.id is null").fetchone()[0]
    assert orphans == 0

    before = counts(db)
    again = deeply("ingest", first, second, "--db", db, "--no-progress", check=True)
    assert counts(db) == before
    assert "skipped" in again.stderr
