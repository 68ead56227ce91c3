"""A crawl shared by many processes on many machines through one Redis (scrapy-redis).

Every process started with the same Redis URL and start URLs is a worker of one crawl: the first to
join sets the crawl id, start time and options (crawler/redis_frontier.py holds the keys), the
others adopt them. Each worker writes its own WARC files, named for the worker (machine, pid and a
random part, so names never collide), with the crawl's one warcinfo crawl id.

Revisits and conditional requests: each worker reads the store's priors (`--db`), as a single crawl
does. The store is the archive's one dedup memory, and a revisit is written against the original
record, which is read back from a WARC: a worker that has neither the store nor its WARCs could not
write one anyway, and priors copied into Redis would cost Redis the archive's whole URL set. A
worker without `--db` captures in full.

A Redis that lost the crawl (restarted without persistence) is a new crawl to it: the worker whose
WARC folder says it was in that crawl proposes the crawl's id again and resumes from its WARCs as a
single crawl does (its captured URLs are marked seen in Redis, its pages' links queued again).

Each time Redis starts a crawl it gives it a new epoch; a folder records the epoch whose Redis knows
what the folder holds (it joined it, or was read into it). A worker resuming in a folder of the same
epoch reads none of its WARCs: Redis's queue, filter and in-flight hashes are the whole frontier, and
reading every WARC again (in each of `deeply run --workers`' processes) would only rebuild it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from crawler import redis_frontier as rf
from crawler.lock import lock
from crawler.options import CrawlOptions, CrawlResult
from crawler.overrides import crawl_settings
from crawler.resume import captured_so_far, repair_open_files
from crawler.run import crawl_in_process, result_of
from crawler.shared import SharedSet
from crawler.spiders.syriadeeply import SyriaDeeplySpider
from crawler.state import read_state, write_state
from crawler.warcfiles import WriteProgress, closed_warcs, safe_component

log = logging.getLogger(__name__)

# Options the first worker sets for the whole crawl (what is in scope and how much of it).
SHARED_OPTIONS = ("scope_prefix", "max_pages", "max_depth", "requisite_hosts", "requisite_hops",
                  "max_requisites")
IDLE_POLL = 0.5  # seconds between looks at Redis while others still work
READY_SECONDS = 120  # how long the workers of one `run_workers` wait for each other to start


def worker_id() -> str:
    return f"{safe_component(socket.gethostname())[:40]}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


class DistributedSpider(SyriaDeeplySpider):
    """The project's spider, telling the scheduler when a request is done with: its response
    parsed and every link it yielded queued in Redis (or dropped as seen), or failed for good.
    Until then it stays in Redis, in flight.

    Scrapy hands a callback's output to the scheduler through a queue of its own (CONCURRENT_ITEMS
    tasks): when `parse` ends, some of its requests may not be queued yet, so each is tagged with
    its parent and counted down as the scheduler takes it (crawler/redis_frontier.py)."""

    name = SyriaDeeplySpider.name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.children: dict[str, list] = {}  # token -> [requests not queued yet, parse ended, request]
        # The budgets are the whole crawl's, counted in Redis by the scheduler, not by each worker.
        self.max_pages = self.max_requisites = 0
        self.started_all = False

    async def start(self):
        async for request in super().start():
            yield request
        # Each request is queued before the next is asked for: the start URLs and the resume links
        # of this folder's WARCs are all in Redis now.
        self.started_all = True

    def over_budget(self, kind: str) -> None:
        self.outcomes["page budget reached" if kind == "pages" else "requisite budget reached"] += 1

    async def parse(self, response):
        token = uuid.uuid4().hex
        entry = self.children[token] = [0, False, response.request]
        try:
            async for request in super().parse(response):
                if isinstance(request, scrapy.Request):
                    request.meta[rf.PARENT] = token
                    entry[0] += 1
                yield request
        finally:
            entry[1] = True
            self._settle(token)

    def child_scheduled(self, token: str) -> None:
        entry = self.children.get(token)
        if entry is not None:
            entry[0] -= 1
            self._settle(token)

    def _settle(self, token: str) -> None:
        entry = self.children.get(token)
        if entry is not None and entry[1] and entry[0] <= 0:
            del self.children[token]
            self._done(entry[2])

    def failed(self, failure):
        try:
            return super().failed(failure)
        finally:
            self._done(failure.request)

    def _done(self, request) -> None:
        scheduler = self.crawler.engine.scheduler
        if hasattr(scheduler, "done"):
            scheduler.done(request)


class WorkerExtension:
    """Heartbeat, dead workers' requests given back, and the end of the crawl: a worker whose own
    queue view is empty keeps waiting while any other worker still holds requests (their pages may
    bring new links), and stops when the frontier is empty and no worker is busy."""

    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.key = s.get("DEEPLY_REDIS_KEY")
        self.worker = s.get("DEEPLY_WORKER_ID")
        self.server = rf.connect(s.get("REDIS_URL"))
        self.beat = None
        self.finished = False
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.dropped, signal=signals.request_dropped)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _heartbeat(self) -> None:
        try:
            self.server.set(rf.alive_key(self.key, self.worker), "1", ex=rf.ALIVE_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
            log.warning("heartbeat to Redis failed: %s", exc)
            return
        scheduler = self.crawler.engine.scheduler
        if scheduler is not None:
            # Releases otherwise wait for the scheduler's next pop, which a busy downloader delays.
            try:
                scheduler.release_written()
            except Exception as exc:  # noqa: BLE001 - they stay in flight and go at the next try
                log.warning("could not tell Redis what is written: %s", exc)

    def opened(self, spider):
        from twisted.internet import task

        self.server.hset(rf.keys(self.key)["workers"], self.worker,
                         json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                     "since": datetime.now(UTC).isoformat()}))
        self._heartbeat()
        self.beat = task.LoopingCall(self._heartbeat)
        self.beat.start(rf.HEARTBEAT_SECONDS, now=False)
        rf.recover_dead(self.server, self.key)

    def dropped(self, request, spider):
        # A redirect to a URL already seen: the request it came from is done.
        self.crawler.engine.scheduler.done(request)

    def idle(self, spider):
        rf.recover_dead(self.server, self.key)
        if self.server.zcard(rf.keys(self.key)["requests"]):
            self._wait()
        if self.crawler.engine.scheduler.release_written():
            self._wait()  # done with, their records still on the way to the file
        mine = self.server.hlen(rf.inflight_key(self.key, self.worker))
        if mine:
            # Idle, yet holding requests: none can still be working here; give them to the queue.
            log.warning("%d request(s) held by this idle worker are queued again: %s", mine,
                        ", ".join(_held_urls(self.crawler, self.server, self.key, self.worker)))
            rf.requeue(self.server, self.key, self.worker, own=True, forget=False)
            self._wait()
        if rf.busy_workers(self.server, self.key):
            self._wait()
        self.finished = rf.finish(self.server, self.key)
        if not self.finished:
            self._wait()

    def _wait(self):
        from twisted.internet import reactor

        # Scrapy looks again at its 5-second heartbeat; sooner here, for the others' new links.
        reactor.callLater(IDLE_POLL, self._wake)
        raise DontCloseSpider

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.nextcall is not None:
            slot.nextcall.schedule()

    def closed(self, spider, reason):
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        try:
            if not self.finished:
                # Stopped before the end (Ctrl-C, a write error): what this worker held goes back.
                rf.requeue(self.server, self.key, self.worker, own=True)
            else:
                self.server.hdel(rf.keys(self.key)["workers"], self.worker)
            self.server.delete(rf.alive_key(self.key, self.worker))
        except Exception as exc:  # noqa: BLE001 - dead-worker recovery covers it
            log.warning("could not sign off from Redis: %s", exc)


def _held_urls(crawler, server, key: str, worker: str, most: int = 5) -> list[str]:
    queue = crawler.engine.scheduler.queue
    values = server.hvals(rf.inflight_key(key, worker))[:most]
    return [queue._decode_request(v.split(b"\n", 1)[1]).url for v in values]


def _proposal(opts: CrawlOptions, state: dict | None) -> dict:
    resumable = bool(state and state.get("status") == "running"
                     and state.get("start_urls") == opts.start_urls)
    crawl_id = state["crawl_id"] if resumable else uuid.uuid4().hex[:12]
    started = state["started"] if resumable else datetime.now(UTC).replace(microsecond=0).isoformat()
    return {"crawl_id": crawl_id, "started": started, "start_urls": opts.start_urls,
            "epoch": uuid.uuid4().hex[:12], "options": {k: getattr(opts, k) for k in SHARED_OPTIONS}}


@dataclass
class Joined:
    opts: CrawlOptions  # as the crawl set them
    meta: dict | None  # None: no crawl of these start URLs runs (a late worker of `run_workers`)
    ours: bool = False  # this folder's WARCs are part of the crawl
    seed: bool = False  # ... and Redis does not know them yet: resume from them


def join_crawl(opts: CrawlOptions, own_folder: bool = True) -> Joined:
    """Join (or start) the crawl of these start URLs in Redis. Only the process that holds the folder
    (`own_folder`) repairs its files and writes its state: the workers of `run_workers` share one
    folder, where another's `.open` file is being written (they read the state their parent wrote,
    and so decide as it did whether to resume from the WARCs)."""
    folder = Path(opts.warc_dir)
    if own_folder:
        repair_open_files(folder)
    state = read_state(folder) if opts.resume else None
    server = rf.connect(opts.redis_url)
    key = rf.crawl_key(opts.start_urls)
    # The workers of `run_workers` join the crawl their parent started, never a new one (it may be
    # over by the time a late worker starts).
    created, meta = rf.join(server, key, _proposal(opts, state), only=not own_folder)
    if meta is None:
        return Joined(opts, None)
    adopted = replace(opts, **meta["options"])
    ours = bool(state and state.get("crawl_id") == meta["crawl_id"])
    epoch = meta.get("epoch")
    seed = ours and (epoch is None or state.get("redis_epoch") != epoch)
    if created and ours:
        log.warning("Redis had no running crawl of these start URLs: resuming crawl %s from %s",
                    meta["crawl_id"], folder)
    if own_folder:
        write_state(folder, {"crawl_id": meta["crawl_id"], "started": meta["started"],
                              "start_urls": opts.start_urls, "status": "running", "files": [],
                              "redis": rf.redact(opts.redis_url),
                              # Recorded once the WARCs are read into this Redis (finish_state).
                              "redis_epoch": state.get("redis_epoch") if seed else epoch})
    return Joined(adopted, meta, ours, seed)


def crawl_files(folder: Path, prefix: str, started: datetime) -> list[Path]:
    return [p for p in closed_warcs(folder) if p.name.startswith(f"{prefix}-{started:%Y%m%d%H%M%S}-")]


def run_worker(opts: CrawlOptions, take_lock: bool = True, worker: str | None = None) -> CrawlResult:
    """One worker of the distributed crawl of `opts.redis_url`, until the crawl is done."""
    folder = Path(opts.warc_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not take_lock:
        return _run_worker(opts, worker or worker_id(), own_folder=False)[0]
    with lock(folder):
        result, seeded = _run_worker(opts, worker or worker_id(), own_folder=True)
        finish_state(folder, result, seeded)
        return result


def _run_worker(opts: CrawlOptions, worker: str, own_folder: bool) -> tuple[CrawlResult, str | None]:
    """The worker's result, and the epoch whose Redis now knows the folder's WARCs if this worker
    read them into it (None otherwise)."""
    joined = join_crawl(opts, own_folder)
    opts, meta = joined.opts, joined.meta
    if meta is None:
        return CrawlResult(crawl_id="", started="", finished="", start_urls=opts.start_urls,
                           complete=True, resumed=False, finish_reason="finished"), None
    crawl_id, started = meta["crawl_id"], datetime.fromisoformat(meta["started"])
    key = rf.crawl_key(opts.start_urls)
    mine = crawl_files(Path(opts.warc_dir), opts.warc_prefix, started) if joined.ours else []
    captured = SharedSet()
    if joined.seed and mine:
        log.warning("worker %s: Redis does not know the %d WARC file(s) of crawl %s in %s: resuming from "
                    "them", worker, len(mine), crawl_id, opts.warc_dir)
        captured = captured_so_far(mine)

    settings = crawl_settings(opts, crawl_id, started, 0)
    for name, value in {
        "SCHEDULER": "crawler.redis_frontier.RedisScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": rf.keys(key)["requests"],
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": rf.keys(key)["dupefilter"],
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": opts.redis_url,
        "DEEPLY_REDIS_KEY": key,
        "DEEPLY_WORKER_ID": worker,
        "DEEPLY_WARC_HOST": worker,
        "DEEPLY_ALREADY_CAPTURED": captured,
        # Done in Redis means on disk: Redis may be on a machine that outlives this one's power cut.
        "DEEPLY_WRITE_PROGRESS": WriteProgress(durable=True),
        "EXTENSIONS": {"crawler.distributed.WorkerExtension": 0},
    }.items():
        settings.set(name, value, priority="cmdline")
    crawler = crawl_in_process(settings, DistributedSpider, captured, mine, opts.priors)
    result = result_of(crawler, opts, crawl_id, started, joined.ours, earlier_files=mine)
    seeded = meta.get("epoch") if joined.seed and crawler.spider.started_all else None
    return result, seeded


def finish_state(folder: Path, result: CrawlResult, seeded: str | None = None) -> None:
    """`seeded`: the epoch of the Redis that now knows what this folder holds."""
    state = read_state(folder) or {}
    if state.get("crawl_id") == result.crawl_id:
        state["status"] = "finished" if result.complete else "running"
        state["files"] = sorted({*state.get("files", []), *(Path(f).name for f in result.files)})
        if seeded:
            state["redis_epoch"] = seeded
        write_state(folder, state)


# --- N workers on this machine (`deeply run --workers N`) ---

def _worker_main(opts: CrawlOptions, load_priors, out: str, ready_key: str, workers: int) -> None:
    """A worker process of `run_workers`: its own priors (read by the `load_priors` its caller gave,
    since the store sits above the crawler), its result as JSON. The workers start crawling together
    (each waits, a bounded time, for the others to be ready), so that one that started first does
    not take the whole of a small crawl."""
    if load_priors is not None:
        opts.priors = load_priors()
    server = rf.connect(opts.redis_url)
    server.incr(ready_key)
    server.expire(ready_key, 3600)
    wait_until(lambda: int(server.get(ready_key) or 0) >= workers, READY_SECONDS)
    result, seeded = _run_worker(opts, worker_id(), own_folder=False)
    tmp = Path(out + ".tmp")
    tmp.write_text(json.dumps({**result.as_dict(), "seeded": seeded}))
    os.replace(tmp, out)


def run_workers(opts: CrawlOptions, workers: int, load_priors=None, on_start=None) -> CrawlResult:
    """N worker processes into one folder; waits for all, then adds up what they did. The caller
    holds the folder lock. `load_priors()`, a picklable function (each worker calls it), gives the
    priors of a re-crawl; `on_start(processes)` sees the processes once started (tests kill one)."""
    import multiprocessing

    folder = Path(opts.warc_dir)
    folder.mkdir(parents=True, exist_ok=True)
    joined = join_crawl(opts)
    opts, meta = joined.opts, joined.meta
    started = datetime.fromisoformat(meta["started"])
    ctx = multiprocessing.get_context("spawn")
    child_opts = replace(opts, priors={}, resume=True, progress=False)
    ready = f"{rf.crawl_key(opts.start_urls)}:ready:{uuid.uuid4().hex[:8]}"
    outs, procs = [], []
    for i in range(workers):
        out = folder / f".deeply-worker-{os.getpid()}-{i}.json"
        out.unlink(missing_ok=True)
        p = ctx.Process(target=_worker_main,
                        args=(child_opts, load_priors, str(out), ready, workers))
        p.start()
        outs.append(out)
        procs.append(p)
    if on_start is not None:
        on_start(procs)
    _wait_for(procs, opts)
    results, seeded = [], None
    for out in outs:
        try:
            got = json.loads(out.read_text())
            seeded = got.pop("seeded", None) or seeded
            results.append(CrawlResult(**got))
        except (OSError, ValueError):
            continue  # a worker that died: its requests went to the others, its files are on disk
        finally:
            out.unlink(missing_ok=True)
            Path(str(out) + ".tmp").unlink(missing_ok=True)
    repair_open_files(folder)
    server = rf.connect(opts.redis_url)
    status = server.hget(rf.keys(rf.crawl_key(opts.start_urls))["meta"], "status") or b""
    done = status.decode() == "finished"
    result = merge(meta, opts, results, crawl_files(folder, opts.warc_prefix, started), done)
    result.resumed = result.resumed or joined.ours
    finish_state(folder, result, seeded)
    return result


STOP_SECONDS = 300  # after SIGTERM or Ctrl-C, how long the workers get to close their files


def _wait_for(procs, opts: CrawlOptions) -> None:
    """Until every worker has exited, with a progress line of what the frontier has handed out.

    SIGTERM or Ctrl-C stops the workers as they would stop alone (each closes its WARC files, its
    requests stay in Redis for the next run) and the wait goes on, so that the caller still ingests
    what they wrote and the run ends as interrupted, never killed halfway."""
    import signal
    import threading

    stopping: list[float] = []

    def stop(signum, _frame):
        if not stopping:
            stopping.append(time.monotonic())
            log.warning("stopping the %d worker(s): they close their files first", len(procs))
        if signum == signal.SIGINT:
            return  # Ctrl-C reached the workers too (one process group); a second signal would force them
        for p in procs:
            if p.is_alive() and p.pid:
                os.kill(p.pid, signal.SIGTERM)

    handled = (signal.SIGTERM, signal.SIGINT)
    old = ({sig: signal.signal(sig, stop) for sig in handled}
           if threading.current_thread() is threading.main_thread() else {})
    try:
        _watch(procs, opts, stopping)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _watch(procs, opts: CrawlOptions, stopping: list[float]) -> None:
    bar = None
    if opts.progress:
        from tqdm import tqdm

        bar = tqdm(desc="crawl", unit=" requests", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)
    server = rf.connect(opts.redis_url)
    k = rf.keys(rf.crawl_key(opts.start_urls))
    while any(p.is_alive() for p in procs):
        for p in procs:
            p.join(timeout=0.5)
        if stopping and time.monotonic() - stopping[0] > STOP_SECONDS:
            for p in procs:
                if p.is_alive():
                    p.kill()  # a worker that would not stop: Redis gives its requests back
        if bar is not None:
            try:
                bar.n = max(0, server.scard(k["dupefilter"]) - server.zcard(k["requests"]))
                bar.refresh()
            except Exception:  # noqa: BLE001 - the bar only
                pass
    if bar is not None:
        bar.close()


def merge(meta: dict, opts: CrawlOptions, results: list[CrawlResult], files: list[Path],
          done: bool) -> CrawlResult:
    """One crawl's result from its workers' (the summary and the `crawls` row add up all of them)."""
    errors: Counter = Counter()
    notes: Counter = Counter()
    hosts: dict[str, Counter] = {}
    for r in results:
        errors.update(r.errors)
        notes.update(r.notes)
        for host, n in r.requisite_hosts.items():
            hosts.setdefault(host, Counter()).update(n)
    reasons = {r.finish_reason for r in results} - {"finished"}
    return CrawlResult(
        crawl_id=meta["crawl_id"], started=meta["started"],
        finished=datetime.now(UTC).replace(microsecond=0).isoformat(), start_urls=opts.start_urls,
        complete=done and not reasons, resumed=any(r.resumed for r in results),
        finish_reason="finished" if done and not reasons else (sorted(reasons) or ["worker_lost"])[0],
        pages=sum(r.pages for r in results), requisites=sum(r.requisites for r in results),
        revisits=sum(r.revisits for r in results), fetches=sum(r.fetches for r in results),
        bytes=sum(r.bytes for r in results), files=[str(p) for p in files],
        errors=dict(errors), notes=dict(notes),
        requisite_hosts={h: dict(n) for h, n in sorted(hosts.items())},
    )


def wait_until(condition, seconds: float, step: float = 0.05) -> bool:
    """Poll `condition` until true or `seconds` pass (tests and the bench wait with this)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())
