"""The crawl, for real: Scrapy over a socket against the sample site, WARCs checked by warcio and pywb."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from crawler.lock import lock
from tests.support.archives import check_pairs, warcio_check
from tests.support.processes import VENV_BIN
from tests.support.servers import pywb_collection

NAME_RE = re.compile(r"^deeply-\d{14}-\d{5}-[A-Za-z0-9_-]+\.warc\.gz$")


@pytest.fixture(scope="module")
def site():
    from sample_site import serve

    with serve(articles=40, edition=0, port=0) as s:
        yield s


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory, deeply):
    warcs = tmp_path_factory.mktemp("crawl") / "warcs"
    proc = deeply("crawl", site.start_url, "--warcs", warcs, "--quiet")
    files = sorted(warcs.glob("*.warc.gz"))
    return proc, warcs, files, check_pairs(files)


def test_crawl_exits_cleanly_with_a_summary(crawled):
    proc, warcs, files, _ = crawled
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "complete" in proc.stdout and "pages:" in proc.stdout and "errors:" in proc.stdout
    assert "http 404" in proc.stdout  # the sample site's broken links, reported as they came
    assert files and not list(warcs.glob("*.open"))
    assert all(NAME_RE.match(f.name) for f in files)


def test_warcs_are_valid_and_paired(crawled):
    _, _, files, by_url = crawled
    warcio_check(files)  # check_pairs ran in the fixture: every response has its request beside it
    assert by_url


def test_record_ids_are_unique_uuids_in_the_order_the_records_were_written(crawled):
    """WARC-Record-IDs are UUIDs of version 7 (a timestamp first): unique, and the captures'
    (responses, revisits) in each file in the order written, so that the store's index of them
    grows at one end crawl after crawl. (A request is made after its response, whose id it names,
    and written before it.)"""
    import uuid

    from warcio.archiveiterator import ArchiveIterator

    ids = []
    for path in crawled[2]:
        with open(path, "rb") as fh:
            in_file = [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID")) for r in ArchiveIterator(fh)]
        assert all(i.startswith("<urn:uuid:") and i.endswith(">") for _, i in in_file)
        parsed = [(kind, uuid.UUID(i[len("<urn:uuid:"):-1])) for kind, i in in_file]
        assert {u.version for _, u in parsed} == {7}
        stamps = [u.int >> 80 for kind, u in parsed if kind in ("response", "revisit")]  # unix ms
        assert stamps == sorted(stamps), path.name
        ids += [i for _, i in in_file]
    assert len(ids) == len(set(ids)) > 40


def test_warcinfo_describes_the_crawl(crawled):
    from warcio.archiveiterator import ArchiveIterator

    with open(crawled[2][0], "rb") as fh:
        info = next(iter(ArchiveIterator(fh)))
        fields = info.content_stream().read().decode()
    for name in ("software: deeply-archive", "hostname:", "format: WARC File Format 1.1", "isPartOf:",
                 "start-urls:", "robots: obey"):
        assert name in fields


def test_every_article_and_requisite_captured_once(site, crawled):
    from sample_site import truth
    from sample_site.truth import article_paths

    _, _, _, by_url = crawled
    paths = {urlsplit(u).path for u in by_url}
    articles = {truth(p, articles=40, edition=0)["path"] for p in paths if truth(p, articles=40, edition=0)}
    assert articles == article_paths(40, 0), sorted(article_paths(40, 0) ^ articles)[:5]  # explainers too
    for requisite in ("/assets/application.css", "/assets/application.js"):
        assert requisite in paths
    assert any(p.startswith("/assets/images/") for p in paths)
    assert any(p.startswith("/assets/fonts/") for p in paths)
    for url, recs in by_url.items():
        assert len(recs) == 1 or all(int(h.get_statuscode()) >= 500 for _, _, h, _ in recs[:-1]), url


def test_crawl_stays_in_scope(site, crawled):
    _, _, _, by_url = crawled
    netloc = urlsplit(site.url).netloc
    asset_hosts = {urlsplit(site.hosts.assets).netloc, urlsplit(site.hosts.images).netloc}
    for url in by_url:
        parts = urlsplit(url)
        if parts.netloc == netloc:
            assert parts.path.startswith(("/syria", "/assets/", "/robots.txt", "/favicon.ico")), url
        else:  # the sample site's CDN: requisites only, never a page
            assert parts.netloc in asset_hosts, url
            assert parts.path.startswith(("/assets/", "/robots.txt")), url
    assert {urlsplit(u).netloc for u in by_url} == {netloc, *asset_hosts}


def test_robots_txt_holds_for_every_request_that_waited_for_it(site, tmp_path, deeply):
    # Several start URLs all wait for robots.txt at once. Scrapy 2.19's own middleware checked only
    # the first of them against it and let the rest through (crawler/robots.py).
    warcs = tmp_path / "warcs"
    starts = [site.start_url] + [f"{site.url}/syria/{p}" for p in ("about", "search", "search?q=aleppo")]
    proc = deeply("crawl", *starts, "--warcs", warcs, "--quiet", "--limit", len(starts))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    paths = {urlsplit(u).path for u in check_pairs(sorted(warcs.glob("*.warc.gz")))}
    assert {"/robots.txt", "/syria", "/syria/about"} <= paths
    assert "/syria/search" not in paths
    assert "robots.txt disallowed: 2" in proc.stdout


def test_stored_headers_describe_stored_bytes(crawled):
    _, _, _, by_url = crawled
    seen_gzip = seen_listing = False
    for recs in by_url.values():
        for rtype, head, http, body in recs:
            if rtype != "response":
                continue
            names = [n.lower() for n, _ in http.headers]
            assert "transfer-encoding" not in names
            if http.get_header("Content-Length") is not None:
                assert int(http.get_header("Content-Length")) == len(body)
            if head.get_header("WARC-Target-URI").endswith("/syria/articles"):
                seen_listing = True  # served chunked: stored de-chunked, with a true Content-Length
                assert int(http.get_header("Content-Length")) == len(body)
            if (http.get_header("Content-Encoding") or "").lower() == "gzip":
                seen_gzip = True
                gzip.decompress(body)  # raw as it came off the wire, and whole
    assert seen_gzip and seen_listing


def test_fast_crawl_keeps_header_lines_as_the_server_sent_them(site, crawled):
    # The sample site sends these names, in this order and case (sample_site/server.py); the
    # chunked listing's Transfer-Encoding is kept under another name beside a true Content-Length.
    _, _, files, by_url = crawled
    _, _, http, _ = by_url[f"{site.url}/syria/articles"][0]
    names = [n for n, _ in http.headers]
    assert names[:4] == ["Server", "Date", "Content-Type", "ETag"], names
    assert ("X-Orig-Transfer-Encoding", "chunked") in http.headers
    assert names.index("X-Orig-Transfer-Encoding") < names.index("Content-Length")
    assert "headers are as received" in warcinfo_text(files[0])


def test_polite_crawl_uses_scrapys_own_client_and_says_so(site, tmp_path, deeply):
    warcs = tmp_path / "warcs"
    proc = deeply("crawl", site.start_url, "--warcs", warcs, "--quiet", "--polite", "--limit", 3)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    assert "client: Scrapy's Twisted client" in warcinfo_text(files[0])
    paths = {urlsplit(u).path for u in check_pairs(files)}
    assert "/syria" in paths and "/assets/application.css" in paths


def warcinfo_text(path) -> str:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        return next(iter(ArchiveIterator(fh))).content_stream().read().decode()


def test_redirects_and_errors_are_captured_as_they_came(crawled):
    _, _, _, by_url = crawled
    statuses = {int(h.get_statuscode()) for recs in by_url.values() for _, _, h, _ in recs}
    assert 301 in statuses or 302 in statuses
    assert 404 in statuses


def test_pywb_replays_an_article_byte_for_byte(site, crawled, tmp_path):
    from sample_site import truth

    _, _, files, by_url = crawled
    article = next(u for u in sorted(by_url) if truth(urlsplit(u).path, articles=40, edition=0)
                   and by_url[u][-1][0] == "response")
    served = urllib.request.urlopen(urllib.request.Request(article), timeout=10).read()
    with pywb_collection(tmp_path / "pywb", files) as base:
        cdx = urllib.request.urlopen(f"{base}/test/cdx?url={quote(article, safe='')}&output=json",
                                     timeout=10).read().decode()
        rows = [json.loads(line) for line in cdx.splitlines() if line.strip()]
        assert rows and rows[0]["status"] == "200"
        replayed = urllib.request.urlopen(f"{base}/test/{rows[0]['timestamp']}id_/{article}",
                                          timeout=10).read()
    assert replayed == served


def test_rotation_at_size_limit(site, tmp_path, deeply):
    warcs = tmp_path / "warcs"
    proc = deeply("crawl", site.start_url, "--warcs", warcs, "--quiet", "--warc-size", 200_000)
    assert proc.returncode == 0, proc.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    assert len(files) >= 2
    serials = [int(f.name.split("-")[2]) for f in files]
    assert serials == list(range(len(files)))
    warcio_check(files)
    check_pairs(files)


def test_unreachable_site_fails_with_exit_code(tmp_path, deeply, free_port):
    proc = deeply("crawl", f"http://127.0.0.1:{free_port()}/syria", "--warcs", tmp_path / "w",
                  "--quiet", "--retries", 0, "--timeout", 5)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ConnectionRefusedError" in proc.stdout


def test_second_run_on_the_same_folder_is_refused(site, tmp_path, deeply):
    warcs = tmp_path / "warcs"
    with lock(warcs):
        proc = deeply("crawl", site.start_url, "--warcs", warcs, "--quiet")
    assert proc.returncode == 4
    assert "in use" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not list(Path(warcs).glob("*.warc.gz*"))


def test_scrapy_crawl_works_through_scrapy_cfg(site, tmp_path):
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [str(VENV_BIN / "scrapy"), "crawl", "syriadeeply", "-a", f"start_urls={site.start_url}",
         "-s", f"DEEPLY_WARC_DIR={tmp_path}", "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "DOWNLOAD_DELAY=0", "-s", "DEPTH_LIMIT=2"],
        capture_output=True, text=True, timeout=600, cwd=root,
    )
    assert proc.returncode == 0, proc.stderr
    files = sorted(tmp_path.glob("*.warc.gz"))
    warcio_check(files)
    assert any(urlsplit(u).path.startswith("/syria/articles/") for u in check_pairs(files))
    # No server in the crawl that runs code sent to it (Scrapy's telnet console and remote control).
    assert "Enabled extensions" in proc.stderr
    for extension in ("TelnetConsole", "RemoteControl", "Remote control"):
        assert extension not in proc.stderr
