"""retry_after_seconds at its edges: delta-seconds, an HTTP date, absent, garbage, the cap; the
middleware's wait on Twisted's own test clock (which statuses wait, how long, and what comes after);
and a real crawl that waits."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet import defer, task

import crawler.retry
from crawler.retry import RetryAfterMiddleware, retry_after_seconds


@pytest.mark.parametrize("value, expected", [
    ("1", 1.0), (b"1", 1.0), ("0", 0.0), ("30", 30.0), (" 7 ", 7.0), (b"2.5", 2.5), ("120", 120.0),
])
def test_delta_seconds(value, expected):
    assert retry_after_seconds(value, cap=120.0) == expected


@pytest.mark.parametrize("value", ["121", "3600", b"99999", "inf"])
def test_a_longer_wait_is_cut_to_the_cap(value):
    assert retry_after_seconds(value, cap=120.0) == 120.0
    assert retry_after_seconds(value, cap=5.0) == 5.0


@pytest.mark.parametrize("value", [None, "", b"", "soon", b"\xff\xfe", "1 2", "-5", "-0.1", "nan",
                                   "Mon, 99 Foo 2020 00:00:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_absent_garbage_negative_or_past_is_no_wait(value):
    assert retry_after_seconds(value, cap=120.0) == 0.0


def http_date(delta: timedelta) -> str:
    return format_datetime(datetime.now(UTC) + delta, usegmt=True)


def test_an_http_date_waits_until_then():
    got = retry_after_seconds(http_date(timedelta(seconds=60)), cap=120.0)
    # The date has whole seconds and a moment passes between writing and reading it.
    assert 58.0 <= got <= 60.0, got
    assert retry_after_seconds(http_date(timedelta(seconds=60)).encode("latin-1"), cap=120.0) > 58.0


def test_an_http_date_far_ahead_is_cut_to_the_cap():
    assert retry_after_seconds(http_date(timedelta(hours=3)), cap=120.0) == 120.0


def test_an_http_date_in_the_past_is_no_wait():
    assert retry_after_seconds(http_date(timedelta(seconds=-60)), cap=120.0) == 0.0


def test_a_date_without_zone_is_not_trusted():
    # parsedate_to_datetime gives a naive datetime for "-0000": no zone, so no wait.
    assert retry_after_seconds("Wed, 21 Oct 2099 07:28:00 -0000", cap=120.0) == 0.0


def test_the_result_is_a_finite_float():
    for value in ("1", "inf", "nan", "soon", http_date(timedelta(seconds=10))):
        got = retry_after_seconds(value, cap=120.0)
        assert isinstance(got, float) and math.isfinite(got), value


def middleware(monkeypatch, **settings):
    """The middleware as Scrapy builds it, its reactor Twisted's test clock (advanced by hand)."""
    crawler_ = get_crawler(Spider, settings)
    crawler_.spider = crawler_._create_spider("t")
    clock = task.Clock()
    monkeypatch.setattr(crawler.retry, "reactor", clock)
    return RetryAfterMiddleware.from_crawler(crawler_), clock


def answer(mw, status, retry_after=None, **meta):
    request = Request("http://127.0.0.1:9/syria", meta=meta)
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    response = Response(request.url, status=status, headers=headers, request=request)
    out: list = []
    defer.Deferred.fromCoroutine(mw.process_response(request, response)).addCallback(out.append)
    return out, response


@pytest.mark.parametrize("status", [429, 503])
def test_the_middleware_waits_what_retry_after_says_then_retries(monkeypatch, status):
    mw, clock = middleware(monkeypatch)
    out, _ = answer(mw, status, "7")
    clock.advance(6.9)
    assert out == []
    clock.advance(0.1)
    assert isinstance(out[0], Request) and out[0].meta["retry_times"] == 1


@pytest.mark.parametrize("cap, waited", [(None, 120.0), (30, 30.0)])
def test_the_middleware_waits_no_longer_than_the_cap(monkeypatch, cap, waited):
    mw, clock = middleware(monkeypatch, **({"DEEPLY_MAX_RETRY_AFTER": cap} if cap else {}))
    out, _ = answer(mw, 429, "1000")
    clock.advance(waited - 0.5)
    assert out == []
    clock.advance(0.5)
    assert isinstance(out[0], Request)


def test_the_middleware_does_not_wait_without_a_reason(monkeypatch):
    mw, _clock = middleware(monkeypatch)
    out, _ = answer(mw, 429)  # no Retry-After: Scrapy's own retry, at once
    assert isinstance(out[0], Request)
    out, _ = answer(mw, 500, "7")  # only a 429 or a 503 says when to come back
    assert isinstance(out[0], Request)
    out, response = answer(mw, 429, "7", dont_retry=True)  # a request that is not to be retried
    assert out == [response]
    out, response = answer(mw, 200, "7")
    assert out == [response]
    # A 429 the settings do not retry is answered as it came, without a wait.
    mw, _clock = middleware(monkeypatch, RETRY_HTTP_CODES=[503])
    out, response = answer(mw, 429, "7")
    assert out == [response]


def test_the_crawl_waits_as_long_as_retry_after_says(tmp_path):
    """The busy page answers 429 with Retry-After: 1, then 200. Crawled alone (nothing else queued
    to fill the second), the retry reaches the server no sooner than a second after the 429: the
    server's own clock on each request says so."""
    import subprocess
    import time
    from urllib.parse import urlsplit

    from sample_site import serve
    from tests.support.archives import check_pairs
    from tests.support.processes import VENV_BIN

    with serve(articles=20, faults=True) as site:
        record, times = site.record, []
        site.record = lambda path: (path == "/syria/faults/busy" and times.append(time.monotonic()),
                                    record(path))[1]
        proc = subprocess.run(
            [str(VENV_BIN / "deeply"), "crawl", site.url + "/syria/faults/busy", "--warcs",
             str(tmp_path / "warcs"), "--quiet", "--retries", "1"],
            capture_output=True, text=True, timeout=300,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_url = check_pairs(sorted((tmp_path / "warcs").glob("*.warc.gz")))
    busy = [int(h.get_statuscode()) for u, recs in by_url.items() if urlsplit(u).path == "/syria/faults/busy"
            for _, _, h, _ in recs]
    assert busy == [429, 200]
    assert len(times) == 2, times
    assert times[1] - times[0] >= 1.0, times[1] - times[0]
