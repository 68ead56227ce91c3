"""The reader's ARC header lines, the digest faults it marks on records, and the damage lines it
gives for a whole-file gzip or a compressed WACZ member that breaks, on files built byte by byte.

Mutation testing of archive/records.py (issue 20) found these rules unpinned: `_ArcHeaders.parse`
(either ARC layout, fields split from the right so that a URL may hold spaces, an empty field kept
in its place), `_fault` (which digest of a record does not match, a chunked payload digested either
way) and `_reason` (the one line a person reads). Every expected value is written from the bytes
the test built, never worked out by the reader's own rules.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive import ArchiveDamage, FileStats, iter_records, read_record_at
from tests.support.archives import sha1_digest

# --- ARC files, line by line ----------------------------------------------------------------------

VERSION_1 = b"1 0 Deeply\nURL IP-address Archive-date Content-type Archive-length\n"
VERSION_2 = (b"2 0 Deeply\nURL IP-address Archive-date Content-type Result-code Checksum Location Offset "
             b"Filename Archive-length\n")


def filedesc(fields: bytes, version: bytes = VERSION_1) -> bytes:
    """The file's first record: its line (`fields`, then the length), the version block, a newline."""
    return b"filedesc://" + fields + b" %d\n" % len(version) + version + b"\n"


def http(body: bytes) -> bytes:
    return b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def arc_record(fields: bytes, body: bytes, trailing: bytes = b"") -> bytes:
    """A record: its line (`fields`, then the length of what follows the line, then `trailing`), the
    HTTP response, a newline."""
    block = http(body)
    return fields + b" %d" % len(block) + trailing + b"\n" + block + b"\n"


def read(path):
    stats = FileStats()
    got = [(r.warc_type, r.url, r.fetched_at, r.status, r.mime, r.body, r.offset, r.length)
           for r in iter_records(path, stats=stats, types=None, want_body=lambda r: True)]
    return got, stats


def test_an_arc_file_of_version_1_gives_every_field_of_its_lines_exactly(tmp_path):
    """The fields are split off from the right: the name of the file and a URL may hold spaces."""
    desc = filedesc(b"deeply crawl one.arc 127.0.0.1 20160311100000 text/plain")
    first = arc_record(b"http://example.com/a b.html 10.0.0.7 20160311100001 text/html", b"<p>a</p>")
    second = arc_record(b"http://example.com/b 10.0.0.8 20160311100002 text/html", b"<p>bb</p>")
    path = tmp_path / "v1.arc"
    path.write_bytes(desc + first + second)
    got, stats = read(path)
    # Each record's length leaves out the newline that ends it.
    assert got == [
        ("warcinfo", "", "2016-03-11T10:00:00Z", None, "text/plain", b"", 0, len(desc) - 1),
        ("response", "http://example.com/a%20b.html", "2016-03-11T10:00:01Z", 200, "text/html", b"<p>a</p>",
         len(desc), len(first) - 1),
        ("response", "http://example.com/b", "2016-03-11T10:00:02Z", 200, "text/html", b"<p>bb</p>",
         len(desc + first), len(second) - 1),
    ]
    assert (stats.format, stats.records, stats.framing) == ("arc", 3, "plain")


@pytest.mark.parametrize("layout", ["version 1", "version 2"])
def test_an_empty_field_of_an_arc_line_leaves_the_others_in_their_places(tmp_path, layout):
    """Two spaces in a row are an empty field (no IP address, no location), not one separator."""
    if layout == "version 1":
        desc = filedesc(b"deeply.arc  20160311100000 text/plain")
        record = arc_record(b"http://example.com/c  20160311100002 text/html", b"<p>c</p>")
    else:
        desc = filedesc(b"deeply.arc 0.0.0.0 20160311100000 text/plain", VERSION_2)
        record = arc_record(b"http://example.com/c 10.0.0.7 20160311100002 text/html 200 "
                            b"fac069150613fe55599cc7fa88aa089d  0 deeply.arc", b"<p>c</p>")
    path = tmp_path / "empty-field.arc"
    path.write_bytes(desc + record)
    got, _ = read(path)
    assert got == [
        ("warcinfo", "", "2016-03-11T10:00:00Z", None, "text/plain", b"", 0, len(desc) - 1),
        ("response", "http://example.com/c", "2016-03-11T10:00:02Z", 200, "text/html", b"<p>c</p>",
         len(desc), len(record) - 1),
    ]


def test_spaces_after_the_last_field_of_an_arc_line_are_no_field(tmp_path):
    desc = filedesc(b"deeply.arc 0.0.0.0 20160311100000 text/plain")
    record = arc_record(b"http://example.com/d 10.0.0.7 20160311100003 text/html", b"<p>d</p>", b"  ")
    path = tmp_path / "trailing.arc"
    path.write_bytes(desc + record)
    got, _ = read(path)
    assert got[1] == ("response", "http://example.com/d", "2016-03-11T10:00:03Z", 200, "text/html",
                      b"<p>d</p>", len(desc), len(record) - 1)


@pytest.mark.parametrize("layout, line", [
    ("version 1", b"http://example.com/e 10.0.0.7 20160311100004 8"),
    ("version 2", b"http://example.com/e 10.0.0.7 20160311100004 text/html 200 8"),
    ("version 2", b"http://example.com/e 10.0.0.7 20160311100004 8"),
])
def test_an_arc_line_of_neither_layouts_field_count_is_damage_at_its_offset(tmp_path, layout, line):
    """Four fields, or six in the ten-field layout: no field can be told from another."""
    version = VERSION_1 if layout == "version 1" else VERSION_2
    desc = filedesc(b"deeply.arc 0.0.0.0 20160311100000 text/plain", version)
    path = tmp_path / "miscounted.arc"
    path.write_bytes(desc + line + b"\n<p>e</p>\n")
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None):
            seen.append((r.warc_type, r.offset))
    assert seen == [("warcinfo", 0)]
    at = len(desc)
    assert (info.value.offset, info.value.reason) == (at, f"not a WARC or ARC record at offset {at}")


def test_an_arc_record_read_back_has_the_header_of_a_warc_record_and_is_written_out_as_one(tmp_path):
    """read_record_at hands out ARC records converted to WARC: their header must be what warcio's
    writer writes as a WARC/1.0 record, read again by plain warcio."""
    desc = filedesc(b"deeply.arc 0.0.0.0 20160311100000 text/plain")
    record = arc_record(b"http://example.com/f 10.0.0.7 20160311100005 text/html", b"<p>f</p>")
    path = tmp_path / "back.arc"
    path.write_bytes(desc + record)
    back = read_record_at(path, len(desc), len(record) - 1)
    assert (back.rec_headers.protocol, back.rec_headers.statusline) == ("WARC/1.0", "")
    out = io.BytesIO()
    WARCWriter(out, gzip=False).write_record(back)
    assert out.getvalue().startswith(b"WARC/1.0\r\nWARC-Type: response\r\n")
    out.seek(0)
    again = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"),
              r.rec_headers.get_header("WARC-IP-Address"), r.content_stream().read())
             for r in ArchiveIterator(out)]
    assert again == [("response", "http://example.com/f", "2016-03-11T10:00:05Z", "10.0.0.7", b"<p>f</p>")]


# --- digests ---------------------------------------------------------------------------------------


def rid(n: int) -> str:
    return f"urn:uuid:6a1d2b5e-0000-4000-8000-{n:012d}"


def warc_record(n: int, url: bytes, block: bytes, fields: tuple[bytes, ...] = ()) -> bytes:
    head = [b"WARC/1.0", b"WARC-Type: response", b"WARC-Record-ID: <%s>" % rid(n).encode(),
            b"WARC-Date: 2016-03-11T10:00:00Z", b"WARC-Target-URI: " + url, *fields,
            b"Content-Length: %d" % len(block)]
    return b"\r\n".join(head) + b"\r\n\r\n" + block + b"\r\n\r\n"


def digested(n: int, url: bytes, head: bytes, payload: bytes, block_digest=None,
             payload_digest=None) -> bytes:
    """A response whose digests are those of its block and payload (True), given (bytes) or absent."""
    block = head + payload
    fields = []
    for name, digest, data in ((b"Block", block_digest, block), (b"Payload", payload_digest, payload)):
        if digest is not None:
            value = sha1_digest(data).encode() if digest is True else digest
            fields.append(b"WARC-%s-Digest: %s" % (name, value))
    return warc_record(n, url, block, tuple(fields))


WRONG = sha1_digest(b"other bytes").encode()
HTML = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"


def faults_of(path, records: list[bytes], **kw):
    """(url, digest_fault) of every record, and stats.digest_faults, with the offsets the records
    were written at."""
    stats = FileStats()
    got = [(r.url, r.digest_fault) for r in iter_records(path, stats=stats, types=None, **kw)]
    starts = [sum(len(r) for r in records[:i]) for i in range(len(records))]
    return got, stats.digest_faults, starts


def test_each_record_is_marked_with_those_of_its_digests_that_do_not_match(tmp_path):
    records = [digested(1, b"http://a.example/sound", HTML, b"<p>sound</p>", True, True),
               digested(2, b"http://a.example/block", HTML, b"<p>block</p>", WRONG, True),
               digested(3, b"http://a.example/payload", HTML, b"<p>payload</p>", True, WRONG),
               digested(4, b"http://a.example/both", HTML, b"<p>both</p>", WRONG, WRONG),
               digested(5, b"http://a.example/none", HTML, b"<p>none</p>")]
    path = tmp_path / "digests.warc"
    path.write_bytes(b"".join(records))
    got, faults, at = faults_of(path, records, want_body=lambda r: True)  # bodies kept: read twice
    assert got == [("http://a.example/sound", None), ("http://a.example/block", "block digest mismatch"),
                   ("http://a.example/payload", "payload digest mismatch"),
                   ("http://a.example/both", "block digest mismatch and payload digest mismatch"),
                   ("http://a.example/none", None)]
    assert faults == [(None, at[1], rid(2), "block digest mismatch"),
                      (None, at[2], rid(3), "payload digest mismatch"),
                      (None, at[3], rid(4), "block digest mismatch and payload digest mismatch")]


def test_a_chunked_payload_matches_a_digest_of_it_as_stored_or_without_its_chunks(tmp_path):
    """Tools differ (WARC 1.0 digests the bytes as sent, 1.1 may digest them de-chunked): either
    matches; neither, or a broken chunking that matches neither, is a mismatch."""
    wire = b"6\r\n<p>hi<\r\n5\r\n/p>xx\r\n0\r\n\r\n"
    broken = b"zz\r\n<p>hi</p>\r\n"  # no chunk size: it cannot be de-chunked
    records = [digested(1, b"http://c.example/as-stored", CHUNKED, wire, payload_digest=True),
               digested(2, b"http://c.example/de-chunked", CHUNKED, wire,
                        payload_digest=sha1_digest(b"<p>hi</p>xx").encode()),
               digested(3, b"http://c.example/neither", CHUNKED, wire, payload_digest=WRONG),
               digested(4, b"http://c.example/broken", CHUNKED, broken, payload_digest=WRONG),
               digested(5, b"http://c.example/broken-as-stored", CHUNKED, broken, payload_digest=True)]
    path = tmp_path / "chunked.warc"
    path.write_bytes(b"".join(records))
    got, faults, at = faults_of(path, records)
    assert got == [("http://c.example/as-stored", None), ("http://c.example/de-chunked", None),
                   ("http://c.example/neither", "payload digest mismatch"),
                   ("http://c.example/broken", "payload digest mismatch"),
                   ("http://c.example/broken-as-stored", None)]
    assert faults == [(None, at[2], rid(3), "payload digest mismatch"),
                      (None, at[3], rid(4), "payload digest mismatch")]


# --- damage in compressed streams ------------------------------------------------------------------


def big_records() -> list[bytes]:
    """A record of a large block, one of a smaller block, a short one; the blocks do not compress."""
    noise = random.Random(20)
    return [warc_record(1, b"http://b.example/large", HTML + noise.randbytes(100_000)),
            warc_record(2, b"http://b.example/smaller", HTML + noise.randbytes(30_000)),
            warc_record(3, b"http://b.example/short", HTML + b"<p>short</p>")]


def _bad_block(member: bytes) -> bytes:
    return member[:10] + b"\xff" + member[11:]  # its first deflate block of the reserved type


def _bad_crc(member: bytes) -> bytes:
    return member[:-8] + bytes([member[-8] ^ 0xFF]) + member[-7:]


def _cut(member: bytes) -> bytes:
    return member[: len(member) // 2]


@pytest.mark.parametrize("damage, reason", [
    (_bad_block, "corrupt gzip member at offset {}"),
    (_bad_crc, "corrupt gzip member at offset {}"),
    (_cut, "truncated at {} (of the decompressed stream): the gzip stream is cut short"),
], ids=["corrupt-deflate", "wrong-crc", "cut"])
def test_a_whole_file_gzip_broken_in_its_second_member_is_damage_in_the_decompressed_stream(
        tmp_path, damage, reason):
    """The first member holds the first two records, so the file is read as one stream (offsets
    count in the decompressed bytes). The stream is decompressed ahead of the records: the record
    being read when the broken member is reached goes with it; the one before it is whole."""
    large, smaller, short = big_records()
    path = tmp_path / "stream.warc.gz"
    path.write_bytes(gzip.compress(large + smaller, mtime=0) + damage(gzip.compress(short, mtime=0)))
    stats = FileStats()
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, stats=stats, types=None):
            seen.append((r.url, r.offset))
    assert seen == [("http://b.example/large", 0)] and stats.framing == "stream-gzip"
    assert (info.value.offset, info.value.reason) == (len(large), reason.format(len(large)))


def compressed_wacz(path, warc: bytes, compression: int, level: int | None, at: float) -> bytes:
    """A WACZ whose WARC member is compressed with `compression`, eight of its bytes broken at the
    fraction `at` of its compressed data."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.warc", warc, compress_type=compression, compresslevel=level)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("archive/data.warc")
    start = info.header_offset + 30 + len(info.filename.encode())
    spot = start + int(info.compress_size * at)
    data[spot:spot + 8] = bytes(b ^ 0x55 for b in data[spot:spot + 8])
    path.write_bytes(bytes(data))
    return path


def test_a_wacz_member_whose_bzip2_data_breaks_is_damage_at_the_record_it_breaks(tmp_path):
    """bzip2 decompresses in blocks (100 kB at level 1) and says only 'Invalid data stream', an
    OSError with no error number: the line falls back to 'I/O error'. The last block is broken; the
    records wholly before the one being read are yielded."""
    noise = random.Random(21)
    records = [warc_record(i, b"http://z.example/%d" % i, HTML + noise.randbytes(150_000)) for i in range(2)]
    path = compressed_wacz(tmp_path / "bz2.wacz", b"".join(records), zipfile.ZIP_BZIP2, 1, 0.99)
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None):
            seen.append((r.member, r.url, r.offset))
    assert seen == [("archive/data.warc", "http://z.example/0", 0)]
    at = len(records[0])
    assert (info.value.member, info.value.offset, info.value.reason) == (
        "archive/data.warc", at, f"the file cannot be read at offset {at} (I/O error)")


def test_a_wacz_member_whose_lzma_data_breaks_is_damage_not_a_traceback(tmp_path):
    # lzma raises an error of its own (no OSError): it was a traceback until the reader caught it.
    noise = random.Random(22)
    records = [warc_record(i, b"http://z.example/%d" % i, HTML + noise.randbytes(150_000)) for i in range(2)]
    path = compressed_wacz(tmp_path / "lzma.wacz", b"".join(records), zipfile.ZIP_LZMA, None, 0.9)
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None):
            seen.append(r.url)
    assert info.value.member == "archive/data.warc" and "\n" not in info.value.reason
    at = info.value.offset
    assert (at, seen) == (len(records[0]), ["http://z.example/0"])
    assert info.value.reason == f"corrupt LZMA data in the WACZ member at offset {at}"
