"""The real Syria copy served on loopback, with its stylesheet bucket stood in for by a loopback TLS
server (`--resolve`) and every other off-host host denied (`--requisite-hosts`): the crawl connects to
loopback only and asks no DNS server anything, its summary lists what it skipped by host, and
`deeply qa` reports those resources as not in the archive.

The crawl runs in a mount namespace of its own whose resolv.conf names a loopback nameserver where
nothing listens (a DNS query cannot leave the machine even if the crawl made one), under strace,
which records every connect(): a query to any nameserver shows as a connect to port 53.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import ssl
import subprocess
import threading
from collections import Counter
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from replay.browser import find_chromium
from tests.support.archives import check_pairs, warcio_check
from tests.support.processes import DEEPLY

pytestmark = pytest.mark.corpus

BUCKET = "newsdeeply-www.s3.amazonaws.com"  # stylesheets, scripts, icons
PICTURES = "newsdeeply-app.s3.amazonaws.com"  # article pictures: denied here
PAGE = "/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs.html"
CSS = "/assets/application-5ef5c7c8e422704909ab0e61e61e77f75eb213b4648a53c29beeddfde0cd8140.css"
ICON = "/assets/bookmark-c270ed663c92b45917437a681c469c4a9e410103455724361641dce2348032c0.png"
FONT = "/assets/fonts/stand-in.woff"
# What the stand-in has of the bucket: the page's stylesheet (which loads a font from the bucket)
# and its icon. The page's three scripts are not there (404s, counted as failed by host).
STAND_IN = {
    CSS: ("text/css", f"body{{color:#333}}@font-face{{font-family:x;src:url({FONT})}}".encode()),
    ICON: ("image/png", b"\x89PNG\r\n\x1a\n stand-in"),
    FONT: ("font/woff", b"wOFF stand-in"),
}
CONNECT = re.compile(r'connect\(\d+, \{sa_family=(AF_INET6?|AF_UNIX)(.*?)\}')
ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')
PORT = re.compile(r"sin6?_port=htons\((\d+)\)")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def tools_or_skip():
    for tool in ("unshare", "strace", "openssl", "mount"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode:
        pytest.skip(f"no mount namespaces here (unshare -m: {probe.stderr.decode().strip()})")


def stand_in_bucket(tmp_path):
    """An HTTPS server on 127.0.0.5 with a throwaway certificate for the bucket's name."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    f"/CN={BUCKET}", "-addext", f"subjectAltName=DNS:{BUCKET}", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True, timeout=60)
    hits: Counter = Counter()

    class Bucket(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits[(self.headers.get("Host"), self.path)] += 1
            found = STAND_IN.get(self.path)
            self.send_response(200 if found else 404)
            ctype, body = found or ("text/plain", b"NoSuchKey")
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.5", 0), Bucket)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


def connects(log_text: str) -> list[tuple[str, str, int | None]]:
    out = []
    for family, rest in CONNECT.findall(log_text):
        if family == "AF_UNIX":
            out.append((family, rest, None))
            continue
        address = ADDRESS.search(rest)
        port = PORT.search(rest)
        out.append((family, (address.group(1) or address.group(2)) if address else rest,
                    int(port.group(1)) if port else None))
    return out


def test_off_host_requisites_through_a_loopback_stand_in_and_nothing_else(corpus_dir, tmp_path, deeply):
    tools_or_skip()
    site = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(corpus_dir)))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    bucket, bucket_hits = stand_in_bucket(tmp_path)
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    trace, warcs, db = tmp_path / "strace.log", tmp_path / "warcs", tmp_path / "archive.db"
    start = f"http://127.0.0.1:{site.server_port}{PAGE}"
    crawl = [str(DEEPLY), "crawl", start, "--warcs", str(warcs), "--limit", "1", "--quiet",
             "--resolve", f"{BUCKET}=127.0.0.5:{bucket.server_port}", "--requisite-hosts", BUCKET]
    script = 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"'
    try:
        proc = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(resolv),
                               "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace), *crawl],
                              capture_output=True, text=True, timeout=600)
    finally:
        site.shutdown()
        bucket.shutdown()
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # Every connection went to loopback, none to a nameserver, none to a name service cache.
    seen = connects(trace.read_text())
    inet = [(a, p) for family, a, p in seen if family != "AF_UNIX"]
    assert inet, "strace saw the crawl's connections"
    assert all(a.startswith("127.") or a == "::1" for a, _ in inet), inet
    assert not [c for c in inet if c[1] == 53], "a DNS query"
    assert not [c for c in seen if c[0] == "AF_UNIX" and "nscd" in c[1]], "a name-service lookup"
    assert ("127.0.0.5", bucket.server_port) in inet

    # The stand-in was asked by name (TLS named it too: the request's Host is the bucket's).
    paths = {path for (host, path) in bucket_hits}
    assert {CSS, ICON, FONT, "/robots.txt"} <= paths and {host for host, _ in bucket_hits} == {BUCKET}

    out = proc.stdout
    # the three files it has, and the many it has not (the scripts, the images inline styles name)
    assert re.search(rf"^    {re.escape(BUCKET)}: 3 fetched, \d+ failed$", out, re.M), out
    skipped = dict(re.findall(r"^    (\S+): .*?(\d+) skipped", out, re.M))
    assert int(skipped[PICTURES]) >= 1 and len(skipped) >= 3, out  # facebook, twitter, … each by name
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    captured = check_pairs(files)
    assert f"https://{BUCKET}{CSS}" in captured and f"https://{BUCKET}{FONT}" in captured
    assert not [u for u in captured if PICTURES in u]

    if not find_chromium():
        pytest.skip("headless Chromium not installed: the replay half of this test needs it")
    ingest = deeply("ingest", *files, "--db", db, timeout=600)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    qa = deeply("qa", "--warcs", warcs, "--db", db, "--all", "--quiet", "--screenshots", tmp_path / "shots",
                timeout=600)
    assert qa.returncode == 1, qa.stdout + qa.stderr  # the page is incomplete: its pictures were skipped
    row = sqlite3.connect(db).execute("select missing_urls, request_hosts from qa where url = ?",
                                      [start]).fetchone()
    missing, hosts = json.loads(row[0]), json.loads(row[1])
    assert [u for u in missing if PICTURES in u], missing
    assert f"https://{BUCKET}{CSS}" not in missing and hosts.get(BUCKET, 0) >= 2, (missing, hosts)
    assert "not in the archive" in qa.stdout and PICTURES in qa.stdout
