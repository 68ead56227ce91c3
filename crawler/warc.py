"""The WARC writer: a downloader middleware next to the downloader, so it sees each response as it
came off the wire (still compressed) before Scrapy decodes it, and each request as it was sent.

Stored HTTP headers describe the stored bytes: the body is kept raw, with its `Content-Encoding`,
but de-chunked by the client, so `Content-Length` is set to the stored length and a
`Transfer-Encoding` is renamed `X-Orig-Transfer-Encoding`. With the fast client (crawler/download.py)
the header lines are kept as they came, in their order and case; Scrapy's own client (Twisted)
title-cases names, loses their order and keeps the connection headers to itself. The warcinfo
record says which.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import sys
from collections import Counter
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
import warcio
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders

from archive.digests import sha1_b32
from archive.version import VERSION
from crawler.options import WARC_DIR, WARC_MAX_SIZE, WARC_PREFIX
from crawler.warcfiles import BackgroundWriter, RotatingWarcWriter, TimeOrderedRecordBuilder, serialize

log = logging.getLogger(__name__)

REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
RENAMED = {"transfer-encoding": "X-Orig-Transfer-Encoding"}
RAW_HEADERS = "deeply_raw_headers"  # request.meta: the response's header lines as received, if kept


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _latin1(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def header_pairs(headers) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((_latin1(name), _latin1(value)))
    return pairs


def response_headers(response: Response, body_length: int, raw=None) -> list[tuple[str, str]]:
    """Headers that describe the stored (de-chunked, still encoded) body: as the lines came when the
    client kept them (`raw`, crawler/download.py), else as Scrapy's headers have them."""
    received = [(_latin1(n), _latin1(v)) for n, v in raw] if raw else header_pairs(response.headers)
    pairs = []
    length_at = None
    for name, value in received:
        lower = name.lower()
        if lower in RENAMED:
            pairs.append((RENAMED[lower], value))
        elif lower == "content-length":
            if length_at is None:
                length_at = len(pairs)
                pairs.append((name, str(body_length)))
        else:
            pairs.append((name, value))
    if length_at is None and (response.status not in (204, 304) or body_length):
        pairs.append(("Content-Length", str(body_length)))
    return pairs


def request_line_and_headers(request: scrapy.Request) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(request.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    pairs = [("Host", parts.netloc)]
    pairs += [(n, v) for n, v in header_pairs(request.headers) if n.lower() != "host"]
    return f"{request.method} {target} HTTP/1.1", pairs


def status_line(response: Response) -> str:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    return f"{response.status} {reason}"


def _description(settings) -> str:
    from crawler.overrides import FAST_HANDLER

    fast = (settings.getdict("DOWNLOAD_HANDLERS") or {}).get("http") == FAST_HANDLER
    headers = (
        "HTTP response headers are as received (names, case, order; client: aiohttp). "
        if fast else
        "HTTP header names are title-cased and their order is not kept (client: Scrapy's Twisted "
        "client, which also does not pass up the connection headers Content-Length, Connection, "
        "Keep-Alive, Transfer-Encoding); values are as received. "
    )
    return ("Capture of Syria Deeply (News Deeply) by deeply-archive. " + headers
            + "Bodies are stored as received on the wire (content-encoding kept) but de-chunked, so "
            "Content-Length is the stored body length and Transfer-Encoding is renamed "
            "X-Orig-Transfer-Encoding. Request records hold the request line and headers as Scrapy "
            "sent them.")


def crawl_info(settings, start_urls: list[str]) -> dict:
    return {
        "software": f"deeply-archive/{VERSION} (Scrapy {scrapy.__version__}; warcio {warcio_version()})",
        "hostname": socket.gethostname(),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": settings.get("DEEPLY_CRAWL_ID", ""),
        "description": _description(settings),
        "start-urls": " ".join(start_urls),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "requisite-hosts": settings.get("DEEPLY_REQUISITE_HOSTS_RULE") or "*",
        **({"resolve": " ".join(f"{h}={a}" + (f":{p}" if p else "")
                                for h, (a, p) in sorted(settings.getdict("DEEPLY_RESOLVE").items()))}
           if settings.getdict("DEEPLY_RESOLVE") else {}),
        "http-header-user-agent": settings.get("USER_AGENT", ""),
        "settings": ", ".join(
            f"{k}={settings.get(k)}"
            for k in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
                      "AUTOTHROTTLE_ENABLED", "RETRY_TIMES", "DOWNLOAD_TIMEOUT", "DEPTH_LIMIT",
                      "DEEPLY_MAX_PAGES", "DEEPLY_WARC_MAX_SIZE", "DEEPLY_REQUISITE_HOPS",
                      "DEEPLY_MAX_REQUISITES")
        ),
    }


def warcio_version() -> str:
    return getattr(warcio, "__version__", "1.8.1")


class WarcWriterMiddleware:
    """Writes every fetch as a request/response pair (or request/revisit) into rotating WARC files."""

    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.stats: Counter = Counter()
        self.folder = Path(s.get("DEEPLY_WARC_DIR", str(WARC_DIR)))
        self.prior = s.get("DEEPLY_PRIOR") or {}
        self.already_captured = s.get("DEEPLY_ALREADY_CAPTURED") or set()
        version = s.get("DEEPLY_WARC_VERSION", "1.1")
        self.warc_version = version
        # Records are made here, written elsewhere.
        self.builder = TimeOrderedRecordBuilder(warc_version=version)
        self.writer = BackgroundWriter(RotatingWarcWriter(
            self.folder,
            prefix=s.get("DEEPLY_WARC_PREFIX", WARC_PREFIX),
            info=crawl_info(s, s.getlist("DEEPLY_START_URLS")),
            max_size=s.getint("DEEPLY_WARC_MAX_SIZE", WARC_MAX_SIZE),
            warc_version=version,
            started=s.get("DEEPLY_STARTED") or datetime.now(UTC),
            first_serial=s.getint("DEEPLY_FIRST_SERIAL", 0),
            # A distributed crawl's worker names its files for itself (crawler/distributed.py).
            host=s.get("DEEPLY_WARC_HOST"),
        ), progress=s.get("DEEPLY_WRITE_PROGRESS"))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        self.bar = None
        if s.getbool("DEEPLY_PROGRESS"):
            from tqdm import tqdm

            self.bar = tqdm(desc="crawl", unit=" fetches", file=sys.stderr, mininterval=0.5,
                            dynamic_ncols=True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _write_outcome(self, spider) -> None:
        """A metadata record last in the crawl's last file: what only the end of a crawl knows (the
        warcinfo records were written at each file's start): the requisites by host."""
        by_host = getattr(spider, "requisite_hosts", None)
        if not by_host:
            return
        import json

        body = json.dumps({"crawl": self.crawler.settings.get("DEEPLY_CRAWL_ID", ""),
                           "requisite-hosts": {h: dict(n) for h, n in sorted(by_host.items())}},
                          ensure_ascii=False, indent=1).encode("utf-8")
        record = self.builder.create_warc_record(
            f"urn:deeply:crawl:{self.crawler.settings.get('DEEPLY_CRAWL_ID', '')}", "metadata",
            payload=BytesIO(body), length=len(body), warc_content_type="application/json")
        self.writer.write(serialize(record, self.warc_version))

    def process_request(self, request, spider=None):
        request.meta.setdefault("warc_date", datetime.now(UTC))
        prior = self.prior.get(request.url)
        if prior and request.method == "GET" and not request.meta.get("no_conditional"):
            etag, last_modified = prior.validators()
            if etag:
                request.headers.setdefault("If-None-Match", etag)
            if last_modified:
                request.headers.setdefault("If-Modified-Since", last_modified)
        return None

    def process_response(self, request, response, spider=None):
        raw_headers = request.meta.pop(RAW_HEADERS, None)
        prior = self.prior.get(request.url)
        # A 304 needs the original once, for its record and for what reads the response after us.
        original = prior.original(with_body=True) if response.status == 304 and prior else None
        # Only robots.txt is fetched again when already captured (the spider skips the rest): a
        # resumed crawl needs it again, but the crawl has it on record already.
        if request.url not in self.already_captured:
            self._write(request, response, raw_headers, prior, original)
        if original is not None:
            # The server says it is as last captured: the spider follows the links of that capture,
            # and the robots.txt middleware reads the rules of that capture, not an empty 304.
            return response.replace(status=original.status, headers=original.header_dict(),
                                    body=original.body, flags=[*response.flags, "not-modified"])
        return response

    def _write(self, request, response, raw_headers, prior, original) -> None:
        when = request.meta.get("warc_date") or datetime.now(UTC)
        records = self._records(request, response, response.body, when, raw_headers, prior, original)
        try:
            self.writer.write(*(serialize(r, self.warc_version) for r in records))
        except OSError as exc:
            # A capture that cannot be written must not be reported as captured: stop the crawl,
            # which ends incomplete (exit 3) and resumes from what the WARCs hold.
            log.error("cannot write WARC records (%s): stopping the crawl", exc)
            self.crawler.engine.close_spider(self.crawler.spider, reason="warc_write_failed")
            raise IgnoreRequest(f"not written: {exc}") from exc
        self._count(request, response, records[-1].rec_type)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{self.stats['pages']} pages, {self.writer.bytes_written >> 20} MB",
                                     refresh=False)

    def _records(self, request, response, body: bytes, when: datetime, raw_headers=None, prior=None,
                 original=None):
        w = self.builder
        date = warc_date(when)
        common = {"WARC-Date": date}
        ip = getattr(response, "ip_address", None)
        if ip is not None:
            common["WARC-IP-Address"] = str(ip)
        http = StatusAndHeaders(status_line(response), response_headers(response, len(body), raw_headers),
                                protocol=getattr(response, "protocol", None) or "HTTP/1.1")
        digest = sha1_b32(hashlib.sha1(body).digest())
        fresh = original.freshened(http.headers) if original is not None else None
        if fresh is not None:
            # Stored as the response the 304 stands for (the original's status and headers, freshened
            # by the 304's), so replay tools that take a revisit's headers serve the page, not a 304.
            statusline, pairs, protocol = fresh
            http = StatusAndHeaders(statusline, pairs, protocol=protocol)
            resp = w.create_revisit_record(request.url, prior.payload_digest, request.url,
                                           prior.warc_date, http_headers=http,
                                           warc_headers_dict=dict(common))
            resp.rec_headers.replace_header("WARC-Profile", REVISIT_NOT_MODIFIED)
            resp.rec_headers.add_header("WARC-Truncated", "length")
        elif prior is not None and response.status == 200 and prior.payload_digest == digest:
            resp = w.create_revisit_record(request.url, digest, request.url, prior.warc_date,
                                           http_headers=http, warc_headers_dict=dict(common))
            resp.rec_headers.add_header("WARC-Truncated", "length")
        else:
            resp = w.create_warc_record(request.url, "response", payload=BytesIO(body), length=len(body),
                                        http_headers=http,
                                        warc_headers_dict={**common, "WARC-Payload-Digest": digest})
        line, pairs = request_line_and_headers(request)
        req_http = StatusAndHeaders(line, pairs, is_http_request=True)
        req = w.create_warc_record(request.url, "request", http_headers=req_http,
                                   warc_headers_dict={**common,
                                                      "WARC-Concurrent-To": resp.rec_headers.get_header(
                                                          "WARC-Record-ID")})
        req.rec_headers.remove_header("WARC-Payload-Digest")  # a GET has no payload to digest
        request.meta["warc_record_id"] = resp.rec_headers.get_header("WARC-Record-ID")
        request.meta["warc_rec_type"] = resp.rec_type
        return req, resp

    def _count(self, request, response, rec_type: str) -> None:
        """Fetch counts; failures are counted by the spider, after retries, as final outcomes."""
        self.stats["fetches"] += 1
        if rec_type == "revisit":
            self.stats["revisits"] += 1
        if 200 <= response.status < 300 or response.status == 304:
            if urlsplit(request.url).path == "/robots.txt":
                kind = "robots"
            else:
                kind = "requisites" if request.meta.get("requisite") else "pages"
            self.stats[kind] += 1

    def spider_closed(self, spider, reason):
        try:
            self._write_outcome(spider)
            self.writer.close()
        except OSError as exc:
            log.error("cannot close the WARC file: %s", exc)
            self.crawler.stats.set_value("deeply/write_error", str(exc))
        if self.bar is not None:
            self.bar.close()
        stats = self.crawler.stats
        for key, value in self.stats.items():
            stats.set_value(f"deeply/{key}", value)
        stats.set_value("deeply/bytes", self.writer.bytes_written)
        stats.set_value("deeply/files", [str(p) for p in self.writer.rotating.closed_files])
