"""Extraction on several cores, in order: the one process pool of ingest and `deeply extract`.

Processes, not threads: trafilatura keeps module-level caches that are neither thread-safe nor
bounded, so each worker is a process that clears them every `extract.page.RESET_EVERY` pages
(extract_page counts them). The pool starts with forkserver, never fork: the caller may run threads
(a crawl, a progress bar) that a fork would copy mid-state. A worker that cannot start (a __main__
it cannot re-import) would be respawned forever, so the pool is used only once it has answered one
round trip; a batch lost with its worker (killed, out of memory) is extracted here instead. The
first batch is extracted here too: small jobs never pay for starting processes.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from archive.cores import usable_cores
from extract.record import Record

START_TIMEOUT = 30  # seconds for a new pool to answer at all
BATCH_TIMEOUT = 600  # a task lost with its worker would otherwise be waited for forever

Job = tuple[bytes, str, list]  # (body, url, headers)
Result = tuple[Record | None, str | None]  # (record, or None for a page that is no article; error)


def default_workers() -> int:
    """One extraction process per core: the reading and writing process mostly waits on them."""
    return usable_cores()


def extract_batch(jobs: list[Job]) -> list[Result]:
    """Worker side: (Record or None, error) per page; one page's failure must not lose the batch."""
    from extract.page import extract_page_or_error

    out: list[Result] = []
    for body, url, headers in jobs:
        try:
            # extract_page would take a failure for "no article": ask for the error, which the caller
            # reports (ingest in the capture's row and its summary, `deeply extract` on stderr).
            out.append(extract_page_or_error(body, url, headers, log_failure=False))
        except Exception as e:  # noqa: BLE001 - reported per page, the batch goes on
            out.append((None, f"{type(e).__name__}: {e}"[:500]))
    return out


class ExtractorPool:
    """`submit(jobs)` a batch, `result(handle)` its results in order; `workers` processes (0:
    extract in this process)."""

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else workers
        self.pool = None
        self.batches = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(abort=exc_type is not None)

    def submit(self, jobs: list[Job]):
        self.batches += 1
        if not jobs:
            return []
        if self.workers > 0 and self.batches > 1 and self._start_pool():
            return (self.pool.apply_async(extract_batch, (jobs,)), jobs)
        return extract_batch(jobs)

    def _start_pool(self) -> bool:
        if self.pool is not None:
            return True
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        if self.workers <= 0 or (main_file and not os.path.exists(main_file)):
            # Workers re-import __main__ by path: a script read from stdin cannot be.
            self.workers = 0
            return False
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["extract.page", "extract.pool"])
        pool = ctx.Pool(self.workers)
        try:
            pool.apply_async(extract_batch, ([],)).get(timeout=START_TIMEOUT)
        except Exception:  # noqa: BLE001 - any failure to start means: extract here
            pool.terminate()
            pool.join()
            self.workers = 0
            return False
        self.pool = pool
        return True

    def result(self, handle) -> list[Result]:
        if isinstance(handle, list):
            return handle
        async_result, jobs = handle
        try:
            return async_result.get(timeout=BATCH_TIMEOUT)
        except Exception:  # noqa: BLE001 - a worker died or hung: do the batch here instead
            return extract_batch(jobs)

    def close(self, abort: bool = False) -> None:
        if self.pool is not None:
            if abort:
                self.pool.terminate()
            else:
                self.pool.close()
            self.pool.join()
            self.pool = None
