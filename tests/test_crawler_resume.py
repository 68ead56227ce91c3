"""A crawl killed with SIGKILL mid-way resumes from its WARCs and ends where an uninterrupted one does."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.support.archives import check_pairs, warcio_check
from tests.support.processes import DEEPLY

ARTICLES = 150


@pytest.fixture(scope="module")
def site():
    from sample_site import serve

    with serve(articles=ARTICLES, edition=0, port=0) as s:
        yield s


def crawl_cmd(site, warcs):
    return [str(DEEPLY), "crawl", site.start_url, "--warcs", str(warcs), "--quiet"]


def urls_in(files) -> set[str]:
    return {u for u in check_pairs(files) if urlsplit(u).path != "/robots.txt"}


def kill_when_written(cmd, warcs, size: int) -> None:
    """Start `cmd` and SIGKILL it once its open WARC holds `size` bytes (within two minutes)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        partial = list(warcs.glob("*.warc.gz.open"))
        if partial and partial[0].stat().st_size > size:
            break
        assert proc.poll() is None, "the crawl ended before it could be killed"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert list(warcs.glob("*.warc.gz.open")), "the kill should leave a file being written"


@pytest.fixture(scope="module")
def single_crawl(site, tmp_path_factory) -> set[str]:
    """The URLs an uninterrupted crawl of the site captures: what a resumed one must end with."""
    reference = tmp_path_factory.mktemp("reference") / "warcs"
    done = subprocess.run(crawl_cmd(site, reference), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return urls_in(sorted(reference.glob("*.warc.gz")))


def captured_once(files) -> list[str]:
    """Every URL captured (robots.txt aside), once per capture short of a 5xx (retried, as it
    should be): duplicates show as repeats."""
    return [u for u, recs in check_pairs(files).items() if urlsplit(u).path != "/robots.txt"
            for _, _, http, _ in recs if int(http.get_statuscode()) < 500]


def sha256s(files) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def test_killed_crawl_resumes_without_refetching(site, single_crawl, tmp_path):
    expected = single_crawl

    warcs = tmp_path / "killed"
    kill_when_written(crawl_cmd(site, warcs), warcs, 400_000)

    again = subprocess.run(crawl_cmd(site, warcs), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resumed" in again.stdout
    files = sorted(warcs.glob("*.warc.gz"))
    assert not list(warcs.glob("*.open"))
    warcio_check(files)
    first, second = files[0], files[1:]
    assert second, "the resumed run writes a new file; closed files are never appended to"
    before, after = urls_in([first]), urls_in(second)
    assert not before & after, f"captured twice: {sorted(before & after)[:5]}"
    assert before | after == expected


def test_sigterm_stops_cleanly_with_exit_code_3_and_resumes(site, single_crawl, tmp_path):
    warcs = tmp_path / "warcs"
    proc = subprocess.Popen(crawl_cmd(site, warcs), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    # Stopped once it has written some pages (not at a fixed time): the open WARC holds 100 kB.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        partial = list(warcs.glob("*.warc.gz.open"))
        if partial and partial[0].stat().st_size > 100_000:
            break
        assert proc.poll() is None, "crawl ended before it could be stopped"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 3, out
    assert "INCOMPLETE" in out and "run again to resume" in out
    assert not list(warcs.glob("*.open")), "a graceful stop closes its file"
    stopped = sorted(warcs.glob("*.warc.gz"))
    warcio_check(stopped)
    closed = sha256s(stopped)
    again = subprocess.run(crawl_cmd(site, warcs), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "resumed" in again.stdout, again.stdout + again.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    assert sha256s(stopped) == closed, "a closed WARC is never written again"
    assert len(files) > len(stopped), "the resumed crawl writes a file of its own"
    urls = captured_once(files)
    repeats = sorted(u for u, n in Counter(urls).items() if n > 1)
    assert not repeats, f"captured twice: {repeats[:5]}"
    assert set(urls) == single_crawl, sorted(set(urls) ^ single_crawl)[:5]


def run_cmd(site, tmp):
    return [str(DEEPLY), "run", site.start_url, "--warcs", str(tmp / "warcs"),
            "--db", str(tmp / "archive.db"), "--quiet"]


def test_killed_recrawl_resumes_through_the_links_of_its_revisits(tmp_path):
    """A re-crawl writes revisits, headers only: resumed after SIGKILL, it must follow the links of
    the originals they stand for, or it ends at once and the store marks every article it had not
    reached as removed."""
    from sample_site import serve

    with serve(articles=ARTICLES, edition=0, port=0, churn=False) as site:
        first = subprocess.run(run_cmd(site, tmp_path), capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stdout + first.stderr
        warcs = tmp_path / "warcs"
        first_files = set(warcs.glob("*.warc.gz"))
        expected = urls_in(sorted(first_files))

        kill_when_written(run_cmd(site, tmp_path), warcs, 60_000)

        again = subprocess.run(run_cmd(site, tmp_path), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resumed" in again.stdout
    recrawl = sorted(set(warcs.glob("*.warc.gz")) - first_files)
    warcio_check(recrawl)
    killed, resumed = recrawl[0], recrawl[1:]
    before, after = urls_in([killed]), urls_in(resumed)
    assert before and after, "the kill fell before or after the re-crawl's work"
    assert not before & after, f"captured twice: {sorted(before & after)[:5]}"
    assert before | after == expected
    assert "removed: 0" in again.stdout, again.stdout


def test_a_resumed_crawl_counts_only_its_pages_against_the_page_budget():
    from crawler.spiders.syriadeeply import SyriaDeeplySpider

    captured = {"http://127.0.0.1:9/syria/articles", "http://127.0.0.1:9/syria/articles/2017/1/2/a",
                "http://127.0.0.1:9/robots.txt", "http://127.0.0.1:9/assets/site.css",
                "http://127.0.0.2:9/assets/app.js", "http://127.0.0.3:9/images/a.jpg"}
    spider = SyriaDeeplySpider(start_urls="http://127.0.0.1:9/syria", already_captured=captured,
                               max_pages=10, link_workers=0)
    try:
        assert spider.scheduled_pages == 2
    finally:
        asyncio.run(spider.links.close())
