"""Crawl then ingest, as one run: what `deeply run` (for cron) and `deeply demo` do.

Kept out of the click layer so that tests and the benchmarks call the same code the command does.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from archive.lock import exclusive
from crawler.lock import Locked, lock
from crawler.options import CrawlOptions, CrawlResult
from crawler.prior import Prior, priors_from
from crawler.run import run_crawl
from crawler.warcfiles import closed_warcs
from deeply.exit_codes import exit_code
from storage import queries


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
        failed = self.crawl.failures or self.store_error or (self.ingest is not None and not self.ingest.ok)
        return exit_code(self.crawl.complete, bool(failed))


def run_lock(db_path: Path) -> AbstractContextManager[None]:
    """One run per store, whatever WARC folder it uses: a lock file beside the database, apart from
    the store's own writer lock (which ingest takes and releases per call)."""
    db_path = Path(db_path)

    def busy(_holder: str) -> Locked:
        return Locked(f"{db_path.name} is in use by another `deeply run`; not starting a second run")

    return exclusive(db_path.with_name(f".{db_path.name}.run-lock"), busy)


def load_priors(db_path: Path, warc_dir: Path) -> dict[str, Prior]:
    """The latest successful capture of every URL in the store, resolved to its original response."""
    return priors_from(queries.latest_originals(db_path), warc_dir)


def pending_warcs(db_path: Path, warc_dir: Path) -> list[Path]:
    """Closed WARCs of the folder that the store has not ingested in full (by name; ingest itself
    checks content by SHA-256), so a crawl whose ingest was killed is picked up by the next run."""
    done = queries.ingested_warc_names(db_path)
    return [p for p in closed_warcs(warc_dir) if p.name not in done]


def run(opts: CrawlOptions, db_path: Path, replay_prefix: str | None = None, progress: bool = True,
        log=print, workers: int = 1) -> RunResult:
    """Crawl (revisits and conditional requests against what the store has seen), ingest what the
    crawl wrote, mark articles a full crawl no longer finds, and record the crawl in the store."""
    from storage import StoreError, check_store, ingest, mark_removed, record_crawl
    from storage.lock import writer_lock

    folder = Path(opts.warc_dir)
    with lock(folder), run_lock(db_path):
        # Refuse a damaged or busy store before spending a crawl on it (raises StoreError).
        check_store(db_path)
        with writer_lock(db_path):
            pass
        if opts.redis_url:
            # Each worker reads the priors itself (crawler/distributed.py says why).
            from functools import partial

            from crawler.distributed import run_workers

            crawl = run_workers(opts, workers, partial(load_priors, Path(db_path), folder))
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
        result.counts = queries.crawl_row(db_path, crawl.crawl_id)
    return result


def run_summary(result: RunResult) -> str:
    from crawler.summary import summary_text

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
