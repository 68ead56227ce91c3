"""Article responses out of WARC files, one at a time, with where each came from.

Bodies come out decoded (warcio undoes chunking and Content-Encoding), so they are the bytes the
extractor expects whatever way the crawler stored them. A revisit record has no body: when the record
it refers to (same payload digest) was read earlier from the same file list, its body is read again
from that file by offset; otherwise the revisit is skipped, since the store already has that content.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from extract.urls import is_article_url

HTML_TYPES = ("text/html", "application/xhtml+xml")


class WarcReadError(Exception):
    """A WARC that stops being readable (truncated, not a WARC): where and why."""

    def __init__(self, path: str | os.PathLike, offset: int, reason: str) -> None:
        super().__init__(f"{path}: unreadable at offset {offset}: {reason}")
        self.path, self.offset, self.reason = str(path), offset, reason


@dataclass
class Page:
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    meta: dict = field(default_factory=dict)

    def __iter__(self):  # unpacks as (url, headers, body, meta)
        return iter((self.url, self.headers, self.body, self.meta))


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in HTML_TYPES
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


class RevisitResolver:
    """Payload digest -> (file, offset) of article responses already read, to re-read a revisit's body."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, int]] = {}

    def remember(self, digest: str | None, path: str, offset: int) -> None:
        if digest and digest not in self.seen:
            self.seen[digest] = (path, offset)

    def body_for(self, digest: str | None) -> bytes | None:
        if not digest or digest not in self.seen:
            return None
        path, offset = self.seen[digest]
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                return record.content_stream().read()
        return None


def iter_article_responses(
    path: str | os.PathLike,
    *,
    articles_only: bool = True,
    progress: Callable[[int], None] | None = None,
    resolver: RevisitResolver | None = None,
) -> Iterator[Page]:
    """Yield ``Page(url, headers, body, meta)`` for each 200 HTML response (article URLs only, unless
    ``articles_only`` is False) of one WARC, gzipped or not.

    ``meta`` holds ``file``, ``offset``, ``length``, ``warc_date``, ``record_id``, ``payload_digest``,
    ``status``, ``revisit`` for the store. ``progress`` is called with the number of file bytes
    consumed since its last call. Raises `WarcReadError` (after yielding what was readable) when the
    file is truncated or not a WARC.
    """
    path = str(path)
    resolver = resolver if resolver is not None else RevisitResolver()
    last_tell = 0
    good_offset = 0
    last_offset = None
    # A record is yielded only once the next one has been read where it should start (or the end of
    # the file checked): a record whose Content-Length lies, or whose gzip member is cut, never is.
    pending: Page | None = None
    with open(path, "rb") as fh:
        try:
            if os.path.getsize(path) == 0:
                raise EOFError("empty file")
            iterator = ArchiveIterator(fh)
            for record in iterator:
                if pending is not None:
                    yield pending
                    pending = None
                if record.format != "warc":
                    # warcio reads any line-based text as (legacy) ARC records: not what a crawl wrote
                    raise ValueError(f"not a WARC record (read as {record.format})")
                rec_type = record.rec_type
                wanted = rec_type in ("response", "revisit")
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                http = record.http_headers
                status = http.get_statuscode() if http is not None else None
                if wanted and (http is None or status != "200"):
                    wanted = False
                if wanted and articles_only and not is_article_url(url):
                    wanted = False
                body = record.content_stream().read() if wanted else None
                iterator.read_to_end()  # offset and length are right only once the record is consumed
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                last_offset = offset
                if getattr(record.raw_stream, "limit", 0) > 0:
                    # the file ended inside this record: warcio reads a cut gzip member without a word
                    good_offset = offset
                    raise EOFError(f"truncated inside the record at offset {offset}")
                good_offset = offset + length
                if progress:
                    now = fh.tell()
                    progress(now - last_tell)
                    last_tell = now
                if not wanted:
                    continue
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                content_type = http.get_header("Content-Type")
                if rec_type == "revisit":
                    body = resolver.body_for(digest)
                    if body is None:
                        continue
                elif not _is_html(content_type, body):
                    continue
                else:
                    resolver.remember(digest, path, offset)
                pending = Page(
                    url=url,
                    headers=list(http.headers),
                    body=body,
                    meta={
                        "file": path,
                        "offset": offset,
                        "length": length,
                        "warc_date": record.rec_headers.get_header("WARC-Date"),
                        "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                        "payload_digest": digest,
                        "status": int(status),
                        "revisit": rec_type == "revisit",
                    },
                )
            _check_complete(fh, path, last_offset, good_offset)
            if pending is not None:
                yield pending
                pending = None
        except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib/EOF errors, ValueError…
            if pending is not None:
                good_offset = pending.meta["offset"]  # not proven whole: reported, not yielded
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())
            # warcio counts offsets from the wrong end inside a file gzipped as one stream
            raise WarcReadError(path, max(good_offset, 0), reason) from exc
        finally:
            if progress:
                try:
                    progress(max(0, os.path.getsize(path) - last_tell))
                except OSError:
                    pass


def _check_complete(fh, path: str, last_offset: int | None, good_offset: int) -> None:
    """warcio stops quietly at a record cut short at the end of a file, and reads any text as
    records: check that the last record is whole and that only blank lines follow it."""
    size = os.path.getsize(path)
    if last_offset is not None:
        fh.seek(last_offset)
        if fh.read(2) == b"\x1f\x8b":
            fh.seek(last_offset)
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while not inflate.eof and (chunk := fh.read(1 << 20)):
                inflate.decompress(chunk, 1 << 16)
                while inflate.unconsumed_tail and not inflate.eof:
                    inflate.decompress(inflate.unconsumed_tail, 1 << 16)
            if not inflate.eof:
                raise EOFError(f"the gzip member at offset {last_offset} is cut short")
        else:
            fh.seek(last_offset)
            head = fh.read(65536)
            end = head.find(b"\r\n\r\n")
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head[: max(end, 0)])
            if end < 0 or not m or last_offset + end + 4 + int(m.group(1)) > size:
                raise EOFError(f"the record at offset {last_offset} is cut short")
    if size > good_offset:
        fh.seek(good_offset)
        if fh.read(min(size - good_offset, 65536)).strip(b"\r\n\t \x00"):
            raise EOFError(f"{size - good_offset} bytes after the last complete record")


def iter_many(
    paths: Iterable[str | os.PathLike],
    *,
    articles_only: bool = True,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[WarcReadError], None] | None = None,
) -> Iterator[Page]:
    """Pages of several WARCs in order; a broken file is reported to ``on_error`` and the rest go on."""
    resolver = RevisitResolver()
    for path in paths:
        try:
            yield from iter_article_responses(
                Path(path), articles_only=articles_only, progress=progress, resolver=resolver
            )
        except WarcReadError as err:
            if on_error is None:
                raise
            on_error(err)
        except OSError as exc:
            err = WarcReadError(path, 0, f"{type(exc).__name__}: {exc.strerror or exc}")
            if on_error is None:
                raise err from exc
            on_error(err)
