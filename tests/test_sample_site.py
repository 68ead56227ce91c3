"""The sample site: a deterministic imitation of Syria Deeply, checked over a real socket."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from email.utils import formatdate
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from sample_site import expected_changes, serve, truth
from sample_site.content import NEW_FORMS, SYRIA, SiteModel

ROOT = Path(__file__).resolve().parent.parent
N = 40


def get(url: str, headers: dict | None = None, timeout: float = 5) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def raw(site, path: str, method: str = "GET", headers: dict | None = None) -> http.client.HTTPResponse:
    """One request on a fresh http.client connection, redirects not followed."""
    host, port = urlsplit(site.url).hostname, urlsplit(site.url).port
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    resp.body = resp.read()
    conn.close()
    return resp


def model(edition: int = 0, n: int = N) -> SiteModel:
    return SiteModel(SYRIA, n, edition)


def article_paths(n: int = N, edition: int = 0) -> list[str]:
    m = model(edition, n)
    return [m.meta(i).path() for i in range(n + 1) if m.exists(i)]


def hrefs(body: bytes) -> list[str]:
    return [h.decode().replace("&amp;", "&") for h in re.findall(rb'href="([^"]*)"', body)]


@pytest.fixture(scope="module")
def site():
    with serve(articles=N, edition=0, port=0) as s:
        yield s


@pytest.fixture(scope="module")
def pages(site) -> dict[str, bytes]:
    """Every article page of the 40-article site, fetched once for the structure tests."""
    return {p: get(site.url + p)[2] for p in article_paths()}


# ---------------------------------------------------------------------------------------------
# Determinism and scale


PROBE = ("/syria", "/syria/articles/page/2", "/syria/rss", "/assets/application.css")


def digests(url: str, paths) -> dict[str, str]:
    port = url.rsplit(":", 1)[1].encode()
    return {p: hashlib.sha256(get(url + p)[2].replace(b":" + port + b"/", b":PORT/")).hexdigest()
            for p in paths}


def test_same_bytes_twice_and_across_processes(site):
    paths = (*PROBE[:2], *article_paths()[:6], "/syria/background/the-basics")
    first = digests(site.url, paths)
    assert digests(site.url, paths) == first
    # The asset hosts share the page host's port, which the markup names: the same bytes but for it.
    script = (
        "import hashlib, json, sys, urllib.request\n"
        "from sample_site import serve\n"
        "with serve(articles=40) as s:\n"
        "    port = s.url.rsplit(':', 1)[1].encode()\n"
        "    print(json.dumps({p: hashlib.sha256(urllib.request.urlopen(s.url + p).read()"
        ".replace(b':' + port + b'/', b':PORT/')).hexdigest() for p in sys.argv[1:]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *paths], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(out.stdout) == first


def test_twenty_thousand_articles_are_served():
    """Every page of the largest site answers (how fast is the benchmarks' to say, not a test's)."""
    m = model(0, 20_000)
    late = m.meta(19_998).path()
    with serve(articles=20_000, port=0) as big:
        for path in ("/syria", "/syria/articles/page/700", late, "/syria/isis/page/20"):
            status, _, body = get(big.url + path)
            assert status == 200 and body, path
        assert get(big.url + "/syria/articles/page/701")[0] == 404
        _, _, listing = get(big.url + "/syria/articles/page/700")
        assert listing.count(b'<article class="') == 20


# ---------------------------------------------------------------------------------------------
# Editions


def body_text(page: bytes) -> str:
    tree = lxml_html.fromstring(page)
    return " ".join(tree.xpath('string(//div[@class="body"])').split())


def test_editions_change_exactly_what_expected_changes_says():
    paths = article_paths()
    with serve(articles=N, edition=0, port=0) as s:
        before = {p: get(s.url + p)[2] for p in paths}
        front0 = get(s.url + "/syria")[2]
        s.set_edition(1)
        changes = expected_changes(N, 1)
        assert all(len(v) == 1 for v in changes.values())
        (edited,), (retitled,) = changes["edited"], changes["retitled"]
        (added,), (removed,) = changes["added"], changes["removed"]
        assert get(s.url + removed)[0] == 404
        assert get(s.url + added)[0] == 200
        front1 = get(s.url + "/syria")[2]
        listing1 = get(s.url + "/syria/articles")[2]
        assert added.lstrip("/").encode() in front1 and added.encode() in listing1
        assert removed.encode() not in front1 + listing1
        after = {p: get(s.url + p)[2] for p in paths if p != removed}
        for p, page in after.items():
            assert page != before[p], "Most Popular changes every page in edition 1"
            t0, t1 = truth(p, articles=N, edition=0), truth(p, articles=N, edition=1)
            assert (t0 != t1) == (p in (edited, retitled)), p
            assert (body_text(page) != body_text(before[p])) == (p == edited), p
        assert truth(retitled, articles=N, edition=1)["title"] != truth(retitled, articles=N)["title"]
        assert front1 != front0
        for page in after.values():
            assert removed.encode() not in page
        s.set_edition(2)
        assert expected_changes(N, 2) == {"edited": [edited], "retitled": [], "added": [], "removed": []}
        assert truth(edited, articles=N, edition=2) == truth(edited, articles=N, edition=0)
        assert body_text(get(s.url + edited)[2]) == body_text(before[edited])
    assert expected_changes(N, 0) == {"edited": [], "retitled": [], "added": [], "removed": []}


# ---------------------------------------------------------------------------------------------
# HTTP behaviour


def test_conditional_requests_give_304(site):
    path = article_paths()[3]
    r = raw(site, path)
    etag, modified = r.getheader("ETag"), r.getheader("Last-Modified")
    assert r.status == 200 and etag.startswith('"') and modified
    assert raw(site, path, headers={"If-None-Match": etag}).status == 304
    assert raw(site, path, headers={"If-None-Match": "W/" + etag}).status == 304
    assert raw(site, path, headers={"If-None-Match": '"other"'}).status == 200
    assert raw(site, path, headers={"If-Modified-Since": modified}).status == 304
    assert raw(site, path, headers={"If-Modified-Since": formatdate(0, usegmt=True)}).status == 200
    not_modified = raw(site, path, headers={"If-None-Match": etag})
    assert not_modified.body == b"" and not_modified.getheader("ETag") == etag


def test_etag_and_last_modified_move_with_the_edition():
    with serve(articles=N, port=0) as s:
        path = article_paths()[5]
        r0 = raw(s, path)
        s.set_edition(1)
        r1 = raw(s, path, headers={"If-None-Match": r0.getheader("ETag")})
        assert r1.status == 200 and r1.getheader("ETag") != r0.getheader("ETag")
        assert raw(s, path, headers={"If-Modified-Since": r0.getheader("Last-Modified")}).status == 200


def test_gzip_on_html_and_css_only_when_asked(site):
    for path in ("/syria", article_paths()[0], "/assets/application.css"):
        plain_ = raw(site, path)
        zipped = raw(site, path, headers={"Accept-Encoding": "gzip, deflate"})
        assert plain_.getheader("Content-Encoding") is None
        assert zipped.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(zipped.body) == plain_.body
        assert zipped.getheader("ETag") != plain_.getheader("ETag")
        assert zipped.getheader("Vary") == "Accept-Encoding"
    image = raw(site, "/assets/images/7288.jpg", headers={"Accept-Encoding": "gzip"})
    assert image.getheader("Content-Encoding") is None


def test_listings_are_chunked_articles_have_a_length(site):
    listing = raw(site, "/syria/articles/page/2")
    assert listing.getheader("Transfer-Encoding") == "chunked" and listing.getheader("Content-Length") is None
    article = raw(site, article_paths()[0])
    assert article.getheader("Transfer-Encoding") is None
    assert int(article.getheader("Content-Length")) == len(article.body)
    head = raw(site, article_paths()[0], method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.getheader("Content-Length") == article.getheader("Content-Length")
    assert head.getheader("ETag") == article.getheader("ETag")


def test_keep_alive_serves_several_requests_on_one_connection(site):
    conn = http.client.HTTPConnection(urlsplit(site.url).hostname, urlsplit(site.url).port, timeout=5)
    for path in ("/syria", "/syria/articles", article_paths()[1], "/nowhere", "/robots.txt"):
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        assert resp.getheader("Connection") != "close"
    conn.close()


def test_redirects_404s_and_robots(site):
    m = model()
    target = m.meta(7)
    old = raw(site, f"/syria/articles/{target.data_id}")
    assert old.status == 301 and old.getheader("Location") == target.path()
    assert raw(site, "/").getheader("Location") == "/syria"
    assert raw(site, "/syria/").status == 301
    missing_pages = (
        "/syria/articles/2014/01/01/a-story-that-was-never-archived", "/syria.html",
        "/syria/articles/2013/02/30/impossible-date", "/syria/no-such-topic", "/syria/articles/page/99",
    )
    for missing in missing_pages:
        assert raw(site, missing).status == 404, missing
    robots = raw(site, "/robots.txt")
    assert robots.getheader("Content-Type").startswith("text/plain")
    assert b"User-agent: *" in robots.body and b"Disallow: /syria/search" in robots.body
    assert b"Disallow: /syria/articles" not in robots.body


def test_hits_count_every_request_by_path(site):
    path = article_paths()[9]
    before = site.hits[path]
    get(site.url + path)
    get(site.url + path + "?utm_source=x")
    assert site.hits[path] == before + 2
    assert site.hits_snapshot()[path] == before + 2


# ---------------------------------------------------------------------------------------------
# Markup: what the extractor relies on


def test_article_pages_carry_the_real_structure_and_agree_with_truth(pages):
    broken_jsonld = 0
    for path, page in pages.items():
        t = truth(path, articles=N)
        tree = lxml_html.fromstring(page)
        assert tree.xpath("//link[@rel='canonical']/@href") == [path]
        assert page.count(b"Dear Deeply Readers") == 2
        assert tree.xpath("//div[contains(@class, 'sunset-popup-container')]/@style") == ["display: none"]
        chrome_texts = (b"Suggest your story or issue.", b"Share Your Story.",
                        b"Read the Rest of the Article for Free", b"Most Popular", b'class="intents"')
        for chrome in chrome_texts:
            assert chrome in page, (path, chrome)
        assert tree.xpath("//div[@class='body' and @itemprop='articleBody']"), path
        lede = " ".join(tree.xpath("string(//p[contains(@class, 'lede')])").split())
        assert lede == " ".join(t["summary"].split()), path
        assert f"Approx. {t['read_time_minutes']} minutes".encode() in page
        raw_ld = tree.xpath("//script[@type='application/ld+json']/text()")[0]
        try:
            ld = json.loads(raw_ld)
        except json.JSONDecodeError:
            broken_jsonld += 1  # a raw double quote in the description, as on about 6% of real pages
            assert '"' in truth_summary_source(path)
            continue
        assert ld["@type"] == "NewsArticle" and ld["headline"] == t["title"]
        assert ld["datePublished"].startswith(t["published"])
        if t["kind"] == "executive-summary":
            assert ld["author"] == "Syria" and t["authors"] == ["Syria Deeply"]
            continue
        people = ld["author"] if isinstance(ld["author"], list) else [ld["author"]]
        names = [a["name"] for a in people]
        assert sorted(names) == sorted(t["authors"])
        assert tree.xpath("string(//time[@itemprop='datePublished']/@datetime)").startswith(t["published"])
        byline = tree.xpath("//table[@class='meta']//td[small='Written by']//a/text()")
        assert byline == t["authors"]
        assert [a.replace("&amp;", "&") for a in ld["keywords"]] == t["topics"]
        assert "About the Author" in page.decode()
    assert broken_jsonld >= 1


def truth_summary_source(path: str) -> str:
    m = model()
    return next(m.meta(i).summary for i in range(N) if m.meta(i).path() == path)


def test_escaped_wordpress_leftovers_stand_as_text(pages):
    joined = b"\n".join(pages.values()).decode()
    assert "<p><em>&lt;!–more–&gt;</em></p>" in joined
    marker = r"<p>&lt;div source=’picture’ id=’\d+′ flow=’align(right|left|center)’&nbsp;/&gt;</p>"
    assert re.search(marker, joined)
    assert re.search(r"&lt;div source='picture' id='\d+' flow='\w+' /&gt;", joined)
    with_images = [t for p in pages if (t := truth(p, articles=N))["images"]]
    assert with_images
    for t in with_images:
        page = pages[t["path"]].decode()
        for image in t["images"]:
            assert f"id=’{image['id']}′" in page or f"id='{image['id']}'" in page
    text = lxml_html.fromstring(pages[with_images[0]["path"]]).text_content()
    assert "<div source=" in text  # the leftovers are text, not markup


def test_interviews_use_every_label_form(pages):
    joined = b"\n".join(pages.values()).decode()
    forms = {
        "strong": "<p><strong>Syria Deeply:</strong> ",
        "strong-short": '<p><strong><span class="caps">SD</span>:</strong> ',
        "b": "<p><b>Syria Deeply: ",
        "heading": '<h2 id="articles--header-1">Syria Deeply: ',
        "plain": '<p><span class="caps">SD</span>: ',
    }
    for name, marker in forms.items():
        assert marker in joined, name
    interviews = [truth(p, articles=N) for p in pages]
    interviews = [t for t in interviews if t["kind"] == "interview" and t["style"] not in NEW_FORMS]
    pairs = [t for t in interviews if any(" and " in q["speaker"] for q in t["qa"])]
    assert pairs, "an interview with two people answering"
    for t in interviews:
        assert t["intro"] and t["qa"][0] == {**t["qa"][0], "speaker": "Syria Deeply", "role": "question"}
        answers = {q["speaker"] for q in t["qa"] if q["role"] == "answer"}
        assert len(answers) == 1 and "Syria Deeply" not in answers
        page = pages[t["path"]].decode()
        speaker = next(iter(answers))
        assert f"{speaker}:" in page  # the full name labels the first answer
    assert any("\n\n" in q["text"] for t in interviews for q in t["qa"]), "unlabelled continuation paragraphs"


def test_interviews_show_the_sister_sites_forms(pages):
    """Questions set apart without labels, a captioned picture inside an answer, a closing section,
    parts under <hr> and headings, first-name labels, a readers' Q&A, a panel, a label spaced off
    its colon, questions in list items, an outro over a player, a question going on in bold, an
    answer first under a headline, a typo'd label, an outlet's label with a number, a follow-up
    without a label, a pull quote: each on some page, with its truth."""
    found = {t["style"]: t for p in pages if (t := truth(p, articles=N))["kind"] == "interview"}
    assert set(NEW_FORMS) <= set(found), sorted(found)
    html = {style: pages[t["path"]].decode() for style, t in found.items()}
    assert re.search(r"<p><strong>[^<:]+\?</strong></p>", html["bold-question"])
    assert re.search(r"<h3>[^<:]+\?</h3>", html["h3-question"])
    assert re.search(r"<h3>Recommended(?: |&nbsp;)Reads</h3>\n<ul>", html["h3-question"])
    for style in ("bold-question", "h3-question"):
        t = found[style]
        assert 'class="wp-caption-text"' in html[style]
        assert {q["speaker"] for q in t["qa"] if q["role"] == "question"} == {"Syria Deeply"}
        caption = re.search(r'class="wp-caption-text">([^<(]+)', html[style]).group(1).strip()
        assert caption and not any(caption in q["text"] for q in t["qa"]) and caption not in t["intro"]
    parts = found["parts"]
    assert "<hr />" in html["parts"] and re.search(r"<h3>Part(?: |&nbsp;)Two</h3>", html["parts"])
    assert len({q["speaker"] for q in parts["qa"] if q["role"] == "answer"}) == 2
    assert len(parts["intro"]) == 2
    readers = found["readers"]
    assert {q["speaker"] for q in readers["qa"] if q["role"] == "answer"} == {"Syria Deeply"}
    assert len({q["speaker"] for q in readers["qa"] if q["role"] == "question"}) >= 3
    panel = found["panel"]
    assert "<strong>Syria Deeply :</strong>" in html["panel"]
    roles = [q["role"] for q in panel["qa"]]
    assert roles == ["answer"] + ["question", "answer", "answer", "answer"] * 2  # an answer comes first
    # ... under a bold headline naming its speaker, in no turn and not in the text
    headline = re.search(r"<p><strong>([^<:]+): The wells of [^<]+</strong></p>", html["panel"])
    assert headline and panel["qa"][0]["speaker"].endswith(headline.group(1))
    assert not any("The wells of" in q["text"] for q in panel["qa"]) and "The wells of" not in panel["intro"]
    # ... and a surname label that drops a letter, the page's typo, is still that panellist
    surnames = [q["speaker"].split()[-1] for q in panel["qa"][5:] if q["role"] == "answer"]
    typos = [last for last in surnames if f"<strong>{last}:</strong>" not in html["panel"]]
    assert len(typos) == 1 and f"<strong>{typos[0][:2] + typos[0][3:]}:</strong>" in html["panel"], typos
    # A numbered list, one item per question and its answer, with a one-word question among them.
    assert re.search(r"<ol>\n<li>\n<p><strong>[^<]+\?</strong></p>", html["bold-question"])
    assert "<p><strong>Why?</strong></p>" in html["bold-question"]
    assert any(q["text"] == "Why?" for q in found["bold-question"]["qa"])
    # An outro after the last answer's picture, ending in a colon over a player: in the text, no turn.
    outro = found["h3-question"]["intro"][-1]
    assert outro.endswith("”:") and "<iframe" in html["h3-question"]
    assert not any(outro in q["text"] for q in found["h3-question"]["qa"])
    # A reader's question going on in a bold paragraph of its own.
    assert any("\n\n" in q["text"] for q in readers["qa"] if q["role"] == "question")
    # A republished interview: the outlet's name ends in a number and shortens ("er360"), one
    # follow-up question has no label, and a pull quote sits in an answer (in no turn).
    republished = found["republished"]
    assert "Example Review 360:" in html["republished"] and "er360:" in html["republished"]
    assert {q["speaker"] for q in republished["qa"] if q["role"] == "question"} == {"Example Review 360"}
    assert re.search(r"<p><strong>[^<:]+\?</strong></p>", html["republished"])
    quote = re.search(r'class="left-side-quote-block "><p>“([^”<]+)', html["republished"]).group(1)
    quote = " ".join(unescape(quote).split()[:4])  # the answer's first words, not repeated in its turn
    assert [" ".join(q["text"].split()).count(quote) for q in republished["qa"]].count(1) == 1, quote


def test_links_a_scoped_crawler_must_handle(site, pages):
    joined = [h for page in pages.values() for h in hrefs(page)]
    assert any(h.startswith("http://example.invalid/") for h in joined)
    assert any(h.startswith("/peacebuilding/") for h in joined)
    assert any("#" in h and h.startswith("/syria/") for h in joined)
    assert any("?" in h and h.startswith("/syria/articles/") for h in joined)
    short_date = r"/syria/(articles|community)/\d{4}/(\d/\d{1,2}|\d{1,2}/\d)/[a-z0-9-]+"
    unpadded = [h for h in joined if re.fullmatch(short_date, h)]
    assert unpadded
    page = get(site.url + unpadded[0])[2]
    canonical = lxml_html.fromstring(page).xpath("//link[@rel='canonical']/@href")[0]
    assert canonical != unpadded[0] and truth(unpadded[0], articles=N)["path"] == canonical
    assert get(site.url + canonical)[0] == 200
    front = get(site.url + "/syria")[2]
    everything = b"".join(pages.values()) + front + get(site.url + "/syria/articles")[2]
    assert b"/refugees" not in everything
    assert b'href="syria/articles/' in front  # relative to /syria, as the real front page links


def test_refugees_section_is_served_but_unlinked(site):
    status, _, front = get(site.url + "/refugees")
    assert status == 200
    article = next(h for h in hrefs(front) if h.startswith("refugees/articles/"))
    t = truth("/" + article, articles=N)
    assert get(site.url + "/" + article)[0] == 200 and t["site"] == "refugees"
    listed = hrefs(get(site.url + "/refugees/articles")[2])
    interviews = [h for h in listed if h.startswith("/refugees/articles/2")]
    speakers = {q["speaker"] for h in interviews if (tt := truth(h, articles=N)) for q in tt["qa"]}
    assert "Refugees Deeply" in speakers


def test_requisites_on_their_own_hosts(site, pages):
    assets, images = site.hosts.assets, site.hosts.images
    assert assets == site.url.replace("127.0.0.1", "127.0.0.2")
    assert images == site.url.replace("127.0.0.1", "127.0.0.3")
    css = get(assets + "/assets/application.css")[2].decode()
    for ref in re.findall(r"url\(\"?([^\")]+)\"?\)", css):
        status, headers, _ = get(assets + ref)
        assert status == 200, ref
    assert "/assets/fonts/" in css and ".png" in css
    status, headers, jpg = get(images + "/assets/images/100003.jpg")
    assert headers["Content-Type"] == "image/jpeg" and jpg[:2] == b"\xff\xd8" and jpg[-2:] == b"\xff\xd9"
    page = next(iter(pages.values()))
    assert re.search(rb'<img [^>]*src="' + images.encode() + rb'/assets/images/\d+\.jpg"', page)
    assert b'href="' + assets.encode() + b'/assets/application.css"' in page
    assert b"/assets/share-widget.js" not in page  # only the about page has the refused script
    about = get(site.url + "/syria/about")[2]
    assert f'<script src="{site.hosts.refused}/assets/share-widget.js"'.encode() in about
    for path in ("/assets/application.js", "/assets/bookmark.png", "/favicon.ico"):
        assert get(assets + path)[0] == 200


def test_listings_topics_contributors_and_feeds(site):
    m = model()
    seen = set()
    page, pages_count = 1, None
    while pages_count is None or page <= pages_count:
        _, pages_count = m.listing("articles", page=page)
        body = get(site.url + ("/syria/articles" if page == 1 else f"/syria/articles/page/{page}"))[2]
        seen |= {h for h in hrefs(body) if re.match(r"/syria/articles/\d{4}/", h)}
        page += 1
    wanted = {p for p in article_paths() if p.startswith("/syria/articles/")}
    assert wanted == seen
    topic = get(site.url + "/syria/displacement")[2]
    assert b"<h2>Displacement</h2>" in topic and b'href="/syria/displacement/rss"' in topic
    author = m.meta(0).authors[0]
    contributor = get(site.url + f"/syria/contributor/{author.slug}")[2]
    assert author.name.encode() in contributor and m.meta(0).path().encode() in contributor
    status, headers, feed = get(site.url + "/syria/rss", headers={"Host": "archive.example:8080"})
    assert headers["Content-Type"].startswith("application/rss+xml")
    assert b"<link>http://archive.example:8080/syria/" in feed
    assert get(site.url + "/syria/isis/rss")[0] == 200
    assert get(site.url + "/syria/categories/qa")[0] == 200
    assert get(site.url + "/syria/executive-summaries")[0] == 200


def test_truth_api():
    paths = article_paths()
    t = truth("http://127.0.0.1:1" + paths[2] + "?x=1#y", articles=N)
    assert t["path"] == paths[2]
    assert set(t) >= {"title", "summary", "authors", "published", "read_time_minutes", "kind", "topics",
                      "qa", "images", "intro"}
    kinds = {truth(p, articles=N)["kind"] for p in paths} | {truth("/syria/background/the-basics")["kind"]}
    assert kinds == {"interview", "article", "op-ed", "executive-summary", "explainer"}
    assert truth("/syria/articles/2014/01/01/a-story-that-was-never-archived", articles=N) is None
    assert truth(expected_changes(N, 1)["added"][0], articles=N) is None
    assert truth(expected_changes(N, 1)["removed"][0], articles=N, edition=1) is None
    assert any(c in json.dumps(truth(p, articles=N), ensure_ascii=False) for p in paths for c in "’“")
    with pytest.raises(ValueError):
        truth(paths[0], articles=5)


# ---------------------------------------------------------------------------------------------
# Faults


@pytest.fixture(scope="module")
def faulty():
    with serve(articles=N, port=0, faults=True, slow_seconds=1.0, huge_bytes=3 * 1024 * 1024) as s:
        yield s


def test_faults_page_is_linked_only_when_faults_are_on(site, faulty):
    assert b"syria/faults" not in get(site.url + "/syria")[2]
    assert get(site.url + "/syria/faults")[0] == 404
    assert get(site.url + "/syria/calendar/page/1")[0] == 404
    assert b'href="syria/faults"' in get(faulty.url + "/syria")[2]
    listed = hrefs(get(faulty.url + "/syria/faults")[2])
    assert len(listed) == 11


def test_slow_reset_error_and_busy(faulty):
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        urllib.request.urlopen(faulty.url + "/syria/faults/slow", timeout=0.2).read()
    with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
        urllib.request.urlopen(faulty.url + "/syria/faults/reset", timeout=5).read()
    assert get(faulty.url + "/syria/faults/error")[0] == 500
    first = raw(faulty, "/syria/faults/busy")
    assert first.status == 429 and first.getheader("Retry-After") == "1"
    assert raw(faulty, "/syria/faults/busy").status == 200


def test_redirect_loop_and_endless_calendar(faulty):
    r = raw(faulty, "/syria/faults/loop")
    assert r.status == 302 and r.getheader("Location") == "/syria/faults/loop-back"
    assert raw(faulty, "/syria/faults/loop-back").getheader("Location") == "/syria/faults/loop"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(faulty.url + "/syria/faults/loop", timeout=5)
    page = get(faulty.url + "/syria/calendar/page/12345")[2]
    assert b'href="/syria/calendar/page/12346"' in page


def test_huge_binary_charsets_and_malformed(faulty):
    conn = http.client.HTTPConnection(urlsplit(faulty.url).hostname, urlsplit(faulty.url).port, timeout=5)
    conn.request("GET", "/syria/faults/huge")
    resp = conn.getresponse()
    assert int(resp.getheader("Content-Length")) == 3 * 1024 * 1024
    total = 0
    while piece := resp.read(65536):
        total += len(piece)
    assert total == 3 * 1024 * 1024
    conn.close()
    status, headers, body = get(faulty.url + "/syria/faults/binary")
    assert headers["Content-Type"] == "text/html; charset=utf-8" and len(body) == 65536
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    _, headers, body = get(faulty.url + "/syria/faults/windows-1256")
    assert headers["Content-Type"] == "text/html; charset=windows-1256"
    assert "أرشيف" in body.decode("cp1256")
    _, headers, body = get(faulty.url + "/syria/faults/wrong-charset")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<meta charset="windows-1256"' in body and "أرشيف" in body.decode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    _, _, body = get(faulty.url + "/syria/faults/malformed")
    assert b"<p>Unclosed" in body and b"\x00" in body


# ---------------------------------------------------------------------------------------------
# Command line


def test_command_line_help():
    from click.testing import CliRunner

    from deeply.cmd_sample import sample_site_command

    result = CliRunner().invoke(sample_site_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--articles", "--edition", "--faults"):
        assert option in result.output
    out = subprocess.run([sys.executable, "-m", "sample_site", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=30, check=True)
    assert "--articles" in out.stdout


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        with serve(articles=10):
            pass
    with pytest.raises(ValueError):
        with serve(edition=7):
            pass
    with serve(port=0) as s, pytest.raises(ValueError):
        s.set_edition(3)


def test_deeply_lists_sample_site_and_loads_it_only_when_asked():
    """Every `deeply` command starts without the sample site (nor the page extractor) in memory:
    a sixth and a tenth of a second of each start, and most of a re-ingest with nothing new."""
    probe = ("import sys; from deeply.cli import cli; import storage, extract; "
             "print(sorted(m for m in ('sample_site', 'extract.page') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
    listing = subprocess.run([sys.executable, "-m", "deeply", "--help"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60, check=True)
    assert "sample-site  Serve a sample Syria Deeply" in listing.stdout
    asked = subprocess.run([sys.executable, "-m", "deeply", "sample-site", "--help"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60, check=True)
    assert "--articles" in asked.stdout
    from extract import extract_page  # still there for those who use it

    assert callable(extract_page)
