"""A scheduled re-crawl holds no more in memory than the first crawl did.

The site's pages are large, so that a crawl keeping the bodies it fetched (or read back from the
archive for its revisits) shows it in its peak RSS many times over. Half of the pages carry
validators, so the second run gets 304s (server-not-modified revisits, whose original is read back
to follow its links); the other half have none and come back whole with an unchanged payload
(identical-payload-digest revisits). Peak RSS is the child's own, from the kernel, not timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.archives import records, warcio_check
from tests.support.processes import DEEPLY
from tests.support.servers import serving

PAGES = 400
PAGE_BYTES = 300_000  # 114 MB of pages, small each: the in-flight share of the peak stays small
MODIFIED = 1_600_000_000
MARGIN = 1.25

# Runs one command and reports the peak RSS of its process (ru_maxrss of the waited child, KB).
MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=600)
print(json.dumps({"rc": proc.returncode, "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "out": proc.stdout[-3000:], "err": proc.stderr[-3000:]}))
"""


def page(n: int) -> bytes:
    links = "".join(f'<a href="/p/{k}.html">page {k}</a> ' for k in range(PAGES))
    head = f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><p>{links}</p>"
    # Varied enough that no layer of the crawl could share it between pages.
    filler = "".join(f"<p>Paragraph {i} of page {n}: {i * 7919 + n}</p>" for i in range(PAGE_BYTES // 40))
    return (head + filler[:PAGE_BYTES] + "</body></html>").encode()


@contextmanager
def big_site():
    bodies = {f"/p/{n}.html": page(n) for n in range(PAGES)}
    bodies["/"] = page(-1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server API)
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            n = int(self.path[3:-5]) if self.path.startswith("/p/") else 0
            validated = n % 2 == 0
            since = self.headers.get("If-Modified-Since")
            if validated and since and parsedate_to_datetime(since).timestamp() >= MODIFIED:
                self.send_response(304)
                self.send_header("Last-Modified", formatdate(MODIFIED, usegmt=True))
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if validated:
                self.send_header("Last-Modified", formatdate(MODIFIED, usegmt=True))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base + "/"


def measured_run(start: str, tmp: Path) -> dict:
    cmd = [str(DEEPLY), "run", start, "--warcs", str(tmp / "warcs"), "--db",
           str(tmp / "archive.db"), "--quiet"]
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, timeout=660)
    result = json.loads(out.stdout)
    assert result["rc"] == 0, result["out"] + result["err"]
    return result


def revisit_profiles(paths) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in paths:
        for rec_type, headers, _, _ in records(path):
            if rec_type == "revisit":
                profile = headers.get_header("WARC-Profile").rsplit("/", 1)[-1]
                counts[profile] = counts.get(profile, 0) + 1
    return counts


def test_a_recrawl_peaks_no_higher_than_the_first_crawl(tmp_path):
    with big_site() as start:
        first = measured_run(start, tmp_path)
        first_files = set((tmp_path / "warcs").glob("*.warc.gz"))
        second = measured_run(start, tmp_path)
    second_files = sorted(set((tmp_path / "warcs").glob("*.warc.gz")) - first_files)
    warcio_check(second_files)
    # Both revisit paths were taken: a body kept on either would be counted below.
    assert revisit_profiles(second_files) == {"server-not-modified": PAGES // 2 + 1,
                                              "identical-payload-digest": PAGES // 2}
    fetched_mb = PAGES * PAGE_BYTES / 2**20
    first_mb, second_mb = first["peak_kb"] / 1024, second["peak_kb"] / 1024
    # The test can only fail if a retained body would push the peak past the margin.
    print(f"peaks: first {first_mb:.0f} MB, second {second_mb:.0f} MB, pages {fetched_mb:.0f} MB")
    assert fetched_mb > (MARGIN - 1) * first_mb * 2, (fetched_mb, first_mb)
    assert second_mb <= first_mb * MARGIN, (
        f"re-crawl peaked at {second_mb:.0f} MB against {first_mb:.0f} MB for the first crawl "
        f"({fetched_mb:.0f} MB of pages fetched)")


def test_the_dedup_memory_reaches_the_crawl_without_a_copy(tmp_path):
    """Scrapy deep-copies a crawl's settings: the priors (one per URL of the archive) and a resumed
    crawl's captured set must arrive as the very objects the run loaded, not as copies."""
    from datetime import UTC, datetime

    from scrapy.crawler import Crawler

    from crawler.options import CrawlOptions
    from crawler.overrides import crawl_settings as _settings
    from crawler.prior import Prior
    from crawler.resume import captured_so_far
    from crawler.spiders.syriadeeply import SyriaDeeplySpider

    priors = {"http://127.0.0.1:1/a": Prior("http://127.0.0.1:1/a", "sha1:AAAA", "2020-01-01T00:00:00Z")}
    opts = CrawlOptions(start_urls=["http://127.0.0.1:1/"], warc_dir=tmp_path, priors=priors)
    settings = _settings(opts, "crawl", datetime.now(UTC), 0)
    captured = captured_so_far([])
    settings.set("DEEPLY_ALREADY_CAPTURED", captured, priority="cmdline")
    crawler = Crawler(SyriaDeeplySpider, settings)
    assert crawler.settings.get("DEEPLY_PRIOR") is settings.get("DEEPLY_PRIOR")
    assert crawler.settings.get("DEEPLY_PRIOR") == priors
    assert crawler.settings.get("DEEPLY_ALREADY_CAPTURED") is captured
