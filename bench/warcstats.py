"""What a crawl wrote, counted from its WARC files the same way for every tool.

A tool's own summary counts what it meant to fetch; the WARC is what an archive keeps. "Pages" are
the distinct URLs of response records with HTTP status 200 and an HTML content type. Distinct,
because wget fetches some URLs twice (a path that is both a page and a folder, ``/syria`` and
``/syria/…``, makes it download the page again): a page fetched twice is one page captured, and
counting it twice would credit the tool for its own redundant work.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from archive.cores import usable_cores

HTML = ("text/html", "application/xhtml+xml")
# Read in pieces about the size of one compressed record: zlib copies what follows the end of a
# member (`unused_data`) at every member, and with 1 MB pieces that copying was most of the time.
CHUNK = 32 * 1024
HTTP_HEAD_MAX = 64 * 1024  # where an HTTP header block must end to be read


@dataclass
class WarcStats:
    files: int = 0
    bytes: int = 0
    pages: int = 0  # distinct URLs with a 200 HTML response
    html_responses: int = 0  # 200 HTML responses, repeats included
    responses: int = 0
    revisits: int = 0
    records: Counter = field(default_factory=Counter)


def warc_files(folder: Path, since: set[Path] | None = None) -> list[Path]:
    """Closed WARCs of a folder (not '.open' ones), optionally only those not in ``since``."""
    found = sorted(p for p in Path(folder).rglob("*")
                   if p.is_file() and p.name.endswith((".warc", ".warc.gz")))
    return [p for p in found if not since or p not in since]


@dataclass
class Head:
    """What the bench needs of one record, without its payload."""

    rec_type: str
    uri: str
    status: str | None  # HTTP status of a response or revisit
    content_type: str  # of the HTTP response, lower-cased, without parameters
    offset: int | None  # of the gzip member that starts with this record (None: not at a member start)


def heads(path: Path) -> Iterator[Head]:
    """Every record's head, in order. Counting pages with warcio, every record parsed and its payload
    read, took about a minute of the bench (1.5 GB of gzip): here zlib inflates and the payloads are
    skipped unread, in 0.6 of the time. Any layout
    (a member per record, several records a member, one stream, no gzip) gives the same heads;
    `tests/test_bench_smoke.py` checks them against warcio's."""
    scanner = _Scanner()
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            fh.seek(0)
            while chunk := fh.read(CHUNK):
                yield from scanner.feed(chunk)
            return
        fh.seek(0)
        member_at, inflate, pending = 0, zlib.decompressobj(31), b""
        scanner.member_start(member_at)
        while True:
            data = pending or fh.read(CHUNK)
            if not data:
                break
            pending = b""
            try:
                inflated = inflate.decompress(data)
            except zlib.error as exc:
                raise ValueError(f"{path}: not gzip at byte {member_at} ({exc})") from exc
            yield from scanner.feed(inflated)
            if inflate.eof:
                pending = inflate.unused_data
                member_at = fh.tell() - len(pending)
                if not pending and not fh.peek(1)[:1]:
                    break
                inflate = zlib.decompressobj(31)
                scanner.member_start(member_at)
        yield from scanner.feed(inflate.flush())


class _Scanner:
    """Records out of a WARC's uncompressed bytes, fed in pieces of any size."""

    def __init__(self):
        self.buf = bytearray()
        self.consumed = 0  # uncompressed position of buf[0]
        self.members: dict[int, int] = {}  # uncompressed position -> member offset, for member starts
        self.record: tuple[str, str] | None = None  # (type, uri) of the record whose block is read
        self.left = 0  # bytes of that block (and its trailing CRLF CRLF) still to read
        self.http = bytearray()  # the start of the block, for the HTTP head
        self.offset: int | None = None

    def member_start(self, offset: int) -> None:
        self.members = {self.consumed + len(self.buf): offset}

    def feed(self, data: bytes) -> Iterator[Head]:
        self.buf += data
        while True:
            if self.record is None:
                while self.buf[:2] == b"\r\n":
                    self._drop(2)
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buf) > HTTP_HEAD_MAX:
                        raise ValueError(f"no WARC record header at byte {self.consumed}")
                    return
                self.offset = self.members.get(self.consumed)
                fields = {}
                for line in bytes(self.buf[:end]).split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    fields[name.strip().lower()] = value.strip().decode("utf-8", "replace")
                self._drop(end + 4)
                uri = fields.get(b"warc-target-uri", "")
                if uri[:1] == "<" and uri[-1:] == ">":
                    uri = uri[1:-1]  # wget writes `<URI>` (the WARC 1.0 grammar); warcio drops them too
                self.record = (fields.get(b"warc-type", ""), uri)
                try:
                    self.left = int(fields.get(b"content-length") or 0) + 4
                except ValueError:
                    raise ValueError(f"a record without a valid Content-Length: {self.record}") from None
                self.http = bytearray()
            take = min(self.left, len(self.buf))
            if self.record[0] in ("response", "revisit") and len(self.http) < HTTP_HEAD_MAX:
                self.http += self.buf[:min(take, HTTP_HEAD_MAX - len(self.http))]
            self._drop(take)
            self.left -= take
            if self.left:
                return
            yield self._head()
            self.record = None

    def _drop(self, n: int) -> None:
        del self.buf[:n]
        self.consumed += n

    def _head(self) -> Head:
        rec_type, uri = self.record
        status, ctype = None, ""
        end = self.http.find(b"\r\n\r\n")
        if end >= 0 and self.http[:5] == b"HTTP/":
            lines = bytes(self.http[:end]).split(b"\r\n")
            parts = lines[0].split()
            status = parts[1].decode("latin-1") if len(parts) > 1 else None
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-type":
                    ctype = value.decode("latin-1").split(";")[0].strip().lower()
                    break
        return Head(rec_type, uri, status, ctype, self.offset)


def count(paths: list[Path]) -> WarcStats:
    stats = WarcStats()
    urls: set[str] = set()
    for path in paths:
        stats.files += 1
        stats.bytes += path.stat().st_size
        for head in heads(path):
            stats.records[head.rec_type] += 1
            if head.rec_type == "revisit":
                stats.revisits += 1
            if head.rec_type != "response" or head.status is None:
                continue
            stats.responses += 1
            if head.status == "200" and head.content_type in HTML:
                stats.html_responses += 1
                urls.add(head.uri)
    stats.pages = len(urls)
    return stats


def count_each(groups: list[list[Path]]) -> list[WarcStats]:
    """`count` of each group of files, the groups on separate cores: the two crawls of a site are
    counted once both are done, side by side, since inflating a large crawl's gzip is long work."""
    cores = usable_cores()
    if len(groups) < 2 or cores < 2:
        return [count(g) for g in groups]
    with ProcessPoolExecutor(max_workers=min(len(groups), cores)) as pool:
        return list(pool.map(count, groups))
