"""Where the reader says a file stops being readable, and what it has yielded by then, for each way a
WARC or ARC breaks: the exact offset, reason and WACZ member of every ArchiveDamage, and the records
and FileStats before it.

Mutation testing of archive/records.py (`_iter_source`) found these unpinned: the reasons of an empty
window, a record without Content-Length, a header cut off, a stray line where a record should end,
bytes after the last record, records sharing a gzip member, a whole-file gzip cut short; the framing
of a WACZ whose members differ; the warcinfo fields kept; the "length mismatch" fault. Every file is
built byte by byte here, every expected offset counted from those bytes.
"""

from __future__ import annotations

import gzip
import uuid
import zipfile
import zlib

import pytest

from archive import ArchiveDamage, FileStats, iter_records
from tests.support.archives import sha1_digest

HTML = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
END = b"\r\n\r\n"  # the blank lines that close a record


def rid(n: int) -> str:
    return f"urn:uuid:6a1d2b5e-0000-4000-8000-{n:012d}"


def warc_record(n: int, block: bytes | None = None, rtype: bytes = b"response", fields: tuple = (),
                length: int | None = None, end: bytes = END, record_id: bool = True) -> bytes:
    """A WARC/1.0 record; `length` None writes the block's true Content-Length, -1 none at all."""
    block = HTML + b"<p>%d</p>" % n if block is None else block
    head = [b"WARC/1.0", b"WARC-Type: " + rtype]
    if record_id:
        head.append(b"WARC-Record-ID: <%s>" % rid(n).encode())
    head += [b"WARC-Date: 2016-03-11T10:00:00Z", b"WARC-Target-URI: http://a.example/%d" % n, *fields]
    if length != -1:
        head.append(b"Content-Length: %d" % (len(block) if length is None else length))
    return b"\r\n".join(head) + END + block + end


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def read(path, **kw):
    """(offset, length, member, digest_fault) of each record yielded, (offset, reason, member) of the
    damage (None when the file reads to its end), and the stats."""
    stats = FileStats()
    seen = []
    kw.setdefault("types", None)
    try:
        for r in iter_records(path, stats=stats, **kw):
            seen.append((r.offset, r.length, r.member, r.digest_fault))
        damage = None
    except ArchiveDamage as e:
        damage = (e.offset, e.reason, e.member)
    return seen, damage, stats


R1, R2, R3, R4 = (warc_record(n) for n in (1, 2, 3, 4))
L = len(R1) - len(END)  # a record's length leaves out the blank lines after it (plain framing)


def test_the_records_built_here_are_of_the_sizes_the_offsets_below_count_with(tmp_path):
    assert (len(R1), len(R2), len(R3), L) == (244, 244, 244, 240)
    path = tmp_path / "sound.warc"
    path.write_bytes(R1 + R2)
    assert read(path)[:2] == ([(0, L, None, None), (244, L, None, None)], None)


# --- nothing whole ---------------------------------------------------------------------------------


def test_a_window_of_no_bytes_is_an_empty_file_and_one_of_a_gzip_header_holds_no_whole_record(tmp_path):
    """A file still being written may be read up to a size: none yet is an empty file; the first 20
    bytes of a gzip member decompress to nothing, so no record is whole."""
    plain = tmp_path / "a.warc"
    plain.write_bytes(R1)
    seen, damage, stats = read(plain, size=0)
    assert (seen, damage, stats.records) == ([], (0, "an empty file", None), 0)
    packed = tmp_path / "a.warc.gz"
    packed.write_bytes(gz(R1) + gz(R2))
    seen, damage, stats = read(packed, size=20)
    assert (seen, damage, stats.records) == ([], (0, "no whole record found", None), 0)


# --- damage inside a record's header ---------------------------------------------------------------


@pytest.mark.parametrize("framing", ["plain", "record-gzip"])
def test_a_whole_header_without_content_length_is_an_incomplete_header_at_its_offset(tmp_path, framing):
    """The header ended (its blank line is there) but names no length: not a cut, a header missing
    its one mandatory length; the record before it is yielded, the one after it is not reached."""
    records = [R1, warc_record(2, length=-1), R3]
    if framing == "plain":
        data, at, first = b"".join(records), 244, (0, L, None, None)
    else:
        members = [gz(r) for r in records]
        data, at, first = b"".join(members), len(members[0]), (0, len(members[0]), None, None)
    path = tmp_path / ("a.warc" if framing == "plain" else "a.warc.gz")
    path.write_bytes(data)
    seen, damage, stats = read(path)
    assert seen == [first]
    assert damage == (at, f"record header incomplete at offset {at} (no Content-Length)", None)
    assert (stats.records, stats.framing) == (1, framing)


def test_a_plain_file_ending_inside_a_header_is_truncated_there(tmp_path):
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + R2[:60])  # the second header cut before its Content-Length
    seen, damage, _ = read(path)
    assert seen == [(0, L, None, None)]
    assert damage == (244, "truncated at 244: the file ends inside a record header", None)


def test_a_gzip_member_cut_inside_its_header_is_truncated_at_the_member(tmp_path):
    first, second = gz(R1), gz(R2)
    out = zlib.decompressobj(31).decompress(second[:77])
    assert out.endswith(b"WARC-Type: response\r\nWARC-") and b"Content-Length" not in out
    path = tmp_path / "a.warc.gz"
    path.write_bytes(first + second[:77])
    seen, damage, _ = read(path)
    at = len(first)
    assert seen == [(0, at, None, None)]
    assert damage == (at, f"truncated at {at}: the file ends inside a record header", None)


# --- where a record should end ---------------------------------------------------------------------


def test_two_stray_lines_where_a_record_should_end_mean_its_content_length_is_wrong(tmp_path):
    """Not the blank lines that close a record, nor a next record: the record's block does not end
    where its Content-Length says, so the record itself is not yielded."""
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + warc_record(2, end=b"") + b"junk one\r\njunk two\r\n" + R3)
    seen, damage, stats = read(path)
    assert seen == [(0, L, None, None)] and stats.records == 1
    assert damage == (244, "the record at offset 244 does not end where its Content-Length says", None)


def test_a_content_length_too_short_before_a_sound_record_marks_a_length_mismatch(tmp_path):
    """The file reads on (the next record starts after one stray line); the short record is marked,
    with its block digest fault joined by '; ', and a record without an id is listed with ''."""
    short = len(HTML)  # its block declared to end before the <p>
    block = HTML + b"<p>2</p>"
    second = warc_record(2, block, length=short)
    third = warc_record(3, HTML + b"<p>3</p>", length=len(HTML), record_id=False,
                        fields=(b"WARC-Block-Digest: " + sha1_digest(HTML + b"<p>3</p>").encode(),))
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + second + third + R4)
    seen, damage, stats = read(path)
    at2, at3 = 244, 244 + len(second)
    at4 = at3 + len(third)
    len2 = len(second) - len(END) - len(b"<p>2</p>")
    len3 = len(third) - len(END) - len(b"<p>3</p>")
    assert damage is None
    assert seen == [(0, L, None, None), (at2, len2, None, "length mismatch"),
                    (at3, len3, None, "block digest mismatch; length mismatch"), (at4, L, None, None)]
    assert stats.digest_faults == [(None, at2, rid(2), "length mismatch"),
                                   (None, at3, "", "block digest mismatch; length mismatch")]
    assert (stats.records, stats.last_offset, stats.end) == (4, at4, at4 + L)


def test_a_fault_of_a_record_not_yielded_is_listed_under_its_own_id(tmp_path):
    """The file's faults list every record, the ones left out by `types` too (a request, a
    metadata record): each under its WARC-Record-ID, or '' when it has none."""
    bad = b"WARC-Block-Digest: sha1:" + b"A" * 32
    request = warc_record(2, b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", rtype=b"request", fields=(bad,))
    note = warc_record(3, b"via: test\r\n", rtype=b"metadata", fields=(bad,), record_id=False)
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + request + note + R4)
    seen, damage, stats = read(path, types={"response"})
    at2, at3 = len(R1), len(R1) + len(request)
    assert damage is None
    assert [s[0] for s in seen] == [0, at3 + len(note)]
    assert stats.digest_faults == [(None, at2, rid(2), "block digest mismatch"),
                                   (None, at3, "", "block digest mismatch")]


# --- what follows the last record ------------------------------------------------------------------


@pytest.mark.parametrize("after, reason", [
    (b"WAR", "truncated at 244: the file ends inside a record's first line"),
    (b"war", "truncated at 244: the file ends inside a record's first line"),
    (b"hello world\r\n", "bytes that are not a WARC record at offset 244"),
], ids=["first-line-cut", "first-line-cut-lower-case", "not-a-record"])
def test_what_follows_the_blank_lines_of_the_last_record_is_damage_after_it(tmp_path, after, reason):
    """The last record is whole and yielded; the damage is at the first byte after its blank lines."""
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + after)
    seen, damage, stats = read(path)
    assert seen == [(0, L, None, None)] and (stats.records, stats.end) == (1, L)
    assert damage == (244, reason, None)


@pytest.mark.parametrize("after, damaged", [
    (b"WARC/1.0\r\n", True),
    (b"\x1f\x8b\x08\x00", True),
    (b"XWARC/1.0\r\n", False),
    (b"\x0cWARC/1.0\r\n", False),
    (b"XX", False),
    (b"junk\r\n", False),
], ids=["warc-line", "gzip-magic", "x-then-warc", "form-feed-then-warc", "xx", "junk"])
def test_bytes_right_after_the_last_block_are_a_cut_record_or_bytes_that_are_no_record(
        tmp_path, after, damaged):
    """No blank line closes the last record: its block is taken as whole (marked 'length mismatch')
    and what is left is a record cut short when it starts like one (a WARC line, a gzip member),
    otherwise bytes that are no record. Only CR, LF, tab, space and NUL are padding."""
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + warc_record(2, end=b"") + after)
    seen, damage, _ = read(path)
    assert seen == [(0, L, None, None), (244, L, None, "length mismatch")]
    reason = "truncated at 484: the file ends inside a record" if damaged else \
        "bytes that are not a WARC record at offset 484"
    assert damage == (484, reason, None)


def test_a_form_feed_after_the_last_record_is_no_padding(tmp_path):
    """The damage is placed where the last record ends, before its blank lines."""
    path = tmp_path / "a.warc"
    path.write_bytes(R1 + R2 + b"\x0c")
    seen, damage, _ = read(path)
    assert seen == [(0, L, None, None), (244, L, None, None)]
    assert damage == (484, "bytes that are not a WARC record at offset 484", None)


def arc_file(after: bytes) -> tuple[bytes, int, int]:
    """An ARC: its filedesc record, one response, then `after`; (bytes, response offset, its end)."""
    version = b"1 0 Deeply\nURL IP-address Archive-date Content-type Archive-length\n"
    desc = b"filedesc://d.arc 0.0.0.0 20160311100000 text/plain %d\n" % len(version) + version + b"\n"
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabc"
    record = b"http://x.example/a 10.0.0.7 20160311100001 text/html %d\n" % len(http) + http
    return desc + record + after, len(desc), len(desc) + len(record)


def test_bytes_after_the_last_record_of_an_arc_file_are_a_record_cut_short(tmp_path):
    data, at, end = arc_file(b"junk\n")
    path = tmp_path / "a.arc"
    path.write_bytes(data)
    seen, damage, _ = read(path)
    assert [s[:2] for s in seen] == [(0, at - 1), (at, end - at)]
    assert damage == (end, f"truncated at {end}: the file ends inside a record", None)


def test_an_arc_records_fault_is_listed_under_the_id_it_is_yielded_with(tmp_path):
    """ARC records have no id of their own (warcio makes one up at each reading): the file's list of
    faults names the record by the id the store keeps it under, the same at every reading."""
    data, at, end = arc_file(b"junk\n")
    path = tmp_path / "a.arc"
    path.write_bytes(data)
    for _ in range(2):
        stats = FileStats()
        yielded = []
        with pytest.raises(ArchiveDamage):
            for r in iter_records(path, stats=stats, types=None):
                yielded.append(r)
        name = f"arc::{at}:2016-03-11T10:00:01Z:http://x.example/a"
        assert yielded[-1].record_id == "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        assert stats.digest_faults == [(None, at, yielded[-1].record_id, "length mismatch")]


def test_an_arc_file_inside_a_wacz_derives_its_record_ids_from_the_member_too(tmp_path):
    """ARC records have no id: the reader derives one from the place, the member's name included."""
    data, at, _ = arc_file(b"\n")
    path = tmp_path / "a.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/old.warc", data)
    got = [(r.offset, r.record_id) for r in iter_records(path)]
    name = f"arc:archive/old.warc:{at}:2016-03-11T10:00:01Z:http://x.example/a"
    assert got == [(at, "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name)))]


# --- gzip members ----------------------------------------------------------------------------------


def test_a_last_gzip_member_cut_in_its_trailer_takes_its_record_with_it(tmp_path):
    members = [gz(R1), gz(R2), gz(R3)]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(members[0] + members[1] + members[2][:-4])
    seen, damage, stats = read(path)
    a, b = len(members[0]), len(members[1])
    assert seen == [(0, a, None, None), (a, b, None, None)]
    assert damage == (a + b, f"truncated at {a + b}: its last gzip member is cut short", None)
    assert (stats.records, stats.end, stats.last_offset) == (2, a + b, a + b)


@pytest.mark.parametrize("first", [b"response", b"request"])
def test_records_sharing_the_last_gzip_member_are_damage_where_that_member_starts(tmp_path, first):
    """warcio returns the first record of the shared member before it sees the second: it is not
    yielded (it cannot be read back at its offset), nor counted; the two members before are."""
    members = [gz(R1), gz(R2), gz(warc_record(3, rtype=first) + R4)]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"".join(members))
    a, b = len(members[0]), len(members[1])
    seen, damage, stats = read(path, types=None if first == b"response" else ("response",))
    assert seen == [(0, a, None, None), (a, b, None, None)]
    assert damage == (a + b, f"records share one gzip member from offset {a + b} "
                             "(fix with `warcio recompress`)", None)
    assert (stats.records, stats.end) == (2, a + b)


def test_a_whole_file_gzip_cut_before_its_first_block_decompresses_holds_no_record(tmp_path):
    """The stream ends without its end-of-stream marker, inside a record's header: the reader's first
    read of the decompressed stream fails, and the check of its end says so at offset 0."""
    co = zlib.compressobj(wbits=31)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(co.compress(R1 + R2 + b"WARC/1.0\r\nWARC-Type: resp") + co.flush(zlib.Z_SYNC_FLUSH))
    seen, damage, stats = read(path)
    assert (seen, stats.framing) == ([], "stream-gzip")
    assert damage == (0, "truncated at 0 (of the decompressed stream): the gzip stream is cut short", None)


def test_the_blank_lines_after_the_last_record_of_a_whole_file_gzip_are_no_damage(tmp_path):
    path = tmp_path / "a.warc.gz"
    path.write_bytes(gz(R1 + R2 + END))  # eight bytes after the last block
    seen, damage, stats = read(path)
    assert (seen, damage) == ([(0, L, None, None), (244, L, None, None)], None)
    assert (stats.framing, stats.records, stats.end) == ("stream-gzip", 2, 484)


def test_a_stray_line_after_the_last_record_of_a_whole_file_gzip_is_a_record_cut_short(tmp_path):
    """Nine bytes where the record's blank lines should be: more than they would take."""
    path = tmp_path / "a.warc.gz"
    path.write_bytes(gz(R1 + warc_record(2, end=b"") + b"junkjunk\n"))
    seen, damage, _ = read(path)
    assert seen == [(0, L, None, None), (244, L, None, "length mismatch")]
    assert damage == (484, "truncated at 484 (of the decompressed stream): the file ends inside a record",
                      None)


# --- WACZ members ----------------------------------------------------------------------------------


def test_a_wacz_whose_members_are_framed_differently_is_of_mixed_framing(tmp_path):
    path = tmp_path / "a.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/a.warc", R1)
        zf.writestr("archive/b.warc.gz", gz(R2))
    seen, damage, stats = read(path)
    assert (seen, damage) == ([(0, L, "archive/a.warc", None), (0, len(gz(R2)), "archive/b.warc.gz", None)],
                              None)
    assert (stats.framing, stats.records) == ("mixed", 2)
    assert stats.members == ["archive/a.warc", "archive/b.warc.gz"]


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_bytes_after_the_last_record_of_a_wacz_member_are_damage_in_that_member(tmp_path, compression):
    """A deflated member is read through zipfile, not in place: its size comes from the zip entry."""
    sound = tmp_path / "sound.wacz"
    with zipfile.ZipFile(sound, "w") as zf:
        zf.writestr("archive/a.warc", R1 + R2, compress_type=compression)
    assert read(sound)[:2] == ([(0, L, "archive/a.warc", None), (244, L, "archive/a.warc", None)], None)
    path = tmp_path / "a.wacz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/a.warc", R1 + warc_record(2, end=b"") + b"junk\r\n", compress_type=compression)
    seen, damage, stats = read(path)
    assert seen == [(0, L, "archive/a.warc", None), (244, L, "archive/a.warc", "length mismatch")]
    assert damage == (484, "bytes that are not a WARC record at offset 484", "archive/a.warc")
    assert stats.digest_faults == [("archive/a.warc", 244, rid(2), "length mismatch")]


# --- warcinfo, bodies, digests ---------------------------------------------------------------------


def warcinfo(n: int, software: bytes, pad: int = 0) -> bytes:
    block = b"software: " + software + b"\r\nformat: WARC File Format 1.0\r\n"
    if pad:
        block += b"comment: " + b"x" * pad + b"\r\n"
    return warc_record(n, block, rtype=b"warcinfo")


def test_the_fields_of_the_first_warcinfo_are_kept_and_no_body_is_kept_unasked(tmp_path):
    path = tmp_path / "a.warc"
    path.write_bytes(warcinfo(1, b"first") + R2 + warcinfo(3, b"second"))
    for want in (None, lambda r: r.warc_type == "response"):
        stats = FileStats()
        got = [(r.warc_type, r.body) for r in iter_records(path, stats=stats, types=None, want_body=want)]
        body = None if want is None else b"<p>2</p>"
        assert got == [("warcinfo", None), ("response", body), ("warcinfo", None)]
        assert stats.warcinfo == {"software": "first", "format": "WARC File Format 1.0"}


def test_a_warcinfo_over_a_mebibyte_is_not_read_unless_asked_and_the_next_one_is(tmp_path):
    """Its fields are read from at most 1 MiB of block (a warcinfo is never that large but by
    accident); a body asked for is kept whole (up to the reader's 32 MiB)."""
    pad = 1536 * 1024
    path = tmp_path / "a.warc"
    path.write_bytes(warcinfo(1, b"large", pad) + warcinfo(2, b"small"))
    stats = FileStats()
    list(iter_records(path, stats=stats, types=None))
    assert stats.warcinfo == {"software": "small", "format": "WARC File Format 1.0"}
    stats = FileStats()
    bodies = [len(r.body) for r in iter_records(path, stats=stats, types=None, want_body=lambda r: True)]
    assert bodies[0] == len(b"software: large\r\nformat: WARC File Format 1.0\r\ncomment: \r\n") + pad
    assert stats.warcinfo["software"] == "large" and len(stats.warcinfo["comment"]) == pad


def test_a_large_chunked_payload_is_checked_against_its_de_chunked_digest_unasked(tmp_path):
    """Over 1 MiB and not asked for: still kept long enough to try the digest without the chunks."""
    body = b"y" * (1200 * 1024)
    wire = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    record = warc_record(1, head + wire, fields=(b"WARC-Payload-Digest: " + sha1_digest(body).encode(),))
    path = tmp_path / "a.warc"
    path.write_bytes(record)
    seen, damage, stats = read(path)
    assert (seen, damage, stats.digest_faults) == ([(0, len(record) - 4, None, None)], None, [])


def test_a_payload_that_looks_chunked_without_transfer_encoding_is_digested_as_stored(tmp_path):
    wire = b"5\r\nhello\r\n0\r\n\r\n"
    record = warc_record(1, HTML + wire, fields=(b"WARC-Payload-Digest: " + sha1_digest(b"hello").encode(),))
    path = tmp_path / "a.warc"
    path.write_bytes(record)
    seen, _, stats = read(path)
    assert seen == [(0, len(record) - 4, None, "payload digest mismatch")]
    assert stats.digest_faults == [(None, 0, rid(1), "payload digest mismatch")]


def test_the_payload_digest_of_a_segment_is_not_checked(tmp_path):
    """A segment's WARC-Payload-Digest is that of the whole payload, of all the segments."""
    record = warc_record(1, HTML + b"<p>part</p>", fields=(
        b"WARC-Segment-Number: 1", b"WARC-Payload-Digest: " + sha1_digest(b"<p>part and more</p>").encode()))
    path = tmp_path / "a.warc"
    path.write_bytes(record)
    seen, damage, stats = read(path)
    assert (seen, damage, stats.digest_faults) == ([(0, len(record) - 4, None, None)], None, [])
