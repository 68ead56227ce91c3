"""A distributed crawl's shared state in Redis: its keys, and the atomic steps workers take on them.

The frontier and the duplicate filter are scrapy-redis's (its `PriorityQueue`, a sorted set of
pickled requests, and its `RFPDupeFilter`, a set of fingerprints). What scrapy-redis lacks is a
record of what a worker has taken: its `pop` removes a request from the queue, so a worker killed
between taking a request and capturing it loses that URL. Here a pop moves the request into the
worker's in-flight hash in one Lua script, the worker removes it only once the response is parsed,
its links are queued and its records are in the WARC file (the writer thread's queue dies with the
process), and the in-flight requests of a worker whose heartbeat has expired go back to the queue
(another Lua script). Nor is scrapy-redis's marking a request seen and its queueing one step: a
worker killed between the two would leave a URL seen and never queued, so here they are one Lua
script. So Redis always holds every URL not yet done: queued, or in some worker's hands.

The page and requisite budgets (`--limit`, `--max-requisites`) are the whole crawl's: a request new
to the filter is counted in Redis as it is queued and dropped past the budget, so N workers take K
pages between them, as one crawl would; a redirect or a retry of a request taken earlier is the same
page and is not counted again.

Keys, all under `deeply:<crawl key>` (the crawl key is derived from the start URLs, so crawls with
different start URLs on one Redis never share a key):
  :meta             hash: crawl id, start time, start URLs, the crawl's options, status
  :requests         scrapy-redis's priority queue (sorted set)
  :dupefilter       scrapy-redis's fingerprints (set)
  :counts           hash: pages and requisites queued so far, against the crawl's budgets
  :workers          hash: worker id -> when and where it started
  :alive:<worker>   a string that expires unless the worker's heartbeat renews it
  :inflight:<worker> hash: field -> "score\\n" + the request as scrapy-redis encodes it

Scrapy 2.19 and scrapy-redis 0.9.1: scrapy-redis's `Scheduler` does not subclass Scrapy's
`BaseScheduler` (Scrapy checks the interface; `RedisScheduler` subclasses both) and passes its
stats a `spider` argument Scrapy 2.19 deprecates (`RedisScheduler` does not), and its
`RedisSpider` knows only `start_requests()`, which Scrapy 2.16 removed (rmax/scrapy-redis#305): the
project's own spider and its `async start()` are used, with scrapy-redis's scheduler, queue and
filter only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy_redis.scheduler import Scheduler

log = logging.getLogger(__name__)

INFLIGHT = "deeply_inflight"  # request.meta: [in-flight key, field] of each pop this request stands for
PARENT = "deeply_parent"  # request.meta, until queued: the parse that yielded it (crawler/distributed.py)
ALIVE_SECONDS = 15  # a worker silent this long is taken for dead and its requests are re-queued
HEARTBEAT_SECONDS = 2.0
CLOSE_WRITE_SECONDS = 60  # at close, how long a worker waits for its writer before giving requests back


def crawl_key(start_urls: list[str]) -> str:
    """The same start URLs (in any order) make the same crawl, on any machine."""
    digest = hashlib.sha1("\n".join(sorted(start_urls)).encode("utf-8")).hexdigest()[:16]
    return f"deeply:{digest}"


def keys(key: str) -> dict[str, str]:
    return {"meta": f"{key}:meta", "requests": f"{key}:requests", "dupefilter": f"{key}:dupefilter",
            "workers": f"{key}:workers", "counts": f"{key}:counts"}


def alive_key(key: str, worker: str) -> str:
    return f"{key}:alive:{worker}"


def inflight_key(key: str, worker: str) -> str:
    return f"{key}:inflight:{worker}"


# Take the best request and hold it in the worker's in-flight hash, in one step.
POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], field, r[2] .. '\\n' .. r[1])
return {r[1], field}
"""

# Mark a request seen (ARGV[1] = '1'), count it against its budget (ARGV[6] > 0) and queue it, in
# one step: a worker killed between marking and queueing would leave a URL seen and never queued, which
# the page that linked it, fetched again, could not bring back. Returns 1 queued, 0 seen, -1 over budget.
PUSH = """
if ARGV[1] == '1' and redis.call('SADD', KEYS[1], ARGV[2]) == 0 then return 0 end
local budget = tonumber(ARGV[6])
if budget > 0 and redis.call('HINCRBY', KEYS[3], ARGV[5], 1) > budget then return -1 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
"""

# Put a worker's in-flight requests back in the queue, unless its heartbeat is alive (ARGV[1] = '1':
# the worker itself gives them back); ARGV[3] = '1' also forgets the worker.
REQUEUE = """
if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local items = redis.call('HVALS', KEYS[1])
for _, v in ipairs(items) do
  local at = string.find(v, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(v, 1, at - 1)), string.sub(v, at + 1))
end
redis.call('DEL', KEYS[1])
if ARGV[3] == '1' then redis.call('HDEL', KEYS[4], ARGV[2]) end
return #items
"""

# Join the running crawl of this key, or start a new one from the proposal (a finished or missing
# crawl: its frontier, filter and counts are dropped first). Returns {created, meta json}; {0, false} when
# ARGV[2] = '1' (join only) and no crawl runs.
JOIN = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'running' then
  return {0, redis.call('HGET', KEYS[1], 'json')}
end
if ARGV[2] == '1' then return {0, false} end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'status', 'running', 'json', ARGV[1])
return {1, ARGV[1]}
"""

# The crawl is done when nothing is queued and no worker holds anything: marked finished, its
# filter dropped (the WARCs and the store remember what was captured).
FINISH = """
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, w in ipairs(redis.call('HKEYS', KEYS[4])) do
  if redis.call('HLEN', ARGV[1] .. ':inflight:' .. w) > 0 then return 0 end
end
redis.call('HSET', KEYS[1], 'status', 'finished')
redis.call('DEL', KEYS[3])
return 1
"""


def connect(url: str):
    """A client for `url`, checked: a Redis that cannot be reached is a one-line error, not a traceback."""
    import redis

    try:
        server = redis.StrictRedis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"cannot use Redis at {redact(url)}: {exc}") from None
    return server


class RedisUnavailable(RuntimeError):
    pass


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def join(server, key: str, proposal: dict, only: bool = False) -> tuple[bool, dict | None]:
    """(created, meta); with `only`, meta is None when no crawl of this key is running."""
    k = keys(key)
    created, meta = server.eval(JOIN, 4, k["meta"], k["requests"], k["dupefilter"], k["counts"],
                                json.dumps(proposal), "1" if only else "0")
    return bool(int(created)), json.loads(meta) if meta else None


def finish(server, key: str) -> bool:
    k = keys(key)
    return bool(server.eval(FINISH, 4, k["meta"], k["requests"], k["dupefilter"], k["workers"], key))


def requeue(server, key: str, worker: str, own: bool = False, forget: bool = True) -> int:
    k = keys(key)
    return int(server.eval(REQUEUE, 4, inflight_key(key, worker), k["requests"], alive_key(key, worker),
                           k["workers"], "1" if own else "0", worker, "1" if forget else "0"))


def recover_dead(server, key: str) -> int:
    """Re-queue what every worker that stopped beating held; returns how many requests."""
    moved = 0
    for worker in server.hkeys(keys(key)["workers"]):
        worker = worker.decode() if isinstance(worker, bytes) else worker
        n = requeue(server, key, worker)
        if n > 0:
            log.warning("worker %s stopped without finishing: %d request(s) it held are queued again",
                        worker, n)
            moved += n
    return moved


def busy_workers(server, key: str) -> int:
    """Workers holding requests now (after the dead ones gave theirs back)."""
    return sum(1 for w in server.hkeys(keys(key)["workers"])
               if server.hlen(inflight_key(key, w.decode() if isinstance(w, bytes) else w)))


class RedisScheduler(Scheduler, BaseScheduler):
    """scrapy-redis's scheduler, whose pops are held in the worker's in-flight hash until done."""

    def open(self, spider):
        super().open(spider)
        s = spider.crawler.settings
        self.inflight = inflight_key(s.get("DEEPLY_REDIS_KEY"), s.get("DEEPLY_WORKER_ID"))
        self.counts = keys(s.get("DEEPLY_REDIS_KEY"))["counts"]
        self.budgets = {"pages": s.getint("DEEPLY_MAX_PAGES"),
                        "requisites": s.getint("DEEPLY_MAX_REQUISITES")}
        self._pop = self.server.register_script(POP)
        self._push = self.server.register_script(PUSH)
        # The WARC writer's progress; releases wait here, in hand-over order, for their records.
        self.progress = s.get("DEEPLY_WRITE_PROGRESS")
        self.unwritten: deque = deque()  # (writer ticket, held) not released yet
        captured = s.get("DEEPLY_ALREADY_CAPTURED")
        if captured:
            self._seed(spider, captured)

    def _seed(self, spider, captured, batch: int = 10_000) -> None:
        """What this worker's WARCs hold is seen by every worker, and its pages count against the
        budget, as a resumed single crawl counts them (a Redis that lost the crawl). A URL another
        worker already marked is counted once."""
        urls = list(captured)
        pages = 0
        for at in range(0, len(urls), batch):
            chunk = urls[at:at + batch]
            pipe = self.server.pipeline(transaction=False)
            for url in chunk:
                pipe.sadd(self.df.key, self.df.request_fingerprint(Request(url)))
            pages += sum(1 for url, added in zip(chunk, pipe.execute(), strict=True)
                         if added and spider.scope.page_in_scope(url))
        if pages:
            self.server.hincrby(self.counts, "pages", pages)

    def enqueue_request(self, request):
        parent = request.meta.pop(PARENT, None)  # never stored: it means something in this process only
        # A retry or a redirect of a request taken earlier: once it is queued (or dropped as seen),
        # the queue stands for that URL and the earlier pops are done with.
        held = request.meta.pop(INFLIGHT, None)
        try:
            # scrapy-redis's filter and queue (their fingerprint, score and encoding), in one step.
            kind = "requisites" if request.meta.get("requisite") else "pages"
            budget = self.budgets[kind] if held is None else 0
            pushed = int(self._push(
                keys=[self.df.key, self.queue.key, self.counts],
                args=["0" if request.dont_filter else "1", self.df.request_fingerprint(request),
                      -request.priority, self.queue._encode_request(request), kind, budget or 0]))
            if pushed == 0:
                self.df.log(request, self.spider)
                return False
            if pushed < 0:
                self.spider.over_budget(kind)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if held:
                self._release(held)
            if parent is not None:
                self.spider.child_scheduled(parent)

    def close(self, reason):
        """After the last response is parsed: what the writer writes now is released, the rest stays
        in flight (the worker gives it back, or Redis does once its heartbeat stops)."""
        if self.unwritten and self.progress is not None:
            self.progress.wait(self.unwritten[-1][0], CLOSE_WRITE_SECONDS)
            self.release_written()
        return super().close(reason)

    def next_request(self):
        self.release_written()
        got = self._pop(keys=[self.queue.key, self.inflight])
        if not got:
            return None
        data, field = got
        request = self.queue._decode_request(data)
        field = field.decode() if isinstance(field, bytes) else field
        request.meta.setdefault(INFLIGHT, []).append([self.inflight, field])
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def done(self, request) -> None:
        """The request is captured and its links are queued (or it failed for good)."""
        held = request.meta.get(INFLIGHT)
        if held:
            self._release(held)

    def _release(self, held) -> None:
        """Once everything handed to the writer so far is in the file: the records of the request
        (its response, or its redirect or error response) were handed over before it was done with."""
        if not held:
            return
        if self.progress is None:
            self._forget(held)
            return
        self.unwritten.append((self.progress.handed, held))
        self.release_written()

    def release_written(self) -> int:
        """Release the requests whose records are written; returns how many still wait for theirs."""
        ready = []
        while self.unwritten and self.unwritten[0][0] <= self.progress.written:
            ready.extend(self.unwritten.popleft()[1])
        if ready:
            self._forget(ready)
        return len(self.unwritten)

    def _forget(self, held) -> None:
        by_key: dict[str, list[str]] = {}
        for key, field in held:
            by_key.setdefault(key, []).append(field)
        pipe = self.server.pipeline(transaction=False)
        for key, fields in by_key.items():
            pipe.hdel(key, *fields)
        pipe.execute()
