"""Extraction over many pages on all cores, in input order, with bounded memory.

Pages travel to the workers (extract/pool.py) in chunks, one pickling round trip per chunk, not
per page, and at most a few chunks per worker are in flight: the reader never runs ahead of the
workers by more than that, whatever the WARCs' size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from extract.pool import ExtractorPool
from extract.record import Record
from extract.warcs import Page

DEFAULT_CHUNK = 16


class ExtractionFailed(RuntimeError):
    """extract_page raised on a page (it returns None for a page that is no article)."""


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def extract_stream(
    pages: Iterable[Page],
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    in_flight_per_worker: int = 4,
    on_error: Callable[[Page, str], None] | None = None,
) -> Iterator[tuple[object, Record | None]]:
    """For each page yield ``(page.meta, record)``, in input order; `workers` as ExtractorPool's.

    A page the extractor failed on (an article's record lost, not a page that is no article) goes
    to `on_error(page, error)` and yields None; without `on_error` it raises ExtractionFailed."""
    pending: deque = deque()

    def done(chunk, handle):
        for page, (record, error) in zip(chunk, pool.result(handle), strict=True):
            if error:
                if on_error is None:
                    raise ExtractionFailed(f"{page.url}: {error}")
                on_error(page, error)
            yield page.meta, record

    with ExtractorPool(workers) as pool:
        for chunk in _chunks(pages, chunk_size):
            pending.append((chunk, pool.submit([(p.body, p.url, p.headers) for p in chunk])))
            while len(pending) >= max(1, pool.workers) * in_flight_per_worker:
                yield from done(*pending.popleft())
        while pending:
            yield from done(*pending.popleft())
