"""A newer extractor over an existing store: changed content is a new version caused by the extractor.

The store is made by a real ingest of a real WARC; an older extractor's output is stood in for by
rewriting what the stored version says (its text, hash and extractor version), as a store made before
the rules changed would hold. Re-ingesting the same WARC then reads the bytes again.
"""

from __future__ import annotations

import sqlite3

from extract.record import EXTRACTOR_VERSION
from storage import open_store
from tests.support.archives import write_crawl
from tests.support.pages import B, C
from tests.support.store import rows, run_ingest


def _as_if_an_older_extractor_made(db_path, key: str, text: str | None) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        if text is None:  # the same content, only an older version string
            conn.execute("UPDATE versions SET extractor_version = '0.9' WHERE article_key = ?", [key])
        else:
            conn.execute(
                "UPDATE versions SET extractor_version = '0.9', text = ?, content_hash = 'old-' || id,"
                " cause = NULL WHERE article_key = ?",
                [text, key],
            )
    conn.close()


def test_reingest_with_a_newer_extractor_versions_what_changed_and_says_why(tmp_path):
    db = tmp_path / "archive.db"
    w = write_crawl(tmp_path / "c1.warc.gz", "c1", [B, C])
    assert run_ingest(db, [w]).ok
    keys = {r["key"] for r in rows(db, "select key from articles")}
    b_key = next(k for k in keys if "long-road" in k)
    c_key = next(k for k in keys if "schools" in k)
    assert {r["cause"] for r in rows(db, "select cause from versions")} == {"site"}

    _as_if_an_older_extractor_made(db, b_key, "What the older rules made of it.")
    _as_if_an_older_extractor_made(db, c_key, None)
    again = run_ingest(db, [w])
    assert again.files[0].status == "skipped"  # the WARC is known: no new capture ...
    assert again.reextracted == 1  # ... yet the older reading of B is replaced

    b = rows(
        db,
        "select version, cause, extractor_version, text, crawl_id, first_seen, capture_id"
        " from versions where article_key = ? order by version",
        [b_key],
    )
    assert [(v["version"], v["cause"], v["extractor_version"]) for v in b] == [
        (1, None, "0.9"),
        (2, "extractor", EXTRACTOR_VERSION),
    ]
    assert b[1]["text"] != b[0]["text"]
    # Same capture, same time, same crawl: the site did not change, the reading of it did.
    assert (b[1]["capture_id"], b[1]["first_seen"], b[1]["crawl_id"]) == (
        b[0]["capture_id"],
        b[0]["first_seen"],
        b[0]["crawl_id"],
    )
    article = rows(db, "select current_version from articles where key = ?", [b_key])[0]
    assert article["current_version"] == 2
    turns = rows(
        db,
        "select count(*) n from qa_turns q join versions v on v.id = q.version_id"
        " where v.article_key = ? and v.version = 2",
        [b_key],
    )[0]["n"]
    assert turns == len(B.qa)

    # C gave the same content: no new version, only the extractor's version recorded.
    c = rows(db, "select version, extractor_version from versions where article_key = ?", [c_key])
    assert c == [{"version": 1, "extractor_version": EXTRACTOR_VERSION}]

    # And once read by this extractor, a third ingest changes nothing.
    before = rows(db, "select count(*) n from versions")[0]["n"]
    third = run_ingest(db, [w])
    assert third.reextracted == 0 and rows(db, "select count(*) n from versions")[0]["n"] == before


def test_an_older_store_takes_the_cause_column_and_keeps_its_rows(tmp_path):
    db = tmp_path / "archive.db"
    w = write_crawl(tmp_path / "c1.warc.gz", "c1", [B])
    assert run_ingest(db, [w]).ok
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("ALTER TABLE versions DROP COLUMN cause")
    conn.close()
    assert "cause" not in {r["name"] for r in rows(db, "pragma table_info(versions)")}
    open_store(db).close()
    open_store(db).close()  # idempotent
    assert "cause" in {r["name"] for r in rows(db, "pragma table_info(versions)")}
    assert rows(db, "select count(*) n, max(cause) c from versions")[0] == {"n": 1, "c": None}


def test_a_revisit_after_a_reextraction_keeps_the_newer_reading(tmp_path):
    """A re-crawl's revisit of a re-extracted page stands for the newest reading of those bytes: it
    must not bring back the older extractor's version (which would then be re-extracted again)."""
    from datetime import timedelta

    from tests.support.archives import T0, OurWarc
    from tests.support.pages import article_html

    db = tmp_path / "archive.db"
    w = write_crawl(tmp_path / "c1.warc.gz", "c1", [B])
    assert run_ingest(db, [w]).ok
    [b_key] = [r["key"] for r in rows(db, "select key from articles")]
    _as_if_an_older_extractor_made(db, b_key, "What the older rules made of it.")
    assert run_ingest(db, [w]).reextracted == 1
    first = rows(db, "select fetched_at from captures where url = ?", [B.url])[0]

    w2 = OurWarc(tmp_path / "c2.warc.gz", crawl_id="c2", start=T0 + timedelta(days=7))
    w2.revisit(B.url, article_html(B), first["fetched_at"])
    w2.close()
    report = run_ingest(db, [w2.path])
    assert (report.revisits, report.revisits_unresolved, report.changed, report.reextracted) == (1, 0, 0, 0)
    versions = rows(db, "select version, cause from versions where article_key = ? order by version", [b_key])
    assert [(v["version"], v["cause"]) for v in versions] == [(1, None), (2, "extractor")]
    assert rows(db, "select current_version from articles")[0]["current_version"] == 2
