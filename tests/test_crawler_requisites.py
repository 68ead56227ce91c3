"""What a page needs to replay, read from its markup: `srcset` as the HTML standard parses it, lazy
attributes, iframes, posters and preloads; and which hosts requisites may come from."""

from __future__ import annotations

import pytest

from crawler.links import html_links, links_of, srcset_urls
from crawler.scope import HostRule, Scope, parse_resolve
from replay.qa import _replay_original, spread, text_match

REAL = ("https://newsdeeply-app.s3.amazonaws.com/20180126132844/AA_01102016_3591401.jpg?fit=crop&crop=entropy"
        "&w=240&h=150&fm=jpg&auto=format,enhance&q=50&dpr=2")


@pytest.mark.parametrize("value, urls", [
    (f"{REAL} 2x", [REAL]),  # the real pages' comma in a query stays in its URL
    (f"{REAL} 1x, {REAL.replace('dpr=2', 'dpr=3')} 3x", [REAL, REAL.replace("dpr=2", "dpr=3")]),
    ("a.jpg 1x,b.jpg 2x", ["a.jpg", "b.jpg"]),
    ("a.jpg,b.jpg", ["a.jpg,b.jpg"]),  # no whitespace: one URL, as the standard reads it
    ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),  # a URL's trailing comma ends its candidate
    ("  a.jpg  480w  ,  b.jpg 800w ", ["a.jpg", "b.jpg"]),
    ("a.jpg (x, y) 2x, b.jpg", ["a.jpg", "b.jpg"]),  # a comma inside parentheses is a descriptor's
    ("data:image/gif;base64,R0lGOD 1x, c.jpg 2x", ["data:image/gif;base64,R0lGOD", "c.jpg"]),
    ("", []), (" , ,, ", []),
])
def test_srcset_is_parsed_as_the_html_standard_does(value, urls):
    assert srcset_urls(value) == urls


def test_a_srcset_with_commas_in_its_urls_gives_no_bogus_requests():
    page = f'<img srcset="{REAL.replace("&", "&amp;")} 2x" src="/x.jpg">'.encode()
    links = html_links(page, "http://127.0.0.1:9/syria/articles/a.html")
    assert {link.url for link in links if link.requisite} == {REAL, "http://127.0.0.1:9/x.jpg"}
    assert not any("enhance&q=50" in link.url and "newsdeeply-app" not in link.url for link in links)


def test_every_kind_of_requisite_is_found():
    page = b"""<html><head>
      <link rel="stylesheet" href="/a.css"><link rel="alternate stylesheet" href="/alt.css">
      <link rel="preload" as="font" href="/f.woff2"><link rel="modulepreload" href="/m.js">
      <link rel="apple-touch-icon" href="/touch.png"><link rel="mask-icon" href="/mask.svg">
      <link rel="preload" as="image" imagesrcset="/p1.jpg 1x, /p2.jpg 2x">
      <link rel="canonical" href="/syria/page"><link rel="dns-prefetch" href="//cdn.example">
      <style>@import "/imported.css"; body{background:url('/bg.png')}</style>
    </head><body>
      <img src="/placeholder.gif" data-src="/lazy.jpg" data-srcset="/lazy1.jpg 1x, /lazy2.jpg 2x">
      <img data-original="/orig.jpg" data-lazy-src="/lazy3.jpg">
      <picture><source srcset="/s1.webp 1x, /s2.webp 2x" type="image/webp"><img src="/pic.jpg"></picture>
      <video poster="/poster.jpg" src="/v.mp4"><source src="/v.webm"><track src="/t.vtt"></video>
      <iframe src="https://w.example/player/?visual=true&amp;u=1"></iframe>
      <object data="/o.svg"></object><embed src="/e.swf"><audio src="/a.mp3"></audio>
      <div style="background-image: url(/div.png)"></div><table background="/table.gif"></table>
      <a href="/syria/next">next</a>
    </body></html>"""
    links = {link.url.removeprefix("http://h"): link.requisite for link in html_links(page, "http://h/syria/")}
    requisites = {u for u, r in links.items() if r}
    assert requisites == {
        "/a.css", "/alt.css", "/f.woff2", "/m.js", "/touch.png", "/mask.svg", "/p1.jpg", "/p2.jpg",
        "/imported.css", "/bg.png", "/placeholder.gif", "/lazy.jpg", "/lazy1.jpg", "/lazy2.jpg", "/orig.jpg",
        "/lazy3.jpg", "/s1.webp", "/s2.webp", "/pic.jpg", "/poster.jpg", "/v.mp4", "/v.webm", "/t.vtt",
        "https://w.example/player/?visual=true&u=1", "/o.svg", "/e.swf", "/a.mp3", "/div.png", "/table.gif",
    }
    assert {u for u, r in links.items() if not r} == {"/syria/page", "/syria/next"}


def test_a_stylesheets_imports_and_fonts_are_requisites():
    css = b"@import url(other.css); @import 'print.css'; @font-face{src:url(\"../f/x.woff\")}"
    assert [(link.url, link.requisite) for link in links_of(css, "http://h/a/b/site.css", "text/css")] == [
        ("http://h/a/b/other.css", True), ("http://h/a/b/print.css", True), ("http://h/a/f/x.woff", True)]


def test_requisite_hosts_default_any_host_or_loopback_only_for_a_local_copy():
    live = Scope.from_urls(["https://deeply.thenewhumanitarian.org/syria"])
    assert live.requisite_in_scope("https://newsdeeply-www.s3.amazonaws.com/assets/a.css")
    local = Scope.from_urls(["http://127.0.0.1:8000/syria"])
    assert local.requisite_in_scope("http://127.0.0.2:8000/assets/a.css")
    assert local.requisite_in_scope("http://localhost:9/x.png")
    assert not local.requisite_in_scope("https://newsdeeply-www.s3.amazonaws.com/assets/a.css")
    assert local.requisite_host_denied("https://newsdeeply-www.s3.amazonaws.com/a.css") == \
        "newsdeeply-www.s3.amazonaws.com"
    assert local.requisite_host_denied("ftp://x/y") is None
    # pages never leave their host and folder, whatever the requisite rule
    assert not live.page_in_scope("https://newsdeeply-www.s3.amazonaws.com/syria/a")


def test_requisite_hosts_patterns_and_denials():
    starts = ["http://127.0.0.1:8000/syria"]
    rule = HostRule.parse("*.amazonaws.com,-newsdeeply-app.s3.amazonaws.com", starts)
    scope = Scope.from_urls(starts, requisite_hosts=rule)
    assert scope.requisite_in_scope("https://newsdeeply-www.s3.amazonaws.com/a.css")
    assert not scope.requisite_in_scope("https://newsdeeply-app.s3.amazonaws.com/a.jpg")
    assert not scope.requisite_in_scope("http://127.0.0.2:8000/a.css"), "an allow list replaces the default"
    assert scope.requisite_in_scope("http://127.0.0.1:8000/assets/a.css"), "the start host always"
    assert rule.describe() == "*.amazonaws.com,-newsdeeply-app.s3.amazonaws.com"
    only_denials = HostRule.parse("-www.facebook.com", ["https://deeply.thenewhumanitarian.org/syria"])
    assert only_denials.allows("twitter.com") and not only_denials.allows("WWW.Facebook.com")
    # a host --resolve sends to loopback counts as loopback
    resolved = HostRule.parse(None, starts, parse_resolve(["bucket.example=127.0.0.5:8443"]))
    assert resolved.allows("bucket.example") and not resolved.allows("other.example")
    for bad in ("http://x.example", "x.example/path", "x.example:80", ","):
        if bad == ",":
            assert HostRule.parse(bad, starts).allow == ("loopback",)
            continue
        with pytest.raises(ValueError):
            HostRule.parse(bad, starts)


def test_resolve_takes_curls_idea():
    assert parse_resolve(["B.example=127.0.0.5:8443", "c.example=127.0.0.6", "d.example=[::1]:99"]) == {
        "b.example": ("127.0.0.5", 8443), "c.example": ("127.0.0.6", None), "d.example": ("::1", 99)}
    for bad in ("b.example", "b.example=", "=127.0.0.1", "b.example=localhost:80", "b.example=127.0.0.1:0",
                "b.example=127.0.0.1:x", "b.example:443=127.0.0.1"):
        with pytest.raises(ValueError):
            parse_resolve([bad])


def test_the_resolve_option_is_checked_before_the_crawl(tmp_path):
    from click.testing import CliRunner

    from deeply.cli import cli

    proc = CliRunner().invoke(cli, ["crawl", "http://127.0.0.1:9/syria", "--warcs", str(tmp_path),
                                    "--resolve", "bucket"])
    assert proc.exit_code == 2 and "--resolve wants HOST=ADDRESS[:PORT]" in proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.iterdir())


def test_text_match_is_the_share_of_the_records_words_shown():
    assert text_match("The siege of Daraa", "Menu\nThe SIEGE of daraa, and more") == 1.0
    assert text_match("one two three four", "one two") == 0.5
    assert text_match(None, "anything") is None and text_match("", "x") is None


def test_replay_urls_name_what_they_ask_the_archive_for():
    base = "http://127.0.0.1:8090"
    assert _replay_original(f"{base}/deeply/20201201000000cs_/http://127.0.0.2:80/a.css?x=1,2", base) == \
        "http://127.0.0.2:80/a.css?x=1,2"
    assert _replay_original(f"{base}/deeply/20201201000000/https://h/p", base) == "https://h/p"
    assert _replay_original(f"{base}/static/wombat.js", base) is None
    assert _replay_original("http://elsewhere/deeply/2020mp_/x", base) is None


def test_pages_are_spread_evenly_and_always_the_same():
    assert spread(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert spread(list(range(3)), 5) == [0, 1, 2] and spread([1, 2], None) == [1, 2]


def test_requisites_are_bounded_in_hops_and_number_and_the_rule_is_in_the_warcinfo(sample_site, tmp_path,
                                                                                   deeply):
    import json
    from urllib.parse import urlsplit

    from warcio.archiveiterator import ArchiveIterator

    from tests.support.archives import check_pairs, warcio_check

    def crawl(name, *options):
        warcs = tmp_path / name
        proc = deeply("crawl", sample_site.start_url, "--warcs", warcs, "--quiet", "--limit", "3", *options,
                      timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        files = sorted(warcs.glob("*.warc.gz"))
        return proc.stdout, files, {urlsplit(u).path for u in check_pairs(files)}, proc.stderr

    out, files, paths, err = crawl("all")
    # the host refusing connections: its robots.txt and its script, one line each, no traceback
    assert "127.0.0.4" in err and "Traceback" not in err, err
    warcio_check(files)
    assert "/assets/application.css" in paths and "/assets/fonts/dinnext-regular.woff" in paths
    with open(files[0], "rb") as fh:
        info = next(iter(ArchiveIterator(fh))).content_stream().read().decode()
    assert "requisite-hosts: loopback" in info and "DEEPLY_REQUISITE_HOPS=3" in info
    with open(files[-1], "rb") as fh:
        last = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(fh)][-1]
    assert last[0] == "metadata" and last[1].startswith("urn:deeply:crawl:")
    counts = json.loads(last[2])["requisite-hosts"]
    assert counts["127.0.0.2"]["fetched"] == 5 and counts["127.0.0.4"] == {"failed": 1}
    # one hop: the page's stylesheet, not the font the stylesheet loads
    out, _, paths, _ = crawl("one-hop", "--requisite-hops", "1")
    assert "/assets/application.css" in paths and "/assets/fonts/dinnext-regular.woff" not in paths
    out, _, paths, _ = crawl("budget", "--max-requisites", "2")
    assert "requisite budget reached" in out and "requisites:  2 from" in out
