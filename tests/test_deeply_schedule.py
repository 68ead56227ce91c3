"""Scheduled re-crawls with `deeply run`: revisits for what did not change, versions for what did."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.support.archives import check_pairs, warcio_check
from tests.support.processes import run_deeply
from tests.support.servers import pywb_collection

ARTICLES = 40


def deeply_run(site, tmp: Path, *extra):
    return run_deeply("run", site.start_url, "--warcs", tmp / "warcs", "--db", tmp / "archive.db", "--quiet",
                      *extra, timeout=600)


def new_files(tmp: Path, before: set[Path]) -> list[Path]:
    return sorted(set((tmp / "warcs").glob("*.warc.gz")) - before)


def query(tmp: Path, sql: str, params=()):
    conn = sqlite3.connect(tmp / "archive.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A first run, then a second over the unchanged site."""
    from sample_site import serve

    tmp = tmp_path_factory.mktemp("schedule")
    with serve(articles=ARTICLES, port=0, churn=False) as site:
        first = deeply_run(site, tmp)
        first_files = new_files(tmp, set())
        versions_after_first = query(tmp, "select count(*) from versions")[0][0]
        second = deeply_run(site, tmp)
        second_files = new_files(tmp, set(first_files))
        yield site, tmp, first, first_files, versions_after_first, second, second_files


def test_first_run_ingests_and_records_the_crawl(two_runs):
    _, tmp, first, files, versions, _, _ = two_runs
    assert first.returncode == 0, first.stdout + first.stderr
    assert "new articles:" in first.stdout
    from sample_site.truth import article_paths

    expected = article_paths(ARTICLES, 0)
    assert versions == len(expected)
    assert {"/" + r[0] for r in query(tmp, "select key from articles")} == expected
    rows = query(tmp, "select status, new_articles, pages from crawls")
    assert rows and rows[0][0] == "complete" and rows[0][1] == len(expected) and rows[0][2] > len(expected)


def test_unchanged_site_gives_revisits_and_no_version(two_runs):
    _, tmp, _, first_files, versions, second, second_files = two_runs
    assert second.returncode == 0, second.stdout + second.stderr
    warcio_check(second_files)
    by_url = check_pairs(second_files)
    pages = {u: recs for u, recs in by_url.items() if int(recs[-1][2].get_statuscode()) in (200, 304)}
    full = [u for u, recs in pages.items() if recs[-1][0] == "response"]
    assert not full, f"unchanged pages stored in full: {full[:5]}"
    profiles = {recs[-1][1].get_header("WARC-Profile") for recs in pages.values()}
    assert profiles <= {"http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                        "http://netpreserve.org/warc/1.1/revisit/server-not-modified"}
    for recs in pages.values():
        head = recs[-1][1]
        assert head.get_header("WARC-Refers-To-Target-URI") and head.get_header("WARC-Refers-To-Date")
    size = lambda files: sum(f.stat().st_size for f in files)  # noqa: E731
    assert size(second_files) <= 0.10 * size(first_files), (size(second_files), size(first_files))
    assert query(tmp, "select count(*) from versions")[0][0] == versions
    assert query(tmp, "select max(version) from versions")[0][0] == 1


def test_conditional_requests_are_sent_and_304_kept(two_runs):
    _, _, _, _, _, _, second_files = two_runs
    from tests.support.archives import records

    rows = [r for f in second_files for r in records(f)]
    conditional = [http for rtype, _, http, _ in rows
                   if rtype == "request" and http.get_header("If-None-Match")]
    assert conditional, "requests carry the validators of the last capture"
    not_modified = [(head, http) for rtype, head, http, _ in rows if rtype == "revisit"
                    and head.get_header("WARC-Profile").endswith("/server-not-modified")]
    assert not_modified, "the sample site answers If-None-Match with 304"
    from email.utils import parsedate_to_datetime

    first = {head.get_header("WARC-Target-URI"): http for f in two_runs[3] for rtype, head, http, _
             in records(f) if rtype == "response"}
    def when(head):
        return datetime.fromisoformat(head.get_header("WARC-Date").replace("Z", "+00:00"))

    # The second run's span, as its own records date it (the Date header has whole seconds).
    span = [when(head) for _, head, _, _ in rows if head.get_header("WARC-Date")]
    earliest, latest = min(span).replace(microsecond=0), max(span)
    for head, http in not_modified:
        # kept as the response the 304 stands for, so that it replays
        assert http.get_statuscode() == "200" and http.get_header("ETag")
        original = first[head.get_header("WARC-Target-URI")]
        # freshened by the 304: its Date is the second run's, the original's body headers kept
        dated = parsedate_to_datetime(http.get_header("Date"))
        assert earliest <= dated and dated.timestamp() < latest.timestamp() + 1, (http.get_header("Date"),
                                                                               earliest, latest)
        assert dated >= parsedate_to_datetime(original.get_header("Date"))
        for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified"):
            assert http.get_header(name) == original.get_header(name), name


def test_pywb_replays_an_article_whose_latest_capture_is_a_revisit(two_runs, tmp_path):
    site, tmp, _, first_files, _, _, second_files = two_runs
    from sample_site import truth

    by_url = check_pairs(second_files)
    article = next(u for u in sorted(by_url)
                   if truth(urlsplit(u).path, articles=ARTICLES) and by_url[u][-1][0] == "revisit")
    served = urllib.request.urlopen(article, timeout=10).read()
    with pywb_collection(tmp_path / "pywb", first_files + second_files) as base:
        cdx = urllib.request.urlopen(f"{base}/test/cdx?url={quote(article, safe='')}&output=json",
                                     timeout=10).read().decode()
        rows = [json.loads(line) for line in cdx.splitlines() if line.strip()]
        latest = max(rows, key=lambda r: r["timestamp"])
        assert latest["mime"] == "warc/revisit"
        replayed = urllib.request.urlopen(f"{base}/test/{latest['timestamp']}id_/{article}",
                                          timeout=10).read()
    assert replayed == served


def test_edition_changes_only_the_changed_articles(tmp_path):
    from sample_site import expected_changes, serve

    with serve(articles=ARTICLES, port=0, churn=False) as site:
        assert deeply_run(site, tmp_path).returncode == 0
        before = set((tmp_path / "warcs").glob("*.warc.gz"))
        site.set_edition(1)
        proc = deeply_run(site, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    changes = expected_changes(ARTICLES, 1)
    old = check_pairs(sorted(before))
    new = check_pairs(new_files(tmp_path, before))
    digest = lambda recs: recs[-1][1].get_header("WARC-Payload-Digest")  # noqa: E731
    full = {u for u, recs in new.items()
            if recs[-1][0] == "response" and recs[-1][2].get_statuscode() == "200"}
    for url in full:  # a full record only where the bytes changed (or the URL is new)
        assert url not in old or digest(old[url]) != digest(new[url]), url
    for url, recs in new.items():
        if recs[-1][0] == "revisit":
            assert digest(recs) == digest(old[url])
    full_paths = {urlsplit(u).path for u in full}
    assert set(changes["edited"]) | set(changes["retitled"]) | set(changes["added"]) <= full_paths
    v2 = {r[0] for r in query(tmp_path, "select article_key from versions where version = 2")}
    assert {"/" + k for k in v2} == set(changes["edited"]) | set(changes["retitled"])
    assert query(tmp_path, "select count(*) from versions where version > 2")[0][0] == 0
    removed = query(tmp_path, "select key from articles where removed_at is not null")
    assert {"/" + r[0] for r in removed} == set(changes["removed"])
    assert "changed: 2" in proc.stdout and "removed: 1" in proc.stdout
    # The store's summary (what `deeply stats` says) closes the run's output.
    articles = query(tmp_path, "select count(*) from articles")[0][0]
    assert f": {articles} articles, " in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].endswith("1 new, 2 changed, 1 no longer found")


def test_a_second_concurrent_run_is_refused(tmp_path):
    from deeply.pipeline import run_lock
    from sample_site import serve

    with serve(articles=20, port=0) as site, run_lock(tmp_path / "archive.db"):
        proc = deeply_run(site, tmp_path)
    assert proc.returncode == 4
    assert "another `deeply run`" in proc.stderr


def test_a_damaged_or_busy_store_is_refused_before_crawling(tmp_path):
    from sample_site import serve
    from storage.lock import writer_lock

    with serve(articles=20, port=0) as site:
        (tmp_path / "archive.db").write_text("not a database\n")
        damaged = deeply_run(site, tmp_path)
        (tmp_path / "archive.db").unlink()
        with writer_lock(tmp_path / "archive.db"):  # as an immutable `deeply serve` holds it
            busy = deeply_run(site, tmp_path)
        assert site.hits_snapshot().get("/syria", 0) == 0, "nothing is fetched for a store that refuses"
    assert damaged.returncode == 1 and len(damaged.stderr.strip().splitlines()) == 1, damaged.stderr
    assert busy.returncode == 4 and "in use" in busy.stderr, busy.stderr
    assert not list((tmp_path / "warcs").glob("*.warc.gz"))


def test_a_revisit_of_a_page_found_not_to_be_an_article_is_not_extracted_again(tmp_path, deeply):
    """An article URL whose page is no article (an empty page a copy saved): its revisit takes the
    original's verdict instead of running the extractor again in the ingesting process."""
    from tests.support.servers import http_site

    empty = "/syria/articles/2020/01/01/an-empty-page.html"
    html = "text/html; charset=utf-8"
    files = {
        "/syria/": (html, f'<html><body><a href="{empty}">x</a></body></html>'.encode()),
        empty: (html, b"<html><body></body></html>"),
    }
    with http_site(files) as base:
        runs = [deeply("run", base + "/syria/", "--warcs", tmp_path / "warcs",
                       "--db", tmp_path / "archive.db", "--quiet", timeout=300)
                for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    from extract.record import EXTRACTOR_VERSION

    rows = query(tmp_path, "select is_revisit, outcome, extractor_version from captures where url like ? "
                 "order by fetched_at", ["%an-empty-page.html"])
    # The verdict names its extractor: a newer one reads the page again instead of taking it.
    assert rows == [(0, "not-article", EXTRACTOR_VERSION), (1, "not-article", EXTRACTOR_VERSION)]
    assert "1 not articles" in runs[1].stdout, runs[1].stdout
