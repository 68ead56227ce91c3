"""Extraction over many pages on all cores, in input order, with bounded memory.

trafilatura keeps module-level caches that are neither thread-safe nor bounded (about 1 MB a page
on long runs), so the parallelism is processes; each worker clears those caches every
`extract.page.RESET_EVERY` pages (extract_page counts them). Pages travel to the workers in chunks
(one pickling round trip per chunk, not per page), and at most a few chunks per worker are in
flight: the reader never runs ahead of the workers by more than that, whatever the WARCs' size.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from extract.page import extract_page
from extract.record import Record

DEFAULT_CHUNK = 16


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_chunk(chunk: list[tuple[bytes, str, object]]) -> list[Record | None]:
    """Worker side: (body, url, headers) triples to records (None for non-article pages)."""
    return [extract_page(body, url, headers) for body, url, headers in chunk]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def extract_stream(
    pages: Iterable,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    in_flight_per_worker: int = 4,
) -> Iterator[tuple[object, Record | None]]:
    """For each page yield ``(page.meta, record)``, in input order.

    ``pages`` yields objects with ``url``, ``headers``, ``body`` and ``meta`` (`extract.warcs.Page`) or
    4-tuples in that order. ``workers=1`` runs in this process (no pool), which is also what a
    single-core machine gets.
    """
    workers = workers or default_workers()

    def split(page):
        url, headers, body, meta = page
        return (body, url, headers), meta

    if workers <= 1:
        for chunk in _chunks(pages, chunk_size):
            jobs, metas = zip(*(split(p) for p in chunk), strict=True)
            yield from zip(metas, extract_chunk(list(jobs)), strict=True)
        return

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pending: deque = deque()
    with context.Pool(workers) as pool:
        for chunk in _chunks(pages, chunk_size):
            jobs, metas = zip(*(split(p) for p in chunk), strict=True)
            pending.append((metas, pool.apply_async(extract_chunk, (list(jobs),))))
            while len(pending) >= workers * in_flight_per_worker:
                metas_done, result = pending.popleft()
                yield from zip(metas_done, result.get(), strict=True)
        while pending:
            metas_done, result = pending.popleft()
            yield from zip(metas_done, result.get(), strict=True)
