"""A record read back at a stored offset and length, and the bytes after a file's last record, pinned
on files built byte by byte (archive.records.read_record_at, and the look at a file's tail that
iter_records ends with).

Mutation testing of archive/records.py found these unpinned: the WACZ member named in each damage
read_record_at gives (a negative offset, a record longer than its stored length or than the file, a
stored length running past the record); the bound a record cut short is measured against when no
length is stored; which bytes a stored length may take in after the record (the blank lines closing
a plain record, never padding after them, nothing at all after a gzip member); a record whose
header has no Content-Length, refused; and which bytes after the last record are padding (CR, LF,
tab, space, NUL; not a vertical tab, not a letter). Every offset, length and message is worked
out from the bytes the test wrote, never with the reader's own rules.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from archive import ArchiveDamage, FileStats, iter_records, read_record_at

MEMBER = "archive/data.warc"
CLOSE = b"\r\n\r\n"  # the two blank lines that close a WARC record


def record(rtype: str, n: int, block: bytes, length: int | None = None) -> bytes:
    """A WARC record (header and block, without its closing blank lines); Content-Length is the
    block's unless given, and left out when `length` is -1."""
    head = (b"WARC/1.0\r\nWARC-Type: " + rtype.encode() + b"\r\n"
            b"WARC-Record-ID: <urn:uuid:6a1d2b5e-0000-4000-8000-%012d>\r\n" % n
            + b"WARC-Date: 2016-03-11T10:00:00Z\r\n")
    if length != -1:
        head += b"Content-Length: %d\r\n" % (len(block) if length is None else length)
    return head + b"\r\n" + block


INFO = record("warcinfo", 1, b"software: test\r\n")
NOTE = record("resource", 2, b"a note of twenty-six bytes")
LAST = record("metadata", 3, b"via: test\r\n")


def plain(*records: bytes) -> bytes:
    return b"".join(r + CLOSE for r in records)


def wacz(path: Path, warc: bytes, member: str = MEMBER) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(member, warc)
    return path


def placed(tmp_path: Path, warc: bytes, member: str | None) -> Path:
    """The WARC as a file of its own (member None) or as the one member of a stored WACZ."""
    if member is None:
        path = tmp_path / "a.warc"
        path.write_bytes(warc)
        return path
    return wacz(tmp_path / "a.wacz", warc, member)


def damage(call) -> tuple:
    with pytest.raises(ArchiveDamage) as info:
        call()
    return info.value.offset, info.value.reason, info.value.member


def read_all(path, **kw) -> tuple[list, ArchiveDamage | None]:
    got: list = []
    try:
        for r in iter_records(path, types=None, stats=FileStats(), **kw):
            got.append((r.warc_type, r.offset, r.length))
    except ArchiveDamage as e:
        return got, e
    return got, None


def test_the_records_built_here_lie_where_the_reader_says():
    """The offsets below are written from these lengths: the warcinfo, the note, the metadata."""
    assert (len(INFO), len(NOTE), len(LAST)) == (167, 177, 162)


# --- read_record_at: the member named in every damage ---------------------------------------------


def test_a_negative_offset_in_a_wacz_member_is_refused_naming_the_member(tmp_path):
    path = placed(tmp_path, plain(INFO, NOTE), MEMBER)
    assert damage(lambda: read_record_at(path, -3, len(INFO), member=MEMBER)) == \
        (-3, "no record at offset -3: offsets count from 0", MEMBER)


@pytest.mark.parametrize("member", [None, MEMBER])
def test_a_record_cut_short_by_the_end_of_the_file_is_longer_than_what_the_file_holds(tmp_path, member):
    """With no stored length the file's end bounds the record: a block cut 9 bytes short is said to
    be 9 bytes longer than what the file holds, at the record's offset, in its member."""
    warc = plain(INFO) + NOTE[:-9]
    path = placed(tmp_path, warc, member)
    at = len(INFO) + 4
    assert damage(lambda: read_record_at(path, at, None, member=member)) == \
        (at, f"the record at offset {at} is 9 bytes longer than what the file holds", member)


@pytest.mark.parametrize("member", [None, MEMBER])
def test_a_stored_length_shorter_than_the_record_says_by_how_much_in_its_member(tmp_path, member):
    path = placed(tmp_path, plain(INFO, NOTE), member)
    at = len(INFO) + 4
    assert damage(lambda: read_record_at(path, at, len(NOTE) - 5, member=member)) == \
        (at, f"the record at offset {at} is 5 bytes longer than the stored length {len(NOTE) - 5}", member)


@pytest.mark.parametrize("member", [None, MEMBER])
def test_a_stored_length_running_into_the_next_record_is_refused_in_its_member(tmp_path, member):
    path = placed(tmp_path, plain(INFO, NOTE), member)
    stored = len(INFO) + 4 + 12  # the closing blank lines and the next record's first 12 bytes
    assert damage(lambda: read_record_at(path, 0, stored, member=member)) == \
        (0, f"the record at offset 0 takes {len(INFO)} bytes, not the stored {stored}", member)


# --- read_record_at: what a stored length may take in after the record ------------------------------


@pytest.mark.parametrize("member", [None, MEMBER])
@pytest.mark.parametrize("extra", [0, 2, 4])
def test_a_plain_records_stored_length_may_count_its_closing_blank_lines(tmp_path, member, extra):
    """Other tools' indexes count a plain record up to the next one: one or both closing CRLFs."""
    path = placed(tmp_path, plain(INFO, NOTE), member)
    at = len(INFO) + 4
    back = read_record_at(path, at, len(NOTE) + extra, member=member)
    assert (back.rec_type, back.raw_stream.read()) == ("resource", b"a note of twenty-six bytes")


@pytest.mark.parametrize("after", [b"   \t", b"\x0b\x0c", b"XX", b"X\r\n"])
def test_a_stored_length_taking_in_bytes_after_the_closing_blank_lines_is_refused(tmp_path, after):
    """Only CR and LF may follow the record within its stored length: padding after the last
    record (which the reader takes as the file's clean end) and other bytes are no part of it."""
    path = tmp_path / "a.warc"
    path.write_bytes(plain(INFO, LAST) + after)
    at = len(INFO) + 4
    stored = len(LAST) + 4 + len(after)
    assert damage(lambda: read_record_at(path, at, stored)) == \
        (at, f"the record at offset {at} takes {len(LAST)} bytes, not the stored {stored}", None)


def test_a_stored_length_past_a_gzip_member_is_refused_even_over_blank_padding(tmp_path):
    """In a WARC of one gzip member per record the stored length is the member's, to the byte: the
    padding after the last member (newlines, which the reader takes as the file's clean end) is
    no part of it, as it may be of a plain record."""
    first, last = gzip.compress(INFO + CLOSE, mtime=0), gzip.compress(LAST + CLOSE, mtime=0)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(first + last + b"\r\n\r\n")
    assert read_all(path) == ([("warcinfo", 0, len(first)), ("metadata", len(first), len(last))], None)
    back = read_record_at(path, len(first), len(last))
    assert (back.rec_type, back.raw_stream.read()) == ("metadata", b"via: test\r\n")
    for extra in (2, 4):
        stored = len(last) + extra
        reason = f"the record at offset {len(first)} takes {len(last)} bytes, not the stored {stored}"
        assert damage(lambda s=stored: read_record_at(path, len(first), s)) == (len(first), reason, None)


@pytest.mark.parametrize("member", [None, MEMBER])
def test_a_record_without_a_content_length_is_refused_at_its_offset(tmp_path, member):
    """Such a header has no length of its own: read without a stored length, the record ran on into
    the records after it. iter_records calls it damage, so the reader never stores one, but another
    tool's index may point at it; with a stored length or without, it is refused as iter_records
    refuses it."""
    bare = record("resource", 4, b"hello", length=-1)
    path = placed(tmp_path, plain(INFO, bare, LAST), member)
    at = len(INFO) + 4
    for stored in (None, len(bare), len(bare) + 4):
        assert damage(lambda stored=stored: read_record_at(path, at, stored, member)) == \
            (at, f"record header incomplete at offset {at} (no Content-Length)", member)


# --- the bytes after the last record -------------------------------------------------------------


END = len(INFO) + 4 + len(LAST)  # where the last record's block ends, in plain(INFO, LAST)


@pytest.mark.parametrize("tail, reason", [
    # Glued to the block, the first line is one warcio passes over (the record is marked "length
    # mismatch"): only the look at the file's tail sees what it holds.
    (b"XX\n", f"bytes that are not a WARC record at offset {END}"),
    (b"\x00" * 40 + b"WARC/1.0", f"truncated at {END}: the file ends inside a record"),
    (b"\x00\t \x00WARC/1.0\r\n", f"truncated at {END}: the file ends inside a record"),
    # After the closing blank lines, a line of vertical tab and form feed (blank to warcio) is no
    # padding: only CR, LF, tab, space and NUL are.
    (CLOSE + b"\x0b\x0c\n", f"bytes that are not a WARC record at offset {END}"),
])
def test_what_follows_the_padding_after_the_last_record_is_damage_at_the_records_end(tmp_path, tail, reason):
    path = tmp_path / "a.warc"
    path.write_bytes(plain(INFO) + LAST + tail)
    got, e = read_all(path)
    assert got == [("warcinfo", 0, len(INFO)), ("metadata", len(INFO) + 4, len(LAST))]
    assert e is not None and (e.offset, e.reason, e.member) == (END, reason, None)


@pytest.mark.parametrize("tail", [CLOSE, CLOSE + b"\r\n \t  \r\n", b"\x00" * 100 + CLOSE,
                                  CLOSE + b"\n" * 70000])
def test_padding_alone_after_the_last_record_ends_the_file_cleanly(tmp_path, tail):
    path = tmp_path / "a.warc"
    path.write_bytes(plain(INFO) + LAST + tail)
    assert read_all(path) == ([("warcinfo", 0, len(INFO)), ("metadata", len(INFO) + 4, len(LAST))], None)


def test_a_cut_record_after_a_blank_run_is_truncation_wherever_the_first_read_ends(tmp_path):
    """What follows the padding is told by its first bytes (WARC/ or gzip's magic: a record cut
    short); a run of padding that ends just before a read's end must not split them."""
    for spaces in (65533, 65535, 65536, 131072):
        path = tmp_path / f"a{spaces}.warc"
        path.write_bytes(plain(INFO) + LAST + b" " * spaces + b"WARC/1.0")
        got, e = read_all(path)
        assert got == [("warcinfo", 0, len(INFO)), ("metadata", len(INFO) + 4, len(LAST))]
        assert e is not None and (e.offset, e.reason) == \
            (END, f"truncated at {END}: the file ends inside a record"), spaces


def test_a_size_past_the_end_of_the_file_reads_the_records_the_file_holds(tmp_path):
    """A file cut back, at a record's end, after its size was taken (ingest hashes it first): the
    records there are whole, and the look for bytes after the last one finds none, without error."""
    path = tmp_path / "a.warc"
    path.write_bytes(plain(INFO, LAST))
    assert read_all(path, size=path.stat().st_size + 100) == \
        ([("warcinfo", 0, len(INFO)), ("metadata", len(INFO) + 4, len(LAST))], None)
