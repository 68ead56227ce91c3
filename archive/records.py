"""One iterator over the records of any archive, and one way to read a record back at its place.

warcio parses the headers; this module adds what every stage relies on: exact offsets and lengths
(right only after a record was read to its end), damage warcio passes over in silence (a record cut
short reads short, a gzip member cut in its trailer reads whole, a corrupt member prints decompressor
errors on stderr and reads empty), block and payload digests checked as the bytes stream past, ARC
records in both header layouts, WARC-Type in any case, and WACZ members read in place.

A record is yielded only once the reader has got past it (the next record began where it should, or
the end of the file was checked), so every record yielded is whole.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import lzma
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BUFF_SIZE, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ARC2WARCHeadersParser, ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

from archive import files
from archive.damage import ArchiveDamage
from archive.digests import Check, sha1_b32
from archive.fields import normalize_date, parse_warc_fields, strip_id, uri
from archive.payload import HTML_MIMES, dechunk, decode_payload, header_value, is_chunked, mime_of

CAPTURE_TYPES = frozenset({"response", "revisit"})
HTTP_TYPES = ("response", "request", "revisit")
# Larger payloads are not article pages; keeping them out of memory bounds every reader's footprint.
MAX_BODY = 32 * 1024 * 1024
BLOCK = 1 << 16


@dataclass
class Record:
    """One record, with what the stages above need from it; `body` only when the caller asked."""

    record_id: str
    warc_type: str  # lower case, whatever case the file wrote
    url: str
    fetched_at: str | None
    status: int | None
    mime: str | None
    payload_digest: str | None
    offset: int
    length: int
    headers: list[tuple[str, str]] = field(default_factory=list)  # the HTTP headers, as stored
    profile: str | None = None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    body: bytes | None = None  # the decoded payload
    member: str | None = None  # the WARC inside a WACZ the offset counts in
    digest_fault: str | None = None  # "block digest mismatch", "payload digest mismatch", or both
    warc_date: str | None = None  # WARC-Date as written

    @property
    def is_revisit(self) -> bool:
        return self.warc_type == "revisit"

    @property
    def is_html(self) -> bool:
        return self.mime in HTML_MIMES

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


@dataclass
class FileStats:
    records: int = 0  # every whole record, warcinfo and requests included
    end: int = 0  # offset just past the last whole record (of the current member)
    last_offset: int = 0
    warcinfo: dict = field(default_factory=dict)  # fields of the first warcinfo record
    format: str | None = None  # warc | arc | wacz
    framing: str | None = None  # plain | record-gzip | stream-gzip (mixed: members differ)
    members: list[str] = field(default_factory=list)  # a WACZ's WARCs, as read
    pages: list[dict] = field(default_factory=list)  # a WACZ's pages.jsonl (url, ts, title)
    digest_faults: list[tuple[str | None, int, str, str]] = field(default_factory=list)
    # (member, offset, record id, fault) of every record whose declared digest does not match


class CorruptGzip(Exception):
    pass


class _QuietReader(DecompressingBufferedReader):
    """warcio's reader, raising on a corrupt gzip member instead of printing the decompressor's error
    on stderr and reading on as if the member were empty."""

    gzipped = False

    def _decompress(self, data):
        if not (self.decompressor and data):
            return data
        try:
            return self.decompressor.decompress(data)
        except Exception as e:  # noqa: BLE001 - zlib.error, or brotli's own
            if self.num_block_read == 0 and not self.gzipped:
                if self.decomp_type == "deflate":
                    self._init_decomp("deflate_alt")
                    return self._decompress(data)
                self.decompressor = None  # not compressed at all
                return data
            raise CorruptGzip() from e


class _ArcHeaders(ARC2WARCHeadersParser):
    """ARC record headers in either layout: v1 (URL IP date type length) and v1.1/v2 (ten fields,
    the length last). warcio knows the first only and reads a v2 URL as the first six fields."""

    version = "1"
    parsed = 0  # records read as ARC: in a WARC file, one is damage

    def parse(self, stream, headerline=None):
        total_read = 0
        if headerline is None:
            headerline = stream.readline()
        headerline = StatusAndHeadersParser.decode_header(headerline)
        if not headerline:
            raise EOFError()
        headerline = headerline.rstrip()
        if headerline.startswith("filedesc://"):
            version = StatusAndHeadersParser.decode_header(stream.readline())
            spec = StatusAndHeadersParser.decode_header(stream.readline())
            total_read += len(version) + len(spec)
            self.version = (version.split() or ["1"])[0]
            parts = headerline.rsplit(" ", 4)
        elif self.version.startswith("2"):
            fields = headerline.rsplit(" ", 9)
            parts = fields[:4] + fields[-1:] if len(fields) == 10 else fields
        else:
            parts = headerline.rsplit(" ", 4)
        if len(parts) != 5:
            raise StatusAndHeadersParserException(f"Wrong # of headers: {parts}", parts)
        self.parsed += 1
        _, headers = self._get_protocol_and_headers(headerline, parts)
        return StatusAndHeaders(statusline="", headers=headers, protocol="WARC/1.0", total_len=total_read)


class _Tee:
    """A record's block stream, feeding the block digest with every byte read (the HTTP headers too)."""

    def __init__(self, stream, check: Check):
        self.stream = stream
        self.check = check

    def read(self, n=None):
        data = self.stream.read(n)
        self.check.update(data)
        return data

    def readline(self, n=None):
        data = self.stream.readline(n)
        self.check.update(data)
        return data

    def tell(self):
        return self.stream.tell()


# warcio logs each URI it rewrites (spaces to %20) on stderr: the reader's output is its damage report.
logging.getLogger("warcio.recordloader").setLevel(logging.ERROR)
WARC_VERSIONS = StatusAndHeadersParser(
    ArcWarcRecordLoader.WARC_TYPES + [v.lower() for v in ArcWarcRecordLoader.WARC_TYPES])


def _iterator(stream, gzipped: bool) -> ArchiveIterator:
    iterator = ArchiveIterator(stream, no_record_parse=True, arc2warc=True)
    iterator.loader.warc_parser = WARC_VERSIONS
    iterator.INC_RECORD = ""  # counted in err_count instead of printed
    reader = _QuietReader(iterator.fh, block_size=BUFF_SIZE)
    reader.gzipped = gzipped
    iterator.reader = reader
    iterator.loader.arc_parser = _ArcHeaders()
    return iterator


def _http_headers(iterator: ArchiveIterator, record: ArcWarcRecord, rtype: str, stream) -> None:
    """Parse the HTTP headers of any record type spelled in any case (warcio knows lower case only)."""
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    length = record.length
    record.http_headers = None
    if rtype not in HTTP_TYPES or length == 0 or not target.lower().startswith(("http:", "https:")):
        return
    loader = iterator.loader
    try:
        record.http_headers = loader.load_http_headers(rtype, target, stream, length)
    except EOFError:
        record.http_headers = None


def _drain(stream, checks, keep: bool, limit: int = MAX_BODY) -> bytes | None:
    """Read a record's stream to its end (warcio's offsets are right only after that)."""
    kept: list[bytes] | None = [] if keep else None
    size = 0
    while chunk := stream.read(BLOCK):
        for check in checks:
            check.update(chunk)
        if kept is not None:
            size += len(chunk)
            if size > limit:
                kept = None
            else:
                kept.append(chunk)
    return b"".join(kept) if kept is not None else None


class _Sha1:
    def __init__(self):
        self.hasher = hashlib.sha1()

    def update(self, data):
        self.hasher.update(data)


def _head(record: ArcWarcRecord, rtype: str, member: str | None) -> Record:
    h = record.rec_headers
    http = record.http_headers
    status = None
    headers: list[tuple[str, str]] = []
    mime = None
    if http is not None and http.statusline is not None and rtype != "request":
        headers = list(http.headers)
        try:
            status = int(http.get_statuscode())
        except (TypeError, ValueError):
            status = None
        mime = mime_of(http.get_header("content-type"))
    if mime is None and http is None and rtype not in ("revisit", "request"):
        # A response of a non-HTTP scheme (dns:, ftp:) or an ARC record without HTTP headers.
        mime = mime_of(h.get_header("content-type"))
        if mime in ("application/http", "message/http"):
            mime = None
    return Record(
        record_id=strip_id(h.get_header("WARC-Record-ID")) or "",
        warc_type=rtype,
        url=uri(h.get_header("WARC-Target-URI")),
        fetched_at=normalize_date(h.get_header("WARC-Date")),
        status=status,
        mime=mime,
        payload_digest=(h.get_header("WARC-Payload-Digest") or "").strip() or None,
        offset=0,
        length=0,
        headers=headers,
        profile=h.get_header("WARC-Profile"),
        refers_to=strip_id(h.get_header("WARC-Refers-To")),
        refers_to_uri=uri(h.get_header("WARC-Refers-To-Target-URI")) or None,
        refers_to_date=normalize_date(h.get_header("WARC-Refers-To-Date")),
        member=member,
        warc_date=h.get_header("WARC-Date"),
    )


def arc_record_id(url: str, date: str | None, offset: int, member: str | None = None) -> str:
    """ARC records have no id (warcio invents a random one each read): one derived from the record's
    place and fields, so every reading of the file, by any stage, gives the same id."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"arc:{member or ''}:{offset}:{date}:{url}"))


def iter_records(
    path,
    want_body: Callable[[Record], bool] | None = None,
    stats: FileStats | None = None,
    size: int | None = None,
    types=CAPTURE_TYPES,
) -> Iterator[Record]:
    """Yield the records of `types` (None: every record) of a WARC, ARC or WACZ, in file order.

    `want_body(record)` decides, from the headers, whether the decoded payload is kept. Raises
    ArchiveDamage after the last whole record when the file is not an archive, is cut short, has a
    corrupt gzip member, a record whose Content-Length is wrong, or bytes after its last record; the
    records yielded before it are sound. `size` reads only that many bytes of a file that may still
    be growing. Digest mismatches do not stop the reading: they are marked on the record and listed
    in `stats.digest_faults`.
    """
    stats = stats if stats is not None else FileStats()
    path = Path(path)
    kind, why = files.classify(path)
    if kind is None:
        raise ArchiveDamage(0, why)
    stats.format = kind
    with open(path, "rb") as fh:
        if kind != "wacz":
            yield from _guarded(files.Window(fh, 0, size), None, kind, want_body, stats, types)
            return
        try:
            zf = zipfile.ZipFile(fh)
            members = files.wacz_members(zf)
            stats.pages = wacz_pages(zf)
        except (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError) as e:
            raise ArchiveDamage(0, "a damaged WACZ package (unreadable zip directory or page list)") from e
        for info in members:
            stats.members.append(info.filename)
            try:
                src = files.member_window(fh, zf, info)
            except (zipfile.BadZipFile, OSError, NotImplementedError) as e:
                raise ArchiveDamage(0, "a member of the WACZ package cannot be opened", info.filename) from e
            stats.end = stats.last_offset = 0
            try:
                sub_kind = files.kind_of_text(_peek(src))
            except (zlib.error, zipfile.BadZipFile, EOFError, OSError) as e:
                raise ArchiveDamage(0, "a corrupt member of the WACZ package", info.filename) from e
            if sub_kind is None:
                raise ArchiveDamage(0, "not a WARC (no WARC record at its start)", info.filename)
            yield from _guarded(src, info.filename, sub_kind, want_body, stats, types)


def _guarded(src, member, kind, want_body, stats: FileStats, types) -> Iterator[Record]:
    """The source's records; what breaks outside a record (while sniffing its compression, checking
    its end, or inside a deflated WACZ member) is damage too, never a traceback."""
    try:
        yield from _iter_source(src, member, kind, want_body, stats, types)
    except ArchiveDamage:
        raise
    except (zlib.error, zipfile.BadZipFile, EOFError, OSError, lzma.LZMAError, ValueError) as e:
        what = "a corrupt member of the WACZ package" if member else "unreadable"
        raise ArchiveDamage(stats.end, f"{what} at offset {stats.end}", member) from e


def _peek(src) -> bytes:
    src.seek(0)
    head = src.read(4096)
    src.seek(0)
    if head.startswith(b"\x1f\x8b"):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 1024)
        except zlib.error:
            return b""
    return head


def wacz_pages(zf: zipfile.ZipFile) -> list[dict]:
    """The page list of a WACZ (pages/pages.jsonl and pages/extraPages.jsonl): url, ts, title."""
    import json

    pages = []
    names = set(zf.namelist())
    for name in ("pages/pages.jsonl", "pages/extraPages.jsonl"):
        if name not in names:
            continue
        with zf.open(name) as fh:
            for line in io.TextIOWrapper(fh, encoding="utf-8", errors="replace"):
                try:
                    page = json.loads(line)
                except ValueError:
                    continue
                if isinstance(page, dict) and page.get("url"):
                    pages.append({"url": page["url"], "ts": page.get("ts"), "title": page.get("title")})
    return pages


def _iter_source(src, member, kind, want_body, stats: FileStats, types) -> Iterator[Record]:
    mode = files.framing(src)
    stats.framing = mode if stats.framing in (None, mode) else "mixed"
    stream = gzip.GzipFile(fileobj=src, mode="rb") if mode == "stream-gzip" else src
    size = src.size if isinstance(src, files.Window) else getattr(src, "_orig_file_size", None)
    iterator = _iterator(stream, gzipped=mode == "record-gzip")
    position = 0
    pending: Record | None = None
    last_is_empty = False
    where = member

    def damage(offset, reason):
        return ArchiveDamage(offset, reason, where)

    try:
        for record in iterator:
            position = iterator.offset
            if pending is not None:  # warcio got past its record, so its gzip member ended
                yield pending
                pending = None
            misfits = iterator.err_count
            if kind == "warc" and iterator.loader.arc_parser.parsed:
                raise damage(position, f"an ARC record inside a WARC file at offset {iterator.offset}")
            h = record.rec_headers
            rtype = (record.rec_type or "").strip().lower()
            if _no_length(h):
                # Mandatory in WARC; missing (or cut to nothing) means the header block was cut off.
                if (files.gzip_member_end(src, position)[0] is None if mode == "record-gzip"
                        else mode == "plain" and not _header_ended(src, position)):
                    raise damage(position, f"truncated at {position}: the file ends inside a record header")
                raise damage(position, f"record header incomplete at offset {position} (no Content-Length)")
            block = Check("block", h.get_header("WARC-Block-Digest"))
            payload = Check("payload", None if rtype == "revisit" or h.get_header("WARC-Segment-Number")
                            else h.get_header("WARC-Payload-Digest"))
            raw_stream = record.raw_stream
            tee = _Tee(raw_stream, block)
            _http_headers(iterator, record, rtype, tee)
            wanted = types is None or rtype in types
            entry = _head(record, rtype, member) if wanted else None
            if entry is not None:
                # Where the record starts, and an ARC record's id, before want_body sees it: ingest
                # asks by id (one derived from the offset when the record has none) whether the
                # capture is stored already, and reads no body when it is.
                entry.offset = position
                if kind == "arc":
                    entry.record_id = arc_record_id(entry.url, entry.fetched_at, position, member)
            keep = bool(entry is not None and want_body is not None and want_body(entry))
            fallback = _Sha1() if entry is not None and not entry.payload_digest and not entry.is_revisit \
                else None
            is_info = rtype == "warcinfo" and not stats.warcinfo
            chunked = payload.declared is not None and record.http_headers is not None \
                and is_chunked(record.http_headers.headers)
            raw = _drain(tee, [c for c in (payload, fallback) if c is not None],
                         keep=keep or is_info or chunked, limit=1 << 20 if is_info and not keep else MAX_BODY)
            missing = getattr(raw_stream, "limit", 0) or 0
            if missing:
                raise damage(position, f"truncated at {position}: the record there is {missing} bytes short")
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            following = iterator.next_line or b""
            misfit = iterator.err_count > misfits
            if misfit and kind == "warc" and following and not files.starts_warc(following):
                # Not followed by the blank lines that end a record: its Content-Length is wrong, so
                # its block holds bytes of the next record, or misses its own last bytes.
                raise damage(position, f"the record at offset {position} does not end where its "
                                       "Content-Length says")
            after = None  # damage in the bytes after this record, which is whole itself
            if kind == "warc" and following and not files.starts_warc(following):
                if b"WARC/".startswith(following.strip().upper()):
                    after = damage(iterator.offset, f"truncated at {iterator.offset}: the file ends inside a "
                                                    "record's first line")
                else:
                    after = damage(iterator.offset, f"bytes that are not a WARC record at offset "
                                                    f"{iterator.offset}")
            fault = _fault(block, payload, raw, chunked)
            if misfit:
                # A stray line between this record and a well-formed next one: the file reads on, and
                # the record is marked (its block is not exactly what its Content-Length says).
                fault = "; ".join(f for f in (fault, "length mismatch") if f)
            stats.records += 1
            stats.last_offset = offset
            stats.end = offset + length
            last_is_empty = int(h.get_header("Content-Length")) == 0
            if is_info and raw:
                stats.warcinfo = parse_warc_fields(raw)
            if fault:
                # The id the record is yielded (and stored) with: an ARC record's own is warcio's
                # invention, new at every reading.
                rid = entry.record_id if entry is not None else \
                    "" if kind == "arc" else strip_id(h.get_header("WARC-Record-ID")) or ""
                stats.digest_faults.append((member, offset, rid, fault))
            if entry is None:
                if after is not None:
                    raise after
                continue
            entry.offset, entry.length, entry.digest_fault = offset, length, fault
            if fallback is not None:
                entry.payload_digest = sha1_b32(fallback.hasher.digest())
            if keep and raw is not None:
                entry.body = decode_payload(raw, entry.headers)
            if after is not None:
                yield entry
                raise after
            pending = entry
    except ArchiveDamage:
        raise
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, OSError, zlib.error, CorruptGzip,
            lzma.LZMAError, ValueError, IndexError, AttributeError, TypeError) as e:
        at = iterator.offset if iterator.offset is not None else position
        if isinstance(e, ArchiveLoadFailed) and "non-chunked gzip" in str(e):
            # Several records in one gzip member: none of them can be read back by offset, not even
            # the first, which warcio already returned; the damage starts where that member does.
            if stats.records:
                stats.records -= 1
                stats.end = stats.last_offset
            if pending is not None and pending.offset != stats.last_offset:
                yield pending
            raise damage(stats.end, f"records share one gzip member from offset {stats.end} "
                                    "(fix with `warcio recompress`)") from e
        if isinstance(e, CorruptGzip) and _blank_from(src, at) and mode == "record-gzip":
            pass  # padding after the last member (NULs, newlines): the file ends cleanly
        else:
            if pending is not None:  # the failure is in the bytes after it: it is whole
                yield pending
            reason = _reason(e, max(at, stats.end), mode)
            if isinstance(e, CorruptGzip) and not _gzip_at(src, max(at, stats.end)):
                reason = f"bytes that are not a gzip member at offset {max(at, stats.end)}"
            raise damage(max(at, stats.end), reason) from e
    if mode == "stream-gzip":
        try:
            while stream.read(BLOCK):
                pass
        except (EOFError, OSError, zlib.error) as e:
            raise damage(stats.end, _reason(e, stats.end, mode)) from e
        size = stream.tell()
    cut = None
    if stats.records and mode == "record-gzip" and files.gzip_member_end(src, stats.last_offset)[0] is None:
        cut = f"truncated at {stats.last_offset}: its last gzip member is cut short"
    elif stats.records and mode == "plain" and last_is_empty and not _header_ended(src, stats.last_offset):
        # With no block to come up short, only the blank line closing its header shows it is whole.
        cut = f"truncated at {stats.last_offset}: the last record's header is cut off"
    if cut:
        stats.records -= 1
        stats.end = stats.last_offset
        raise damage(stats.last_offset, cut)
    if pending is not None:
        yield pending
    if size is not None and stats.end < size and stats.records:
        if mode == "stream-gzip":
            if size - stats.end > 8:
                raise damage(stats.end, f"truncated at {stats.end} (of the decompressed stream): the file "
                                        "ends inside a record")
        else:
            tail = _tail(src, stats.end, size)
            if tail.strip(b"\r\n\t \x00"):
                if tail.lstrip(b"\r\n").startswith((b"\x1f\x8b", b"WARC/")) or kind == "arc":
                    raise damage(stats.end, f"truncated at {stats.end}: the file ends inside a record")
                raise damage(stats.end, f"bytes that are not a WARC record at offset {stats.end}")
    if not stats.records:
        raise damage(0, "an empty file" if not size else "no whole record found")


def _fault(block: Check, payload: Check, raw: bytes | None, chunked: bool) -> str | None:
    faults = []
    if block.matches() is False:
        faults.append("block digest mismatch")
    ok = payload.matches()
    if ok is False and chunked and raw is not None:
        # Some tools digest the payload with its chunked transfer coding removed (the WARC 1.1 reading).
        plain = dechunk(raw)
        ok = payload.matches_bytes(plain) if plain is not None else False
    if ok is False:
        faults.append("payload digest mismatch")
    return " and ".join(faults) or None


def _reason(e: Exception, offset: int, mode: str) -> str:
    if isinstance(e, CorruptGzip) or isinstance(e, zlib.error) or isinstance(e, gzip.BadGzipFile):
        return f"corrupt gzip member at offset {offset}"
    if isinstance(e, EOFError):
        if mode == "stream-gzip":
            return f"truncated at {offset} (of the decompressed stream): the gzip stream is cut short"
        return f"truncated at {offset}"
    if isinstance(e, (AttributeError, TypeError, StatusAndHeadersParserException)):
        return f"record header incomplete or malformed at offset {offset}"
    if isinstance(e, ArchiveLoadFailed):
        return f"not a WARC or ARC record at offset {offset}"
    if isinstance(e, lzma.LZMAError):
        return f"corrupt LZMA data in the WACZ member at offset {offset}"
    if isinstance(e, OSError):
        return f"the file cannot be read at offset {offset} ({e.strerror or 'I/O error'})"
    return f"unreadable record at offset {offset}"


def _gzip_at(src, offset: int) -> bool:
    src.seek(offset)
    return src.read(2) == b"\x1f\x8b"


def _blank_from(src, offset: int) -> bool:
    src.seek(offset)
    data = src.read(1 << 16)
    return len(data) < (1 << 16) and not data.strip(b"\r\n\t \x00")


def _header_ended(src, start: int) -> bool:
    src.seek(start)
    data = src.read(1 << 16)
    return b"\r\n\r\n" in data or b"\n\n" in data


def _no_length(h) -> bool:
    """A record header without a Content-Length (or with one cut to nothing): no record can be
    bounded by it. Mandatory in WARC; warcio gives ARC records theirs from the ARC header line."""
    return not (h.get_header("Content-Length") or "").strip().isdigit()


def _tail(src, start: int, size: int) -> bytes:
    """What follows the last record, from its first byte that is not padding, up to 4 KiB: however
    long the blank run before it, junk behind it is damage, and it starts with whole the magic the
    caller looks for, wherever a read ends."""
    src.seek(start)
    while start < size:
        data = src.read(min(size - start, 1 << 16))
        if not data:
            break
        rest = data.lstrip(b"\r\n\t \x00")
        if rest:
            start += len(data)
            if len(rest) < 4096 and start < size:
                rest += src.read(min(size - start, 4096 - len(rest)))
            return rest[:4096]
        start += len(data)
    return b""


def read_record_at(path, offset: int, length: int | None = None, member: str | None = None,
                   framing: str | None = None) -> ArcWarcRecord:
    """The record stored at `offset` (of `member`, inside a WACZ) in the file at `path`, in memory.

    Reading exactly `length` bytes (when known) proves the stored offsets still match the file; the
    record is returned with its HTTP headers parsed (any WARC-Type case) and `raw_stream` over its
    payload as stored, so it outlives the file handle. In a whole-file gzip (`stream-gzip`) the
    offset counts in the decompressed stream: reaching it decompresses everything before it.
    """
    if offset < 0:
        raise ArchiveDamage(offset, f"no record at offset {offset}: offsets count from 0", member)
    with open(path, "rb") as fh:  # a file missing or closed to us is its own error, not damage
        try:
            return _read_record_at(fh, offset, length, member, framing)
        except ArchiveDamage:
            raise
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, lzma.LZMAError, ValueError) as e:
            raise ArchiveDamage(offset, f"no readable record at offset {offset}", member) from e


def _read_record_at(fh, offset, length, member, framing) -> ArcWarcRecord:
    if member:
        try:
            zf = zipfile.ZipFile(fh)
            src = files.member_window(fh, zf, zf.getinfo(member))
        except (KeyError, zipfile.BadZipFile) as e:
            raise ArchiveDamage(offset, f"no member {member} in the WACZ package", member) from e
    else:
        src = files.Window(fh, 0, None)
    mode = framing or files.framing(src)
    stream = gzip.GzipFile(fileobj=src, mode="rb") if mode == "stream-gzip" else src
    try:
        stream.seek(offset)
        data = stream.read(length) if length else None
    except (EOFError, OSError, zlib.error) as e:
        raise ArchiveDamage(offset, f"the record at offset {offset} cannot be reached", member) from e
    if length and len(data) != length:
        raise ArchiveDamage(offset, f"the file ends {length - len(data)} bytes before the stored "
                                    "record's end", member)
    source = io.BytesIO(data) if data is not None else stream
    iterator = _iterator(source, gzipped=mode == "record-gzip")
    try:
        record = next(iter(iterator))
        if _no_length(record.rec_headers):
            # Bounded by nothing of its own, such a record would read on into the next ones.
            raise ArchiveDamage(offset, f"record header incomplete at offset {offset} (no Content-Length)",
                                member)
        rtype = (record.rec_type or "").strip().lower()
        _http_headers(iterator, record, rtype, record.raw_stream)
        body = record.raw_stream.read()
        missing = getattr(record.raw_stream, "limit", 0) or 0
        took = iterator.get_record_length() if length else None
    except (StopIteration, ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, CorruptGzip,
            zlib.error, ValueError, AttributeError, TypeError) as e:
        raise ArchiveDamage(offset, f"no readable record at offset {offset}", member) from e
    # The stored length is the record's own (the reader's, or with the blank lines that close the
    # record, as an index of another tool counts it): a record cut short by it, or one ending well
    # before it, means the stored place no longer matches the file.
    if missing:
        bound = f"the stored length {length}" if length else "what the file holds"
        raise ArchiveDamage(offset, f"the record at offset {offset} is {missing} bytes longer than "
                                    f"{bound}", member)
    if took is not None and took != length and (mode == "record-gzip" or data[took:].strip(b"\r\n")):
        raise ArchiveDamage(offset, f"the record at offset {offset} takes {took} bytes, not the stored "
                                    f"{length}", member)
    record.rec_type = rtype
    record.raw_stream = io.BytesIO(body)
    return record


def record_payload(record: ArcWarcRecord) -> bytes:
    """Decoded payload of a record returned by read_record_at."""
    raw = record.raw_stream.read()
    record.raw_stream = io.BytesIO(raw)
    headers = list(record.http_headers.headers) if record.http_headers is not None else []
    return decode_payload(raw, headers)
