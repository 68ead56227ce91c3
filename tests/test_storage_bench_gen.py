"""The benchmark's store generator writes most of a weekly crawl in bulk; the store it makes must be
the one the store's own write functions make capture by capture, or the benchmark times another
store than ingest leaves. Compared table by table, row by row, ids included."""

from __future__ import annotations

import sqlite3

from bench.store_gen import Plan, build


def _tables(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts%' ORDER BY name")]
        out = {}
        for name in names:
            rows = conn.execute(f'SELECT rowid, * FROM "{name}" ORDER BY rowid').fetchall()
            if name == "meta":
                rows = [r for r in rows if r[1] != "created_at"]
            out[name] = rows
        out["versions_fts"] = conn.execute(
            "SELECT rowid, title, summary, text FROM versions_fts ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def test_bulk_generated_store_equals_one_written_capture_by_capture(tmp_path):
    plan = Plan(articles=200, crawls=3, images=10)
    bulk = build(tmp_path / "bulk.db", plan, log=lambda m: None)
    one = build(tmp_path / "one.db", plan, log=lambda m: None, bulk=False)
    a, b = _tables(bulk.path), _tables(one.path)
    assert sorted(a) == sorted(b)
    assert a["captures"] and len(a["versions"]) > 200 and a["authors_versions"]
    for name in sorted(a):
        assert a[name] == b[name], name
    assert bulk.sample == one.sample
    assert [s.captures for s in bulk.stats] == [s.captures for s in one.stats]
