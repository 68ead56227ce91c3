"""Crawl the real Syria Deeply copy served on 127.0.0.1: every article file it links is captured."""

from __future__ import annotations

import re
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.support.archives import check_pairs, warcio_check

pytestmark = pytest.mark.corpus

ARTICLE_RE = re.compile(
    r"^/syria/(articles/\d{4}/\d{1,2}/\d{1,2}/[^/]+|community/\d{4}/\d{1,2}/\d{1,2}/[^/]+"
    r"|executive-summaries/\d{4}/\d{1,2}/\d{1,2}|background/[^/]+)\.html$"
)
HREF_RE = re.compile(rb'href="([^"#?]+)')


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def plain(path: str) -> str:
    """A path with every layer of percent-encoding removed: the copy has file names that hold `%`."""
    for _ in range(5):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path


def linked_article_paths(root: Path) -> set[str]:
    """Article files that some page of the copy links to and that exist in it."""
    linked = set()
    for page in (root / "syria").rglob("*.html"):
        base = "/" + page.relative_to(root).as_posix()
        for href in HREF_RE.findall(page.read_bytes()):
            href = href.decode("utf-8", "replace")
            if "://" in href:
                continue
            path = unquote(urlsplit(urljoin(base, href)).path)
            if ARTICLE_RE.match(path) and (root / path.lstrip("/")).is_file():
                linked.add(plain(path))
    return linked


def test_crawl_captures_every_linked_article(corpus_dir, tmp_path, deeply):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(corpus_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    warcs = tmp_path / "warcs"
    try:
        began = time.monotonic()
        proc = deeply("crawl", f"{base}/syria/articles.html", "--warcs", warcs, "--quiet", timeout=1800)
        took = time.monotonic() - began
    finally:
        server.shutdown()
    print(proc.stdout)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    captured = check_pairs(files)
    got = {plain(urlsplit(u).path) for u, recs in captured.items() if any(int(h.get_statuscode()) == 200
                                                                     for _, _, h, _ in recs)}
    expected = linked_article_paths(corpus_dir)
    missing = sorted(expected - got)
    print(f"corpus crawl: {len(expected)} linked article files, {len(expected) - len(missing)} captured, "
          f"{len(captured)} URLs, {took:.0f} s")
    assert not missing, f"{len(missing)} linked article files not captured, e.g. {missing[:5]}"
