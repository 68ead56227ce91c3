"""One crawl, start to finish: lock, repair, resume, run Scrapy, summarize.

The WARC files are the crawl's saved state. Scrapy's own job directory survives only a graceful
stop; a crawl killed with SIGKILL or by a power cut is resumed from what its WARCs hold instead:
every URL already captured is skipped, and the links of every page already captured are read back
from the WARCs (not fetched again) to rebuild the frontier.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive import ArchiveDamage, decode_payload, iter_records
from crawler.links import Link, links_of
from crawler.prior import Prior
from crawler.scope import HostRule, is_loopback
from crawler.shared import SharedDict, SharedSet
from crawler.warcfiles import closed_warcs, open_warcs, repair

log = logging.getLogger(__name__)

# The HTTP client of crawls that need not spare the server (crawler/download.py says why).
FAST_HANDLER = "crawler.download.FastDownloadHandler"

STATE_NAME = ".deeply-crawl.json"
LOCK_NAME = ".deeply.lock"


class Locked(RuntimeError):
    """Another run holds the WARC folder."""


@dataclass
class CrawlOptions:
    start_urls: list[str]
    warc_dir: Path = Path("warcs")
    max_pages: int = 100_000
    max_depth: int = 0
    scope_prefix: str | None = None
    warc_max_size: int = 1_000_000_000
    warc_prefix: str = "deeply"
    priors: dict[str, Prior] = field(default_factory=dict)
    polite: bool | None = None  # None: polite unless every start URL is on loopback
    timeout: float = 60.0
    retries: int = 3
    log_level: str = "WARNING"
    log_file: str | None = None
    progress: bool = True
    resume: bool = True
    requisite_hosts: str | None = None  # `--requisite-hosts` (crawler/scope.py: HostRule.parse)
    resolve: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    requisite_hops: int = 3
    max_requisites: int = 200_000
    redis_url: str | None = None  # a distributed crawl's Redis (crawler/distributed.py)


@dataclass
class CrawlResult:
    crawl_id: str
    started: str
    finished: str
    start_urls: list[str]
    complete: bool
    resumed: bool
    finish_reason: str
    pages: int = 0
    requisites: int = 0
    revisits: int = 0
    fetches: int = 0
    bytes: int = 0
    files: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    # host -> {"fetched": n, "failed": n, "skipped": n}
    requisite_hosts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        """Fetches that got no answer at all (timeouts, resets) after retries."""
        return sum(n for kind, n in self.errors.items() if not kind.startswith("http "))

    def as_dict(self) -> dict:
        return asdict(self)


class FolderLock:
    """An exclusive, non-blocking flock on the WARC folder; the kernel drops it if the process dies."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")  # noqa: SIM115
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            raise Locked(f"{self.path.parent} is in use by {holder}; not starting a second run") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def lock(folder: Path) -> FolderLock:
    return FolderLock(Path(folder) / LOCK_NAME)


def _read_state(folder: Path) -> dict | None:
    path = Path(folder) / STATE_NAME
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_state(folder: Path, state: dict) -> None:
    path = Path(folder) / STATE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, path)


def repair_open_files(folder: Path) -> list[Path]:
    """Close every `.open` file left by a crash, cut at its last whole record."""
    return [repair(p) for p in open_warcs(folder)]


def captured_so_far(files: list[Path]) -> set[str]:
    """URLs of the responses and revisits already in this crawl's WARCs (their whole records)."""
    urls = SharedSet()
    for path in files:
        try:
            for record in iter_records(path):
                urls.add(record.url)
        except ArchiveDamage:
            continue  # the whole records before the damage were counted
    return urls


def frontier_from(files: list[Path], priors: dict[str, Prior] | None = None) -> Iterator[Link]:
    """Links of every page already captured by this crawl, read from its WARCs, lazily.

    A re-crawl records most pages as revisits, whose links are those of the original they point
    to: read back from the earlier capture (the prior the revisit was written against). Without
    them a killed re-crawl would resume with an empty frontier, take every page it had not reached
    for gone, and the store would mark those articles removed.
    """
    priors = priors or {}
    for path in files:
        try:
            for record in iter_records(path, want_body=lambda r: r.status == 200 and not r.is_revisit):
                status = record.status or 0
                if 300 <= status < 400:
                    location = record.header("Location")
                    if location:
                        yield from links_of(f'<a href="{location}">'.encode(), record.url, "text/html")
                elif record.body is not None:
                    yield from links_of(record.body, record.url, record.header("Content-Type") or "")
                elif status == 200 and record.is_revisit:
                    yield from _revisit_links(record, priors.get(record.url))
        except ArchiveDamage:
            continue


def _revisit_links(record, prior: Prior | None) -> list[Link]:
    url = record.url
    if prior is None or (record.payload_digest and record.payload_digest != prior.payload_digest):
        log.warning("resume: the original of the revisit of %s is not in the store; its links are "
                    "not followed", url)
        return []
    original = prior.original(with_body=True)
    if original is None or original.body is None:
        log.warning("resume: the original of the revisit of %s cannot be read from %s; its links are "
                    "not followed", url, prior.warc_path)
        return []
    return links_of(decode_payload(original.body, original.headers), url,
                    original.header("Content-Type") or record.header("Content-Type") or "")


def _settings(opts: CrawlOptions, crawl_id: str, started: datetime, first_serial: int):
    from scrapy.settings import Settings

    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    polite = opts.polite if opts.polite is not None else not all(is_loopback(u) for u in opts.start_urls)
    overrides = {
        "DEEPLY_START_URLS": opts.start_urls,
        "DEEPLY_WARC_DIR": str(opts.warc_dir),
        "DEEPLY_WARC_PREFIX": opts.warc_prefix,
        "DEEPLY_WARC_MAX_SIZE": opts.warc_max_size,
        "DEEPLY_MAX_PAGES": opts.max_pages,
        "DEEPLY_SCOPE_PREFIX": opts.scope_prefix,
        "DEEPLY_CRAWL_ID": crawl_id,
        "DEEPLY_STARTED": started,
        "DEEPLY_FIRST_SERIAL": first_serial,
        "DEEPLY_PRIOR": opts.priors if isinstance(opts.priors, SharedDict) else SharedDict(opts.priors),
        "DEEPLY_PROGRESS": opts.progress,
        "DEPTH_LIMIT": opts.max_depth,
        "DOWNLOAD_TIMEOUT": opts.timeout,
        "RETRY_TIMES": opts.retries,
        "LOG_LEVEL": opts.log_level,
        "LOG_FILE": opts.log_file,
        "DEEPLY_REQUISITE_HOSTS": opts.requisite_hosts,
        "DEEPLY_REQUISITE_HOSTS_RULE": HostRule.parse(opts.requisite_hosts, opts.start_urls,
                                                      opts.resolve).describe(),
        "DEEPLY_RESOLVE": dict(opts.resolve),
        "DEEPLY_REQUISITE_HOPS": opts.requisite_hops,
        "DEEPLY_MAX_REQUISITES": opts.max_requisites,
    }
    if not polite:
        # A local copy or the sample site: no need to spare the server.
        overrides.update({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                          "DOWNLOAD_HANDLERS": {"http": FAST_HANDLER, "https": FAST_HANDLER}})
    if opts.resolve:
        # Only the aiohttp client can be told where a host is (crawler/download.py); politeness is in
        # the delays and concurrency above, whichever client sends.
        overrides["DOWNLOAD_HANDLERS"] = {"http": FAST_HANDLER, "https": FAST_HANDLER}
    for key, value in overrides.items():
        s.set(key, value, priority="cmdline")
    return s


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
    from scrapy.crawler import CrawlerProcess

    repair_open_files(folder)
    state = _read_state(folder) if opts.resume else None
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
    _write_state(folder, state)

    settings = _settings(opts, crawl_id, started, first_serial)
    captured = captured_so_far(mine) if resumed else SharedSet()
    settings.set("DEEPLY_ALREADY_CAPTURED", captured, priority="cmdline")
    process = CrawlerProcess(settings)
    from crawler.spiders.syriadeeply import SyriaDeeplySpider

    crawler = process.create_crawler(SyriaDeeplySpider)
    kwargs = ({"already_captured": captured, "resume_links": frontier_from(mine, opts.priors)}
              if captured else {})
    process.crawl(crawler, **kwargs)
    process.start()

    stats = crawler.stats.get_stats()
    spider_outcomes: Counter = getattr(crawler.spider, "outcomes", Counter())
    by_host = {host: {k: n[k] for k in ("fetched", "failed", "skipped") if n[k]}
               for host, n in sorted(getattr(crawler.spider, "requisite_hosts", {}).items())}
    reason = stats.get("finish_reason", "unknown")
    if stats.get("deeply/write_error"):
        reason = "warc_write_failed"
    complete = reason == "finished"
    errors = {k: v for k, v in spider_outcomes.items() if k not in NOT_ERRORS}
    notes = {k: v for k, v in spider_outcomes.items() if k in NOT_ERRORS}
    files = [str(p) for p in mine] + list(stats.get("deeply/files", []))
    state["files"] = sorted({Path(f).name for f in files})
    state["status"] = "finished" if complete else "running"
    _write_state(folder, state)
    return CrawlResult(
        crawl_id=crawl_id,
        started=started.isoformat(),
        finished=datetime.now(UTC).replace(microsecond=0).isoformat(),
        start_urls=opts.start_urls,
        complete=complete,
        resumed=resumed,
        finish_reason=reason,
        pages=stats.get("deeply/pages", 0),
        requisites=stats.get("deeply/requisites", 0),
        revisits=stats.get("deeply/revisits", 0),
        fetches=stats.get("deeply/fetches", 0),
        bytes=stats.get("deeply/bytes", 0),
        files=files,
        errors=errors,
        notes=notes,
        requisite_hosts=by_host,
    )


NOT_ERRORS = {"robots.txt disallowed", "page budget reached", "ignored", "redirect out of scope",
              "beyond max depth", "url too long", "requisite beyond max hops", "requisite budget reached"}
HOST_LINES = 12  # hosts listed by name in the summary; the rest are counted


def summary_text(result: CrawlResult) -> str:
    """The one-screen summary printed at the end of a crawl."""
    status = "complete" if result.complete else f"INCOMPLETE ({result.finish_reason}): run again to resume"
    lines = [
        f"crawl {result.crawl_id} {status}" + (" (resumed)" if result.resumed else ""),
        f"  start:       {' '.join(result.start_urls)}",
        f"  pages:       {result.pages}",
        f"  requisites:  {result.requisites}" + _hosts_note(result.requisite_hosts),
        *_host_lines(result.requisite_hosts),
        f"  revisits:    {result.revisits} (unchanged payloads, headers only)",
        f"  written:     {_human(result.bytes)} in {len(result.files)} WARC file(s)",
    ]
    for f in result.files[-5:]:
        lines.append(f"               {f}")
    if result.errors:
        lines.append("  errors:      " + ", ".join(f"{k}: {v}" for k, v in sorted(result.errors.items())))
    else:
        lines.append("  errors:      none")
    if result.notes:
        lines.append("  skipped:     " + ", ".join(f"{k}: {v}" for k, v in sorted(result.notes.items())))
    return "\n".join(lines)


def _hosts_note(by_host: dict) -> str:
    fetched = sum(1 for n in by_host.values() if n.get("fetched"))
    return f" from {fetched} host(s)" if by_host else ""


def _host_lines(by_host: dict) -> list[str]:
    """One line a host: what came from it, what failed, what the requisite-host rule skipped."""
    ranked = sorted(by_host.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    lines = []
    for host, n in ranked[:HOST_LINES]:
        parts = [f"{n[k]} {k}" for k in ("fetched", "failed", "skipped") if n.get(k)]
        lines.append(f"    {host}: {', '.join(parts)}")
    rest = ranked[HOST_LINES:]
    if rest:
        skipped = sum(n.get("skipped", 0) for _, n in rest)
        lines.append(f"    … {len(rest)} more host(s): {sum(sum(n.values()) for _, n in rest)} requisites"
                     f" ({skipped} skipped)")
    return lines


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n:.1f} GB"
