"""What the spider does itself instead of Scrapy's spider middlewares: depth and its limit, Referer
headers (kept across redirects), meta refresh targets, statuses the redirect middleware leaves."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.archives import check_pairs, records, warcio_check
from tests.support.processes import run_deeply
from tests.support.servers import routed_server

HTML = {"Content-Type": "text/html; charset=utf-8"}


def site(path):
    pages = {
        "/syria": '<a href="/syria/a">a</a> <a href="/syria/moved">moved</a> <a href="/syria/jump">jump</a>'
                  ' <a href="/syria/choices">choices</a>',
        "/syria/a": '<img src="/assets/a.png"> <a href="/syria/b">b</a>',
        "/syria/b": '<a href="/syria/c">c</a>',
        "/syria/c": "<p>deepest</p>",
        "/syria/moved": '<meta http-equiv="refresh" content="0; url=/syria/new"><p>moved</p>',
        "/syria/new": "<p>new home</p>",
        "/syria/landing": "<p>landed</p>",
    }
    if path in pages:
        return 200, HTML, f"<html><body>{pages[path]}</body></html>".encode()
    if path == "/syria/jump":
        return 301, {"Location": "/syria/landing"}, b""
    if path == "/syria/choices":
        return 300, HTML, b'<a href="/syria/never">a choice nobody makes</a>'
    if path == "/assets/a.png":
        return 200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"
    return 404, HTML, b"not here"


@pytest.fixture(scope="module")
def server():
    server, hits = routed_server(site)
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def crawl(base, warcs, *extra):
    proc = run_deeply("crawl", f"{base}/syria", "--warcs", warcs, "--quiet", *extra, timeout=300)
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    return proc, files


def request_headers(files) -> dict[str, object]:
    return {head.get_header("WARC-Target-URI"): http for path in files
            for rtype, head, http, _ in records(path) if rtype == "request"}


def test_links_refresh_targets_and_redirects_followed_with_their_referer(server, tmp_path):
    base, _ = server
    proc, files = crawl(base, tmp_path / "warcs")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # an HTTP status is a capture, not a failure
    assert not proc.stderr, proc.stderr
    paths = {urlsplit(u).path for u in check_pairs(files)}
    assert {"/syria", "/syria/a", "/syria/b", "/syria/c", "/assets/a.png", "/syria/moved", "/syria/new",
            "/syria/jump", "/syria/landing", "/syria/choices"} <= paths
    assert "/syria/never" not in paths, "a 3xx body is stored, not followed"
    assert "http 300: 1" in proc.stdout
    sent = request_headers(files)
    assert sent[f"{base}/syria"].get_header("Referer") is None
    assert sent[f"{base}/syria/a"].get_header("Referer") == f"{base}/syria"
    assert sent[f"{base}/assets/a.png"].get_header("Referer") == f"{base}/syria/a"
    assert sent[f"{base}/syria/new"].get_header("Referer") == f"{base}/syria/moved"
    # A redirect keeps the referrer of the link that led to it, as a browser does.
    assert sent[f"{base}/syria/landing"].get_header("Referer") == f"{base}/syria"


def test_max_depth_stops_pages_but_not_the_requisites_of_the_last_ones(server, tmp_path):
    base, _ = server
    proc, files = crawl(base, tmp_path / "warcs", "--max-depth", "1")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    paths = {urlsplit(u).path for u in check_pairs(files)}
    assert {"/syria", "/syria/a", "/syria/moved", "/assets/a.png"} <= paths
    assert not paths & {"/syria/b", "/syria/c", "/syria/new"}
    assert "beyond max depth: 2" in proc.stdout


def test_link_worker_gives_the_same_links_and_its_death_loses_none():
    import asyncio

    from crawler.linkpool import LinkExtractor
    from crawler.links import links_of

    body = b'<html><body><a href="/syria/a">a</a><img src="/assets/x.png"><a href="b?q=1#f">b</a></body>'
    url = "http://127.0.0.1:9/syria/page"

    async def run():
        extractor = LinkExtractor(1)
        first = await extractor(body, url, "text/html")
        assert extractor.proc is not None, "the worker is used when asked for"
        extractor.proc.kill()
        await extractor.proc.wait()
        after_death = await extractor(body, url, "text/html")
        assert not extractor.wanted and extractor.proc is None, "a dead worker is not used again"
        await extractor.close()
        return first, after_death

    first, after_death = asyncio.run(run())
    expected = links_of(body, url, "text/html")
    assert first == expected == after_death
    assert [link.url for link in expected] == ["http://127.0.0.1:9/syria/a", "http://127.0.0.1:9/assets/x.png",
                                               "http://127.0.0.1:9/syria/b?q=1"]


def test_sieve_drops_only_what_the_spider_would_and_each_link_once():
    from crawler.linkpool import Sieve
    from crawler.links import Link
    from crawler.scope import Scope

    scope = Scope.from_urls(["http://127.0.0.1:9/syria"])
    page = [Link("http://127.0.0.1:9/syria/a", False), Link("http://127.0.0.1:9/assets/x.png", True),
            Link("http://127.0.0.1:9/peacebuilding", False),  # on the host, outside the section
            Link("http://elsewhere.example/syria/a", False), Link("http://elsewhere.example/x.png", True)]
    sieve = Sieve(scope)
    # A requisite turned down for its host only (a loopback crawl takes requisites from loopback) goes
    # back once all the same: the spider counts it as skipped, by host.
    assert sieve(page, pages_wanted=True) == [("http://127.0.0.1:9/syria/a", False),
                                              ("http://127.0.0.1:9/assets/x.png", True),
                                              ("http://elsewhere.example/x.png", True)]
    assert sieve(page, pages_wanted=True) == [], "each link is passed on once"
    # The same URL met as the other kind is passed on again: the spider judges the kinds apart.
    assert sieve([Link("http://127.0.0.1:9/syria/a", True)], True) == [("http://127.0.0.1:9/syria/a", True)]
    # A requisite's page links are never followed, and are not remembered as passed on.
    fresh = Sieve(scope)
    assert fresh(page, pages_wanted=False) == [("http://127.0.0.1:9/assets/x.png", True),
                                               ("http://elsewhere.example/x.png", True)]
    assert fresh(page, pages_wanted=True) == [("http://127.0.0.1:9/syria/a", False)]
    # With a depth limit, a page met again (perhaps less deep) goes back to the spider.
    deep = Sieve(scope, once=False)
    assert deep(page, True) == deep(page, True) == sieve.__class__(scope)(page, True)


def test_link_worker_applies_its_sieve_across_pages():
    import asyncio

    from crawler.linkpool import LinkExtractor, Sieve
    from crawler.scope import Scope

    nav = b'<a href="/syria/a">a</a><a href="/syria/b">b</a><a href="https://elsewhere.example/">x</a>'
    url = "http://127.0.0.1:9/syria/page"

    async def run():
        extractor = LinkExtractor(1, Sieve(Scope.from_urls(["http://127.0.0.1:9/syria"])))
        try:
            first = await extractor(nav, url, "text/html")
            again = await extractor(nav + b'<a href="/syria/c">c</a>', url + "2", "text/html")
            assert extractor.proc is not None and extractor.wanted, "answered by the worker"
            return first, again
        finally:
            await extractor.close()

    first, again = asyncio.run(run())
    assert [link.url for link in first] == ["http://127.0.0.1:9/syria/a", "http://127.0.0.1:9/syria/b"]
    assert [link.url for link in again] == ["http://127.0.0.1:9/syria/c"]
