"""Reading one record back at the offset and length the reader gave it (archive.records.read_record_at).

The store serves a capture's exact WARC bytes this way, so every kind of file is read back here record
by record: a plain WARC, a WARC of one gzip member per record, a whole-file gzip, the WARCs of a WACZ
stored and deflated, an ARC; and each way the stored place can stop matching the file gives the
reader's one-line ArchiveDamage with the offset and the WACZ member: a member the package lacks, a
file now shorter than the record, a whole-file gzip cut before the record, an offset inside a record,
a record that is not a gzip member where the framing says it is, a deflated member that fails its
checksum. What each record holds (type, URI, HTTP headers, payload) is written out by hand, never
worked out with the reader's own rules. These tests also kill mutmut's survivors in read_record_at.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path

import pytest

from archive import ArchiveDamage, FileStats, iter_records, read_record_at
from archive.records import record_payload
from tests.support.archives import OurWarc

PAGE = "https://www.newsdeeply.com/syria/articles/a"
GONE = "https://www.newsdeeply.com/syria/gone"
HTML = "text/html; charset=utf-8"
INFO = b"software: test\r\nformat: WARC File Format 1.1\r\n"

# (type, target URI, HTTP first line, HTTP headers, payload as stored) of every record the writer
# below writes, in file order.
WRITTEN = [
    ("warcinfo", None, None, None, INFO),
    ("response", PAGE, "HTTP/1.1 200 OK", [("Content-Type", HTML), ("Content-Length", "25"),
                                           ("X-Served-By", "test")], b"<html><p>first</p></html>"),
    ("request", PAGE, "GET syria/articles/a HTTP/1.1", [("Host", "x")], b""),
    ("revisit", PAGE, "HTTP/1.1 200 OK", [("Content-Type", HTML)], b""),
    ("response", GONE, "HTTP/1.1 404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "4")],
     b"gone"),
    ("request", GONE, "GET syria/gone HTTP/1.1", [("Host", "x")], b""),
]


def written_warc(path: Path, gzip: bool) -> bytes:
    w = OurWarc(path, gzip=gzip)
    w.response(PAGE, b"<html><p>first</p></html>", extra_headers=[("X-Served-By", "test")])
    w.revisit(PAGE, b"<html><p>first</p></html>", "2024-05-01T12:00:01Z")
    w.response(GONE, b"gone", status="404 Not Found", mime="text/plain")
    return w.close().read_bytes()


def wacz(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def every_record(path) -> tuple[list, FileStats]:
    stats = FileStats()
    return list(iter_records(path, types=None, stats=stats)), stats


def http_line(record) -> str | None:
    http = record.http_headers
    return None if http is None else f"{http.protocol} {http.statusline}"


def as_written(back) -> tuple:
    http = back.http_headers
    return (back.rec_type, back.rec_headers.get_header("WARC-Target-URI"), http_line(back),
            None if http is None else list(http.headers), back.raw_stream.read())


FRAMINGS = {
    # name: (file name, WACZ member or None, its compression, the WARC's own framing)
    "plain": ("a.warc", None, None, "plain"),
    "record-gzip": ("a.warc.gz", None, None, "record-gzip"),
    "stream-gzip": ("a.warc.gz", None, None, "stream-gzip"),
    "wacz stored plain": ("a.wacz", "archive/data.warc", zipfile.ZIP_STORED, "plain"),
    "wacz stored record-gzip": ("a.wacz", "archive/data.warc.gz", zipfile.ZIP_STORED, "record-gzip"),
    "wacz stored stream-gzip": ("a.wacz", "archive/data.warc.gz", zipfile.ZIP_STORED, "stream-gzip"),
    "wacz deflated plain": ("a.wacz", "archive/data.warc", zipfile.ZIP_DEFLATED, "plain"),
    "wacz deflated record-gzip": ("a.wacz", "archive/data.warc.gz", zipfile.ZIP_DEFLATED, "record-gzip"),
}


def framed(tmp_path: Path, name: str) -> tuple[Path, str | None, int]:
    """The written WARC in the named framing: (file, WACZ member, size of the stream offsets count in)."""
    file_name, member, compression, framing = FRAMINGS[name]
    warc = written_warc(tmp_path / "w.warc.gz", gzip=framing == "record-gzip")
    size = len(warc)
    if framing == "stream-gzip":
        warc = gzip.compress(warc, mtime=0)
    path = tmp_path / file_name
    if member is None:
        path.write_bytes(warc)
    else:
        wacz(path, {member: warc}, compression)
    return path, member, size


@pytest.mark.parametrize("name", list(FRAMINGS))
def test_every_record_of_each_framing_reads_back_as_written_at_its_offset_and_length(tmp_path, name):
    path, member, _ = framed(tmp_path, name)
    records, stats = every_record(path)
    assert stats.framing == FRAMINGS[name][3]
    assert [(r.warc_type, r.member) for r in records] == [(w[0], member) for w in WRITTEN]
    for rec, written in zip(records, WRITTEN, strict=True):
        for length, framing in ((rec.length, None), (None, None), (rec.length, stats.framing)):
            back = read_record_at(path, rec.offset, length, member=member, framing=framing)
            assert record_payload(back) == written[4] and record_payload(back) == written[4]
            assert as_written(back) == written, (rec.offset, length, framing)  # the payload as stored
        again = read_record_at(path, rec.offset, rec.length, member=member)
        assert as_written(again) == written  # a record read twice reads the same


def arc_file() -> tuple[bytes, list[tuple]]:
    """An ARC (version 1 layout) written by hand, and (offset, length, URI, payload) of its records."""
    version = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://test.arc 0.0.0.0 20160311100000 text/plain %d\n" % len(version) + version + b"\n"
    out, places = head, [(0, len(head) - 1, "filedesc://test.arc", b"")]
    for url, body in (("http://www.newsdeeply.com/syria/", b"<html>one</html>"),
                      ("http://www.newsdeeply.com/water/", b"<html>two, longer</html>")):
        http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        line = url.encode() + b" 127.0.0.1 20160311100001 text/html %d\n" % len(http)
        places.append((len(out), len(line) + len(http), url, body))
        out += line + http + b"\n"
    return out, places


def test_every_record_of_an_arc_file_reads_back_at_its_offset_with_its_http_headers(tmp_path):
    data, places = arc_file()
    path = tmp_path / "test.arc"
    path.write_bytes(data)
    records, _ = every_record(path)
    assert [(r.warc_type, r.offset, r.length) for r in records] == \
        [("warcinfo", 0, 122), ("response", 123, 151), ("response", 275, 159)]
    assert [(r.offset, r.length) for r in records] == [p[:2] for p in places]
    for offset, length, url, body in places[1:]:
        for stored in (length, None):
            back = read_record_at(path, offset, stored)
            http = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
            assert as_written(back) == ("response", url, "HTTP/1.0 200 OK", http, body)


@pytest.mark.parametrize("spelling", ["response", "Response", "RESPONSE"])
def test_the_http_headers_of_a_record_are_parsed_whatever_the_case_of_its_warc_type(tmp_path, spelling):
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hi</p>"
    head = (b"WARC/1.0\r\nWARC-Type: " + spelling.encode() + b"\r\n"
            b"WARC-Record-ID: <urn:uuid:6a1d2b5e-0000-4000-8000-000000000002>\r\n"
            b"WARC-Target-URI: https://www.newsdeeply.com/syria/\r\nWARC-Date: 2016-03-11T10:00:00Z\r\n"
            b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(block))
    path = tmp_path / "case.warc"
    path.write_bytes(head + block + b"\r\n\r\n")
    (rec,), _ = every_record(path)
    assert (rec.offset, rec.length) == (0, len(head) + len(block))
    back = read_record_at(path, rec.offset, rec.length)
    assert as_written(back) == ("response", "https://www.newsdeeply.com/syria/", "HTTP/1.1 200 OK",
                                [("Content-Type", "text/html")], b"<p>hi</p>")


def test_a_record_without_a_warc_type_reads_back_with_an_empty_type_as_the_reader_lists_it(tmp_path):
    path = tmp_path / "untyped.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Record-ID: <urn:uuid:6a1d2b5e-0000-4000-8000-000000000003>\r\n"
                     b"WARC-Date: 2016-03-11T10:00:00Z\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n")
    (rec,), _ = every_record(path)
    assert (rec.warc_type, rec.offset, rec.length) == ("", 0, 134)
    back = read_record_at(path, 0, 134)
    assert (back.rec_type, back.http_headers, back.raw_stream.read()) == ("", None, b"hello")


# --- the stored place no longer matches the file ---------------------------------------------------


def damage(call) -> tuple:
    with pytest.raises(ArchiveDamage) as info:
        call()
    return info.value.offset, info.value.reason, info.value.member


def test_a_member_the_wacz_package_does_not_hold_is_named_in_the_error(tmp_path):
    path = wacz(tmp_path / "a.wacz", {"archive/data.warc": written_warc(tmp_path / "w.warc", gzip=False)})
    assert damage(lambda: read_record_at(path, 328, 505, member="archive/gone.warc")) == \
        (328, "no member archive/gone.warc in the WACZ package", "archive/gone.warc")
    not_a_zip = tmp_path / "w.warc"  # a member asked of a file that is no zip at all
    assert damage(lambda: read_record_at(not_a_zip, 328, 505, member="archive/data.warc")) == \
        (328, "no member archive/data.warc in the WACZ package", "archive/data.warc")


@pytest.mark.parametrize("name", ["plain", "record-gzip", "stream-gzip", "wacz stored plain",
                                  "wacz deflated record-gzip"])
def test_a_stored_length_past_the_end_of_the_file_says_how_many_bytes_are_missing(tmp_path, name):
    path, member, size = framed(tmp_path, name)
    last = every_record(path)[0][-1]
    beyond = size - last.offset + 10  # ten bytes more than there are from the record to the end
    assert damage(lambda: read_record_at(path, last.offset, beyond, member=member)) == \
        (last.offset, "the file ends 10 bytes before the stored record's end", member)


def big_warc(path: Path) -> list[bytes]:
    """A WARC of six responses of incompressible bodies (a whole-file gzip of it is cut in the middle)."""
    rnd = random.Random(20)
    bodies = [rnd.randbytes(30000) for _ in range(6)]
    w = OurWarc(path, gzip=False)
    for i, body in enumerate(bodies):
        w.response(f"https://www.newsdeeply.com/syria/files/{i}", body, mime="application/octet-stream")
    w.close()
    return bodies


@pytest.mark.parametrize("member", [None, "archive/data.warc.gz"])
def test_in_a_whole_file_gzip_cut_short_the_records_before_the_cut_read_back_the_others_cannot_be_reached(
        tmp_path, member):
    bodies = big_warc(tmp_path / "big.warc")
    whole = gzip.compress((tmp_path / "big.warc").read_bytes(), mtime=0)
    (tmp_path / "whole.warc.gz").write_bytes(whole)
    stored, _ = every_record(tmp_path / "whole.warc.gz")  # the places read while the file was whole
    assert [r.warc_type for r in stored] == ["warcinfo"] + ["response", "request"] * 6
    cut = whole[: len(whole) * 2 // 3]
    path = tmp_path / "cut.warc.gz"
    if member:
        wacz(tmp_path / "cut.wacz", {member: cut})
        path = tmp_path / "cut.wacz"
    else:
        path.write_bytes(cut)
    before = []
    with pytest.raises(ArchiveDamage) as info:
        before.extend(iter_records(path, types=None))
    assert [r.offset for r in before] == [r.offset for r in stored[:7]]
    assert info.value.offset == stored[7].offset  # the fourth response is cut
    body_at = {r.offset: body for r, body in zip(stored[1::2], bodies, strict=True)}
    for rec in stored[:7]:
        for length in (rec.length, None):
            back = read_record_at(path, rec.offset, length, member=member)
            payload = body_at.get(rec.offset, INFO if rec.warc_type == "warcinfo" else b"")
            assert (back.rec_type, back.raw_stream.read()) == (rec.warc_type, payload)
    for rec in stored[7:]:
        assert damage(lambda r=rec: read_record_at(path, r.offset, r.length, member=member)) == \
            (rec.offset, f"the record at offset {rec.offset} cannot be reached", member)


@pytest.mark.parametrize("name", ["plain", "record-gzip", "wacz stored plain", "wacz deflated record-gzip"])
def test_an_offset_inside_a_record_gives_no_readable_record_there(tmp_path, name):
    path, member, _ = framed(tmp_path, name)
    records, _ = every_record(path)
    for rec in records[1:3]:
        at = rec.offset + 7
        assert damage(lambda a=at, r=rec: read_record_at(path, a, r.length, member=member)) == \
            (at, f"no readable record at offset {at}", member)


def test_a_plain_record_after_a_gzip_member_is_refused_as_the_reader_refuses_it(tmp_path):
    """One gzip member per record is the framing: a plain record after the first member is damage to
    iter_records, and read back at its offset it is not read as if it were a plain WARC's."""
    gzipped = written_warc(tmp_path / "g.warc.gz", gzip=True)
    plain = written_warc(tmp_path / "p.warc", gzip=False)
    (info, *_), _ = every_record(tmp_path / "g.warc.gz")
    plain_records, _ = every_record(tmp_path / "p.warc")
    response = plain_records[1]
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(gzipped[: info.length] + plain[response.offset:])
    with pytest.raises(ArchiveDamage) as read:
        list(iter_records(path, types=None))
    assert (read.value.offset, read.value.reason) == \
        (info.length, f"bytes that are not a gzip member at offset {info.length}")
    assert damage(lambda: read_record_at(path, info.length, response.length)) == \
        (info.length, f"no readable record at offset {info.length}", None)


def test_a_stored_framing_is_the_one_the_file_is_read_with(tmp_path):
    """The store passes the framing it read the file with; a file that has lost it since (a gzip WARC
    decompressed in place) is refused at the stored place, not read some other way."""
    path, _, _ = framed(tmp_path, "plain")
    records, _ = every_record(path)
    response = records[1]
    assert as_written(read_record_at(path, response.offset, response.length, framing="plain")) == WRITTEN[1]
    assert damage(lambda: read_record_at(path, response.offset, response.length, framing="record-gzip")) == \
        (response.offset, f"no readable record at offset {response.offset}", None)
    assert damage(lambda: read_record_at(path, response.offset, response.length, framing="stream-gzip")) == \
        (response.offset, f"the record at offset {response.offset} cannot be reached", None)


def test_a_deflated_member_that_fails_its_checksum_gives_no_readable_record(tmp_path):
    path, member, _ = framed(tmp_path, "wacz deflated plain")
    records, _ = every_record(path)
    with zipfile.ZipFile(path) as zf:
        crc_at = zf.start_dir + 16  # the CRC-32 of the one entry of the central directory
    data = bytearray(path.read_bytes())
    data[crc_at] ^= 0xFF
    path.write_bytes(bytes(data))
    for rec in records:
        assert damage(lambda r=rec: read_record_at(path, r.offset, r.length, member=member)) == \
            (rec.offset, f"no readable record at offset {rec.offset}", member)


# --- a stored place that no longer matches the file, junk behind long padding -----------------------


def test_a_stored_length_shorter_than_the_record_is_refused(tmp_path):
    path, _, _ = framed(tmp_path, "plain")
    response = every_record(path)[0][1]
    with pytest.raises(ArchiveDamage) as info:
        read_record_at(path, response.offset, response.length - 5)
    assert (info.value.offset, info.value.reason) == (
        response.offset, f"the record at offset {response.offset} is 5 bytes longer than the stored length "
                         f"{response.length - 5}")


@pytest.mark.parametrize("name", ["plain", "stream-gzip"])
def test_a_stored_length_with_the_blank_lines_closing_the_record_reads_it(tmp_path, name):
    # Another tool's index counts a record up to the next one's start: its two closing CRLFs too.
    path, member, _ = framed(tmp_path, name)
    info, response = every_record(path)[0][:2]
    assert response.offset == info.offset + info.length + 4
    back = read_record_at(path, info.offset, info.length + 4, member)
    assert back.rec_type == "warcinfo" and back.raw_stream.read().startswith(b"software: ")


def test_a_stored_length_running_into_the_next_record_is_refused(tmp_path):
    path, _, _ = framed(tmp_path, "plain")
    info, response = every_record(path)[0][:2]
    with pytest.raises(ArchiveDamage) as raised:
        read_record_at(path, info.offset, response.offset + 40)
    assert (raised.value.offset, raised.value.reason) == (
        info.offset, f"the record at offset {info.offset} takes {info.length} bytes, not the stored "
                     f"{response.offset + 40}")


def test_a_negative_offset_is_refused(tmp_path):
    path, _, _ = framed(tmp_path, "plain")
    info = every_record(path)[0][0]
    with pytest.raises(ArchiveDamage) as raised:
        read_record_at(path, -3, info.length)
    assert (raised.value.offset, raised.value.reason) == (-3, "no record at offset -3: offsets count from 0")


@pytest.mark.parametrize("padding", [
    0,
    4096,
    20000,
    70000,  # more than one read of the tail
])
def test_junk_after_the_last_record_is_reported_however_much_blank_comes_first(tmp_path, padding):
    """The line closing the last record holds blanks and then junk: warcio passes over that one line
    (the record is marked "length mismatch"), so only the look at the file's tail can see the junk."""
    path, _, _ = framed(tmp_path, "plain")
    data = path.read_bytes()
    end = len(data) - 4  # the last record's block ends where its closing blank lines begin
    assert data[end:] == b"\r\n\r\n"
    path.write_bytes(data[:end] + b" " * padding + b"junk\n")
    with pytest.raises(ArchiveDamage) as info:
        list(iter_records(path, types=None))
    assert (info.value.offset, info.value.reason) == \
        (end, f"bytes that are not a WARC record at offset {end}")


def test_the_payload_of_a_record_read_back_is_a_copy_that_outlives_the_file(tmp_path):
    path, _, _ = framed(tmp_path, "record-gzip")
    response = every_record(path)[0][1]
    back = read_record_at(path, response.offset, response.length)
    path.unlink()
    assert isinstance(back.raw_stream, io.BytesIO) and back.raw_stream.read() == WRITTEN[1][4]
