"""Assertions over WARC files shared by the crawl tests: what `warcio check` cannot see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

VENV_BIN = Path(sys.executable).parent


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
