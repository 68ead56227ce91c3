"""The reader's paths through a WACZ package and around a record: the exact damage line, offset and
member of every way a package or one of its members breaks, what is kept of a record's block, and
when a record's block is read as an HTTP message, on files built byte by byte.

Mutation testing of archive/records.py (issue 20) found these unpinned: `iter_records`' damage for
a package (its page list, a member that cannot be opened, is corrupt or is no WARC), `_guarded`'s
line for what breaks outside a record, `_drain`'s bound on what it keeps, and `_http_headers` on a
block of one byte or none. Every expected value is written from the bytes the test built.
"""

from __future__ import annotations

import fcntl
import os
import random
import threading
import zipfile

import pytest

from archive import ArchiveDamage, FileStats, iter_records
from archive.files import SNIFF
from archive.records import MAX_BODY

HTML = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
MEMBER = "archive/data.warc"


def rid(n: int) -> bytes:
    return b"<urn:uuid:6a1d2b5e-0000-4000-8000-%012d>" % n


def warc_record(n: int, url: bytes, block: bytes, rtype: bytes = b"response",
                fields: tuple[bytes, ...] = ()) -> bytes:
    head = [b"WARC/1.0", b"WARC-Type: " + rtype, b"WARC-Record-ID: " + rid(n),
            b"WARC-Date: 2016-03-11T10:00:00Z", b"WARC-Target-URI: " + url, *fields,
            b"Content-Length: %d" % len(block)]
    return b"\r\n".join(head) + b"\r\n\r\n" + block + b"\r\n\r\n"


def starts(records: list[bytes]) -> list[int]:
    return [sum(len(r) for r in records[:i]) for i in range(len(records))]


def damage_of(path, **kw):
    """(member, url, offset) of every record yielded, and the damage that ended the reading."""
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None, **kw):
            seen.append((r.member, r.url, r.offset))
    return seen, info.value


def where(e: ArchiveDamage):
    return e.offset, e.reason, e.member


def data_start(path, name: str) -> int:
    """Where the (compressed) data of the member `name` starts in the zip."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    return info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)


SOUND = warc_record(1, b"http://a.example/1", HTML + b"<p>1</p>")


# --- a WACZ package that breaks before its first record ---------------------------------------------


def test_a_wacz_whose_page_list_does_not_decompress_is_damage_of_the_package_at_offset_0(tmp_path):
    """The page list is read before any member: its deflate data broken, the package as a whole is
    damaged (no member named), and nothing is yielded."""
    path = tmp_path / "pages.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, SOUND)
        zf.writestr("pages/pages.jsonl", b'{"url": "http://a.example/1"}\n' * 50,
                    compress_type=zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    at = data_start(path, "pages/pages.jsonl")
    data[at:at + 4] = b"\xff\xff\xff\xff"  # a deflate block of the reserved type
    path.write_bytes(bytes(data))
    seen, e = damage_of(path)
    assert seen == []
    assert where(e) == (0, "a damaged WACZ package (unreadable zip directory or page list)", None)
    assert str(e) == "at offset 0: a damaged WACZ package (unreadable zip directory or page list)"


def test_a_wacz_member_whose_local_header_is_broken_cannot_be_opened_and_is_named_at_offset_0(tmp_path):
    """The zip's directory lists the member, but the header in front of its bytes is no zip header:
    the member cannot be read at all, so the damage is at its first byte."""
    path = tmp_path / "local.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("datapackage.json", b"{}")
        zf.writestr(MEMBER, SOUND)
    with zipfile.ZipFile(path) as zf:
        header = zf.getinfo(MEMBER).header_offset
    data = bytearray(path.read_bytes())
    data[header:header + 4] = b"PK\x09\x09"
    path.write_bytes(bytes(data))
    seen, e = damage_of(path)
    assert seen == []
    assert where(e) == (0, "a member of the WACZ package cannot be opened", MEMBER)


def test_a_deflated_wacz_member_broken_at_its_start_is_a_corrupt_member_at_offset_0(tmp_path):
    """Its first bytes do not decompress, so not even its kind can be told: the member is named
    with the damage at its offset 0, after the whole member before it was read."""
    path = tmp_path / "deflated.wacz"
    second = "archive/second.warc"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, SOUND)
        zf.writestr(second, SOUND * 3, compress_type=zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    data[data_start(path, second)] = 0xFF
    path.write_bytes(bytes(data))
    seen, e = damage_of(path)
    assert seen == [(MEMBER, "http://a.example/1", 0)]
    assert where(e) == (0, "a corrupt member of the WACZ package", second)
    assert str(e) == f"at {second} at offset 0: a corrupt member of the WACZ package"


def test_a_wacz_member_that_is_no_warc_is_named_at_its_offset_0_after_the_members_before_it(tmp_path):
    path = tmp_path / "junk.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, SOUND)
        zf.writestr("archive/notes.warc", b"hello, these are notes\r\n")
    stats = FileStats()
    seen, e = damage_of(path, stats=stats)
    assert seen == [(MEMBER, "http://a.example/1", 0)]
    assert where(e) == (0, "not a WARC (no WARC record at its start)", "archive/notes.warc")
    assert stats.members == [MEMBER, "archive/notes.warc"]


def test_each_wacz_member_is_read_from_its_own_offset_0_so_a_broken_first_record_is_damage_there(tmp_path):
    """The offsets of each member count from its own first byte: what the reader knew of the member
    before (where its last whole record ended) is forgotten, so a second member whose very first
    record is no WARC record is damaged at its offset 0, not where the first member's records were."""
    path = tmp_path / "two.wacz"
    records = [SOUND, warc_record(2, b"http://a.example/2", HTML + b"<p>2</p>")]
    bad = b"WARC/9.9\r\nWARC-Type: response\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"  # no WARC version
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, b"".join(records))
        zf.writestr("archive/later.warc", bad)
    seen, e = damage_of(path)
    assert seen == [(MEMBER, "http://a.example/1", 0), (MEMBER, "http://a.example/2", starts(records)[1])]
    assert where(e) == (0, "not a WARC or ARC record at offset 0", "archive/later.warc")


@pytest.mark.parametrize("after, reason", [
    (b"junk that is no record\r\n" + SOUND, "bytes that are not a WARC record at offset {}"),
    (b"http://a.example/x 10.0.0.1 20160311100000 text/html 8\n<p>x</p>\n",
     "bytes that are not a WARC record at offset {}"),
], ids=["junk", "an-arc-record"])
def test_a_wacz_member_is_read_as_the_warc_it_is_so_what_follows_a_record_is_judged_as_in_a_warc(
        tmp_path, after, reason):
    """A WACZ holds WARCs: bytes after a record that do not start a WARC record (junk, or an ARC
    record line) are damage right where they start, as in a WARC file of its own."""
    path = tmp_path / "after.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, SOUND + after)
    seen, e = damage_of(path)
    assert seen == [(MEMBER, "http://a.example/1", 0)]
    assert where(e) == (len(SOUND), reason.format(len(SOUND)), MEMBER)


def test_want_body_and_types_decide_for_the_records_of_a_wacz_member_as_for_a_warc(tmp_path):
    path = tmp_path / "bodies.wacz"
    records = [warc_record(1, b"http://a.example/keep", HTML + b"<p>keep</p>"),
               warc_record(2, b"http://a.example/keep", b"GET /keep HTTP/1.1\r\nHost: a.example\r\n\r\n",
                           rtype=b"request"),
               warc_record(3, b"http://a.example/drop", HTML + b"<p>drop</p>")]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, b"".join(records))
    got = [(r.member, r.warc_type, r.url, r.offset, r.body)
           for r in iter_records(path, want_body=lambda r: r.url.endswith("keep"))]
    at = starts(records)
    assert got == [(MEMBER, "response", "http://a.example/keep", 0, b"<p>keep</p>"),
                   (MEMBER, "response", "http://a.example/drop", at[2], None)]


# --- what breaks outside a record --------------------------------------------------------------------


def test_a_deflated_wacz_member_whose_checksum_is_wrong_is_corrupt_at_the_end_of_its_last_whole_record(
        tmp_path):
    """zipfile checks a member's CRC only once it has decompressed all of it, while the reader is
    in the member's last record: the records before it are yielded, and the damage, named after the
    member, is where the last whole record's block ends (its closing blank lines not counted)."""
    noise = random.Random(5)
    records = [warc_record(i, b"http://b.example/%d" % i, HTML + noise.randbytes(20_000)) for i in range(4)]
    path = tmp_path / "crc.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, b"".join(records), compress_type=zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 16] ^= 0xFF  # the CRC-32 the directory declares
    path.write_bytes(bytes(data))
    seen, e = damage_of(path)
    at = starts(records)
    assert seen == [(MEMBER, f"http://b.example/{i}", at[i]) for i in range(3)]
    end = at[3] - len(b"\r\n\r\n")
    assert where(e) == (end, f"a corrupt member of the WACZ package at offset {end}", MEMBER)
    assert isinstance(e.__cause__, zipfile.BadZipFile)


def test_a_warc_read_through_a_pipe_that_cannot_seek_is_unreadable_at_offset_0_not_a_traceback(tmp_path):
    """A named pipe (asked for its first `size` bytes, as a growing file is) is sniffed like a file,
    but the reader seeks to judge its compression: that fails outside any record, so it is damage of
    the file itself at offset 0, with no member."""
    record = warc_record(1, b"http://a.example/pipe", HTML + b"x" * (2 * SNIFF))
    pipe = tmp_path / "pipe.warc"
    os.mkfifo(pipe)
    # Held open for writing, the pipe neither blocks the reader's open nor ends: it holds exactly
    # what the sniffing reads.
    fd = os.open(pipe, os.O_RDWR | os.O_NONBLOCK)
    got: list = []
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), SNIFF)
        assert os.write(fd, record[:SNIFF]) == SNIFF
        # Bounded: a reader that read on instead of seeking would wait on the pipe for ever.
        reader = threading.Thread(target=lambda: got.append(damage_of(pipe, size=len(record))), daemon=True)
        reader.start()
        reader.join(timeout=60)
    finally:
        os.close(fd)  # no writer left: a reader still waiting sees the pipe end
    reader.join(timeout=60)
    assert got, "the reader waited on the pipe instead of seeking"
    seen, e = got[0]
    assert seen == []
    assert where(e) == (0, "unreadable at offset 0", None)
    assert str(e) == "at offset 0: unreadable at offset 0"


# --- what is kept of a record's block -----------------------------------------------------------------


def warcinfo(size: int) -> bytes:
    """A warcinfo record whose block of fields is exactly `size` bytes."""
    first = b"software: test\r\n"
    pad = b"x-pad: "
    block = first + pad + b"p" * (size - len(first) - len(pad) - 2) + b"\r\n"
    assert len(block) == size
    return warc_record(99, b"", block, rtype=b"warcinfo", fields=(b"Content-Type: application/warc-fields",))


@pytest.mark.parametrize("size, fields", [
    (1 << 20, {"software": "test"}),  # exactly the bound: kept
    ((1 << 20) + 1, {}),  # one byte over it: not kept
    ((1 << 20) + 100_000, {}),  # well over it (more blocks read after the bound was passed)
], ids=["1MiB", "1MiB+1", "1MiB+100000"])
def test_the_fields_of_a_warcinfo_are_kept_up_to_one_mebibyte_exactly(tmp_path, size, fields):
    """A warcinfo nobody asked the body of is kept for its fields only up to 1 MiB; a larger one is
    passed over (read a block at a time) and the file reads on."""
    path = tmp_path / "info.warc"
    path.write_bytes(warcinfo(size) + SOUND)
    stats = FileStats()
    got = [(r.url, r.offset) for r in iter_records(path, stats=stats)]
    assert got == [("http://a.example/1", len(warcinfo(size)))]
    assert {k: v for k, v in stats.warcinfo.items() if k != "x-pad"} == fields
    assert stats.records == 2


def test_a_kept_body_of_many_blocks_is_the_payload_byte_for_byte(tmp_path):
    payload = bytes(range(256)) * 400  # 102400 bytes: two blocks of the reader and a part
    path = tmp_path / "big.warc"
    path.write_bytes(warc_record(1, b"http://a.example/big", HTML + payload))
    [rec] = list(iter_records(path, want_body=lambda r: True))
    assert rec.body == payload


# --- when a record's block is an HTTP message ---------------------------------------------------------


def test_a_response_of_one_byte_is_read_as_an_http_message_and_takes_no_type_from_its_warc_header(tmp_path):
    """Any block of one byte or more of an http(s) response is its HTTP message: a lone newline is an
    empty one (no status, no headers, no type), never the WARC Content-Type of the record."""
    blob = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: " + rid(1)
            + b"\r\nWARC-Target-URI: http://a.example/one\r\nContent-Type: text/plain\r\nContent-Length: 1"
              b"\r\n\r\n\n\r\n\r\n")
    path = tmp_path / "one.warc"
    path.write_bytes(blob)
    [rec] = list(iter_records(path))
    assert (rec.url, rec.status, rec.mime, rec.headers, rec.length) == (
        "http://a.example/one", None, None, [], len(blob) - 4)


@pytest.mark.parametrize("rtype", [b"response", b"request"])
def test_a_record_cut_right_after_its_header_is_truncated_by_its_whole_block(tmp_path, rtype):
    """Its HTTP message cannot even begin (no byte of the block is there): that is no malformed
    header but a record cut short, by as many bytes as its Content-Length declares."""
    cut = (b"WARC/1.0\r\nWARC-Type: " + rtype + b"\r\nWARC-Record-ID: " + rid(2)
           + b"\r\nWARC-Target-URI: http://a.example/cut\r\nContent-Length: 40\r\n\r\n")
    path = tmp_path / "cut.warc"
    path.write_bytes(SOUND + cut)
    seen, e = damage_of(path)
    at = len(SOUND)
    assert seen == [(None, "http://a.example/1", 0)]
    assert where(e) == (at, f"truncated at {at}: the record there is 40 bytes short", None)


def test_a_body_asked_for_but_larger_than_the_bound_is_not_kept_and_the_record_is_still_whole(tmp_path):
    """Past MAX_BODY a payload is no article page: want_body's yes is overruled (no body at all, not
    an empty one), and the record is read to its end all the same."""
    payload = bytes(MAX_BODY + 1)
    blob = warc_record(1, b"http://a.example/huge", HTML + payload)
    path = tmp_path / "huge.warc"
    path.write_bytes(blob + SOUND)
    del payload
    got = [(r.url, r.offset, r.length, r.body) for r in iter_records(path, want_body=lambda r: True)]
    assert got == [("http://a.example/huge", 0, len(blob) - 4, None),
                   ("http://a.example/1", len(blob), len(SOUND) - 4, b"<p>1</p>")]
