"""`deeply qa` on a real crawl of the sample site: every page replayed through pywb in headless
Chromium, with its requisites from the sample site's two asset hosts, the refused script reported
missing by name, and a stylesheet taken out of the index reported on every page that needs it.

The sample site is shut down before the browser starts: whatever the page shows came from the archive.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from urllib.parse import urlsplit

import pytest

from replay.browser import find_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def crawl(tmp_path_factory, deeply):
    if not find_chromium():
        pytest.skip("headless Chromium not installed (/usr/bin/chromium: apt-get install chromium)")
    from sample_site import serve

    out = tmp_path_factory.mktemp("qa")
    warcs, db = out / "warcs", out / "archive.db"
    with serve(articles=20, port=0) as site:
        hosts = site.hosts
        proc = deeply("run", site.start_url, "--warcs", warcs, "--db", db, "--quiet", timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, warcs, db, hosts, proc.stdout


@pytest.fixture(scope="module")
def qa(crawl, deeply):
    out, warcs, db, hosts, _ = crawl
    proc = deeply("qa", "--warcs", warcs, "--db", db, "--all", "--quiet", timeout=900)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in conn.execute("select * from qa")}
    conn.close()
    return proc, rows


def test_crawl_summary_names_the_asset_hosts(crawl):
    _, _, db, hosts, stdout = crawl
    assets, images, refused = (urlsplit(h).netloc.split(":")[0] for h in (hosts.assets, hosts.images,
                                                                           hosts.refused))
    assert f"    {assets}: 5 fetched" in stdout and f"    {images}: " in stdout
    assert f"    {refused}: 1 failed" in stdout
    conn = sqlite3.connect(db)
    by_host = json.loads(conn.execute("select requisite_hosts from crawls").fetchone()[0])
    conn.close()
    assert by_host[refused] == {"failed": 1} and by_host[assets] == {"fetched": 5}
    assert by_host[images]["fetched"] >= 20


def test_every_page_replays_whole_but_the_one_with_the_refused_script(crawl, qa):
    _, _, _, hosts, _ = crawl
    proc, rows = qa
    assert proc.returncode == 1, proc.stdout + proc.stderr  # one page is incomplete
    about = next(u for u in rows if u.endswith("/syria/about"))
    refused = hosts.refused + "/assets/share-widget.js"
    assert f"INCOMPLETE {about}: 1 not in the archive: {refused}" in proc.stdout
    assert rows[about]["complete"] == 0 and json.loads(rows[about]["missing_urls"]) == [refused]
    assert "pages replay complete (1 incomplete)" in proc.stdout

    others = [r for u, r in rows.items() if u != about]
    assert len(others) >= 40
    for row in others:
        assert row["complete"] == 1, row
        assert (row["missing"], row["failed"], row["blocked"]) == (0, 0, 0), row
        assert row["found"] == row["requests"] >= 1
    articles = [r for r in others if r["text_match"] is not None]  # the pages with a record
    assert len(articles) >= 20 and all("/articles/" in r["url"] or "/community/" in r["url"]
                                       or "/executive-summaries/" in r["url"] or "/background/" in r["url"]
                                       for r in articles)
    for row in articles:
        assert row["text_match"] == 1.0, row
        request_hosts = json.loads(row["request_hosts"])
        # the page itself, its stylesheet, script and icon, its pictures: each from its own host
        for origin in (hosts.assets, hosts.images):
            assert request_hosts.get(urlsplit(origin).netloc, 0) >= 1, (row["url"], request_hosts)


def test_screenshots_are_pngs_of_the_page(qa):
    _, rows = qa
    for row in rows.values():
        shot = row["screenshot"]
        with open(shot, "rb") as fh:
            head = fh.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n", shot
        assert int.from_bytes(head[16:20], "big") == 1280


def test_qa_table_in_datasette(crawl, qa):
    from storage import make_datasette
    from storage.web import checkpoint

    _, _, db, _, _ = crawl
    checkpoint(db)  # as `deeply serve` does before it serves a store immutable

    async def fetch():
        ds = make_datasette(db)
        return await ds.client.get("/archive/qa.json?_shape=objects&complete=0")

    response = asyncio.run(fetch())
    assert response.status_code == 200, response.text[:300]
    [row] = response.json()["rows"]
    assert row["url"].endswith("/syria/about") and "share-widget.js" in row["missing_urls"]


def test_a_stylesheet_missing_from_the_index_makes_its_pages_incomplete(crawl, tmp_path, deeply):
    _, warcs, db, hosts, _ = crawl
    copy = tmp_path / "warcs"
    shutil.copytree(warcs, copy, ignore=shutil.ignore_patterns("pywb"))
    shutil.copy(db, tmp_path / "archive.db")
    indexed = deeply("index", "--warcs", copy, timeout=900)  # whatever ran before this test
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    index = copy / "indexes" / "index.cdxj"
    lines = index.read_text().splitlines(keepends=True)
    kept = [line for line in lines if "/assets/application.css" not in line]
    assert len(kept) == len(lines) - 1
    index.write_text("".join(kept))

    proc = deeply("qa", "--warcs", copy, "--db", tmp_path / "archive.db", "--pages", 4, "--quiet",
                  "--screenshots", tmp_path / "shots", timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    css = hosts.assets + "/assets/application.css"
    incomplete = [line for line in proc.stdout.splitlines() if line.startswith("INCOMPLETE")]
    assert len(incomplete) == 4 and all(css in line for line in incomplete), proc.stdout + proc.stderr
    assert "0 of 4 pages replay complete" in proc.stdout


def test_qa_says_what_is_wrong_in_one_line(tmp_path, deeply):
    proc = deeply("qa", "--warcs", tmp_path, "--db", tmp_path / "none.db", timeout=900)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("deeply qa: no store at") and "Traceback" not in proc.stderr
