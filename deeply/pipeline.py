"""Crawl then ingest, as one run: what `deeply run` (for cron) and `deeply demo` do.

Kept out of the click layer so that tests and the benchmarks call the same code the command does.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from crawler.prior import load_priors
from crawler.run import CrawlOptions, CrawlResult, Locked, lock, run_crawl
from crawler.warcfiles import closed_warcs

EXIT_OK, EXIT_FAILURES, EXIT_INCOMPLETE, EXIT_LOCKED = 0, 1, 3, 4


@dataclass
class RunResult:
    crawl: CrawlResult
    ingest: object | None = None  # storage.IngestReport
    removed: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    store_error: str | None = None  # the store refused the ingest; the WARCs wait for the next run
    db_path: Path | None = None  # the store, for the summary at the end of the run

    @property
    def exit_code(self) -> int:
        if not self.crawl.complete:
            return EXIT_INCOMPLETE
        if self.crawl.failures or self.store_error or (self.ingest is not None and not self.ingest.ok):
            return EXIT_FAILURES
        return EXIT_OK


class StoreLock:
    """One run per store, whatever WARC folder it uses: a lock file beside the database, apart from
    the store's own writer lock (which ingest takes and releases per call)."""

    def __init__(self, db_path: Path):
        db_path = Path(db_path)
        self.path = db_path.with_name(f".{db_path.name}.run-lock")
        self.fd = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise Locked(f"{self.path.name[1:-9]} is in use by another `deeply run`; "
                         "not starting a second run") from None
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


def pending_warcs(db_path: Path, warc_dir: Path) -> list[Path]:
    """Closed WARCs of the folder that the store has not ingested in full (by name; ingest itself
    checks content by SHA-256), so a crawl whose ingest was killed is picked up by the next run."""
    import sqlite3

    files = closed_warcs(warc_dir)
    if not Path(db_path).exists():
        return files
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        done = {r[0] for r in conn.execute("select name from warc_files where status = 'ingested'")}
    except sqlite3.OperationalError:
        done = set()
    finally:
        conn.close()
    return [p for p in files if p.name not in done]


def run(opts: CrawlOptions, db_path: Path, replay_prefix: str | None = None, progress: bool = True,
        log=print, workers: int = 1) -> RunResult:
    """Crawl (revisits and conditional requests against what the store has seen), ingest what the
    crawl wrote, mark articles a full crawl no longer finds, and record the crawl in the store."""
    from storage import StoreError, check_store, ingest, mark_removed, record_crawl
    from storage.lock import writer_lock

    folder = Path(opts.warc_dir)
    with lock(folder), StoreLock(db_path):
        # Refuse a damaged or busy store before spending a crawl on it (raises StoreError).
        check_store(db_path)
        with writer_lock(db_path):
            pass
        if opts.redis_url:
            # Each worker reads the priors itself (crawler/distributed.py says why).
            from crawler.distributed import run_workers

            crawl = run_workers(opts, workers, db_path)
        else:
            opts.priors = load_priors(db_path, folder)
            crawl = run_crawl(opts, take_lock=False)
        result = RunResult(crawl, db_path=Path(db_path))
        files = pending_warcs(db_path, folder)
        try:
            if files:
                result.ingest = ingest(db_path, files, crawl_id=None, progress=progress,
                                       replay_prefix=replay_prefix, warc_dir=folder)
        except StoreError as exc:
            # The WARCs are written and stay pending: the next run ingests them.
            result.store_error = str(exc)
            return result
        full = crawl.complete and not crawl.notes.get("page budget reached")
        if full:
            result.removed = mark_removed(db_path, crawl.crawl_id)
        record_crawl(
            db_path, crawl.crawl_id, started=crawl.started, finished=crawl.finished,
            start_urls=crawl.start_urls, status="complete" if crawl.complete else "incomplete",
            full=full, warc_files=crawl.files, pages=crawl.pages, requisites=crawl.requisites,
            errors=sum(crawl.errors.values()), notes={"errors": crawl.errors, "skipped": crawl.notes},
            requisite_hosts=crawl.requisite_hosts,
        )
        result.counts = crawl_row(db_path, crawl.crawl_id)
    return result


def crawl_row(db_path: Path, crawl_id: str) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("select * from crawls where id = ?", [crawl_id]).fetchone()
        return dict(row) if row else {}
    finally:
        conn.close()


def run_summary(result: RunResult) -> str:
    from crawler.run import summary_text

    c = result.counts
    lines = [summary_text(result.crawl), "store:"]
    if result.store_error:
        lines.append(f"  NOT INGESTED: {result.store_error}; the next run ingests these WARCs")
        return "\n".join(lines)
    lines.append(f"  new articles: {c.get('new_articles', 0)}   changed: {c.get('changed', 0)}   "
                 f"unchanged: {c.get('unchanged', 0)}   removed: {c.get('removed', 0)}")
    if result.ingest is not None:
        failed = result.ingest.failed
        lines.append(f"  ingest:       {result.ingest.summary()}")
        for f in failed:
            lines.append(f"  FAILED:       {f.line()}")
    else:
        lines.append("  ingest:       nothing new to ingest")
    if result.db_path is not None:
        lines += ["", store_summary(result.db_path)]
    return "\n".join(lines)


def store_summary(db_path: Path) -> str:
    """`deeply stats`' text, for the end of a run; a store that cannot be read says so in a line."""
    import sqlite3

    from storage.stats import summarize, summary_text

    try:
        return summary_text(summarize(db_path))
    except sqlite3.Error as e:
        return f"store summary unavailable: {e}"
