"""A store written by the schema-version-1 code is migrated in place by the next open for writing:
its rows kept, latest_versions a table with the rows the old view gave, the facet tables filled,
and a failed step leaving it exactly as it was."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from storage import SCHEMA_VERSION, ingest, open_store
from storage import schema as schema_module
from tests.support.archives import T0, OurWarc, warc_date
from tests.support.pages import Page, article_html

V1_DDL = Path(__file__).parent / "data" / "schema_v1.sql"
TABLES = ("articles", "versions", "qa_turns", "captures", "warc_files", "crawls")


def v1_store(path: Path) -> Path:
    """A store of the v1 schema with two articles, one of them an interview in two versions."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL.read_text(encoding="utf-8"))
    conn.executescript("""
        INSERT INTO crawls (id, started, captures) VALUES ('c1', '2024-05-01T00:00:00Z', 3);
        INSERT INTO warc_files (name, path, sha256, size, records, captures, status, crawl_id)
            VALUES ('a.warc.gz', '/nowhere/a.warc.gz', 'abc', 10, 6, 3, 'ingested', 'c1');
        INSERT INTO articles VALUES ('syria/articles/2017/01/02/bread', 'syria',
            'https://www.newsdeeply.com/syria/articles/2017/01/02/bread', '2024-05-01T00:00:00Z',
            '2024-05-08T00:00:00Z', 1, 1, NULL, NULL);
        INSERT INTO articles VALUES ('syria/articles/2017/03/04/doctor', 'syria',
            'https://www.newsdeeply.com/syria/articles/2017/03/04/doctor', '2024-05-01T00:00:00Z',
            '2024-05-08T00:00:00Z', 2, 3, '2024-05-09T00:00:00Z', 'c1');
        INSERT INTO versions (id, article_key, version, content_hash, site, url, title, authors,
            published, year, kind, topics, text, qa_turns, first_seen, last_seen, crawl_id, capture_id)
        VALUES
            (1, 'syria/articles/2017/01/02/bread', 1, 'h1', 'syria', 'u1', 'Bread Prices',
             '["Sam Example", "Ann Other"]', '2017-01-02', 2017, 'article', '["Economy"]',
             'Bread costs more.', 0, '2024-05-01T00:00:00Z', '2024-05-08T00:00:00Z', 'c1', 'r1'),
            (2, 'syria/articles/2017/03/04/doctor', 1, 'h2', 'syria', 'u2', 'A Doctor',
             '["Jane Writer"]', '2017-03-04', 2017, 'interview', '["Health", "Economy"]',
             'Talk.', 2, '2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z', 'c1', 'r2'),
            (3, 'syria/articles/2017/03/04/doctor', 2, 'h3', 'syria', 'u2', 'A Doctor Speaks',
             '["Jane Writer"]', '2017-03-04', 2017, 'interview', '["Health"]',
             'Talk, corrected.', 2, '2024-05-08T00:00:00Z', '2024-05-08T00:00:00Z', 'c1', 'r3');
        INSERT INTO qa_turns VALUES (2, 1, 'Syria Deeply', 'question', 'How?'),
            (2, 2, 'Omar Invented', 'answer', 'Generators.'),
            (3, 1, 'Syria Deeply', 'question', 'How?'), (3, 2, 'Omar Invented', 'answer', 'Patience.');
        INSERT INTO captures (id, url, fetched_at, status, warc_file, warc_offset, warc_length, warc_type,
            is_revisit, crawl_id, article_key, version_id, outcome)
        VALUES ('r1', 'u1', '2024-05-01T00:00:00Z', 200, 'a.warc.gz', 0, 5, 'response', 0, 'c1',
                'syria/articles/2017/01/02/bread', 1, 'new'),
               ('r2', 'u2', '2024-05-01T00:00:00Z', 200, 'a.warc.gz', 5, 5, 'response', 0, 'c1',
                'syria/articles/2017/03/04/doctor', 2, 'new'),
               ('r3', 'u2', '2024-05-08T00:00:00Z', 200, 'a.warc.gz', 10, 5, 'response', 0, 'c1',
                'syria/articles/2017/03/04/doctor', 3, 'changed');
    """)
    conn.commit()
    conn.close()
    return path


def snapshot(path: Path) -> dict:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        out = {t: [dict(r) for r in conn.execute(f"select * from {t} order by rowid")] for t in TABLES}
        out["latest_versions"] = [dict(r) for r in conn.execute(
            "select * from latest_versions order by article_key")]
        out["schema_version"] = conn.execute(
            "select value from meta where key = 'schema_version'").fetchone()[0]
        out["view"] = conn.execute(
            "select type from sqlite_master where name = 'latest_versions'").fetchone()[0]
        return out
    finally:
        conn.close()


def _rows_of(snap: dict) -> dict:
    """A snapshot without its schema version: what a migration must leave as it was."""
    return {k: v for k, v in snap.items() if k != "schema_version"}


def test_a_v1_store_is_migrated_in_place_with_its_data(tmp_path):
    db_path = v1_store(tmp_path / "archive.db")
    before = snapshot(db_path)
    assert before["schema_version"] == "1" and before["view"] == "view"

    open_store(db_path).close()
    after = snapshot(db_path)
    assert after["schema_version"] == str(SCHEMA_VERSION)
    assert after["view"] == "table"
    for table in TABLES:
        # Every row as it was; the columns later versions added are there, NULL in the old rows.
        assert len(after[table]) == len(before[table]), table
        for new_row, old_row in zip(after[table], before[table], strict=True):
            assert {k: new_row[k] for k in old_row} == old_row, table
            assert all(v is None for k, v in new_row.items() if k not in old_row), (table, new_row)
    # The table holds exactly what the view gave, column for column (the text stays in versions).
    assert after["latest_versions"] == [{k: v for k, v in row.items() if k != "text"}
                                        for row in before["latest_versions"]]

    db = open_store(db_path)
    authors = {(r["versions_id"], r["name"]) for r in db.query(
        "select l.versions_id, a.name from authors_versions l join authors a on a.id = l.authors_id")}
    assert authors == {(1, "Sam Example"), (1, "Ann Other"), (2, "Jane Writer"), (3, "Jane Writer")}
    topics = {(r["versions_id"], r["name"]) for r in db.query(
        "select l.versions_id, t.name from topics_versions l join topics t on t.id = l.topics_id")}
    assert topics == {(1, "Economy"), (2, "Health"), (2, "Economy"), (3, "Health")}
    speakers = [r["name"] for r in db.query(
        "select s.name from speakers_versions l join speakers s on s.id = l.speakers_id "
        "where l.versions_id = 3 order by s.name")]
    assert speakers == ["Omar Invented", "Syria Deeply"]
    assert [r["n"] for r in db.query("select count(*) as n from authors")] == [3]
    # Full-text search still finds the old rows.
    assert [r["rowid"] for r in db.query(
        "select rowid from versions_fts where versions_fts match 'corrected'")] == [3]
    db.close()

    # Opening again changes nothing.
    open_store(db_path).close()
    assert snapshot(db_path) == after


def test_a_migrated_store_takes_the_next_ingest(tmp_path):
    db_path = v1_store(tmp_path / "archive.db")
    page = Page("bread", title="Bread Prices", author="Sam Example", date="2017-01-02")
    warc = OurWarc(tmp_path / "b.warc.gz", crawl_id="c2", start=T0)
    warc.page(page)
    warc.close()
    report = ingest(db_path, [warc.path], progress=False, workers=0)
    assert report.ok and report.captures == 1
    after = snapshot(db_path)
    assert after["schema_version"] == str(SCHEMA_VERSION)
    assert len(after["latest_versions"]) == 2
    row = next(r for r in after["latest_versions"] if r["article_key"] == page.path.strip("/"))
    assert row["version"] == 2 and json.loads(row["authors"]) == ["Sam Example"]  # new content
    db = open_store(db_path)
    assert {r["name"] for r in db.query(
        "select a.name from authors_versions l join authors a on a.id = l.authors_id "
        "where l.versions_id = ?", [row["version_id"]])} == {"Sam Example"}
    db.close()


def test_a_failed_step_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    db_path = v1_store(tmp_path / "archive.db")
    before = snapshot(db_path)

    def broken(db):
        schema_module._v2_latest_table_and_facets(db)
        raise RuntimeError("killed half way")

    monkeypatch.setattr(schema_module, "MIGRATIONS", [(2, broken)])
    with pytest.raises(RuntimeError):
        open_store(db_path)
    assert snapshot(db_path) == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from sqlite_master where name = 'authors'").fetchone()[0] == 0
    conn.close()


def test_a_column_added_to_the_ddl_reaches_an_existing_store(tmp_path, monkeypatch):
    db_path = tmp_path / "archive.db"
    open_store(db_path).close()
    tables = dict(schema_module.TABLES)
    tables["crawls"] = tables["crawls"].replace("notes TEXT", "notes TEXT,\n            cause TEXT")
    monkeypatch.setattr(schema_module, "TABLES", tables)
    db = open_store(db_path)
    assert "cause" in db["crawls"].columns_dict
    db.close()
    open_store(db_path).close()  # and again: nothing to add


def test_a_newer_store_is_refused(tmp_path):
    db_path = tmp_path / "archive.db"
    db = open_store(db_path)
    db.execute("update meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    db.conn.commit()
    db.close()
    with pytest.raises(schema_module.SchemaError):
        open_store(db_path)


def test_deeply_serve_upgrades_an_older_store_before_serving_it(tmp_path):
    """Served as it was, a schema 1 store fails the pages that count through the facet tables."""
    import urllib.request

    from tests.support.servers import deeply_serve

    db_path = v1_store(tmp_path / "archive.db")
    with deeply_serve(db_path, tmp_path / "serve.log") as (base, _proc, _port):
        with urllib.request.urlopen(f"{base}/archive/latest_versions.json?_shape=objects", timeout=30) as r:
            assert r.status == 200
            assert len(json.loads(r.read())["rows"]) == 2
    log = (tmp_path / "serve.log").read_text()
    assert f"upgraded the store from schema version 1 to {SCHEMA_VERSION}" in log
    assert snapshot(db_path)["schema_version"] == str(SCHEMA_VERSION)


_ORDERS = ("site_kind_year", "kind_site_year", "year_site_kind")
V3_INDEXES = {"idx_qa_turns_speaker_role_version_id",
              *[f"idx_latest_versions_{c}_version_id" for c in _ORDERS],
              *[f"idx_versions_{c}" for c in _ORDERS]}
V2_INDEXES = {"idx_qa_turns_speaker", "idx_versions_site", "idx_versions_kind", "idx_versions_year"}


def _indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("select name from sqlite_master where type = 'index' "
                                           "and tbl_name in ('qa_turns', 'versions', 'latest_versions')")}
    finally:
        conn.close()


def test_a_v2_store_gets_the_covering_indexes(tmp_path):
    """Schema 3: the facets and the speakers page read covering indexes, not the rows."""
    db_path = v1_store(tmp_path / "archive.db")
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)  # back to what the schema-2 code left
    for name in V3_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    conn.executescript("""
        CREATE INDEX idx_qa_turns_speaker ON qa_turns (speaker);
        CREATE INDEX idx_versions_site ON versions (site);
        CREATE INDEX idx_versions_kind ON versions (kind);
        CREATE INDEX idx_versions_year ON versions (year);
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    before, v2 = snapshot(db_path), _indexes(db_path)
    assert V2_INDEXES <= v2 and not V3_INDEXES & v2

    open_store(db_path).close()
    after = snapshot(db_path)
    assert after["schema_version"] == str(SCHEMA_VERSION)
    assert _rows_of(after) == _rows_of(before)
    assert _indexes(db_path) == (v2 - V2_INDEXES) | V3_INDEXES


V4_INDEXES = {"idx_captures_payload_digest_original", "idx_captures_digest_fault_set",
              "idx_speakers_interviews", "idx_speakers_role_interviews"}
V3_CAPTURE_INDEXES = {"idx_captures_payload_digest", "idx_captures_digest_fault"}


def _all_indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    finally:
        conn.close()


def _speakers(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select name, interviews, questions, answers, role from speakers "
                            "order by name").fetchall()
    finally:
        conn.close()


def test_a_v3_store_gets_speaker_counts_and_narrower_capture_indexes(tmp_path):
    """Schema 4: the speakers list is the speakers table (its counts kept by triggers from then
    on), and the captures' digest indexes hold only the rows ingest looks up by them."""
    db_path = v1_store(tmp_path / "archive.db")
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)  # back to what the schema-3 code left
    for name in schema_module.TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    for name in V4_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    for column in ("interviews", "questions", "answers", "role"):
        conn.execute(f"ALTER TABLE speakers DROP COLUMN {column}")
    conn.executescript("""
        CREATE INDEX idx_captures_payload_digest ON captures (payload_digest);
        CREATE INDEX idx_captures_digest_fault ON captures (digest_fault);
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    before = snapshot(db_path)
    assert not V4_INDEXES & _all_indexes(db_path)

    open_store(db_path).close()
    after = snapshot(db_path)
    assert after["schema_version"] == str(SCHEMA_VERSION)
    assert _rows_of(after) == _rows_of(before)
    indexes = _all_indexes(db_path)
    assert V4_INDEXES <= indexes and not V3_CAPTURE_INDEXES & indexes
    # The current version of the interview only (its two turns), not the earlier version's.
    assert _speakers(db_path) == [("Omar Invented", 1, 0, 1, "answer"), ("Syria Deeply", 1, 1, 0, "question")]
    conn = sqlite3.connect(db_path)
    try:  # ingest's lookup of an original by its payload digest reads the narrower index
        plan = " ".join(r[3] for r in conn.execute(
            "explain query plan SELECT * FROM captures WHERE payload_digest = ? AND is_revisit = 0 "
            "ORDER BY (url = ?) DESC, (status = 200) DESC, fetched_at DESC LIMIT 1", ["x", "y"]))
        assert "idx_captures_payload_digest_original" in plan, plan
    finally:
        conn.close()

    # And the next ingest keeps them: the interview, now with someone else answering.
    page = Page("doctor", title="A Doctor Speaks", author="Jane Writer", date="2017-03-04",
                qa=[("Syria Deeply", "How?"), ("Rami Nasser", "Patience.")])
    warc = OurWarc(tmp_path / "c.warc.gz", crawl_id="c2", start=T0)
    warc.page(page)
    warc.close()
    assert ingest(db_path, [warc.path], progress=False, workers=0).ok
    assert _speakers(db_path) == [("Omar Invented", 0, 0, 0, None), ("Rami Nasser", 1, 0, 1, "answer"),
                                  ("Syria Deeply", 1, 1, 0, "question")]


V5_INDEXES = {"idx_captures_crawl_id_url", "idx_captures_crawl_id_version_id",
              "idx_captures_crawl_id_refers_to",
              "idx_captures_url_original"}
V4_HISTORY_INDEXES = {"idx_captures_url_fetched_at": "url, fetched_at",
                      "idx_captures_article_key_fetched_at": "article_key, fetched_at",
                      "idx_captures_version_id": "version_id", "idx_captures_refers_to": "refers_to"}


def test_a_v4_store_gets_crawl_led_capture_indexes_and_each_urls_latest_capture(tmp_path):
    """Schema 5: the captures' history indexes lead with the crawl, and latest_captures is filled
    from the captures already there; the crawler reads the same dedup memory before and after."""
    from storage.queries import latest_originals

    db_path = tmp_path / "archive.db"
    a, b = Page("bread"), Page("water", title="Water Runs Short")
    first = OurWarc(tmp_path / "1.warc.gz", crawl_id="c1", start=T0)
    first.page(a)
    first.page(b)
    first.close()
    second = OurWarc(tmp_path / "2.warc.gz", crawl_id="c2", start=T0 + timedelta(weeks=1))
    second.revisit(a.url, article_html(a), warc_date(T0 + timedelta(seconds=1)))
    second.page(Page("water", title="Water Runs Short Again"))
    second.close()
    assert ingest(db_path, [first.path, second.path], progress=False, workers=0).ok
    conn = sqlite3.connect(db_path)  # back to what the schema-4 code left
    for name in V5_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    for name, columns in V4_HISTORY_INDEXES.items():
        conn.execute(f"CREATE INDEX {name} ON captures ({columns})")
    conn.executescript("""
        DROP TRIGGER latest_captures_ai;
        DROP TABLE latest_captures;
        UPDATE meta SET value = '4' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    before, priors = snapshot(db_path), sorted(latest_originals(db_path))
    assert len(priors) == 2

    open_store(db_path).close()
    after = snapshot(db_path)
    assert after["schema_version"] == str(SCHEMA_VERSION)
    assert _rows_of(after) == _rows_of(before)
    indexes = _all_indexes(db_path)
    assert V5_INDEXES <= indexes and not set(V4_HISTORY_INDEXES) & indexes
    assert sorted(latest_originals(db_path)) == priors
    conn = sqlite3.connect(db_path)
    try:
        rows = dict(conn.execute("SELECT url, capture_id FROM latest_captures").fetchall())
        newest = dict(conn.execute("SELECT url, id FROM captures WHERE warc_file = '2.warc.gz'").fetchall())
    finally:
        conn.close()
    assert rows == newest  # the second crawl's revisit of one, new response of the other


def test_deeply_stats_reads_an_older_store_and_never_migrates_it(tmp_path, deeply):
    import hashlib

    db_path = v1_store(tmp_path / "archive.db")
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    proc = deeply("stats", "--db", db_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "articles" in proc.stdout
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert snapshot(db_path)["schema_version"] == "1"
