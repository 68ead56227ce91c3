"""The two steps by which a distributed crawl's worker could lose a URL when killed, each pinned
without the race that tests/test_crawler_distributed.py's killed worker met now and then.

- A request is done in Redis only once its records are in the WARC file. Records go to the file
  through a writer thread's queue; done while they were still queued, a SIGKILL lost the capture (no
  other worker fetches a request that is done). Pinned on the writer's progress against the bytes in
  the file, and on the real scheduler of scrapy-redis against a real Redis with a progress the test
  moves.
- A new request is marked seen and queued in one step: killed between the two, a URL stayed seen and
  never queued, and the page that linked it, fetched again, dropped it as seen.
"""

from __future__ import annotations

import io
import shutil

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import redis_frontier as rf
from crawler.warcfiles import BackgroundWriter, RotatingWarcWriter, WriteProgress, serialize
from tests.support.redis_server import redis_server
from tests.support.servers import free_port

WAIT = 60  # seconds: a bound, never reached when the rule holds


def pair(i: int) -> tuple[bytes, bytes]:
    w = WARCWriter(io.BytesIO(), gzip=True, warc_version="1.1")
    url = f"http://127.0.0.1:8000/syria/articles/2016/03/11/page-{i}"
    body = b"<html><p>page %d</p></html>" % i
    resp = w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                              protocol="HTTP/1.1"))
    req = w.create_warc_record(url, "request", http_headers=StatusAndHeaders(
        f"GET /page-{i} HTTP/1.1", [("Host", "127.0.0.1:8000")], is_http_request=True))
    return serialize(req), serialize(resp)


def urls_in(path) -> list[str]:
    from archive import iter_records

    return [r.url for r in iter_records(path) if r.warc_type == "response"]


@pytest.mark.parametrize("durable", [False, True])
def test_a_hand_over_counts_as_written_only_once_its_records_are_in_the_file(tmp_path, durable):
    progress = WriteProgress(durable=durable)
    rotating = RotatingWarcWriter(tmp_path, "t", {"software": "deeply-archive tests"})
    writer = BackgroundWriter(rotating, depth=4, progress=progress)
    tickets = [writer.write(*pair(i)) for i in range(40)]
    assert tickets == list(range(1, 41)) and progress.handed == 40
    for ticket in (1, 17, 40):
        assert progress.wait(ticket, WAIT)
        # What the progress says is written is in the file for any other process to read.
        got = urls_in(rotating.current)
        assert len(got) >= ticket
        assert got[:ticket] == [f"http://127.0.0.1:8000/syria/articles/2016/03/11/page-{i}"
                                for i in range(ticket)]
    writer.close()
    assert progress.written == 40 and not progress.failed


def test_a_writer_that_cannot_write_never_counts_its_records_written(tmp_path):
    progress = WriteProgress()
    folder = tmp_path / "gone"
    writer = BackgroundWriter(RotatingWarcWriter(folder, "t", {"software": "deeply-archive tests"}),
                              progress=progress)
    shutil.rmtree(folder)  # the first write cannot open its file
    ticket = writer.write(*pair(0))
    assert not progress.wait(ticket, WAIT)
    assert progress.failed and progress.written == 0, "a failed write ends the wait, counted unwritten"
    with pytest.raises(OSError):
        writer.close()


@pytest.fixture()
def redis_url(tmp_path):
    with redis_server(tmp_path / "redis", free_port()) as url:
        yield url


@pytest.fixture()
def scheduler(redis_url):
    """The worker's real scheduler (scrapy-redis's queue and filter, our in-flight hash) on a real
    Redis, with a writer progress the test moves by hand."""
    key, progress = rf.crawl_key(["http://127.0.0.1:8000/syria"]), WriteProgress()
    crawler = get_crawler(Spider, {
        "REDIS_URL": redis_url, "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": rf.keys(key)["requests"],
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": rf.keys(key)["dupefilter"], "SCHEDULER_PERSIST": True,
        "DEEPLY_REDIS_KEY": key, "DEEPLY_WORKER_ID": "w1", "DEEPLY_WRITE_PROGRESS": progress,
        "DEEPLY_MAX_PAGES": 0, "DEEPLY_MAX_REQUISITES": 0,
    })
    spider = Spider.from_crawler(crawler, name="t")
    crawler.spider = spider
    sched = rf.RedisScheduler.from_crawler(crawler)
    sched.open(spider)
    yield sched, progress, sched.server, rf.inflight_key(key, "w1")


def taken(sched, url: str) -> Request:
    assert sched.enqueue_request(Request(url))
    request = sched.next_request()
    assert request is not None and request.url == url
    return request


def held_urls(sched, server, inflight) -> list[str]:
    return sorted(sched.queue._decode_request(v.split(b"\n", 1)[1]).url for v in server.hvals(inflight))


def test_a_request_done_before_its_records_are_written_stays_in_flight(scheduler):
    sched, progress, server, inflight = scheduler
    first = taken(sched, "http://127.0.0.1:8000/syria/a")
    progress.hand()  # a's records, handed to the writer thread
    sched.done(first)
    assert held_urls(sched, server, inflight) == ["http://127.0.0.1:8000/syria/a"], \
        "done while its records are queued: a SIGKILL now would lose a"
    second = taken(sched, "http://127.0.0.1:8000/syria/b")
    progress.hand()  # b's
    sched.done(second)
    progress.wrote(1)
    assert sched.release_written() == 1
    assert held_urls(sched, server, inflight) == ["http://127.0.0.1:8000/syria/b"]
    progress.wrote(2)
    assert sched.release_written() == 0
    assert server.hlen(inflight) == 0


def test_a_request_done_with_nothing_left_to_write_is_released_at_once(scheduler):
    sched, progress, server, inflight = scheduler
    progress.hand()
    progress.wrote(1)
    sched.done(taken(sched, "http://127.0.0.1:8000/syria/a"))  # a failure for good writes nothing
    assert server.hlen(inflight) == 0


def test_a_redirect_queued_before_its_response_is_written_keeps_the_first_url_in_flight(scheduler):
    """The redirect's target is in Redis's queue, but the 301 record is not in the file yet: the URL
    that was redirected stays held until it is."""
    sched, progress, server, inflight = scheduler
    request = taken(sched, "http://127.0.0.1:8000/syria/old")
    progress.hand()  # the 301's records
    target = request.replace(url="http://127.0.0.1:8000/syria/new")
    assert sched.enqueue_request(target)
    assert server.hlen(inflight) == 1
    progress.wrote(1)
    sched.next_request()  # the scheduler's next pop releases what is written
    fields = server.hkeys(inflight)
    assert len(fields) == 1, "the target was taken; the redirected URL is released"
    assert b"/syria/new" in server.hget(inflight, fields[0])


def test_closing_waits_for_the_writer_and_releases_what_it_wrote(scheduler):
    import threading

    sched, progress, server, inflight = scheduler
    for url in ("http://127.0.0.1:8000/syria/a", "http://127.0.0.1:8000/syria/b"):
        request = taken(sched, url)
        progress.hand()
        sched.done(request)
    assert server.hlen(inflight) == 2
    # The writer thread finishes its queue while the scheduler closes.
    threading.Timer(0.2, progress.wrote, args=(2,)).start()
    sched.close("finished")
    assert server.hlen(inflight) == 0


def test_closing_leaves_in_flight_what_the_writer_failed_to_write(scheduler):
    sched, progress, server, inflight = scheduler
    request = taken(sched, "http://127.0.0.1:8000/syria/a")
    progress.hand()
    sched.done(request)
    progress.fail()
    sched.close("warc_write_failed")
    assert held_urls(sched, server, inflight) == ["http://127.0.0.1:8000/syria/a"], \
        "the worker gives it back to the queue as it signs off"


def commands_of(redis_url: str, step) -> list[tuple[str, str]]:
    """(client, command) of every command Redis ran during `step()`, read with MONITOR on a socket
    of its own (redis-py 2.10 has no monitor): client "lua" for what a script ran."""
    import re
    import socket
    from urllib.parse import urlsplit

    import redis

    where = urlsplit(redis_url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(b"MONITOR\r\n")
        got = b""
        while not got.startswith(b"+OK\r\n"):
            got += sock.recv(4096)
        step()
        redis.StrictRedis.from_url(redis_url).echo("end of step")
        for _ in range(1000):  # bounded: each recv waits at most the socket's timeout
            if b'"ECHO" "end of step"' in got or b'"echo" "end of step"' in got:
                break
            got += sock.recv(65536)
    lines = re.findall(rb'^\+[\d.]+ \[\d+ ([^\]]+)\] "([A-Za-z]+)"', got, re.M)
    return [("lua" if who == b"lua" else "client", cmd.decode().upper()) for who, cmd in lines]


def test_a_new_request_is_marked_seen_and_queued_in_one_step(scheduler, redis_url):
    """A worker killed between marking a URL seen and queueing it would leave it seen and never
    queued: the page that linked it, fetched again by another worker, drops it as seen."""
    sched, progress, server, inflight = scheduler
    sched.enqueue_request(Request("http://127.0.0.1:8000/syria/warm-up"))  # the script is loaded
    ran = commands_of(redis_url, lambda: sched.enqueue_request(Request("http://127.0.0.1:8000/syria/a")))
    ours = [c for t, c in ran if t == "client"]
    assert ours == ["EVALSHA", "ECHO"], ran
    assert {"SADD", "ZADD"} <= {c for t, c in ran if t == "lua"}, ran
    assert server.zcard(sched.queue.key) == 2 and server.scard(sched.df.key) == 2
    # Seen already: nothing more queued.
    assert not sched.enqueue_request(Request("http://127.0.0.1:8000/syria/a"))
    assert server.zcard(sched.queue.key) == 2
