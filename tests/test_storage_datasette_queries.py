"""Datasette over the store: every canned query answers, text is escaped, `deeply serve` serves JSON."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from extract.record import Record
from storage import apply_record, ingest, make_datasette, mark_removed, metadata_for, open_store
from storage.store import insert_capture
from tests.support.archives import T0, OurWarc
from tests.support.pages import Page

ROOT = Path(__file__).resolve().parent.parent

INTERVIEW = Page(
    "talking-to-a-doctor",
    title="Talking to a Doctor",
    author="Jane Testwriter",
    qa=[
        ("Syria Deeply", "How is the hospital coping?"),
        ("Omar Invented", "We manage with generators and patience."),
    ],
)
ARTICLE = Page("bread-prices-rise", title="Bread Prices Rise", author="Sam Example", date="2017-02-03")
# Text that reached the store containing markup (the extractor cleans pages; Datasette must escape
# whatever is there regardless).
HOSTILE = Record(
    url="https://www.newsdeeply.com/syria/articles/2016/03/11/markup-in-text",
    key="syria/articles/2016/03/11/markup-in-text",
    site="syria",
    title="Markup <script>alert(1)</script> in a title",
    text="A paragraph mentioning <img src=x onerror=alert(2)> as literal text.\n\nSecond paragraph.",
    published="2016-03-11",
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Two crawls: the second changes one article and no longer finds another."""
    tmp = tmp_path_factory.mktemp("ds")
    w1 = OurWarc(tmp / "c1.warc.gz", crawl_id="crawl-1")
    for page in (INTERVIEW, ARTICLE):
        w1.page(page)
    w1.close()
    changed = Page(**{**ARTICLE.__dict__, "title": "Bread Prices Rise Again"})
    w2 = OurWarc(tmp / "c2.warc.gz", crawl_id="crawl-2", start=T0 + timedelta(days=3))
    w2.page(INTERVIEW)
    w2.page(changed)
    w2.close()
    db = tmp / "archive.db"
    report = ingest(db, [w1.path, w2.path], progress=False, workers=0)
    assert report.ok
    with open_store(db) as conn:
        capture = next(conn.query("select * from captures where url = ?", [INTERVIEW.url]))
        capture = {**capture, "id": "urn:uuid:hostile-test", "url": HOSTILE.url, "version_id": None}
        insert_capture(conn, capture)
        apply_record(conn, HOSTILE, capture)
    mark_removed(db, "crawl-2")
    return db


def get(ds, path):
    async def run():
        return await ds.client.get(path)

    return asyncio.run(run())


QUERIES = {
    "latest": {},
    "article_history": {"key": "syria/articles/2017/02/03/bread-prices-rise"},
    "interviews_by_speaker": {"speaker": "Invented"},
    "crawl_changes": {"crawl_id": "crawl-2"},
    "search": {"q": "generators"},
    "article_captures": {"key": "syria/articles/2017/02/03/bread-prices-rise"},
    "removed_articles": {},
}


def test_every_canned_query_answers(store):
    ds = make_datasette(store)
    names = set(metadata_for(store)["databases"]["archive"]["queries"])
    assert names == set(QUERIES), "every canned query has a test"
    results = {}
    for name, params in QUERIES.items():
        qs = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in params.items())
        response = get(ds, f"/archive/{name}.json?_shape=objects&{qs}")
        assert response.status_code == 200, (name, response.text[:500])
        results[name] = response.json()["rows"]
        # And as a page for a person.
        assert get(ds, f"/archive/{name}?{qs}").status_code == 200

    assert len(results["latest"]) == 3
    history = results["article_history"]
    assert [r["version"] for r in history] == [1, 2]
    assert history[0]["changed_fields"] == "(first version)" and history[1]["changed_fields"] == "title"
    assert {r["speaker"] for r in results["interviews_by_speaker"]} == {"Omar Invented"}
    assert results["interviews_by_speaker"][0]["turns"] == 1
    changes = {(r["change"], r["article_key"].rsplit("/", 1)[1]) for r in results["crawl_changes"]}
    assert changes == {("changed", "bread-prices-rise"), ("removed", "markup-in-text")}
    hits = results["search"]
    assert hits and {h["match_in"] for h in hits} == {"interview: Omar Invented"}
    assert "[generators]" in hits[0]["snippet"]
    assert len(results["article_captures"]) == 2
    assert [r["key"].rsplit("/", 1)[1] for r in results["removed_articles"]] == ["markup-in-text"]


def test_search_takes_any_text_and_finds_articles(store):
    ds = make_datasette(store)
    for q in ['bread "prices', "it's", "", "AND OR NOT"]:
        response = get(ds, f"/archive/search.json?q={urllib.request.quote(q)}")
        assert response.status_code == 200, (q, response.text[:300])
    rows = get(ds, "/archive/search.json?_shape=objects&q=bread").json()["rows"]
    assert rows[0]["match_in"] == "article" and rows[0]["title"] == "Bread Prices Rise Again"


def test_tables_facets_and_descriptions(store):
    ds = make_datasette(store)
    data = get(ds, "/archive/versions.json?_facet_array=authors&_facet=kind").json()
    assert data["facet_results"]["authors"]["results"]
    assert get(ds, "/archive/latest_versions.json").status_code == 200
    page = get(ds, "/archive/latest_versions").text
    assert "facet" in page.lower()
    page = get(ds, "/archive/captures").text
    assert "WARC-Record-ID" in page  # column descriptions from metadata.yml
    assert get(ds, "/-/deeply.css").status_code == 200


def test_archived_text_is_escaped_and_readable(store):
    ds = make_datasette(store)
    key = "syria/articles/2016/03/11/markup-in-text"
    vid = (
        open_store(store)
        .execute("select current_version_id from articles where key = ?", [key])
        .fetchone()[0]
    )
    html = get(ds, f"/archive/versions/{vid}").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'class="deeply-text"' in html  # long text keeps its paragraphs (pre-wrap)
    # Replay links render as links.
    assert '<a href="http://127.0.0.1:8080/deeply/' in html


def test_metadata_follows_the_database_name(tmp_path, store):
    other = tmp_path / "elsewhere.db"
    other.write_bytes(Path(store).read_bytes())
    ds = make_datasette(other)
    assert get(ds, "/elsewhere/latest.json").status_code == 200


def test_deeply_serve_runs_datasette(store, free_port):
    port = free_port()
    script = (
        "import sys; from deeply.cmd_store import serve_command; "
        "serve_command.main(sys.argv[1:], standalone_mode=True)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "--db", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/archive/latest.json?_shape=array"
    deadline = time.monotonic() + 30
    body = None
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    body = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "datasette did not come up in time"
        assert len(body) == 3
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/databases.json", timeout=5) as response:
            dbs = json.loads(response.read())
        assert dbs[0]["is_mutable"] is False  # immutable: no ingest is running
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_serve_goes_live_while_an_ingest_runs(store, free_port):
    """With the writer lock held (an ingest running), serve reads over WAL instead of immutable."""
    from storage.lock import writer_lock

    port = free_port()
    script = "import sys; from deeply.cmd_store import serve_command; serve_command.main(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with writer_lock(store):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, "--db", str(store), "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            dbs = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and dbs is None:
                assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/databases.json", timeout=2) as r:
                        dbs = json.loads(r.read())
                except OSError:
                    time.sleep(0.2)
            assert dbs is not None and dbs[0]["is_mutable"] is True
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/latest.json", timeout=5) as r:
                assert len(json.loads(r.read())["rows"]) == 3
        finally:
            proc.terminate()
            proc.wait(10)
