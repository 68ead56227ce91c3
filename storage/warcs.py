"""Reading WARC files for ingest: any standard WARC (ours, wget, Heritrix, Browsertrix, pywb).

warcio does the parsing; this module adds what an archive's ingest needs on top of it:
exact record offsets and lengths (so the bytes can be read back), detection of damage that warcio
passes over silently (a truncated record just reads short), and decoding of the HTTP payload as it
was stored (chunked or not, content-encoded or not).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from storage.util import normalize_date

HTML_MIMES = {"text/html", "application/xhtml+xml"}
# Larger payloads are not article pages; keeping them out of memory bounds ingest's footprint.
MAX_BODY = 32 * 1024 * 1024
BLOCK = 1 << 16
CAPTURE_TYPES = {"response", "revisit"}


class WarcDamage(Exception):
    """The file stops being a readable WARC at `offset` (records before it are good)."""

    def __init__(self, offset: int, reason: str):
        super().__init__(f"at byte {offset}: {reason}")
        self.offset = offset
        self.reason = reason


@dataclass
class Entry:
    """One response or revisit record, with what ingest and the store need from it."""

    record_id: str
    warc_type: str
    url: str
    fetched_at: str | None
    status: int | None
    mime: str | None
    payload_digest: str | None
    offset: int
    length: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    profile: str | None = None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    body: bytes | None = None  # the decoded payload, only when the caller asked for it

    @property
    def is_revisit(self) -> bool:
        return self.warc_type == "revisit"

    @property
    def is_html(self) -> bool:
        return self.mime in HTML_MIMES


def strip_id(value: str | None) -> str | None:
    """WARC-Record-ID without its angle brackets: the same id, easier to put in a URL or query."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value


def mime_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def decode_payload(raw: bytes, headers: list[tuple[str, str]]) -> bytes:
    """The entity body as a browser would see it.

    Tools differ: wget keeps the wire bytes (chunked, gzip), others store it de-chunked but still
    encoded, or decoded with the original headers left in place. When a declared coding does not
    apply, the bytes are taken as they are rather than lost.
    """
    lower = {k.lower(): v for k, v in headers}
    encoding = (lower.get("content-encoding") or "").strip().lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    chunked = "chunked" in (lower.get("transfer-encoding") or "").lower()
    for decomp in ([encoding, None] if encoding else [None]):
        try:
            if chunked:
                reader = ChunkedDataReader(io.BytesIO(raw), decomp_type=decomp)
            elif decomp:
                reader = BufferedReader(io.BytesIO(raw), decomp_type=decomp)
            else:
                return raw
            out = reader.read()
            if out or not raw:
                return out
        except Exception:  # noqa: BLE001 - any decoding failure falls back to the next reading
            continue
    return raw


def _drain(stream, digest=None, keep: bool = False, limit: int = MAX_BODY) -> bytes | None:
    """Read a record's stream to its end (warcio's offsets are right only after that)."""
    kept: list[bytes] | None = [] if keep else None
    size = 0
    while chunk := stream.read(BLOCK):
        if digest is not None:
            digest.update(chunk)
        if kept is not None:
            size += len(chunk)
            if size > limit:
                kept = None
            else:
                kept.append(chunk)
    return b"".join(kept) if kept is not None else None


def _short_by(record: ArcWarcRecord) -> int:
    """Bytes the record's block promised (Content-Length) but the file did not have."""
    stream = record.raw_stream
    while stream is not None:
        limit = getattr(stream, "limit", None)
        if limit is not None:
            return limit
        stream = getattr(stream, "stream", None)
    return 0


class _Iterator(ArchiveIterator):
    """warcio's iterator, counting instead of printing a record that does not end where its
    Content-Length says (warcio only warns on stderr, and the record reads as if it were whole)."""

    INC_RECORD = ""


class FilePrefix:
    """The first `size` bytes of a file: a WARC still being appended to reads as the bytes that were
    hashed, so what the store records (SHA-256, size, records) describes exactly what it ingested."""

    def __init__(self, fh, size: int):
        self.fh = fh
        self.size = size

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.fh.tell()
        if left <= 0:
            return b""
        return self.fh.read(left if n is None or n < 0 else min(n, left))

    def tell(self) -> int:
        return self.fh.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.fh.seek(offset, whence)


@dataclass
class FileStats:
    records: int = 0  # every record, warcinfo and requests included
    end: int = 0  # offset just past the last good record
    last_offset: int = 0
    warcinfo: dict = field(default_factory=dict)  # fields of the first warcinfo record


def iter_entries(
    fh,
    want_body: Callable[[Entry], bool] | None = None,
    stats: FileStats | None = None,
    size: int | None = None,
) -> Iterator[Entry]:
    """Yield the response and revisit records of an open WARC, in file order.

    `want_body(entry)` decides, from the headers, whether the decoded payload is kept. Raises
    WarcDamage after the last good record when the file is not a WARC, is cut short, has a record
    whose Content-Length is wrong or has bytes after its last record; the entries yielded before it
    are sound. `size` reads only that many bytes of a file that may still be growing.
    """
    stats = stats if stats is not None else FileStats()
    start = fh.tell()
    if size is None:
        size = os.fstat(fh.fileno()).st_size if hasattr(fh, "fileno") else None
    else:
        fh = FilePrefix(fh, size)
    iterator = _Iterator(fh, arc2warc=False)
    position = start
    # An entry is yielded once the next record has been read, the file's last record only after the
    # end of the file is checked: a gzip member cut in its trailer still reads as a whole record.
    pending: Entry | None = None
    last_is_empty = False
    try:
        for record in iterator:
            position = iterator.offset
            if pending is not None:  # warcio got past its record, so its gzip member ended
                yield pending
                pending = None
            misfits = iterator.err_count
            if record.format != "warc":
                raise WarcDamage(position, f"not a WARC record ({record.format} format)")
            if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
                # Mandatory in WARC; missing (or cut to nothing) means the header block was cut off.
                raise WarcDamage(position, "record header incomplete (no Content-Length)")
            entry = _entry_head(record) if record.rec_type in CAPTURE_TYPES else None
            keep = bool(entry is not None and want_body is not None and want_body(entry))
            digest = hashlib.sha1() if entry is not None and not entry.payload_digest else None
            is_info = record.rec_type == "warcinfo" and not stats.warcinfo
            raw = _drain(record.raw_stream, digest=digest, keep=keep or is_info,
                         limit=1 << 20 if is_info else MAX_BODY)
            missing = _short_by(record)
            if missing:
                raise WarcDamage(position, f"record truncated ({missing} bytes of its block missing)")
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            if iterator.err_count > misfits and not (iterator.next_line or b"").startswith(b"WARC/"):
                # Not followed by the blank lines that end a record: its Content-Length is wrong, so
                # its block holds bytes of the next record, or misses its own last bytes.
                raise WarcDamage(position, "record does not end where its Content-Length says")
            stats.records += 1
            stats.last_offset = offset
            stats.end = offset + length
            last_is_empty = int(record.rec_headers.get_header("Content-Length")) == 0
            if is_info and raw:
                stats.warcinfo = parse_warc_fields(raw)
            if entry is None:
                continue
            entry.offset, entry.length = offset, length
            if digest is not None and not entry.is_revisit:
                entry.payload_digest = "sha1:" + base64.b32encode(digest.digest()).decode("ascii")
            if raw is not None:
                entry.body = decode_payload(raw, entry.headers)
            pending = entry
    except WarcDamage:
        raise
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, OSError, zlib.error,
            ValueError, IndexError, AttributeError, TypeError) as e:
        # warcio meets a header block cut before its WARC-Target-URI with an AttributeError.
        if isinstance(e, ArchiveLoadFailed) and "non-chunked gzip" in str(e):
            # Several records in one gzip member: none of them can be read back by offset, not even
            # the first, which warcio already returned; the damage starts where that member does.
            if stats.records:
                stats.records -= 1
                stats.end = stats.last_offset
            if pending is not None and pending.offset != stats.last_offset:
                yield pending
            raise WarcDamage(stats.end if stats.records else start, _reason(e)) from e
        if pending is not None:  # the failure is in the bytes after it: it is whole
            yield pending
        where = iterator.offset if iterator.offset is not None else position
        raise WarcDamage(max(where, stats.end), _reason(e)) from e
    cut = None
    if stats.records and not _gzip_member_complete(fh, stats.last_offset, stats.end):
        cut = "last gzip member truncated"
    elif stats.records and last_is_empty and not _header_ended(fh, stats.last_offset, stats.end):
        # With no block to come up short, only the blank line closing its header shows it is whole.
        cut = "last record's header cut off"
    if cut:
        stats.records -= 1
        stats.end = stats.last_offset
        raise WarcDamage(stats.last_offset, cut)
    if pending is not None:
        yield pending
    if size is not None and stats.end < size and stats.records:
        tail = _tail(fh, stats.end, size)
        if tail.strip(b"\r\n"):
            if tail.lstrip(b"\r\n").startswith((b"\x1f\x8b", b"WARC/")):
                raise WarcDamage(stats.end, "truncated: the file ends inside a record")
            raise WarcDamage(stats.end, "unreadable bytes after the last whole record")
    if not stats.records:
        raise WarcDamage(start, "empty file" if not size else "no WARC record found")


def parse_warc_fields(block: bytes) -> dict:
    """A warcinfo block (application/warc-fields): `name: value` lines; first value wins."""
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() and name.strip() not in fields:
            fields[name.strip()] = value.strip()
    return fields


def _gzip_member_complete(fh, start: int, end: int) -> bool:
    """A gzip member cut inside its trailer still yields all its data: check the stream's end."""
    fh.seek(start)
    data = fh.read(end - start)
    if data[:2] != b"\x1f\x8b":
        return True
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for i in range(0, len(data), BLOCK):
            d.decompress(data[i:i + BLOCK])
            if d.eof:
                return True
    except zlib.error:
        return False
    return d.eof


def _header_ended(fh, start: int, end: int) -> bool:
    """An uncompressed record without a block: its header block must end with a blank line (a gzip
    member is checked whole instead)."""
    fh.seek(start)
    data = fh.read(min(end - start, 1 << 16))
    return data[:2] == b"\x1f\x8b" or b"\r\n\r\n" in data or b"\n\n" in data


def _tail(fh, start: int, size: int) -> bytes:
    fh.seek(start)
    return fh.read(min(size - start, 4096))


def _reason(e: Exception) -> str:
    if isinstance(e, (AttributeError, TypeError)):
        return "record header incomplete or malformed"
    text = " ".join(str(e).split())
    if isinstance(e, ArchiveLoadFailed) and "non-chunked gzip" in text:
        return "gzip is not one member per record (fix with `warcio recompress`)"
    if isinstance(e, ArchiveLoadFailed) and "Unknown archive format" in text:
        return "not a WARC file" + (f" ({text[:80]})" if text else "")
    return f"{type(e).__name__}: {text[:160]}" if text else type(e).__name__


def _uri(value: str | None) -> str:
    """A URI field as written; WARC 1.0 writers may wrap it in <>. A URI that merely ends in ">"
    keeps it: the capture's url must match what replay looks up."""
    value = (value or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


def _entry_head(record: ArcWarcRecord) -> Entry:
    h = record.rec_headers
    http = record.http_headers
    status = None
    headers: list[tuple[str, str]] = []
    mime = None
    if http is not None and http.statusline:
        headers = list(http.headers)
        try:
            status = int(http.get_statuscode())
        except (TypeError, ValueError):
            status = None
        mime = mime_of(http.get_header("content-type"))
    if mime is None and record.rec_type == "response" and http is None:
        mime = mime_of(h.get_header("content-type"))
    return Entry(
        record_id=strip_id(h.get_header("WARC-Record-ID")) or "",
        warc_type=record.rec_type,
        url=_uri(h.get_header("WARC-Target-URI")),
        fetched_at=normalize_date(h.get_header("WARC-Date")),
        status=status,
        mime=mime,
        payload_digest=(h.get_header("WARC-Payload-Digest") or "").strip() or None,
        offset=0,
        length=0,
        headers=headers,
        profile=h.get_header("WARC-Profile"),
        refers_to=strip_id(h.get_header("WARC-Refers-To")),
        refers_to_uri=_uri(h.get_header("WARC-Refers-To-Target-URI")) or None,
        refers_to_date=normalize_date(h.get_header("WARC-Refers-To-Date")),
    )


def read_record_at(path, offset: int, length: int | None = None) -> ArcWarcRecord:
    """The record stored at `offset` in the file at `path`, fully in memory.

    Reading exactly `length` bytes (when known) proves the stored offsets still match the file;
    the record is returned with a stream over those bytes so it outlives the file handle.
    """
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length) if length else None
        if data is None:
            records = ArchiveIterator(f)
            record = next(iter(records))
            data_stream = io.BytesIO(record.raw_stream.read())
            record.raw_stream = data_stream
            return record
    if length and len(data) != length:
        raise WarcDamage(offset, f"file ends {length - len(data)} bytes before the stored record end")
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    body = record.raw_stream.read()
    record.raw_stream = io.BytesIO(body)
    return record


def record_payload(record: ArcWarcRecord) -> bytes:
    """Decoded payload of a record returned by read_record_at."""
    raw = record.raw_stream.read()
    record.raw_stream = io.BytesIO(raw)
    headers = list(record.http_headers.headers) if record.http_headers is not None else []
    return decode_payload(raw, headers)
