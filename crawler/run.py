"""One crawl, start to finish: lock, repair, resume, run Scrapy, report.

The WARC files are the crawl's saved state (crawler/resume.py says how a killed crawl resumes).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from crawler.lock import lock
from crawler.options import CrawlOptions, CrawlResult
from crawler.overrides import crawl_settings
from crawler.resume import captured_so_far, frontier_from, repair_open_files
from crawler.shared import SharedSet
from crawler.state import read_state, write_state
from crawler.warcfiles import closed_warcs

NOT_ERRORS = {"robots.txt disallowed", "page budget reached", "ignored", "redirect out of scope",
              "beyond max depth", "url too long", "requisite beyond max hops", "requisite budget reached"}


def run_crawl(opts: CrawlOptions, take_lock: bool = True) -> CrawlResult:
    """Crawl under the folder lock. Raises `Locked` when another run holds the folder; a caller that
    already holds it (`deeply run`, across crawl and ingest) passes `take_lock=False`."""
    folder = Path(opts.warc_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not take_lock:
        return _run_locked(opts, folder)
    with lock(folder):
        return _run_locked(opts, folder)


def _run_locked(opts: CrawlOptions, folder: Path) -> CrawlResult:
    repair_open_files(folder)
    state = read_state(folder) if opts.resume else None
    resumed = bool(state and state.get("status") == "running" and state.get("start_urls") == opts.start_urls)
    if resumed:
        crawl_id = state["crawl_id"]
        started = datetime.fromisoformat(state["started"])
    else:
        crawl_id = uuid.uuid4().hex[:12]
        started = datetime.now(UTC).replace(microsecond=0)
        state = {"crawl_id": crawl_id, "started": started.isoformat(), "start_urls": opts.start_urls,
                 "status": "running", "files": []}
    stamp = f"{started:%Y%m%d%H%M%S}"
    mine = [p for p in closed_warcs(folder) if p.name.startswith(f"{opts.warc_prefix}-{stamp}-")]
    first_serial = len(mine) and max(int(p.name.split("-")[2]) for p in mine) + 1
    write_state(folder, state)

    settings = crawl_settings(opts, crawl_id, started, first_serial)
    captured = captured_so_far(mine) if resumed else SharedSet()
    settings.set("DEEPLY_ALREADY_CAPTURED", captured, priority="cmdline")
    from crawler.spiders.syriadeeply import SyriaDeeplySpider

    crawler = crawl_in_process(settings, SyriaDeeplySpider, captured, mine, opts.priors)
    result = result_of(crawler, opts, crawl_id, started, resumed, earlier_files=mine)
    state["files"] = sorted({Path(f).name for f in result.files})
    state["status"] = "finished" if result.complete else "running"
    write_state(folder, state)
    return result


def crawl_in_process(settings, spider_cls, captured, mine: list[Path], priors):
    """Run `spider_cls` to its end in this process (Scrapy's reactor, once per process) and return
    its crawler. A resumed crawl (`captured` holds what the WARCs `mine` already have) starts from
    the links of those pages that were never followed."""
    from scrapy.crawler import CrawlerProcess  # imported when a crawl runs: Scrapy is slow to import

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    kwargs = ({"already_captured": captured, "resume_links": frontier_from(mine, priors)}
              if captured else {})
    process.crawl(crawler, **kwargs)
    process.start()
    return crawler


def result_of(crawler, opts: CrawlOptions, crawl_id: str, started: datetime, resumed: bool,
              earlier_files=()) -> CrawlResult:
    """What a finished Scrapy crawler did, from its stats and its spider's tallies (one process's
    share, for a worker of a distributed crawl); `earlier_files` are this crawl's files from before a
    resume."""
    stats = crawler.stats.get_stats()
    outcomes: Counter = getattr(crawler.spider, "outcomes", Counter())
    by_host = {host: {k: n[k] for k in ("fetched", "failed", "skipped") if n[k]}
               for host, n in sorted(getattr(crawler.spider, "requisite_hosts", {}).items())}
    reason = stats.get("finish_reason", "unknown")
    if stats.get("deeply/write_error"):
        reason = "warc_write_failed"
    return CrawlResult(
        crawl_id=crawl_id,
        started=started.isoformat(),
        finished=datetime.now(UTC).replace(microsecond=0).isoformat(),
        start_urls=opts.start_urls,
        complete=reason == "finished",
        resumed=resumed,
        finish_reason=reason,
        pages=stats.get("deeply/pages", 0),
        requisites=stats.get("deeply/requisites", 0),
        revisits=stats.get("deeply/revisits", 0),
        fetches=stats.get("deeply/fetches", 0),
        bytes=stats.get("deeply/bytes", 0),
        files=[str(p) for p in earlier_files] + [str(p) for p in stats.get("deeply/files", [])],
        errors={k: v for k, v in outcomes.items() if k not in NOT_ERRORS},
        notes={k: v for k, v in outcomes.items() if k in NOT_ERRORS},
        requisite_hosts=by_host,
    )
