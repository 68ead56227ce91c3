"""Security of the crawl's scope: no link, redirect or <base> tag takes it to another host or path,
and nothing a server sends can make it write outside its WARC folder."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.support.archives import check_pairs, warcio_check
from tests.support.servers import routed_server


def test_links_redirects_and_base_tags_never_leave_scope(tmp_path, deeply):
    foreign, foreign_hits = routed_server(
        lambda path: (200, {"Content-Type": "text/html"}, b"<p>foreign</p>"))
    other = f"http://localhost:{foreign.server_port}"  # another host (name), still loopback

    def site(path):
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/syria":
            body = f"""<html><head><base href="{other}/syria/"></head><body>
            <a href="syria/articles/one">relative, resolved against the page, not the base</a>
            <a href="{other}/syria/elsewhere">other host</a>
            <a href="/peacebuilding/x">other section</a>
            <a href="/syria/../peacebuilding/y">dot-dot out of the section</a>
            <a href="/syria/jump">redirects away</a>
            <a href="/syria/%2e%2e/peacebuilding/z">encoded dot-dot</a>
            <img src="{other}/tracker.png"><link rel="stylesheet" href="/assets/site.css">
            </body></html>""".encode()
            return 200, html, body
        if path == "/syria/articles/one":
            return 200, html, b"<html><body><p>one</p></body></html>"
        if path == "/syria/jump":
            return 302, {"Location": f"{other}/syria/landing"}, b""
        if path == "/assets/site.css":
            return 200, {"Content-Type": "text/css"}, f"body{{background:url({other}/bg.png)}}".encode()
        return 404, html, b"not here"

    server, hits = routed_server(site)
    warcs = tmp_path / "warcs"

    def crawl(folder, *options):
        return deeply("crawl", f"http://127.0.0.1:{server.server_port}/syria", "--warcs", folder, "--quiet",
                      *options, timeout=300)

    try:
        proc = crawl(warcs, "--requisite-hosts=-localhost")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert not foreign_hits, f"requests left scope: {dict(foreign_hits)}"
        assert "localhost: 2 skipped" in proc.stdout
        # By default a loopback crawl takes requisites from any loopback host: the other host's
        # image and background (and its robots.txt), never its pages.
        again = crawl(tmp_path / "again")
        assert again.returncode == 0, again.stdout + again.stderr
        assert set(foreign_hits) == {"/robots.txt", "/tracker.png", "/bg.png"}, dict(foreign_hits)
    finally:
        server.shutdown()
        foreign.shutdown()
    assert not any(p.startswith("/peacebuilding") or "%2e" in p.lower() for p in hits), dict(hits)
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    paths = {urlsplit(u).path for u in check_pairs(files)}
    assert {"/syria", "/syria/articles/one", "/syria/jump", "/assets/site.css"} <= paths
    assert "redirect out of scope" in proc.stdout


def test_nothing_from_the_network_names_a_file(tmp_path):
    """WARC names come from the prefix, the time, a serial and the host name, each reduced to a safe
    alphabet; a hostile prefix cannot reach outside the folder either."""
    from datetime import UTC, datetime

    from crawler.warcfiles import warc_name

    name = warc_name("../../etc/passwd", datetime(2020, 1, 1, tzinfo=UTC), 3, host="a/../../b c")
    assert "/" not in name and ".." not in name
    assert name.endswith("-00003-a-b-c.warc.gz")
