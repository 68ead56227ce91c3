"""`deeply stats` says what the store holds, from the tables themselves, and refuses what is not a
store in one line."""

from __future__ import annotations

import sqlite3

from bench.store_gen import Plan, build
from storage.stats import summarize, summary_text


def test_stats_counts_sites_versions_crawls_and_the_last_crawl(tmp_path, deeply):
    db = tmp_path / "archive.db"
    plan = Plan(articles=40, crawls=3, edited=2, retitled=1, added=2, removed=1, pages_per_article=0.1,
                images=3)
    build(db, plan, log=lambda m: None)
    conn = sqlite3.connect(db)
    articles = conn.execute("select count(*) from articles").fetchone()[0]
    versions = conn.execute("select count(*) from versions").fetchone()[0]
    captures = conn.execute("select count(*) from captures").fetchone()[0]
    last = conn.execute(
        "select new_articles, changed, removed, captures from crawls where id = 'crawl-003'").fetchone()
    conn.close()

    s = summarize(db)
    assert (s.articles, s.versions, s.captures, s.crawls) == (articles, versions, captures, 3)
    assert [x.site for x in s.sites] == ["syria"] and s.title == "Syria Deeply archive"
    assert s.last_crawl["id"] == "crawl-003"

    proc = deeply("stats", "--db", db, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == summary_text(s) + "\n"
    lines = proc.stdout.splitlines()
    assert lines[0] == (f"Syria Deeply archive: {articles} articles, {versions} versions, "
                        f"{captures} captures, 3 crawls")
    assert "Syria Deeply" in lines[1] and f"{articles} articles" in lines[1]
    new, changed, removed, crawl_captures = last
    assert lines[-1].startswith("last crawl crawl-003 (")
    assert lines[-1].endswith(f"{crawl_captures} captures, {new} new, {changed} changed, "
                              f"{removed} no longer found")


def test_stats_refuses_a_missing_or_damaged_store_in_one_line(tmp_path, deeply):
    missing = deeply("stats", "--db", tmp_path / "none.db", timeout=120)
    assert missing.returncode == 1 and "no store at" in missing.stderr
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    damaged = deeply("stats", "--db", bad, timeout=120)
    assert damaged.returncode == 1 and len(damaged.stderr.strip().splitlines()) == 1
    assert "Traceback" not in damaged.stderr
