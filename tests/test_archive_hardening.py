"""Hardening, WARC side: damaged, foreign, empty and growing files through ingest, extract and index.

Every fault is cut out of a sound WARC written the way our crawler writes one, so the records before
the damage are known to the byte. What is promised for each: one clear line naming the file and the
offset, every whole record before the damage kept, no torn record stored or indexed, the other files
go on, and the file once completed is taken in full without duplicates.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import ArchiveDamage, iter_records
from archive.fields import strip_id
from storage import ingest, read_capture
from tests.support.archives import OurWarc, sha1_digest, warcio_check
from tests.support.pages import Page

CAPTURES = ("response", "revisit")


# --- sound WARCs and their exact layout -----------------------------------------------------------


def sound_warc(path: Path, slugs, gz: bool = True, crawl: str = "c1") -> Path:
    w = OurWarc(path, crawl_id=crawl, gzip=gz)
    for slug in slugs:
        w.page(Page(slug, title=f"Story {slug}"))
    return w.close()


@dataclass(frozen=True)
class Rec:
    offset: int
    end: int
    type: str
    id: str


def layout(data: bytes) -> list[Rec]:
    """Where each record of a sound WARC starts and ends, as warcio reads it."""
    out = []
    it = ArchiveIterator(io.BytesIO(data))
    for record in it:
        record.content_stream().read()
        it.read_to_end()
        start = it.get_record_offset()
        out.append(Rec(start, start + it.get_record_length(), record.rec_type,
                       strip_id(record.rec_headers.get_header("WARC-Record-ID"))))
    return out


def capture_ids(recs, upto: int | None = None) -> set[str]:
    """Capture records wholly before `upto` (all of them when None)."""
    return {r.id for r in recs if r.type in CAPTURES and (upto is None or r.end <= upto)}


def with_content_length(block: bytes, delta: int, gz: bool) -> bytes:
    """The record with its WARC Content-Length (the first one: WARC headers precede HTTP's) off by delta."""
    raw = gzip.decompress(block) if gz else block
    m = re.search(rb"Content-Length: (\d+)\r\n", raw)
    raw = raw[:m.start()] + b"Content-Length: %d\r\n" % (int(m.group(1)) + delta) + raw[m.end():]
    return gzip.compress(raw) if gz else raw


def arc_record(url: str) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>old</title></html>"
    return b"%s 127.0.0.1 20160311120000 text/html %d\n" % (url.encode(), len(http)) + http + b"\n"


def arc_file() -> bytes:
    """An ARC v1 file (the format before WARC): a filedesc header record, then one page."""
    body = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://old.arc 0.0.0.0 20160311120000 text/plain %d\n" % len(body) + body + b"\n"
    return head + arc_record("https://www.newsdeeply.com/syria/articles/2016/03/11/from-an-arc")


@dataclass
class Sound:
    gz: bytes
    gz_recs: list[Rec]
    plain: bytes
    plain_recs: list[Rec]


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> Sound:
    d = tmp_path_factory.mktemp("sound")
    slugs = ["damaged-one", "damaged-two", "damaged-three"]
    gz = sound_warc(d / "s.warc.gz", slugs).read_bytes()
    plain = sound_warc(d / "s.warc", slugs, gz=False).read_bytes()
    # the same records, gzipped or not: warcinfo, then (response, request) per page
    return Sound(gz, layout(gz), plain, layout(plain))


@dataclass
class Fault:
    name: str
    suffix: str
    says: str  # what the one line must say, besides the name and the offset
    make: object  # Sound -> (bytes, damaged_at, capture ids that must be kept, recs of the kept prefix)


def _truncated_gzip(s: Sound):
    bad = s.gz_recs[3]  # the second page's response
    cut = (bad.offset + bad.end) // 2
    return s.gz[:cut], bad.offset, capture_ids(s.gz_recs, cut)


def _gzip_trailer_cut(s: Sound):
    # ends on a response whose gzip member lost its last 4 bytes (the length field of the trailer)
    last = s.gz_recs[5]
    return s.gz[:last.end - 4], last.offset, capture_ids(s.gz_recs, last.offset)


def _content_length(delta: int, gz: bool):
    def make(s: Sound):
        data, recs = (s.gz, s.gz_recs) if gz else (s.plain, s.plain_recs)
        bad = recs[3]
        out = data[:bad.offset] + with_content_length(data[bad.offset:bad.end], delta, gz) + data[bad.end:]
        return out, bad.offset, capture_ids(recs, bad.offset)

    return make


def _arc_record_inside(s: Sound):
    at = s.gz_recs[3].offset
    rogue = gzip.compress(arc_record("https://www.newsdeeply.com/syria/articles/2016/03/11/rogue"))
    return s.gz[:at] + rogue + s.gz[at:], at, capture_ids(s.gz_recs, at)


def _one_gzip_member(s: Sound):
    # the whole WARC gzipped as one stream (`gzip file.warc`): readable, but no record can be sought
    return gzip.compress(s.plain), 0, set()


FAULTS = [
    Fault("truncated-gzip", ".warc.gz", "truncated at", _truncated_gzip),
    Fault("gzip-trailer-cut", ".warc.gz", "its last gzip member is cut short", _gzip_trailer_cut),
    # its gzip member ends before the block it declares: to the reader, a record cut short
    Fault("content-length-too-long-gz", ".warc.gz", "truncated at", _content_length(+100, True)),
    Fault("content-length-too-short-gz", ".warc.gz", "Content-Length", _content_length(-100, True)),
    Fault("content-length-too-long", ".warc", "Content-Length", _content_length(+100, False)),
    Fault("content-length-too-short", ".warc", "Content-Length", _content_length(-100, False)),
    Fault("not-a-warc", ".warc", "not an archive", lambda s: (b"my notes, not a WARC\n" * 20, 0, set())),
    Fault("binary-junk", ".warc.gz", "not an archive",
          lambda s: (random.Random(8).randbytes(5000), 0, set())),
    Fault("arc-record-inside", ".warc.gz", "an ARC record inside a WARC file", _arc_record_inside),
    Fault("empty", ".warc.gz", "empty file", lambda s: (b"", 0, set())),
    Fault("bytes-after-the-end", ".warc.gz", "bytes that are not a gzip member at offset",
          lambda s: (s.gz + b"\x00garbage\n", len(s.gz), capture_ids(s.gz_recs))),
    Fault("corrupt-gzip-member", ".warc.gz", "corrupt gzip member at offset", lambda s: _corrupt_member(s)),
]


def _corrupt_member(s: Sound):
    bad = s.gz_recs[3]
    middle = (bad.offset + bad.end) // 2
    data = s.gz[:middle] + bytes(b ^ 0x5A for b in s.gz[middle:middle + 40]) + s.gz[middle + 40:]
    return data, bad.offset, capture_ids(s.gz_recs, bad.offset)


def fault_ids():
    return [f.name for f in FAULTS]


def stored(db: Path, warc_name: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        # A repair that is not the same file grown longer is another file of that name (its own key).
        return [dict(r) for r in conn.execute(
            "select * from captures where warc_file = ? or warc_file in "
            "(select name from warc_files where file_name = ?)", [warc_name, warc_name])]
    finally:
        conn.close()


def assert_whole(db: Path, rows: list[dict], recs: list[Rec]) -> None:
    """Every stored capture is one whole record of the sound file, and its payload reads back intact."""
    spans = {r.id: (r.offset, r.end - r.offset) for r in recs}
    for row in rows:
        assert (row["warc_offset"], row["warc_length"]) == spans[row["id"]], row["id"]
        record = read_capture(db, row["id"])
        if record.rec_type == "response":
            payload = record.raw_stream.read()
            assert sha1_digest(payload) == record.rec_headers.get_header("WARC-Payload-Digest")


# --- ingest ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=fault_ids())
def test_ingest_keeps_the_whole_records_of_a_damaged_file_and_goes_on(tmp_path, sound, fault):
    db = tmp_path / "archive.db"
    before = sound_warc(tmp_path / "a-before.warc.gz", ["before-one"])
    bad = tmp_path / f"b-{fault.name}{fault.suffix}"
    data, damaged_at, kept = fault.make(sound)
    bad.write_bytes(data)
    after = sound_warc(tmp_path / "c-after.warc.gz", ["after-one"])

    report = ingest(db, [before, bad, after], progress=False, workers=0)
    first, middle, last = report.files
    assert first.status == last.status == "ingested"
    assert middle.failed and middle.status in ("partial", "failed")
    line = middle.line()
    assert "\n" not in line and line.startswith(f"{bad.name}: FAILED: ")
    assert fault.says in line
    if damaged_at is not None:
        assert middle.damaged_at == damaged_at, line
    rows = stored(db, bad.name)
    assert {r["id"] for r in rows} == kept, line
    assert_whole(db, rows, sound.gz_recs if fault.suffix == ".warc.gz" else sound.plain_recs)
    assert len(stored(db, after.name)) == 1 and len(stored(db, before.name)) == 1

    # Once the file is whole, a re-run takes the rest, each record once.
    sound_bytes = sound.gz if fault.suffix == ".warc.gz" else sound.plain
    bad.write_bytes(sound_bytes)
    again = ingest(db, [bad], progress=False, workers=0)
    assert again.ok and again.files[0].known == len(kept), again.files[0].line()
    assert {r["id"] for r in stored(db, bad.name)} == capture_ids(layout(sound_bytes))


def test_deeply_ingest_says_one_line_per_bad_file(tmp_path, sound, deeply):
    files = [sound_warc(tmp_path / "a-good.warc.gz", ["good-one"])]
    for fault in FAULTS:
        path = tmp_path / f"b-{fault.name}{fault.suffix}"
        path.write_bytes(fault.make(sound)[0])
        files.append(path)
    files.append(sound_warc(tmp_path / "c-good.warc.gz", ["good-two"]))
    proc = deeply("ingest", *files, "--db", tmp_path / "archive.db", "--no-progress", timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(FAULTS), proc.stderr
    for fault, line in zip(FAULTS, errors, strict=True):
        assert f"b-{fault.name}{fault.suffix}: FAILED: " in line
    assert "2 file(s) ingested" in proc.stderr


def test_a_cut_at_any_byte_yields_exactly_the_whole_records(tmp_path):
    """The reader under ingest, over every prefix of a small WARC, gzipped and not: whole records only,
    and damage reported where the first incomplete record starts (or where the last whole one ends)."""
    for gz in (True, False):
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=gz, warc_version="1.1")
        w.write_record(w.create_warcinfo_record("cut.warc", {"software": "test", "isPartOf": "c1"}))
        url = "https://www.newsdeeply.com/syria/articles/2016/03/11/cut"
        body = b"<html><h1>cut</h1></html>" * 4
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                            http_headers=http))
        w.write_record(w.create_revisit_record(url, sha1_digest(body), url, "2024-05-01T12:00:00Z"))
        data = buf.getvalue()
        recs = layout(data)
        whole = tmp_path / f"cut-{gz}.warc"
        whole.write_bytes(data)
        for k in range(len(data) + 1):
            got, damage = [], None
            try:  # the first k bytes, as of a file still being written
                for entry in iter_records(whole, size=k):
                    got.append(entry.record_id)
            except ArchiveDamage as e:
                damage = e.offset
            assert set(got) == capture_ids(recs, k), k
            cut = next((r for r in recs if r.end > k), None)
            previous_end = max([r.end for r in recs if r.end <= k], default=0)
            if k == 0:
                assert damage == 0
            elif cut is None or k <= cut.offset:  # at a record's end, or in the blank lines after it
                assert damage is None, k
            else:
                assert damage is not None and previous_end <= damage <= cut.offset, (k, damage)


WRITER = """
import sys, time
src, dst = sys.argv[1], sys.argv[2]
start, chunk, pause = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
data = open(src, "rb").read()
with open(dst, "ab") as fh:
    for i in range(start, len(data), chunk):
        fh.write(data[i:i + chunk])
        fh.flush()
        time.sleep(pause)
"""


def grow_and_ingest(tmp_path: Path, pages: int, chunk: int, pause: float, seed: int) -> None:
    """Another process appends a WARC in pieces while ingest reads it; a later run takes the rest."""
    source = sound_warc(tmp_path / f"source-{seed}.warc.gz", [f"grow-{seed}-{i}" for i in range(pages)])
    data = source.read_bytes()
    recs = layout(data)
    start = random.Random(seed).randrange(recs[1].offset, recs[len(recs) // 3].end)
    target = tmp_path / f"growing-{seed}.warc.gz"
    target.write_bytes(data[:start])
    db = tmp_path / f"archive-{seed}.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source), str(target), str(start),
                               str(chunk), str(pause)])
    try:
        first = ingest(db, [target], progress=False, workers=0).files[0]
        still_writing = writer.poll() is None
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert still_writing, "the writer finished before ingest read: nothing was tested"
    assert first.status in ("ingested", "partial"), first.line()
    rows = stored(db, target.name)
    assert_whole(db, rows, recs)
    # what was taken is a prefix of the file's captures: no record skipped, none torn
    order = [r.id for r in recs if r.type in CAPTURES]
    assert sorted(order.index(r["id"]) for r in rows) == list(range(len(rows)))
    assert len(rows) < len(order)

    second = ingest(db, [target], progress=False, workers=0).files[0]
    assert second.status == "ingested", second.line()
    assert second.known == len(rows)
    assert {r["id"] for r in stored(db, target.name)} == set(order)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("select count(*) from versions").fetchone()[0] == pages
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_file_growing_while_it_is_ingested(tmp_path):
    grow_and_ingest(tmp_path, pages=60, chunk=600, pause=0.004, seed=1)


@pytest.mark.soak
def test_soak_files_growing_while_they_are_ingested(tmp_path):
    rnd = random.Random(20260501)
    for seed in range(12):
        grow_and_ingest(tmp_path, pages=rnd.randint(30, 150), chunk=rnd.choice([97, 512, 1400, 4096]),
                        pause=rnd.choice([0.001, 0.003, 0.01]), seed=seed)


def test_records_appended_after_an_ingest_are_taken_by_the_next(tmp_path):
    """A file ingested when it happened to end between records, and appended to later (a WARC still
    being written), is continued; a file whose earlier bytes changed is another file of that name,
    never taken as the continuation of the first."""
    db = tmp_path / "archive.db"
    full = sound_warc(tmp_path / "full.warc.gz", [f"append-{i}" for i in range(6)]).read_bytes()
    recs = layout(full)
    target = tmp_path / "appended.warc.gz"
    target.write_bytes(full[:recs[6].end])  # three whole pages
    assert ingest(db, [target], progress=False, workers=0).files[0].status == "ingested"
    target.write_bytes(full)
    again = ingest(db, [target], progress=False, workers=0).files[0]
    assert again.status == "ingested" and again.known == 3 and again.captures == 3, again.line()
    assert {r["id"] for r in stored(db, target.name)} == capture_ids(recs)

    changed = bytearray(full)
    changed[recs[1].offset + 40] ^= 0xFF
    target.write_bytes(bytes(changed))
    conn = sqlite3.connect(db)
    first = conn.execute("select sha256, size from warc_files where name = ?", [target.name]).fetchone()
    other = ingest(db, [target], progress=False, workers=0).files[0]
    assert other.status == "partial" and "corrupt gzip member at offset" in other.line()
    assert f"kept as {target.name}~" in other.line()
    row = conn.execute("select sha256, size from warc_files where name = ?", [target.name]).fetchone()
    assert row == first
    conn.close()


def test_a_target_uri_is_stored_as_written(tmp_path):
    """A URI that ends in ">" keeps it (replay looks the capture up by it); only a WARC 1.0 style
    <uri> loses its brackets."""
    odd = 'https://www.newsdeeply.com/syria/articles/2016/03/11/q"><b>'
    w = OurWarc(tmp_path / "uris.warc.gz", crawl_id="c1")
    w.response(odd, b"<html></html>")
    w.response("<https://www.newsdeeply.com/syria/articles/2016/03/11/bracketed>", b"<html></html>")
    db = tmp_path / "archive.db"
    assert ingest(db, [w.close()], progress=False, workers=0).ok
    urls = {r["url"] for r in stored(db, "uris.warc.gz")}
    assert urls == {odd, "https://www.newsdeeply.com/syria/articles/2016/03/11/bracketed"}


# --- crawler.warcfiles.repair on `.open` files cut anywhere --------------------------------------


def crawler_warc(folder: Path, pages: int = 2) -> bytes:
    """A small WARC written by the crawler's own writer: warcinfo, then (request, response) pairs."""
    from crawler.warcfiles import RotatingWarcWriter, serialize

    writer = RotatingWarcWriter(folder, "cut", {"software": "deeply-archive tests"})
    w = WARCWriter(io.BytesIO(), gzip=True, warc_version="1.1")  # makes the records; `writer` writes them
    for i in range(pages):
        url = f"http://127.0.0.1:8000/syria/articles/2016/03/11/pair-{i}"
        body = b"<html><p>pair %d</p></html>" % i * 3
        resp = w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                    http_headers=StatusAndHeaders("200 OK", [
                                        ("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1"))
        req = w.create_warc_record(url, "request", http_headers=StatusAndHeaders(
            f"GET /pair-{i} HTTP/1.1", [("Host", "127.0.0.1:8000")], is_http_request=True),
            warc_headers_dict={"WARC-Concurrent-To": resp.rec_headers.get_header("WARC-Record-ID")})
        writer.write(serialize(req), serialize(resp))
    path = writer.current
    writer.close()
    return path.with_name(path.name[:-len(".open")]).read_bytes()


def pair_ends(recs: list[Rec]) -> list[int]:
    """Offsets a repaired file may end at: nothing, after warcinfo, after each whole pair."""
    return [0] + [r.end for r in recs if r.type != "request"]


def fast_dir(tmp_path: Path) -> Path:
    """repair fsyncs every file; on tmpfs that costs nothing, so every offset can be tried."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shm.stat().st_mode & 0o002:
        d = Path(tempfile.mkdtemp(prefix="deeply-repair-", dir=shm))
        return d
    return tmp_path


def repair_cuts(tmp_path: Path, data: bytes, offsets) -> dict[int, tuple[int, int]]:
    """Cut an `.open` copy of `data` at each offset and repair it; returns the offsets whose result is
    not exactly the sound prefix ending at the last whole pair (with the length kept and expected)."""
    from crawler.warcfiles import repair

    ends = pair_ends(layout(data))
    work = fast_dir(tmp_path)
    wrong: dict[int, tuple[int, int]] = {}
    checked: set[int] = set()
    try:
        for k in offsets:
            path = work / "cut.warc.gz.open"
            path.write_bytes(data[:k])
            out = repair(path)
            got = out.read_bytes() if out.exists() else b""
            want = max(e for e in ends if e <= k)
            if got != data[:want]:
                wrong[k] = (len(got), want)
            elif got and want not in checked:
                checked.add(want)
                warcio_check([out])  # the real `warcio check` and `warcio index` on each distinct result
            out.unlink(missing_ok=True)
    finally:
        if work != tmp_path:
            shutil.rmtree(work, ignore_errors=True)
    return wrong


def test_repair_at_every_record_boundary_keeps_every_whole_pair(tmp_path):
    data = crawler_warc(tmp_path / "src", pages=3)
    recs = layout(data)
    cuts = sorted({r.end for r in recs} | {r.offset for r in recs} | {r.offset + 1 for r in recs})
    assert repair_cuts(tmp_path, data, cuts) == {}


def test_repair_at_every_byte_offset_keeps_exactly_the_whole_pairs(tmp_path):
    data = crawler_warc(tmp_path / "src", pages=2)
    wrong = repair_cuts(tmp_path, data, range(len(data) + 1))
    assert not wrong, f"{len(wrong)} of {len(data) + 1} cuts; first: {sorted(wrong.items())[:5]}"


@pytest.mark.soak
def test_soak_repair_of_a_real_crawl_cut_anywhere(tmp_path, deeply):
    from sample_site import serve

    warcs = tmp_path / "warcs"
    with serve(articles=20, port=0) as site:
        proc = deeply("crawl", site.start_url, "--warcs", warcs, "--quiet", "--limit", "12", timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    data = sorted(warcs.glob("*.warc.gz"))[0].read_bytes()
    offsets = sorted(set(random.Random(7).sample(range(len(data) + 1), min(3000, len(data) + 1))))
    wrong = repair_cuts(tmp_path, data, offsets)
    assert not wrong, f"{len(wrong)} of {len(offsets)} cuts; first: {sorted(wrong.items())[:5]}"


# --- extract --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "fault", [pytest.param(f, id=f.name) for f in FAULTS])
def test_extract_reports_a_damaged_file_and_yields_only_whole_pages(tmp_path, sound, fault):
    from extract.warcs import iter_many

    before = sound_warc(tmp_path / "a-before.warc.gz", ["before-one"])
    bad = tmp_path / f"b-{fault.name}{fault.suffix}"
    data, damaged_at, kept = fault.make(sound)
    bad.write_bytes(data)
    after = sound_warc(tmp_path / "c-after.warc.gz", ["after-one"])
    errors = []
    pages = list(iter_many([before, bad, after], on_error=errors.append))
    assert [p.meta["file"] for p in pages].count(str(after)) == 1  # the rest goes on
    assert len(errors) == 1 and bad.name in str(errors[0]) and "\n" not in str(errors[0])
    if damaged_at is not None:
        assert errors[0].offset == damaged_at
    from_bad = [p for p in pages if p.meta["file"] == str(bad)]
    assert {strip_id(p.meta["record_id"]) for p in from_bad} == kept
    for page in from_bad:
        assert sha1_digest(page.body) == page.meta["payload_digest"]


# --- index (replay) -------------------------------------------------------------------------------


def test_index_reports_each_damaged_warc_and_indexes_only_whole_records(tmp_path, sound):
    from replay.index import index_path, update_index

    warcs = tmp_path / "warcs"
    warcs.mkdir()
    sound_warc(warcs / "a-good.warc.gz", ["good-one"])
    expected: dict[str, tuple[int | None, set[str], str]] = {}
    for fault in FAULTS:
        name = f"b-{fault.name}{fault.suffix}"
        data, damaged_at, kept = fault.make(sound)
        (warcs / name).write_bytes(data)
        expected[name] = (damaged_at, kept, fault.says)
    sound_warc(warcs / "c-good.warc.gz", ["good-two"])

    result = update_index(warcs)
    assert result.added == ["a-good.warc.gz", "c-good.warc.gz"]
    assert set(result.failed) == set(expected)
    lines = index_path(warcs).read_text().splitlines()
    by_file: dict[str, list[dict]] = {}
    for line in lines:
        fields = json.loads(line.split(" ", 2)[2])
        by_file.setdefault(fields["filename"], []).append(fields)
    for name, (damaged_at, kept, says) in expected.items():
        message = result.failed[name]
        assert "\n" not in message and says in message, message
        if damaged_at:
            assert re.search(rf"(at|offset) {damaged_at}\b", message), message
        assert len(by_file.get(name, [])) == len(kept), (name, message)
    # every index line points at one whole record whose payload is intact
    for name, rows in by_file.items():
        blob = (warcs / name).read_bytes()
        for row in rows:
            start, length = int(row["offset"]), int(row["length"])
            record = next(iter(ArchiveIterator(io.BytesIO(blob[start:start + length]))))
            payload = record.raw_stream.read()
            assert len(payload) == record.payload_length
            assert sha1_digest(payload) == record.rec_headers.get_header("WARC-Payload-Digest")

    again = update_index(warcs)
    assert again.added == [] and set(again.failed) == set(expected)
    assert index_path(warcs).read_text().splitlines() == lines


def test_deeply_index_says_one_line_per_damaged_warc(tmp_path, sound, deeply):
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    sound_warc(warcs / "a-good.warc.gz", ["good-one"])
    bad = [f for f in FAULTS if f.suffix in (".warc", ".warc.gz")]
    for fault in bad:
        (warcs / f"b-{fault.name}{fault.suffix}").write_bytes(fault.make(sound)[0])
    proc = deeply("index", "--warcs", warcs, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == len(bad), proc.stderr
    assert all("could not index b-" in line for line in lines)


def test_wacz_leaves_out_a_damaged_warc_and_says_so(tmp_path, sound):
    from replay.wacz_package import build_wacz

    warcs = tmp_path / "warcs"
    warcs.mkdir()
    sound_warc(warcs / "a-good.warc.gz", ["good-one"])
    (warcs / "b-cut.warc.gz").write_bytes(_truncated_gzip(sound)[0])
    result = build_wacz(tmp_path / "out.wacz", warcs)
    assert result.warcs == ["a-good.warc.gz"]
    assert len(result.warnings) == 1 and "b-cut.warc.gz" in result.warnings[0]
    assert re.search(rf"(at|offset) {sound.gz_recs[3].offset}\b", result.warnings[0]), result.warnings

