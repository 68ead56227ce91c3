"""WARCs for the tests: written as our crawler and other tools (wget) write them, recorded from real
HTTP exchanges, and the checks on them that `warcio check` cannot make.

`OurWarc` and `write_wget_style_warc` write records by hand with warcio, so that a test controls
each header; `build_archive` records real exchanges from a throwaway http.server (status line,
headers and body as the server sent them), so that pywb and the WACZ tools see what a crawl
produces. Dates are fixed so that captures of two crawls never share a 14-digit timestamp.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection, HTTPResponse
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.pages import ARTICLES, Page, article_html, site_files
from tests.support.processes import VENV_BIN
from tests.support.servers import http_site

# -- checks ------------------------------------------------------------------------------------


def warcio_check(paths) -> None:
    paths = [str(p) for p in paths]
    assert paths, "no WARC files written"
    out = subprocess.run([str(VENV_BIN / "warcio"), "check", *paths], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    out = subprocess.run([str(VENV_BIN / "warcio"), "index", *paths], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip(), out.stderr


def records(path):
    """(type, headers, http headers, payload bytes) of every record, payload as stored."""
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            body = record.raw_stream.read()
            yield record.rec_type, record.rec_headers, record.http_headers, body


def check_pairs(paths) -> dict[str, list]:
    """Every response or revisit has its request right before it, linked by WARC-Concurrent-To; a
    warcinfo heads every file. Returns the response-like records by URL."""
    by_url: dict[str, list] = {}
    for path in paths:
        rows = list(records(path))
        assert rows and rows[0][0] == "warcinfo", f"{path}: no warcinfo first"
        for i, (rtype, head, http, body) in enumerate(rows):
            if rtype in ("response", "revisit"):
                req_type, req_head, _, _ = rows[i - 1]
                url = head.get_header("WARC-Target-URI")
                assert req_type == "request", f"{path}: {url} lacks its request"
                assert req_head.get_header("WARC-Target-URI") == head.get_header("WARC-Target-URI")
                assert req_head.get_header("WARC-Concurrent-To") == head.get_header("WARC-Record-ID")
                assert req_head.get_header("WARC-Date") == head.get_header("WARC-Date")
                assert head.get_header("WARC-Payload-Digest") and head.get_header("WARC-Block-Digest")
                by_url.setdefault(head.get_header("WARC-Target-URI"), []).append((rtype, head, http, body))
    return by_url


# -- written by hand ---------------------------------------------------------------------------


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


def write_crawl(path, crawl_id, pages, start=None, **kw):
    """One crawl of `pages` (a Page, or (Page, url)) in our layout, with a stylesheet and a 404."""
    w = OurWarc(path, crawl_id=crawl_id, start=start or T0, **kw)
    for p in pages:
        if isinstance(p, tuple):
            w.page(p[0], url=p[1])
        else:
            w.page(p)
    w.response("https://www.newsdeeply.com/assets/site.css", b"body{}", mime="text/css")
    w.response(
        "https://www.newsdeeply.com/syria/articles/2016/03/11/gone", b"not found", status="404 Not Found"
    )
    return w.close()


# -- recorded from a real server ---------------------------------------------------------------

CRAWL_DATES = (datetime(2018, 3, 1, 12, 0, 0, tzinfo=UTC), datetime(2018, 6, 1, 12, 0, 0, tzinfo=UTC))


def warc_name(when: datetime, serial: int, prefix: str = "deeply", host: str = "testhost") -> str:
    return f"{prefix}-{when:%Y%m%d%H%M%S}-{serial:05d}-{host}.warc.gz"


@dataclass
class Capture:
    url: str
    timestamp: str  # 14 digits, as in CDXJ and replay URLs
    record_type: str  # "response" or "revisit"
    body: bytes  # the payload the server sent (for a revisit: the original's payload)
    warc: str
    content_type: str


@dataclass
class Recording:
    warc_dir: Path
    site_url: str  # dead once recording is over: replay can only come from the archive
    captures: list[Capture] = field(default_factory=list)
    open_warc: str = ""
    open_captures: list[Capture] = field(default_factory=list)

    @property
    def warcs(self) -> list[str]:
        return sorted({c.warc for c in self.captures})

    def article_urls(self) -> list[str]:
        return [self.site_url + a["path"] for a in ARTICLES]

    def latest(self, url: str) -> Capture:
        return max((c for c in self.captures if c.url == url), key=lambda c: c.timestamp)

    def first(self, url: str) -> Capture:
        return min((c for c in self.captures if c.url == url), key=lambda c: c.timestamp)


def _fetch(base: str, path: str) -> tuple[HTTPResponse, bytes, list[tuple[str, str]]]:
    host_port = base.split("//", 1)[1]
    conn = HTTPConnection(host_port, timeout=10)
    req_headers = [("Host", host_port), ("User-Agent", "deeply-archive-tests"), ("Accept", "*/*")]
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for name, value in req_headers:
        conn.putheader(name, value)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body, req_headers


def record_crawl(
    warc_path: Path,
    base: str,
    paths: list[str],
    when: datetime,
    seen: dict[str, tuple[str, str, bytes]],
    suffix: str = "",
) -> list[Capture]:
    """One crawl into one WARC; a URL whose payload digest is in `seen` becomes a revisit record.

    `seen` maps url -> (digest, WARC-Date, payload) of the first capture and is updated, as a
    deduplicating crawler's digest table would be.
    """
    warc_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    timestamp = when.strftime("%Y%m%d%H%M%S")
    out_path = warc_path.with_name(warc_path.name + suffix)
    captures = []
    with open(out_path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                warc_path.name, {"software": "deeply-archive tests", "format": "WARC"}
            )
        )
        for path in paths:
            url = base + path
            resp, body, req_headers = _fetch(base, path)
            http_headers = StatusAndHeaders(
                f"{resp.status} {resp.reason}", resp.getheaders(), protocol="HTTP/1.0"
            )
            digest = sha1_digest(body)
            ctype = resp.getheader("Content-Type", "")
            previous = seen.get(url)
            if previous and previous[0] == digest:
                record = writer.create_revisit_record(
                    url,
                    digest,
                    url,
                    previous[1],
                    http_headers=http_headers,
                    warc_headers_dict={"WARC-Date": warc_date},
                )
                captures.append(Capture(url, timestamp, "revisit", previous[2], warc_path.name, ctype))
            else:
                record = writer.create_warc_record(
                    url,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=http_headers,
                    warc_headers_dict={"WARC-Date": warc_date},
                )
                seen[url] = (digest, warc_date, body)
                captures.append(Capture(url, timestamp, "response", body, warc_path.name, ctype))
            writer.write_record(record)
            request = writer.create_warc_record(
                url,
                "request",
                http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", req_headers, is_http_request=True),
                warc_headers_dict={
                    "WARC-Date": warc_date,
                    "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
                },
            )
            writer.write_record(request)
    return captures


def build_archive(warc_dir: Path, with_open: bool = True) -> Recording:
    """Two closed crawls of the sample pages (the second has revisits) plus, optionally, a
    third WARC still being written (`.open`) that nothing may index or package until closed."""
    warc_dir.mkdir(parents=True, exist_ok=True)
    paths = ["/", "/static/deeply.css", "/static/photo.png"] + [a["path"] for a in ARTICLES]
    seen: dict[str, tuple[str, str, bytes]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    recording = Recording(warc_dir=warc_dir, site_url="")
    # One server for every crawl: the same port keeps the URLs equal, so re-crawls dedupe.
    with http_site(files) as base:
        recording.site_url = base
        for serial, when in enumerate(CRAWL_DATES):
            files.clear()
            files.update(site_files(edition=serial))
            recording.captures += record_crawl(warc_dir / warc_name(when, serial), base, paths, when, seen)
        if with_open:
            when = datetime(2018, 7, 1, 12, 0, 0, tzinfo=UTC)
            files.clear()
            files.update(site_files(edition=2))
            name = warc_name(when, 2)
            recording.open_captures = record_crawl(warc_dir / name, base, paths[:2], when, {}, suffix=".open")
            recording.open_warc = name + ".open"
    return recording


def close_open_warc(recording: Recording) -> str:
    """What the crawler does when a WARC is finished: drop the `.open` suffix."""
    name = recording.open_warc.removesuffix(".open")
    (recording.warc_dir / recording.open_warc).rename(recording.warc_dir / name)
    recording.captures += recording.open_captures
    recording.open_warc, recording.open_captures = "", []
    return name
