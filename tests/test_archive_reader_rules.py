"""The archive reader's rules one at a time, in process, on real files read by real warcio: a WACZ's
page lists, the ids ARC records are given, padding after the last gzip member, a last record whose
header is cut off, the members of a WACZ sniffed for what they are; and archive/files.py's: which
files of a folder are archives, what a file is by its first bytes, the windows a file is read through,
where a gzip member ends, how a stream is compressed."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from archive import ArchiveDamage, FileStats, iter_records
from archive.files import (
    Window,
    archives_in,
    classify,
    file_sha256,
    first_record_size,
    framing,
    gzip_member_end,
    is_archive_name,
    member_window,
    wacz_members,
)
from archive.records import arc_record_id, read_record_at, record_payload
from tests.support.archives import OurWarc
from tests.support.foreign import FOREIGN


def sound_warc(path: Path, pages: int = 2, gzip: bool = True) -> Path:
    w = OurWarc(path, gzip=gzip)
    for i in range(pages):
        url = f"https://www.newsdeeply.com/syria/articles/2016/03/11/page-{i}"
        w.response(url, b"<html><p>%d</p></html>" % i)
    w.fh.close()
    return path


def read_all(path, types=None):
    stats = FileStats()
    return [(r.warc_type, r.url) for r in iter_records(path, stats=stats, types=types)], stats


def wacz(path: Path, warc: bytes, member: str = "archive/data.warc", files: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(member, warc)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


# --- a WACZ's page lists ------------------------------------------------------------------------


def test_a_waczs_pages_are_read_from_both_lists_skipping_headers_and_broken_lines(tmp_path):
    warc = sound_warc(tmp_path / "data.warc", gzip=False).read_bytes()
    pages = "\n".join([
        json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}),  # the list's header
        json.dumps({"url": "https://a.example/", "ts": "2016-03-11T10:00:00Z", "title": "A", "id": "1"}),
        "not json at all",
        json.dumps(["a", "list"]),
        json.dumps({"url": "", "title": "no url"}),
        json.dumps({"url": "https://b.example/"}),
    ]).encode() + b"\n"
    extra = b'{"url": "https://c.example/", "ts": "2016-03-12", "title": "C \xff"}\n'  # \xff: no UTF-8
    path = wacz(tmp_path / "pages.wacz", warc, files={
        "pages/pages.jsonl": pages, "pages/extraPages.jsonl": extra,
        "pages/other.jsonl": json.dumps({"url": "https://not-a-list.example/"}).encode()})
    _, stats = read_all(path)
    assert stats.pages == [
        {"url": "https://a.example/", "ts": "2016-03-11T10:00:00Z", "title": "A"},
        {"url": "https://b.example/", "ts": None, "title": None},
        {"url": "https://c.example/", "ts": "2016-03-12", "title": "C \ufffd"},
    ]
    assert stats.format == "wacz" and stats.members == ["archive/data.warc"]


def test_a_wacz_with_only_extra_pages_or_none_lists_what_it_has(tmp_path):
    warc = sound_warc(tmp_path / "data.warc", gzip=False).read_bytes()
    only_extra = wacz(tmp_path / "extra.wacz", warc, files={
        "pages/extraPages.jsonl": json.dumps({"url": "https://c.example/", "ts": "t"}).encode()})
    assert read_all(only_extra)[1].pages == [{"url": "https://c.example/", "ts": "t", "title": None}]
    assert read_all(wacz(tmp_path / "none.wacz", warc))[1].pages == []


# --- ids of ARC records ---------------------------------------------------------------------------


def test_an_arc_records_id_is_the_same_at_every_reading_and_release():
    """ARC records carry no id, and the store keys records by theirs: the derived id must not change,
    or every ARC file ingested again would be taken as new records."""
    plain = FOREIGN / "warcio" / "example.arc"
    ids = [(r.warc_type, r.offset, r.record_id) for r in iter_records(plain, types=None)]
    assert ids == [("warcinfo", 0, "urn:uuid:2976fb02-a2c8-5f9a-86ed-1b4c8c593037"),
                   ("response", 151, "urn:uuid:de9bd28f-ef76-5ce1-b583-05a2c0c70d19")]
    zipped = [(r.offset, r.record_id) for r in iter_records(FOREIGN / "warcio" / "example.arc.gz")]
    assert zipped == [(171, "urn:uuid:852abd72-50ae-5e47-91e4-ac893d29cf10")]  # another offset, another id
    assert arc_record_id("http://example.com/", "2014-01-03T03:03:21Z", 1024, "archive/a.warc") == \
        "urn:uuid:84d287a1-1181-5b6b-adb3-ca8c24bb19bc"
    assert arc_record_id("http://example.com/", None, 0) == "urn:uuid:cd82b9df-890e-5032-9f95-eb827c61eab3"
    url = "http://example.com/"
    assert arc_record_id(url, None, 0, None) == arc_record_id(url, None, 0, "")


# --- what follows the last record -----------------------------------------------------------------


@pytest.mark.parametrize("padding", [b"\x00" * 512, b"\r\n\r\n", b"\x00" * 4096 + b"\n \t", b"\x00" * 65535])
def test_padding_after_the_last_gzip_member_ends_the_file_cleanly(tmp_path, padding):
    path = sound_warc(tmp_path / "padded.warc.gz")
    sound = read_all(path)[0]
    with open(path, "ab") as fh:
        fh.write(padding)
    records, stats = read_all(path)
    assert records == sound and stats.records == 5 and stats.framing == "record-gzip"


@pytest.mark.parametrize("junk", [b"\x00" * 65536, b"\x00" * 100 + b"junk", b"junk", b"\nXXXX\n"])
def test_anything_but_short_padding_after_the_last_gzip_member_is_damage(tmp_path, junk):
    path = sound_warc(tmp_path / "junk.warc.gz")
    end = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(junk)
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None):
            seen.append(r.warc_type)
    assert seen == ["warcinfo", "response", "request", "response", "request"]
    assert info.value.offset == end
    assert info.value.reason == f"bytes that are not a gzip member at offset {end}"


def plain_record(rtype: str, block: bytes = b"", newline: bytes = b"\r\n") -> bytes:
    head = newline.join([b"WARC/1.1", b"WARC-Type: " + rtype.encode(),
                         b"WARC-Record-ID: <urn:uuid:6a1d2b5e-0000-4000-8000-000000000001>",
                         b"WARC-Date: 2016-03-11T10:00:00Z", b"Content-Length: %d" % len(block)])
    return head + newline * 2 + block + newline * 2


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_an_empty_last_record_is_whole_once_its_header_has_ended(tmp_path, newline):
    path = sound_warc(tmp_path / "empty-last.warc", gzip=False)
    with open(path, "ab") as fh:
        fh.write(plain_record("metadata", newline=newline))
    records, stats = read_all(path)
    assert [t for t, _ in records][-1] == "metadata" and stats.records == 6


@pytest.mark.parametrize("cut", [2, 4])
def test_an_empty_last_record_whose_header_is_cut_off_is_damage(tmp_path, cut):
    path = sound_warc(tmp_path / "cut-last.warc", gzip=False)
    start = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(plain_record("metadata")[:-4 - cut])  # without the blank line ending its header
    seen = []
    with pytest.raises(ArchiveDamage) as info:
        for r in iter_records(path, types=None):
            seen.append(r.warc_type)
    assert seen == ["warcinfo", "response", "request", "response", "request"]
    assert info.value.offset == start


# --- a WACZ's members ----------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["archive/data.warc.gz", "archive/DATA.WARC.GZ", "archive/data.warc"])
def test_a_waczs_gzipped_or_plain_warc_is_read_in_place(tmp_path, member):
    warc = sound_warc(tmp_path / "data.warc.gz", gzip=member.lower().endswith(".gz")).read_bytes()
    records, stats = read_all(wacz(tmp_path / "one.wacz", warc, member=member))
    assert [t for t, _ in records] == ["warcinfo", "response", "request", "response", "request"]
    assert stats.members == [member]


def test_a_wacz_member_that_is_no_warc_is_named(tmp_path):
    junk = gzip.compress(b"<html>not a WARC</html>" * 100)
    with pytest.raises(ArchiveDamage) as info:
        read_all(wacz(tmp_path / "junk.wacz", junk, member="archive/data.warc.gz"))
    assert (info.value.member, info.value.reason) == ("archive/data.warc.gz",
                                                      "not a WARC (no WARC record at its start)")
    broken = io.BytesIO(gzip.compress(b"WARC/1.1\r\n" * 400))
    data = broken.getvalue()
    data = data[:12] + bytes(b ^ 0xFF for b in data[12:40]) + data[40:]  # its deflate stream damaged
    with pytest.raises(ArchiveDamage) as info:
        read_all(wacz(tmp_path / "broken.wacz", data, member="archive/data.warc.gz"))
    assert info.value.member == "archive/data.warc.gz"


# --- archive/files.py: which files are archives, and the windows they are read through ------------


def test_a_folder_lists_its_archives_by_name_and_every_other_file_with_why(tmp_path):
    warc = sound_warc(tmp_path / "src.warc", gzip=False).read_bytes()
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    files = {"b.WARC.GZ": b"not judged by its name", "a.arc": b"", "c.wacz": b"", "d.warc.gz.open": warc,
             ".deeply.lock": b"", ".deeply-crawl.json": b"{}", ".hidden.warc": warc, ".idx": b"",
             "misnamed.bin": warc, "notes.txt": b"some notes", "empty.dat": b"", "sub/e.warc": warc}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    found, skipped = archives_in(folder)
    assert [p.name for p in found] == [".hidden.warc", "a.arc", "b.WARC.GZ", "c.wacz", "misnamed.bin"]
    assert [s.line() for s in skipped] == [
        ".idx: skipped, a hidden file",
        "d.warc.gz.open: skipped, still being written (.open)",
        "empty.dat: skipped, an empty file",
        "notes.txt: skipped, not an archive (no WARC or ARC record at its start)",
    ]
    found, _ = archives_in(folder, recursive=True)
    assert [p.relative_to(folder).as_posix() for p in found] == [
        ".hidden.warc", "a.arc", "b.WARC.GZ", "c.wacz", "misnamed.bin", "sub/e.warc"]


@pytest.mark.parametrize("name, archive", [
    ("x.warc", True), ("x.WARC.GZ", True), ("x.arc", True), ("x.Arc.Gz", True), ("x.wacz", True),
    ("x.warc.gz.open", False), ("x.warcs", False), ("x.wacz.gz", False), ("x.gz", False), ("warc", False)])
def test_an_archive_is_named_warc_arc_or_wacz_in_any_case(name, archive):
    assert is_archive_name(name) is archive


def zipped(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_a_file_is_judged_by_its_first_bytes_with_the_reason(tmp_path):
    warc = sound_warc(tmp_path / "src.warc", gzip=False).read_bytes()
    arc = (FOREIGN / "warcio" / "example.arc").read_bytes()
    cases = {
        "plain": (warc, ("warc", "a WARC file")),
        "newlines-first": (b"\r\n\r\n" + warc, ("warc", "a WARC file")),
        "lower-case": (warc.replace(b"WARC/1.1", b"warc/1.1", 1), ("warc", "a WARC file")),
        "spaces-first": (b" \t" + warc, (None, "not an archive (no WARC or ARC record at its start)")),
        "letters-first": (b"XX" + warc, (None, "not an archive (no WARC or ARC record at its start)")),
        "gzipped": (gzip.compress(warc), ("warc", "a WARC file")),
        "arc": (arc, ("arc", "an ARC file")),
        "arc-gzipped": (gzip.compress(arc), ("arc", "an ARC file")),
        "wacz": (zipped({"archive/data.warc": warc}), ("wacz", "a WACZ package")),
        "empty": (b"", (None, "an empty file")),
        "text": (b"<html>WARC/1.1</html>", (None, "not an archive (no WARC or ARC record at its start)")),
        "gzipped-text": (gzip.compress(b"hello"), (None, "a gzip file, but not of a WARC or ARC")),
        "bad-gzip": (b"\x1f\x8b" + b"\xff" * 64,
                     (None, "a damaged gzip file (its first member does not decompress)")),
        "bad-zip": (b"PK\x03\x04" + b"\x00" * 64, (None, "a damaged zip file, not a readable WACZ package")),
        "empty-zip": (zipped({}),
                      (None, "a zip file without archive/*.warc(.gz) members, not a WACZ package")),
        "zip-of-others": (zipped({"archive/sub/a.warc": warc, "data/a.warc": warc, "archive/a.txt": b""}),
                          (None, "a zip file without archive/*.warc(.gz) members, not a WACZ package")),
        "zip-upper": (zipped({"archive/A.WARC.GZ": gzip.compress(warc)}), ("wacz", "a WACZ package")),
    }
    for name, (data, want) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert classify(path) == want, name
    assert classify(tmp_path) == (None, "cannot be read (Is a directory)")


def test_a_waczs_warcs_are_its_archive_folders_in_the_zips_order(tmp_path):
    data = zipped({"archive/b.warc": b"b", "archive/A.warc.GZ": b"a", "archive/sub/c.warc": b"c",
                   "pages/pages.jsonl": b"", "archive/d.warc.gz": b"d"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [i.filename for i in wacz_members(zf)]
    assert names == ["archive/b.warc", "archive/A.warc.GZ", "archive/d.warc.gz"]


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_member_is_read_in_place_stored_or_through_zipfile_deflated(tmp_path, compression):
    body = b"WARC/1.1\r\n" + bytes(range(256)) * 40
    path = tmp_path / "m.wacz"
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("pages/pages.jsonl", b"{}\n")
        zf.writestr(zipfile.ZipInfo("archive/a.warc"), b"first")  # extra before it: offsets move
        zf.writestr("archive/data.warc", body, compress_type=compression)
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        window = member_window(fh, zf, zf.getinfo("archive/data.warc"))
        assert isinstance(window, Window) is (compression == zipfile.ZIP_STORED)
        assert window.read() == body


def test_a_member_with_an_extra_field_is_read_in_place_and_a_damaged_local_header_is_named(tmp_path):
    """Zip tools may add an extra field (the extended timestamp, 0x5455) to a member's local header,
    which then starts later; a local header whose signature is damaged is no member to read."""
    warc = sound_warc(tmp_path / "data.warc", gzip=False).read_bytes()
    path = tmp_path / "extra.wacz"
    info = zipfile.ZipInfo("archive/data.warc")
    info.extra = b"UT\x05\x00\x01" + (1458000000).to_bytes(4, "little")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("pages/pages.jsonl", b"")
        zf.writestr(info, warc)
    records, _ = read_all(path)
    assert [t for t, _ in records] == ["warcinfo", "response", "request", "response", "request"]
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        at = zf.getinfo("archive/data.warc").header_offset
    data[at:at + 4] = b"PK\x00\x00"
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveDamage) as damage:
        read_all(path)
    assert (damage.value.member, damage.value.reason) == ("archive/data.warc",
                                                          "a member of the WACZ package cannot be opened")


def test_a_window_reads_seeks_and_tells_within_its_bytes(tmp_path):
    path = tmp_path / "w.bin"
    path.write_bytes(b"0123456789\nabcdef\nXYZ")
    with open(path, "rb") as fh:
        whole = Window(fh, 2)
        assert whole.size == 19 and whole.read() == b"23456789\nabcdef\nXYZ" and whole.read() == b""
        w = Window(fh, 2, 12)  # "23456789\nabc"
        assert w.readable() and w.seekable()
        assert w.read(3) == b"234" and w.tell() == 3
        assert w.readline() == b"56789\n" and w.tell() == 9
        assert w.readline() == b"abc" and w.readline() == b""  # the window ends inside the line
        assert w.seek(-20, 1) == 0 and w.readline(4) == b"2345"
        assert w.seek(-2, 2) == 10 and w.read(None) == b"bc"
        assert w.seek(4) == 4 and w.read(-1) == b"6789\nabc"
        w.seek(0)
        assert w.readline(None) == b"23456789\n"
        assert w.readline(0) == b"" and w.tell() == 9  # as a file's readline(0)
        w.seek(-1, 2)
        assert w.readline() == b"c" and w.readline() == b""  # the window's last byte
        w.seek(-1, 2)
        assert w.read(0) == b"" and w.read() == b"c" and w.read() == b""
        assert Window(fh).read() == path.read_bytes()  # the whole file by default


def test_a_files_hash_and_size_in_full_or_of_its_first_bytes(tmp_path):
    path = tmp_path / "h.bin"
    data = bytes(range(256)) * 10
    path.write_bytes(data)
    assert file_sha256(path) == (hashlib.sha256(data).hexdigest(), 2560)
    assert file_sha256(path, block=7) == (hashlib.sha256(data).hexdigest(), 2560)
    assert file_sha256(path, block=7, limit=100) == (hashlib.sha256(data[:100]).hexdigest(), 100)
    assert file_sha256(path, limit=5000) == (hashlib.sha256(data).hexdigest(), 2560)


def test_a_gzip_member_ends_where_its_trailer_does_or_is_not_whole(tmp_path):
    first, second = gzip.compress(b"a" * 100_000), gzip.compress(b"b" * 10)
    path = tmp_path / "g.gz"
    path.write_bytes(b"junk" + first + second)
    with open(path, "rb") as fh:
        assert gzip_member_end(fh, 4) == (4 + len(first), 100_000)
        assert gzip_member_end(fh, 4 + len(first)) == (4 + len(first) + len(second), 10)
        assert gzip_member_end(fh, 4, limit=50_000)[0] is None  # more out than the limit
        assert gzip_member_end(fh, 4, limit=100_000)[0] == 4 + len(first)
        assert gzip_member_end(fh, 0)[0] is None  # no member starts there
    noise = random.Random(3).randbytes(200_000)  # a member read in several blocks of the file
    big = gzip.compress(noise)
    path.write_bytes(b"junk" + big + second)
    with open(path, "rb") as fh:
        assert gzip_member_end(fh, 4) == (4 + len(big), 200_000)
    path.write_bytes(zlib.compress(b"a" * 1000))  # a zlib stream, no gzip member
    with open(path, "rb") as fh:
        assert gzip_member_end(fh, 0)[0] is None
    path.write_bytes(first[:-3])
    with open(path, "rb") as fh:
        assert gzip_member_end(fh, 0) == (None, 100_000)  # cut in its trailer


def test_the_first_records_size_from_its_header():
    block = b"x" * 10
    crlf = b"WARC/1.0\r\nWARC-Type: resource\r\ncontent-length:\t10\r\n\r\n" + block
    assert first_record_size(b"\r\n" + crlf + b"\r\n\r\nWARC/1.0") == len(crlf)
    lf = b"WARC/1.0\nWARC-Type: resource\nContent-Length: 10\n\n" + block
    assert first_record_size(lf + b"\n\n") == len(lf)
    assert first_record_size(b"WARC/1.0\r\nContent-Length: 10\r\n") is None  # its header not ended
    assert first_record_size(b"WARC/1.0\r\nWARC-Type: resource\r\n\r\n") is None  # no length
    assert first_record_size(b"WARC/1.0\r\nX-Content-Length: 10\r\n\r\n") is None
    line = b"filedesc://x.arc 0.0.0.0 20140216050221 text/plain 75"
    assert first_record_size(line + b"\n" + b"y" * 75) == len(line) + 1 + 75
    arc = (FOREIGN / "warcio" / "example.arc").read_bytes()  # its first line, then its version block
    assert first_record_size(arc) == len(arc.split(b"\n", 1)[0]) + 1 + 75
    assert first_record_size(b"filedesc://x.arc 0.0.0.0 20140216050221 text/plain many\n") is None
    assert first_record_size(b"<html>") is None
    assert first_record_size(b" \tWARC/1.0\r\nContent-Length: 1\r\n\r\nx") is None  # only newlines before it
    assert first_record_size(b"XWARC/1.0\r\nContent-Length: 1\r\n\r\nx") is None


def test_how_a_stream_is_compressed_is_told_by_its_first_member(tmp_path):
    plain = sound_warc(tmp_path / "p.warc", gzip=False).read_bytes()
    per_record = sound_warc(tmp_path / "r.warc.gz").read_bytes()
    cut = plain.find(b"\r\n\r\n") + 10  # inside the first record's block
    split = gzip.compress(plain[:cut]) + gzip.compress(plain[cut:])  # a record across two members
    # A block that does not compress: its member is read in several reads of the file.
    big = b"WARC/1.0\r\nContent-Length: 200000\r\n\r\n" + random.Random(7).randbytes(200_000) + b"\r\n\r\n"
    need = len(big) - 4  # its header and block, without the blank lines after it
    exact = b"WARC/1.0\r\nContent-Length: 196546\r\n\r\n" + random.Random(7).randbytes(196_546)
    cases = {"plain": (plain, "plain"), "per-record": (per_record, "record-gzip"),
             "whole-file": (gzip.compress(plain), "stream-gzip"), "split": (split, "stream-gzip"),
             "one-big-record": (gzip.compress(big), "record-gzip"),
             "one-big-record-and-a-short-one": (gzip.compress(big + plain), "stream-gzip"),
             "two-big-records": (gzip.compress(big + big), "stream-gzip"),
             "a-big-record-cut-short": (gzip.compress(big[:150_000]), "stream-gzip"),
             # At the edges: the record alone, a byte short of it, up to 64 bytes after it.
             "the-record-exactly": (gzip.compress(big[:need]), "record-gzip"),
             "a-byte-short": (gzip.compress(big[:need - 1]), "stream-gzip"),
             "64-bytes-more": (gzip.compress(big[:need] + b"\r\n" * 32), "record-gzip"),
             "65-bytes-more": (gzip.compress(big[:need] + b"\r\n" * 32 + b"\r"), "stream-gzip"),
             # A record whose member's last read of the file holds only its last few bytes.
             "ends-just-past-a-read": (gzip.compress(exact, 0, mtime=0), "record-gzip"),
             # A first member cut short or corrupt: the reader reports it, record by record.
             "member-cut-short": (gzip.compress(big)[:100_000], "record-gzip"),
             "member-corrupt": (gzip.compress(plain)[:10] + b"\xff" * 200, "record-gzip"),
             "unknown-length": (gzip.compress(b"<html>" * 50_000), "record-gzip"),
             # Members cut anywhere: the first ends inside the first record's header.
             "first-member-ends-in-the-header": (gzip.compress(plain[:20]) + gzip.compress(plain[20:]),
                                                 "stream-gzip"),
             "arc-first-member-ends-in-its-line": (gzip.compress(b"filedesc://x.arc 0.0.0.0")
                                                   + gzip.compress(b" 20160311000000 text/plain 5\nabcde\n"),
                                                   "stream-gzip"),
             "after-blank-lines-ends-in-the-header": (gzip.compress(b"\r\n" + plain[:20])
                                                      + gzip.compress(plain[20:]), "stream-gzip"),
             # A whole first header with no length (CRLF or LF), or a first line that is no ARC's: not
             # cut, the reader reports what is wrong with it record by record.
             "a-whole-header-without-length": (gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n")
                                               + gzip.compress(plain), "record-gzip"),
             "a-whole-lf-header-without-length": (gzip.compress(b"WARC/1.0\nWARC-Type: warcinfo\n\n")
                                                  + gzip.compress(plain), "record-gzip"),
             "an-arc-line-without-length": (gzip.compress(b"filedesc://x.arc 0.0.0.0 20160311 text/plain x\n")
                                            + gzip.compress(plain), "record-gzip"),
             "a-space-before-warc": (gzip.compress(b" " + plain[:20]) + gzip.compress(plain[20:]),
                                     "record-gzip"),
             "a-letter-before-warc": (gzip.compress(b"X" + plain[:20]) + gzip.compress(plain[20:]),
                                      "record-gzip")}
    for name, (data, want) in cases.items():
        with open(tmp_path / name, "wb") as fh:
            fh.write(data)
        with open(tmp_path / name, "rb") as fh:
            fh.seek(7)
            assert (framing(fh), fh.tell()) == (want, 0), name


def test_a_warc_compressed_in_chunks_that_cut_its_first_header_reads_whole(tmp_path):
    plain = sound_warc(tmp_path / "p.warc", pages=3, gzip=False).read_bytes()
    chunks = b"".join(gzip.compress(plain[i : i + 100]) for i in range(0, len(plain), 100))
    (tmp_path / "chunks.warc.gz").write_bytes(chunks)
    assert read_all(tmp_path / "chunks.warc.gz")[0] == read_all(tmp_path / "p.warc")[0]
    assert [t for t, _ in read_all(tmp_path / "p.warc")[0]].count("response") == 3


def test_a_records_http_headers_are_looked_up_without_case(tmp_path):
    w = OurWarc(tmp_path / "h.warc.gz")
    w.response("https://www.newsdeeply.com/syria/articles/2016/03/11/a", b"<html></html>",
               extra_headers=[("X-Served-By", "one"), ("x-served-by", "two")])
    w.fh.close()
    (rec,) = iter_records(tmp_path / "h.warc.gz")
    assert rec.header("content-TYPE") == "text/html; charset=utf-8" and rec.is_html and not rec.is_revisit
    assert rec.header("X-SERVED-BY") == "one" and rec.header("X-Missing") is None


def test_a_record_read_back_at_its_offset_gives_its_payload_decoded_as_often_as_asked(tmp_path):
    page = b"<html><p>hello</p></html>"
    stored = gzip.compress(page)
    w = OurWarc(tmp_path / "enc.warc.gz")
    w.response("https://www.newsdeeply.com/syria/articles/2016/03/11/a", stored,
               extra_headers=[("Content-Encoding", "gzip")])
    w.fh.close()
    info, response = list(iter_records(tmp_path / "enc.warc.gz", types=("warcinfo", "response")))
    back = read_record_at(tmp_path / "enc.warc.gz", response.offset, response.length)
    assert record_payload(back) == page and record_payload(back) == page
    assert back.raw_stream.read() == stored  # the payload as stored stays readable
    head = read_record_at(tmp_path / "enc.warc.gz", info.offset, info.length)
    assert head.http_headers is None and record_payload(head).startswith(b"software: test\r\n")


def arc_v2(records) -> bytes:
    """An ARC file in the version 2 layout (Alexa's, Internet Archive's: ten fields, the length last)."""
    version = (b"2 0 Alexa Internet\nURL IP-address Archive-date Content-type Result-code Checksum "
               b"Location Offset Filename Archive-length\n")
    out = b"filedesc://IA-001102.arc 0.0.0.0 19960923142103 text/plain %d\n" % len(version) + version + b"\n"
    for url, body in records:
        http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        out += (url.encode() + b" 127.10.100.2 19961104142103 text/html 200 fac069150613fe55599cc7fa88aa089d"
                b" - 209 IA-001102.arc %d\n" % len(http) + http + b"\n")
    return out


def test_an_arc_file_in_the_version_2_layout_reads_its_url_date_and_length(tmp_path):
    path = tmp_path / "v2.arc"
    path.write_bytes(arc_v2([("http://www.dryswamp.edu:80/index.html", b"<html>one</html>"),
                             ("http://www.dryswamp.edu/a b.html", b"<html>two</html>")]))
    stats = FileStats()
    got = [(r.warc_type, r.url, r.fetched_at, r.status, r.mime, r.body, r.offset, r.length)
           for r in iter_records(path, stats=stats, want_body=lambda r: True)]
    assert got == [
        ("response", "http://www.dryswamp.edu:80/index.html", "1996-11-04T14:21:03Z", 200, "text/html",
         b"<html>one</html>", 185, 216),
        ("response", "http://www.dryswamp.edu/a%20b.html", "1996-11-04T14:21:03Z", 200, "text/html",
         b"<html>two</html>", 402, 211),
    ]
    assert (stats.format, stats.records, stats.framing) == ("arc", 3, "plain")
    back = read_record_at(path, 402, 211)
    assert record_payload(back) == b"<html>two</html>"


def test_an_arc_record_line_of_too_few_fields_is_damage_at_its_offset(tmp_path):
    data = arc_v2([("http://www.dryswamp.edu/index.html", b"<html>one</html>")])
    path = tmp_path / "short.arc"
    path.write_bytes(data + b"http://www.dryswamp.edu/b.html 127.10.100.2 19961104142103\n<html>\n")
    with pytest.raises(ArchiveDamage) as info:
        list(iter_records(path))
    assert info.value.offset == len(data)
