"""The store: schema, versioning rules, ingest of our and foreign WARCs, damage, kills, fixity."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import record_payload
from deeply.cmd_store import ingest_command, verify_command
from extract.record import Record
from storage import (
    SCHEMA_VERSION,
    StoreBusy,
    apply_record,
    mark_removed,
    open_store,
    read_capture,
    read_payload_capture,
    record_crawl,
    verify,
)
from storage.lock import writer_lock
from storage.store import insert_capture
from tests.support.archives import OurWarc, truncate, write_crawl, write_wget_style_warc
from tests.support.pages import A, B, C, Page, article_html
from tests.support.store import rows, run_ingest, scalar

ROOT = Path(__file__).resolve().parent.parent


# --- schema ---------------------------------------------------------------------------------------


def test_schema_is_created_idempotently(tmp_path):
    db_path = tmp_path / "archive.db"
    for _ in range(2):
        db = open_store(db_path)
        db.close()
    db = open_store(db_path)
    names = set(db.table_names())
    assert {"articles", "versions", "qa_turns", "captures", "warc_files", "crawls", "meta"} <= names
    assert {"versions_fts", "qa_turns_fts"} <= names
    assert "latest_versions" in names  # a table since schema version 2 (kept in step by ingest)
    assert {t.name for t in db["versions"].triggers} >= {"versions_ai", "versions_ad", "versions_au"}
    assert {t.name for t in db["qa_turns"].triggers} >= {"qa_turns_ai", "qa_turns_ad", "qa_turns_au"}
    assert db.journal_mode == "wal"
    meta = {r["key"]: r["value"] for r in db.query("select * from meta")}
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    indexed = {tuple(i.columns) for t in ("captures", "versions", "articles") for i in db[t].indexes}
    for columns in [("url", "fetched_at"), ("payload_digest",), ("article_key", "version"), ("site",)]:
        assert columns in indexed
    assert [c.name for c in db["captures"].columns][:3] == ["id", "url", "fetched_at"]
    db.close()


def test_newer_schema_is_refused(tmp_path):
    from storage import SchemaError

    db = open_store(tmp_path / "a.db")
    db.execute("update meta set value = '999' where key = 'schema_version'")
    db.close()
    with pytest.raises(SchemaError):
        open_store(tmp_path / "a.db")


# --- versioning with records built directly -------------------------------------------------------


def _record(url="https://www.newsdeeply.com/syria/articles/2016/03/11/x", text="A", **kw):
    return Record(
        url=url,
        key="syria/articles/2016/03/11/x",
        site="syria",
        title="T",
        text=text,
        qa=kw.pop("qa", []),
        **kw,
    )


def _capture(db, n, url="https://www.newsdeeply.com/syria/articles/2016/03/11/x"):
    cap = {
        "id": f"urn:uuid:test-{n}",
        "url": url,
        "fetched_at": f"2024-05-0{n}T00:00:00Z",
        "warc_file": "t.warc.gz",
        "status": 200,
        "is_revisit": 0,
        "replay_url": f"http://r/2024050{n}000000/{url}",
    }
    insert_capture(db, cap)
    return cap


def test_versioning_rules_with_records(tmp_path):
    db = open_store(tmp_path / "a.db")
    outcomes = [
        apply_record(db, _record(text="A"), _capture(db, 1))[0],
        apply_record(db, _record(text="A"), _capture(db, 2))[0],  # unchanged
        apply_record(
            db,
            _record(url="http://127.0.0.1:1/syria/articles/2016/03/11/x.html", text="A"),
            _capture(db, 3, url="http://127.0.0.1:1/syria/articles/2016/03/11/x.html"),
        )[0],
        apply_record(db, _record(text="B"), _capture(db, 4))[0],
        apply_record(
            db, _record(text="A", qa=[{"speaker": "S", "role": "answer", "text": "hi"}]), _capture(db, 5)
        )[0],
        apply_record(db, _record(text="A"), _capture(db, 6))[0],
    ]
    assert outcomes == ["new", "unchanged", "unchanged", "changed", "changed", "changed"]
    versions = list(
        db.query("select version, text, first_seen, last_seen, capture_id from versions order by version")
    )
    assert [v["version"] for v in versions] == [1, 2, 3, 4]
    assert versions[0]["last_seen"] == "2024-05-03T00:00:00Z"  # moved by the unchanged captures
    assert versions[3]["capture_id"] == "urn:uuid:test-6"  # A, B, A: a new version for A again
    article = db["articles"].get("syria/articles/2016/03/11/x")
    assert article["current_version"] == 4 and article["last_seen"] == "2024-05-06T00:00:00Z"
    assert article["first_seen"] == "2024-05-01T00:00:00Z"
    assert list(db.query("select count(*) n from qa_turns"))[0]["n"] == 1
    caps = {c["id"]: c for c in db.query("select * from captures")}
    assert caps["urn:uuid:test-3"]["version_id"] == caps["urn:uuid:test-1"]["version_id"]
    db.close()


# --- ingest end to end ---------------------------------------------------------------------------

def test_ingest_versions_follow_content_not_pages(tmp_path):
    from datetime import timedelta

    from tests.support.archives import T0

    db = tmp_path / "archive.db"
    B2 = Page(**{**B.__dict__, "paragraphs": B.paragraphs + ["A correction was added later."]})
    A_chrome = Page(**{**A.__dict__, "popular": ["Quite Different Popular"], "banner": "New banner"})
    other_form = "http://127.0.0.1:8000/syria/articles/2016/03/11/water-crisis-deepens.html"
    w1 = write_crawl(tmp_path / "c1.warc.gz", "c1", [A, B])
    w2 = write_crawl(
        tmp_path / "c2.warc.gz", "c2", [A_chrome, B2, C, (A, other_form)], start=T0 + timedelta(days=1)
    )
    w3 = write_crawl(tmp_path / "c3.warc.gz", "c3", [A, B], start=T0 + timedelta(days=2))
    report = run_ingest(db, [w1, w2, w3])
    assert report.ok, report.summary()
    assert (report.new_articles, report.extracted) == (3, 8)

    arts = {r["key"]: r for r in rows(db, "select * from articles")}
    assert set(arts) == {
        "syria/articles/2016/03/11/water-crisis-deepens",
        "syria/articles/2015/01/20/the-long-road",
        "syria/articles/2017/09/02/schools-reopen",
    }
    a = arts["syria/articles/2016/03/11/water-crisis-deepens"]
    assert a["current_version"] == 1, "banner/sidebar change and another URL form make no version"
    assert a["url"] == A.url and a["last_seen"] > a["first_seen"]
    b = arts["syria/articles/2015/01/20/the-long-road"]
    assert b["current_version"] == 3, "B, B', B again is three versions"
    hist = rows(
        db,
        "select version, crawl_id, text, qa_turns from versions where article_key = ? order by version",
        [b["key"]],
    )
    assert [h["crawl_id"] for h in hist] == ["c1", "c2", "c3"]
    assert hist[0]["text"] == hist[2]["text"] and hist[0]["qa_turns"] == 2
    # Every version points to the capture, and so to the bytes, it came from.
    for v in rows(
        db, "select v.capture_id, c.version_id, v.id from versions v join captures c on c.id = v.capture_id"
    ):
        assert v["version_id"] == v["id"]
    # Every response became a capture, article or not; the 404 carries its article key.
    assert scalar(db, "select count(*) from captures") == 4 + 6 + 4
    gone = rows(db, "select * from captures where status = 404")
    assert gone[0]["article_key"] == "syria/articles/2016/03/11/gone" and gone[0]["version_id"] is None
    counts = rows(db, "select * from crawls where id = 'c2'")[0]
    assert (counts["new_articles"], counts["changed"], counts["unchanged"]) == (1, 1, 1)
    # Replay links: prefix / 14-digit time / URL.
    cap = rows(db, "select replay_url, fetched_at, url from captures where url = ?", [C.url])[0]
    assert cap["replay_url"] == f"http://127.0.0.1:8080/deeply/20240502120003/{C.url}"

    # mark_removed after a full crawl that found A and B but not C; record_crawl refreshes counts.
    removed = mark_removed(db, "c3")
    assert removed == ["syria/articles/2017/09/02/schools-reopen"]
    record_crawl(
        db,
        "c3",
        started="2024-05-03T12:00:00Z",
        finished="2024-05-03T12:10:00Z",
        start_urls=["https://www.newsdeeply.com/syria"],
        pages=3,
        requisites=1,
        errors=0,
        status="finished",
        full=True,
    )
    c3 = rows(db, "select * from crawls where id = 'c3'")[0]
    assert (c3["removed"], c3["changed"], c3["unchanged"], c3["pages"], c3["full_crawl"]) == (1, 1, 1, 3, 1)
    assert rows(db, "select removed_at from articles where key like '%schools%'")[0]["removed_at"] == scalar(
        db, "select max(fetched_at) from captures where crawl_id = 'c3'"
    )


def test_reingest_adds_nothing(tmp_path):
    db = tmp_path / "archive.db"
    w = write_crawl(tmp_path / "c1.warc.gz", "c1", [A, B])
    first = run_ingest(db, [w])
    before = {
        t: scalar(db, f"select count(*) from {t}") for t in ("captures", "versions", "qa_turns", "articles")
    }
    again = run_ingest(db, [w])
    assert again.files[0].status == "skipped" and "already ingested" in again.files[0].line()
    copy = tmp_path / "copy.warc.gz"
    copy.write_bytes(w.read_bytes())
    twin = run_ingest(db, [copy])
    assert twin.files[0].status == "skipped" and "same SHA-256 as" in twin.files[0].message
    after = {t: scalar(db, f"select count(*) from {t}") for t in before}
    assert before == after and first.captures == before["captures"]


def test_foreign_wget_warc_and_its_revisit(tmp_path):
    db = tmp_path / "archive.db"
    path, ids, revisit_id = write_wget_style_warc(tmp_path / "wget.warc", [A, B])
    report = run_ingest(db, [path])
    assert report.ok, report.summary()
    assert (report.captures, report.revisits, report.revisits_unresolved) == (3, 1, 0)
    rev = rows(db, "select * from captures where is_revisit = 1")[0]
    assert rev["id"] == revisit_id.strip("<>")
    assert rev["refers_to"] == ids[0].strip("<>")
    assert rev["version_id"] is not None and rev["outcome"] == "unchanged"
    art = rows(db, "select * from articles where key like '%water-crisis%'")[0]
    assert art["current_version"] == 1 and art["last_seen"] == rev["fetched_at"]
    assert rows(db, "select title from versions where article_key like '%long-road%'")[0]["title"] == B.title
    # Raw chunked HTTP was de-chunked before extraction, and the exact bytes read back.
    record = read_capture(db, ids[1].strip("<>"))
    assert record.rec_headers.get_header("WARC-Record-ID") == ids[1]
    assert record_payload(record) == article_html(B)
    payload = read_payload_capture(db, rev["id"])
    assert payload.rec_headers.get_header("WARC-Record-ID") == ids[0]


def test_gzipped_wget_warc_reads_back_exact_bytes(tmp_path):
    db = tmp_path / "archive.db"
    path, ids, _ = write_wget_style_warc(tmp_path / "wget.warc.gz", [A, B, C], gzip_records=True)
    assert run_ingest(db, [path]).ok
    for cap in rows(db, "select id from captures where is_revisit = 0"):
        rec = read_capture(db, cap["id"])
        assert rec.rec_headers.get_header("WARC-Record-ID").strip("<>") == cap["id"]


def test_our_revisits_resolve_by_uri_and_date(tmp_path):
    from datetime import timedelta

    from tests.support.archives import T0

    db = tmp_path / "archive.db"
    w1 = OurWarc(tmp_path / "c1.warc.gz", crawl_id="c1")
    w1.page(A)
    w1.close()
    run_ingest(db, [w1.path])
    first = rows(db, "select * from captures")[0]
    w2 = OurWarc(tmp_path / "c2.warc.gz", crawl_id="c2", start=T0 + timedelta(days=1))
    w2.revisit(A.url, article_html(A), first["fetched_at"])
    w2.revisit(A.url, article_html(A), first["fetched_at"], not_modified=True)
    w2.revisit(
        "https://www.newsdeeply.com/syria/articles/2010/01/01/never-seen", b"x", "2020-01-01T00:00:00Z"
    )
    w2.close()
    report = run_ingest(db, [w2.path])
    assert (report.revisits, report.revisits_unresolved) == (3, 1)
    revs = rows(db, "select * from captures where is_revisit = 1 order by fetched_at")
    assert [r["refers_to"] for r in revs[:2]] == [first["id"], first["id"]]
    assert [r["status"] for r in revs[:2]] == [200, 304]
    assert revs[2]["refers_to"] is None
    assert scalar(db, "select count(*) from versions") == 1
    art = rows(db, "select * from articles")[0]
    assert art["last_seen"] == revs[1]["fetched_at"]
    c2 = rows(db, "select * from crawls where id = 'c2'")[0]
    assert (c2["unchanged"], c2["new_articles"]) == (1, 0)


def test_damaged_files_fail_alone_and_keep_earlier_records(tmp_path):
    db = tmp_path / "archive.db"
    good = write_crawl(tmp_path / "a-good.warc.gz", "c1", [A])
    cut = write_crawl(tmp_path / "b-cut.warc.gz", "c1", [B, C])
    full_bytes = cut.read_bytes()
    truncate(cut, 0.7)
    junk = tmp_path / "c-notes.warc"
    junk.write_text("these are my notes, not a WARC\n")
    later = write_crawl(tmp_path / "d-later.warc.gz", "c1", [Page("late-news", title="Late News")])

    result = CliRunner().invoke(
        ingest_command,
        [str(good), str(cut), str(junk), str(later), "--db", str(db), "--no-progress", "--workers", "0"],
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2
    assert "b-cut.warc.gz: FAILED: truncated at " in lines[0]
    assert "c-notes.warc: FAILED: not an archive" in lines[1]
    files = {r["name"]: r for r in rows(db, "select * from warc_files")}
    assert (
        files["a-good.warc.gz"]["status"] == "ingested" and files["d-later.warc.gz"]["status"] == "ingested"
    )
    assert files["b-cut.warc.gz"]["status"] == "partial" and files["b-cut.warc.gz"]["damaged_at"] > 0
    assert "c-notes.warc" not in files
    kept = scalar(db, "select count(*) from captures where warc_file = 'b-cut.warc.gz'")
    assert kept >= 1, "records before the damage are kept"
    assert scalar(db, "select count(*) from articles where key like '%late-news%'") == 1

    # The completed file continues where the partial one stopped, without duplicates.
    cut.write_bytes(full_bytes)
    report = run_ingest(db, [cut])
    assert report.ok and report.files[0].known == kept
    assert scalar(db, "select count(*) from captures where warc_file = 'b-cut.warc.gz'") == 4
    assert scalar(db, "select status from warc_files where name = 'b-cut.warc.gz'") == "ingested"
    assert scalar(db, "select count(*) from versions") == 4


def test_ingest_refuses_a_store_in_use(tmp_path):
    db = tmp_path / "archive.db"
    w = write_crawl(tmp_path / "c1.warc.gz", "c1", [A])
    with writer_lock(db):
        with pytest.raises(StoreBusy):
            run_ingest(db, [w])


def test_pool_extraction_matches_in_process(tmp_path):
    pages = [Page(f"story-{i}", title=f"Story number {i}") for i in range(40)]
    w = write_crawl(tmp_path / "big.warc.gz", "c1", pages)
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    run_ingest(one, [w], workers=0)
    report = run_ingest(two, [w], workers=2)
    assert report.extracted == 40
    q = "select article_key, version, content_hash, capture_id from versions order by article_key"
    assert rows(one, q) == rows(two, q)


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from storage import ingest
    report = ingest(sys.argv[1], sys.argv[2:], progress=False, workers=0)
    sys.exit(0 if report.ok else 1)
""")


def _writing(db: Path) -> bool:
    """A write transaction is open on the store: its changes may all be in the writer's page cache,
    not yet in the WAL, so the file sizes cannot tell."""
    conn = sqlite3.connect(db, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def test_killed_ingest_leaves_store_consistent(tmp_path):
    db = tmp_path / "archive.db"
    small = write_crawl(tmp_path / "a-small.warc.gz", "c1", [A, B])
    pages = [
        Page(f"bulk-{i:04d}", title=f"Bulk story {i}", paragraphs=[f"Paragraph {i} " * 40] * 6)
        for i in range(1500)
    ]
    big = write_crawl(tmp_path / "b-big.warc.gz", "c1", pages)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db), str(small), str(big)], env=env)
    deadline = time.monotonic() + 60
    seen = 0  # polls in a row that found the big file's transaction open
    try:
        while time.monotonic() < deadline and seen < 3:
            if (
                db.exists()
                and scalar(db, "select count(*) from sqlite_master where name = 'warc_files'")
                and scalar(db, "select count(*) from warc_files") == 1
                and _writing(db)
            ):
                seen += 1
            else:
                seen = 0
            assert proc.poll() is None, "ingest ended before it could be killed"
            time.sleep(0.05)
        assert seen == 3, "the big file's transaction was never seen open"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert scalar(db, "pragma integrity_check") == "ok"
    assert [r["name"] for r in rows(db, "select name from warc_files")] == ["a-small.warc.gz"]
    assert scalar(db, "select count(*) from captures where warc_file = 'b-big.warc.gz'") == 0
    assert scalar(db, "select count(*) from versions") == 2
    assert scalar(db, "select count(*) from versions_fts") == 2
    report = run_ingest(db, [small, big], workers=2)
    assert report.ok
    assert [f.status for f in report.files] == ["skipped", "ingested"]
    assert scalar(db, "select count(*) from captures") == 4 + 1502
    assert scalar(db, "select count(distinct id) from captures") == 4 + 1502
    assert scalar(db, "select count(*) from versions") == 1502
    assert scalar(db, "pragma integrity_check") == "ok"


def test_verify_detects_changed_and_missing_warcs(tmp_path):
    db = tmp_path / "archive.db"
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    one = write_crawl(warcs / "one.warc.gz", "c1", [A])
    two = write_crawl(warcs / "two.warc.gz", "c1", [B])
    run_ingest(db, [one, two])
    assert verify(db).ok
    runner = CliRunner()
    assert runner.invoke(verify_command, ["--db", str(db), "--warcs", str(warcs)]).exit_code == 0

    data = bytearray(two.read_bytes())
    data[len(data) // 2] ^= 0xFF
    two.write_bytes(bytes(data))
    report = verify(db)
    assert not report.ok
    assert {r.name: r.status for r in report.results} == {"one.warc.gz": "ok", "two.warc.gz": "mismatch"}
    result = runner.invoke(verify_command, ["--db", str(db), "--warcs", str(warcs)])
    assert result.exit_code == 1 and "MISMATCH" in result.output and "two.warc.gz" in result.output

    one.unlink()
    result = runner.invoke(verify_command, ["--db", str(db)])
    assert result.exit_code == 1 and "MISSING" in result.output


def test_crawl_id_comes_from_warcinfo_or_argument(tmp_path):
    db = tmp_path / "archive.db"
    w1 = write_crawl(tmp_path / "a.warc.gz", "from-warcinfo", [A])
    w2 = write_crawl(tmp_path / "b.warc.gz", None, [B])
    run_ingest(db, [w1])
    run_ingest(db, [w2], crawl_id="given")
    assert {r["id"] for r in rows(db, "select id from crawls")} == {"from-warcinfo", "given"}
    assert scalar(db, "select crawl_id from warc_files where name = 'b.warc.gz'") == "given"


def test_cli_help_texts():
    from deeply.cmd_store import serve_command

    for command in (ingest_command, serve_command, verify_command):
        result = CliRunner().invoke(command, ["--help"])
        assert result.exit_code == 0 and "--db" in result.output


def test_fts_follows_text_changes_but_not_last_seen_updates(tmp_path):
    from storage import open_store

    db = open_store(tmp_path / "a.db")
    db.execute("insert into articles (key) values ('syria/x')")
    db.execute("insert into versions (id, article_key, version, content_hash, title, text) "
               "values (1, 'syria/x', 1, 'h', 'Aleppo bakeries', 'bread')")
    db.execute("update versions set last_seen = '2026-01-01' where id = 1")
    db.execute("update versions set title = 'Homs bakeries' where id = 1")
    hits = lambda q: db.execute("select count(*) from versions_fts where versions_fts match ?",  # noqa: E731
                                [q]).fetchone()[0]
    assert hits("Homs") == 1 and hits("Aleppo") == 0 and hits("bread") == 1
    trigger = db.execute("select sql from sqlite_master where name = 'versions_au'").fetchone()[0]
    assert "UPDATE OF" in trigger.upper()
