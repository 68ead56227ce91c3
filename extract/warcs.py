"""Article responses out of archive files, one at a time, with where each came from.

Everything is read through the archive reader (`archive`), the same one ingest uses, so both see the
same records, the same damage and the same messages. Bodies come out decoded (chunking and
Content-Encoding undone). A revisit is resolved by the archive layer's one rule over the records
read earlier from the same file list, and its original's body is read again at its place; the
revisits that could not be resolved are counted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive import ArchiveDamage, FileStats, iter_records
from archive.revisits import RevisitIndex
from extract.urls import is_article_url


@dataclass
class Page:
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    meta: dict = field(default_factory=dict)


@dataclass
class ReadCounts:
    revisits: int = 0
    revisits_unresolved: int = 0


def iter_article_responses(
    path: str | os.PathLike,
    *,
    articles_only: bool = True,
    progress: Callable[[int], None] | None = None,
    resolver: RevisitIndex | None = None,
    counts: ReadCounts | None = None,
) -> Iterator[Page]:
    """Yield ``Page(url, headers, body, meta)`` for each 200 HTML response (article URLs only, unless
    ``articles_only`` is False) of one WARC, ARC or WACZ, and each revisit of one.

    ``meta`` holds ``file``, ``member``, ``offset``, ``length``, ``warc_date``, ``record_id``,
    ``payload_digest``, ``status``, ``revisit`` for the store. ``progress`` is called with the number
    of file bytes consumed since its last call. Raises `ArchiveDamage` (after yielding what was
    whole), with ``path`` set, when the file is damaged or no archive.
    """
    path = Path(path)
    resolver = resolver if resolver is not None else RevisitIndex()
    counts = counts if counts is not None else ReadCounts()
    stats = FileStats()
    done = 0
    size = path.stat().st_size

    def wanted(rec) -> bool:
        return rec.status == 200 and rec.is_html and (not articles_only or is_article_url(rec.url))

    try:
        for rec in iter_records(path, want_body=lambda r: not r.is_revisit and wanted(r), stats=stats):
            if progress and rec.member is None and stats.framing != "stream-gzip":
                now = min(rec.offset + rec.length, size)
                progress(max(now - done, 0))
                done = max(done, now)
            meta = {
                "file": str(path),
                "member": rec.member,
                "offset": rec.offset,
                "length": rec.length,
                "warc_date": rec.warc_date,
                "record_id": f"<{rec.record_id}>" if rec.record_id else None,
                "payload_digest": rec.payload_digest,
                "status": rec.status,
                "revisit": rec.is_revisit,
            }
            if not resolver.first_reading(rec):
                continue
            if not rec.is_revisit:
                body = rec.body
                resolver.remember(rec, path, stats.framing)
                if body is not None:
                    yield Page(url=rec.url, headers=rec.headers, body=body, meta=meta)
                continue
            counts.revisits += 1
            original = resolver.resolve(rec)
            if original is None:
                counts.revisits_unresolved += 1
                continue
            if articles_only and not is_article_url(rec.url):
                continue
            if original.status != 200 or not original.record.is_html:
                continue
            headers, body = resolver.payload_of(original)
            meta["status"] = 200
            yield Page(url=rec.url, headers=headers, body=body, meta=meta)
    except ArchiveDamage as e:
        e.path = str(path)
        raise
    finally:
        if progress:
            progress(max(size - done, 0))


def iter_many(
    paths: Iterable[str | os.PathLike],
    *,
    articles_only: bool = True,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[ArchiveDamage], None] | None = None,
    counts: ReadCounts | None = None,
) -> Iterator[Page]:
    """Pages of several archives in order; a broken file is reported to ``on_error`` and the rest go on."""
    resolver = RevisitIndex()
    for path in paths:
        try:
            yield from iter_article_responses(Path(path), articles_only=articles_only, progress=progress,
                                              resolver=resolver, counts=counts)
        except ArchiveDamage as err:
            if on_error is None:
                raise
            on_error(err)
        except OSError as exc:
            err = ArchiveDamage(0, f"cannot be read ({exc.strerror or 'I/O error'})")
            err.path = str(path)
            if on_error is None:
                raise err from exc
            on_error(err)
