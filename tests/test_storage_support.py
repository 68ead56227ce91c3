"""Builders for storage tests: article pages shaped like Syria Deeply's, and WARC files written with
warcio the way our crawler and other tools (wget) write them. No test functions here.

The pages follow the real markup (article.detail, h1.title, p.lede, table.meta, div.body, the
sidebar's "Most Popular"), with invented text.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html as htmlmod
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HOST = "https://www.newsdeeply.com"


@dataclass
class Page:
    slug: str
    title: str = "A Test Headline About Water Supplies"
    summary: str = "An invented lede that says what the article is about."
    author: str = "Jane Testwriter"
    date: str = "2016-03-11"
    read_time: int = 3
    paragraphs: list[str] = field(
        default_factory=lambda: [
            "First invented paragraph about the situation on the ground in the test city.",
            "Second invented paragraph, with more detail and a quoted source saying nothing real.",
        ]
    )
    qa: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text)
    topic: str = "Health"
    popular: list[str] = field(default_factory=lambda: ["Some Popular Story", "Another Popular Story"])
    banner: str = "Welcome to the archives of a test site."
    section: str = "articles"

    @property
    def path(self) -> str:
        y, m, d = self.date.split("-")
        return f"/syria/{self.section}/{y}/{m}/{d}/{self.slug}"

    @property
    def url(self) -> str:
        return HOST + self.path


def article_html(page: Page) -> bytes:
    e = htmlmod.escape
    dt = datetime.strptime(page.date, "%Y-%m-%d")
    body = "\n".join(f"<p>{e(p)}</p>" for p in page.paragraphs)
    if page.qa:
        body += "\n" + "\n".join(f"<p><strong>{e(s)}:</strong> {e(t)}</p>" for s, t in page.qa)
    popular = "\n".join(
        f'<article><a itemprop="url" href="/syria/articles/2015/01/01/p{i}"><h4>{e(t)}</h4></a></article>'
        for i, t in enumerate(page.popular)
    )
    author_slug = page.author.lower().replace(" ", "-")
    return f"""<!DOCTYPE html>
<html lang="en">
<head prefix="og: http://ogp.me/ns#">
<meta charset="utf-8" />
<title>{e(page.title)} — Syria Deeply</title>
<meta name="description" content="{e(page.summary)}">
<link rel="canonical" href="{page.url}">
<meta property="og:site_name" content="Syria">
<meta property="og:title" content="{e(page.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{page.url}">
</head>
<body class="article-detail syria " style="">
<header class="sitenav full"><nav><div class="logo"><h1 class="topic-title">
<a href="/syria" class="topic">Syria Deeply<i> — Syria news</i></a></h1></div>
<ul class="primary"><li><a href="/syria/articles">Articles</a></li></ul></nav></header>
<div class="wng-sunset-panel"><div class="inner standard"><div class="panel-content-container">
<p>{e(page.banner)}</p></div></div></div>
<main class="articles-outer-container">
<div class="container">
<article class="detail restricted-content-item-container type-article" data-id="1"
  data-uri="{page.path}" data-title="{e(page.title)} — Syria Deeply" itemscope
  itemtype="http://schema.org/NewsArticle">
<header>
<div class="pre"><ul class="categories">
<li><a href="/syria/health" class="taxo channel">{e(page.topic)}</a></li>
<li><a href="/syria/categories/articles" class="taxo category">Articles</a></li>
</ul></div>
<h1 itemprop="headline" class="title">{e(page.title)}</h1>
</header>
<div class="holder">
<div class="inner">
<p class="lede" itemprop="description">{e(page.summary)}</p>
<table class="meta"><tr>
<td><small>Written by</small><span><a href="/syria/contributor/{author_slug}">{e(page.author)}</a></span></td>
<td><small>Published on</small> <span class="ding"> </span><time itemprop="datePublished"
  datetime="{page.date} 00:00:00 UTC">{dt:%B} {dt.day:2d}, {dt.year}</time></td>
<td><small>Read time</small> Approx. {page.read_time} minutes</td>
</tr></table>
<meta itemprop="author" content="{e(page.author)}" />
<div class="body" itemprop="articleBody">
{body}
<p class="fin"><span></span></p>
</div>
<footer></footer>
</div>
<aside class="sidebar">
<section class="widget popular"><header><h3>Most Popular</h3></header><div>
{popular}
</div></section>
</aside>
</div>
</article>
</div>
</main>
</body>
</html>
""".encode()


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


class OurWarc:
    """A WARC the way our crawler writes it: WARC/1.1, gzip per record, warcinfo first,
    request + response pairs, de-chunked bodies with Content-Length."""

    def __init__(self, path: Path, crawl_id: str | None = None, gzip: bool = True, start: datetime = T0):
        self.path = Path(path)
        self.fh = open(self.path, "wb")
        self.writer = WARCWriter(self.fh, gzip=gzip, warc_version="1.1")
        self.when = start
        info = {"software": "test", "format": "WARC File Format 1.1"}
        if crawl_id:
            info["isPartOf"] = crawl_id
        self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, info))
        self.ids: list[str] = []

    def tick(self) -> str:
        self.when += timedelta(seconds=1)
        return warc_date(self.when)

    def response(
        self,
        url: str,
        body: bytes,
        status: str = "200 OK",
        mime: str = "text/html; charset=utf-8",
        extra_headers: list[tuple[str, str]] | None = None,
    ) -> str:
        date = self.tick()
        headers = [("Content-Type", mime), ("Content-Length", str(len(body)))] + (extra_headers or [])
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        rec = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(rec)
        rid = rec.rec_headers.get_header("WARC-Record-ID")
        req = self.writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {url.split('/', 3)[-1]} HTTP/1.1", [("Host", "x")], is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": rid},
        )
        self.writer.write_record(req)
        self.ids.append(rid)
        return rid

    def page(self, page: Page, url: str | None = None) -> str:
        return self.response(url or page.url, article_html(page))

    def revisit(
        self,
        url: str,
        body: bytes,
        refers_to_date: str,
        refers_to_url: str | None = None,
        not_modified: bool = False,
    ) -> str:
        """A revisit as our crawler writes it: by target URI + date + digest, no WARC-Refers-To."""
        date = self.tick()
        status = "304 Not Modified" if not_modified else "200 OK"
        http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        rec = self.writer.create_revisit_record(
            url,
            sha1_digest(body),
            refers_to_url or url,
            refers_to_date,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        if not_modified:
            rec.rec_headers.replace_header(
                "WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
            )
        self.writer.write_record(rec)
        rid = rec.rec_headers.get_header("WARC-Record-ID")
        self.ids.append(rid)
        return rid

    def close(self) -> Path:
        self.fh.close()
        return self.path


def chunked(body: bytes, size: int = 700) -> bytes:
    out = b""
    for i in range(0, len(body), size):
        part = body[i : i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def write_wget_style_warc(path: Path, pages: list[Page], revisit_of: int = 0, gzip_records: bool = False):
    """A WARC the way GNU wget writes one (WARC/1.0): warcinfo, then per URL a request and a response
    holding the raw HTTP message as received (here chunked), a revisit with the identical-payload-digest
    profile pointing by WARC-Refers-To at the first response, and a closing resource record (the log).

    Returns (path, response ids, revisit id).
    """
    fh = open(path, "wb")
    w = WARCWriter(fh, gzip=gzip_records, warc_version="1.0")
    when = T0
    info = w.create_warcinfo_record(
        path.name,
        {
            "software": "Wget/1.21.3 (linux-gnu)",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "robots": "classic",
            "wget-arguments": '"--warc-file=test" "--recursive"',
        },
    )
    w.write_record(info)
    info_id = info.rec_headers.get_header("WARC-Record-ID")
    ids = []
    bodies = []
    for page in pages:
        when += timedelta(seconds=2)
        body = article_html(page)
        bodies.append(body)
        raw = (
            b"HTTP/1.1 200 OK\r\n"
            b"Server: nginx\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n"
            b"Transfer-Encoding: chunked\r\n"
            b"Connection: keep-alive\r\n\r\n" + chunked(body)
        )
        request = f"GET {page.path} HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nHost: www.newsdeeply.com\r\n\r\n"
        req = w.create_warc_record(
            page.url,
            "request",
            payload=io.BytesIO(request.encode()),
            warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Warcinfo-ID": info_id},
        )
        resp = w.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(raw),
            length=len(raw),
            warc_headers_dict={
                "WARC-Date": warc_date(when),
                "WARC-Warcinfo-ID": info_id,
                "WARC-Concurrent-To": req.rec_headers.get_header("WARC-Record-ID"),
                "WARC-IP-Address": "127.0.0.1",
            },
        )
        w.write_record(req)
        w.write_record(resp)
        ids.append(resp.rec_headers.get_header("WARC-Record-ID"))
    # The same page fetched again (wget --warc-cdx dedup): a revisit carrying only the HTTP headers.
    when += timedelta(seconds=2)
    page = pages[revisit_of]
    head = (
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    revisit = w.create_warc_record(
        page.url,
        "revisit",
        payload=io.BytesIO(head),
        length=len(head),
        warc_headers_dict={
            "WARC-Date": warc_date(when),
            "WARC-Warcinfo-ID": info_id,
            "WARC-Refers-To": ids[revisit_of],
            "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
            "WARC-Truncated": "length",
            "WARC-Payload-Digest": sha1_digest(chunked(bodies[revisit_of])),
        },
    )
    w.write_record(revisit)
    log = b"Opening WARC file test.warc\nDownloaded: 3 files\n"
    w.write_record(
        w.create_warc_record(
            "urn:X-wget:log",
            "resource",
            payload=io.BytesIO(log),
            length=len(log),
            warc_content_type="text/plain",
            warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Warcinfo-ID": info_id},
        )
    )
    fh.close()
    return path, ids, revisit.rec_headers.get_header("WARC-Record-ID")


def truncate(path: Path, keep_fraction: float = 0.6) -> int:
    data = path.read_bytes()
    cut = int(len(data) * keep_fraction)
    path.write_bytes(data[:cut])
    return cut


def gunzip_all(path: Path) -> bytes:
    with gzip.open(path, "rb") as f:
        return f.read()
