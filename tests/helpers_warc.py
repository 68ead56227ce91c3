"""Real WARCs for the replay tests, recorded from a throwaway http.server on 127.0.0.1, and
`deeply replay` run over them as a user runs it.

The records come from real HTTP exchanges (status line, headers and body as the server sent
them) rather than hand-written payloads, so pywb and the WACZ tools see what a crawl produces.
Dates are fixed so that captures of two crawls never share a 14-digit timestamp.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from base64 import b32encode
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent

CSS = b"""body { background: #f4e9d8; color: #1d2b36; font-family: serif; margin: 2em; }
h1 { color: #8b1a1a; }
.qa .q { font-weight: bold; }
"""

ARTICLES = [
    {
        "slug": "aleppo-doctors-stay",
        "title": "Why Aleppo's Last Doctors Stay",
        "question": "What keeps you working in the eastern districts?",
        "answer": "The patients do. There is nobody else left to treat them.",
    },
    {
        "slug": "water-crisis-damascus",
        "title": "Inside the Damascus Water Crisis",
        "question": "How long have the taps been dry?",
        "answer": "Six weeks now, and the tankers come only twice a week.",
    },
    {
        "slug": "idlib-schools",
        "title": "Teaching Under Fire in Idlib",
        "question": "Do children still come to class?",
        "answer": "Most mornings, yes. We moved the lessons into a basement.",
    },
]

CRAWL_DATES = (datetime(2018, 3, 1, 12, 0, 0, tzinfo=UTC), datetime(2018, 6, 1, 12, 0, 0, tzinfo=UTC))


def tiny_png(rgb: tuple[int, int, int] = (40, 90, 160), size: int = 8) -> bytes:
    """A valid solid-colour PNG, so the sample pages carry a real image without shipping one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + bytes(rgb) * size
    ihdr = size.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def article_html(article: dict, edition: int = 0) -> bytes:
    note = f"<p class='update'>Updated, edition {edition}.</p>" if edition else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{article["title"]} - Syria Deeply</title>
<link rel="stylesheet" href="/static/deeply.css">
</head><body>
<h1 class="article-title">{article["title"]}</h1>
<img src="/static/photo.png" alt="photo" width="64" height="64">
<div class="qa">
<p class="q"><strong>Syria Deeply:</strong> {article["question"]}</p>
<p class="a"><strong>Answer:</strong> {article["answer"]}</p>
</div>{note}
</body></html>
""".encode()


def site_files(edition: int = 0) -> dict[str, tuple[str, bytes]]:
    """Path -> (content type, body). Edition 1 changes the second article only."""
    links = "".join(f"<li><a href='/articles/{a['slug']}'>{a['title']}</a></li>" for a in ARTICLES)
    files = {
        "/": ("text/html; charset=utf-8", f"<html><body><ul>{links}</ul></body></html>".encode()),
        "/static/deeply.css": ("text/css", CSS),
        "/static/photo.png": ("image/png", tiny_png()),
    }
    for i, article in enumerate(ARTICLES):
        files[f"/articles/{article['slug']}"] = (
            "text/html; charset=utf-8",
            article_html(article, edition if i == 1 else 0),
        )
    return files


@contextmanager
def http_site(files: dict[str, tuple[str, bytes]]):
    """Serve `files` on 127.0.0.1 (free port); yields the base URL and always shuts down."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            entry = files.get(self.path.split("?", 1)[0])
            if entry is None:
                self.send_error(404)
                return
            ctype, body = entry
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base


@contextmanager
def serving(handler):
    """Serve with `handler` (an http.server handler class) on 127.0.0.1, a free port; yields the base
    URL and always shuts down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def warc_name(when: datetime, serial: int, prefix: str = "deeply", host: str = "testhost") -> str:
    return f"{prefix}-{when:%Y%m%d%H%M%S}-{serial:05d}-{host}.warc.gz"


def payload_digest(body: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode()


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
        return [f"{self.site_url}/articles/{a['slug']}" for a in ARTICLES]

    def latest(self, url: str) -> Capture:
        return max((c for c in self.captures if c.url == url), key=lambda c: c.timestamp)

    def first(self, url: str) -> Capture:
        return min((c for c in self.captures if c.url == url), key=lambda c: c.timestamp)


def _fetch(base: str, path: str) -> tuple[http.client.HTTPResponse, bytes, list[tuple[str, str]]]:
    host_port = base.split("//", 1)[1]
    conn = http.client.HTTPConnection(host_port, timeout=10)
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
            digest = payload_digest(body)
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
    paths = ["/", "/static/deeply.css", "/static/photo.png"] + [f"/articles/{a['slug']}" for a in ARTICLES]
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


# -- replay of the recorded WARCs ---------------------------------------------------------


def fetch(url: str, timeout: float = 20) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextmanager
def deeply_replay(warc_dir: Path, port: int, log: Path, timeout: float = 60):
    """`deeply replay` as a user runs it; yields (process, {label: url}) from what it printed."""
    code = "from deeply.cmd_replay import replay_command; replay_command()"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "--warcs", str(warc_dir), "--port", str(port)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        urls: dict[str, str] = {}
        while "an article" not in urls:
            text = log.read_text(errors="replace")
            urls = dict(re.findall(r"^\s+(collection|an article): (\S+)$", text, re.M))
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"deeply replay did not come up (rc={proc.poll()}):\n{text[-3000:]}")
            time.sleep(0.2)
        yield proc, urls
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0
