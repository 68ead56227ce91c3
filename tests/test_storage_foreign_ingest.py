"""What an archivist brings, ingested: files known by content, digests checked, ARC/WACZ/whole-file
gzip taken, folders described, damage named in one line; and `extract` agreeing with `ingest`."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import ArchiveDamage, iter_records
from storage import ingest, read_capture, verify
from tests.support.archives import OurWarc, sha1_digest
from tests.support.foreign import FOREIGN, corpus_files
from tests.support.pages import Page, article_html
from tests.support.processes import VENV_BIN
from tests.support.store import rows


def crawl_warc(path: Path, slugs, gz: bool = True) -> Path:
    w = OurWarc(path, crawl_id="c1", gzip=gz)
    for slug in slugs:
        w.page(Page(slug, title=f"Story {slug}"))
    return w.close()


def assert_every_capture_reads_back(db):
    for row in rows(db, "select * from captures"):
        record = read_capture(db, row["id"])
        assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]


# --- identity -------------------------------------------------------------------------------------


def test_two_different_files_with_one_name_are_two_files(tmp_path):
    db = tmp_path / "archive.db"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = crawl_warc(tmp_path / "a" / "data.warc.gz", ["first-collection"])
    two = crawl_warc(tmp_path / "b" / "data.warc.gz", ["second-collection"])
    report = ingest(db, [one, two], progress=False, workers=0)
    assert report.ok, [f.line() for f in report.files]
    files = rows(db, "select name, file_name, sha256 from warc_files order by name")
    assert [f["file_name"] for f in files] == ["data.warc.gz", "data.warc.gz"]
    assert files[0]["name"] == "data.warc.gz" and files[1]["name"].startswith("data.warc.gz~")
    assert "kept as data.warc.gz~" in report.files[1].line()
    assert_every_capture_reads_back(db)
    assert verify(db).ok
    again = ingest(db, [one, two], progress=False, workers=0)
    assert [f.status for f in again.files] == ["skipped", "skipped"]


def test_a_truncated_file_is_continued_only_by_the_same_file_grown_longer(tmp_path):
    db = tmp_path / "archive.db"
    (tmp_path / "browser").mkdir()
    full = crawl_warc(tmp_path / "data.warc.gz", ["cut-one", "cut-two", "cut-three"]).read_bytes()
    cut = tmp_path / "browser" / "data.warc.gz"
    cut.write_bytes(full[: len(full) * 2 // 3])
    first = ingest(db, [cut], progress=False, workers=0).files[0]
    assert first.status == "partial" and "truncated at" in first.line()

    # ArchiveWeb.page names every WARC data.warc.gz: another collection's is another file.
    other = crawl_warc(tmp_path / "other.warc.gz", ["someone-else"])
    (tmp_path / "elsewhere").mkdir()
    other = shutil.move(other, tmp_path / "elsewhere" / "data.warc.gz")
    second = ingest(db, [other], progress=False, workers=0).files[0]
    assert second.status == "ingested" and "kept as data.warc.gz~" in second.line()
    assert_every_capture_reads_back(db)  # the partial file's captures still point into its own bytes

    # The same file, completed: continued under its first key, each record once.
    cut.write_bytes(full)
    third = ingest(db, [cut], progress=False, workers=0).files[0]
    assert third.status == "ingested" and third.known == first.captures and "kept as" not in third.line()
    keys = {r["name"]: r["status"] for r in rows(db, "select name, status from warc_files")}
    assert keys["data.warc.gz"] == "ingested" and len(keys) == 2
    assert_every_capture_reads_back(db)

    # A different file copied over the first one's path: its captures are refused, never misread.
    shutil.copy(other, cut)
    row = rows(db, "select id from captures where warc_file = 'data.warc.gz' limit 1")[0]
    with pytest.raises(ArchiveDamage, match="no longer holds this capture|no readable record"):
        read_capture(db, row["id"])
    assert not verify(db).ok


# --- digests --------------------------------------------------------------------------------------


def test_a_one_byte_payload_change_is_kept_marked_and_reported_by_verify(tmp_path, deeply):
    db = tmp_path / "archive.db"
    page = Page("changed-byte", title="A Changed Byte")
    path = crawl_warc(tmp_path / "changed.warc", [page.slug], gz=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"First invented paragraph")
    data[at] = ord("f")
    path.write_bytes(bytes(data))
    check = subprocess.run([str(VENV_BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
    assert check.returncode != 0  # warcio, independently, fails its digests

    report = ingest(db, [path], progress=False, workers=0)
    line = report.files[0].line()
    assert report.files[0].status == "ingested"
    assert "1 records fail their digests (block digest mismatch and payload digest mismatch at offset" in line
    (capture,) = rows(db, "select * from captures where url like '%changed-byte'")
    assert capture["digest_fault"] == "block digest mismatch and payload digest mismatch"
    (warc,) = rows(db, "select * from warc_files")
    assert warc["digest_faults"] == 1
    assert json.loads(warc["digest_fault_list"])[0]["offset"] == capture["warc_offset"]

    result = verify(db)
    assert not result.ok and result.results[0].status == "damaged"
    proc = deeply("verify", "--db", db)
    assert proc.returncode == 1
    assert f"DAMAGED    changed.warc (1 records failed their digests at ingest: block digest mismatch and " \
           f"payload digest mismatch at offset {capture['warc_offset']})" in proc.stdout


def test_digests_in_hex_and_sha256_are_checked_too(tmp_path):
    import base64
    import hashlib

    from archive.digests import Check

    body = b"hello world"
    for algo, value in [("sha1", hashlib.sha1(body).hexdigest()),
                        ("sha256", hashlib.sha256(body).hexdigest()),
                        ("sha256", base64.b32encode(hashlib.sha256(body).digest()).decode()),
                        ("md5", hashlib.md5(body).hexdigest()),
                        ("sha1", base64.b32encode(hashlib.sha1(body).digest()).decode().lower())]:
        good, bad = Check("payload", f"{algo}:{value}"), Check("payload", f"{algo}:{value}")
        good.update(body)
        bad.update(body + b"!")
        assert good.matches() is True and bad.matches() is False, (algo, value)
    assert Check("payload", "crc99:abc").matches() is None


# --- formats --------------------------------------------------------------------------------------


def test_arc_wacz_and_whole_file_gzip_are_ingested(tmp_path):
    db = tmp_path / "archive.db"
    whole = tmp_path / "whole.warc.gz"
    plain = crawl_warc(tmp_path / "plain.warc", ["whole-one", "whole-two"], gz=False)
    whole.write_bytes(gzip.compress(plain.read_bytes()))  # `gzip file.warc`: one stream
    plain.unlink()
    arcs = [FOREIGN / "warcio/example.arc", FOREIGN / "warcio/example.arc.gz",
            FOREIGN / "warc-migrator/valid_1.1.arc"]
    wacz = FOREIGN / "py-wacz/valid_signed_example_1.wacz"
    report = ingest(db, [whole, *arcs, wacz], progress=False, workers=0)
    assert report.ok, [f.line() for f in report.files]
    lines = [f.line() for f in report.files]
    assert "gzipped as one stream" in lines[0] and "(an ARC file)" in lines[1]
    assert "(a WACZ package)" in lines[4]
    files = {r["name"]: r for r in rows(db, "select * from warc_files")}
    assert files["whole.warc.gz"]["framing"] == "stream-gzip" and files["example.arc"]["format"] == "arc"
    assert rows(db, "select count(*) n from articles")[0]["n"] == 2  # extracted from the stream
    arc_urls = {r["url"] for r in rows(db, "select url from captures where warc_file like '%.arc%'")}
    assert "http://example.com/" in arc_urls
    members = rows(db, "select distinct warc_member from captures where warc_file = ?", [wacz.name])
    assert members and all(m["warc_member"].startswith("archive/") for m in members)
    titles = rows(db, "select url, title from archive_pages where warc_file = ?", [wacz.name])
    assert titles and all(t["title"] for t in titles)
    assert_every_capture_reads_back(db)
    # ARC records get ids that stay the same on every reading: a re-run adds nothing
    again = ingest(db, [*arcs], progress=False, workers=0)
    assert all(f.status == "skipped" for f in again.files)


def test_a_capture_in_a_whole_file_gzip_reads_back_exactly(tmp_path):
    plain = crawl_warc(tmp_path / "p.warc", ["exact-one", "exact-two", "exact-three"], gz=False)
    whole = tmp_path / "p.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    from archive import read_record_at

    expected = {}
    it = ArchiveIterator(open(plain, "rb"))
    for rec in it:
        expected[rec.rec_headers.get_header("WARC-Record-ID").strip("<>")] = rec.raw_stream.read()
    for rec in iter_records(whole):
        back = read_record_at(whole, rec.offset, rec.length)
        assert back.raw_stream.read() == expected[rec.record_id]


# --- folders and messages -------------------------------------------------------------------------


def test_folder_mode_takes_every_archive_and_names_every_file_it_skipped(tmp_path, deeply):
    folder = tmp_path / "brought"
    folder.mkdir()
    crawl_warc(folder / "a.warc.gz", ["folder-one"])
    crawl_warc(folder / "B.WARC.GZ", ["folder-two"])
    shutil.copy(FOREIGN / "warcio/example.arc", folder / "c.arc")
    shutil.copy(FOREIGN / "warcio/example.arc.gz", folder / "d.arc.gz")
    shutil.copy(FOREIGN / "pywb/valid_example_1.wacz", folder / "e.wacz")
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "f.warc.gz.open").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    (folder / ".deeply-crawl.json").write_text("{}")  # a crawl's own bookkeeping: passed over in silence
    (folder / ".deeply.lock").write_text("")
    db = tmp_path / "archive.db"
    proc = deeply("ingest", folder, "--db", db, "--no-progress", "--workers", "0")
    assert proc.returncode == 0, proc.stderr
    assert "notes.txt: skipped, not an archive" in proc.stderr
    assert "f.warc.gz.open: skipped, still being written (.open)" in proc.stderr
    assert ".DS_Store: skipped, a hidden file" in proc.stderr
    assert ".deeply" not in proc.stderr
    assert "Traceback" not in proc.stderr
    names = {r["name"] for r in rows(db, "select name from warc_files")}
    assert names == {"a.warc.gz", "B.WARC.GZ", "c.arc", "d.arc.gz", "e.wacz"}

    out = deeply("extract", folder, "--quiet")
    assert out.returncode == 0, out.stderr
    assert "notes.txt: skipped, not an archive" in out.stderr
    assert len(out.stdout.splitlines()) == 2  # the two article pages


def _corrupt_member(tmp_path) -> tuple[Path, int, bytes]:
    """A WARC whose fourth gzip member has 60 bytes flipped: (its path, that member's offset, the
    sound bytes of the same size)."""
    path = crawl_warc(tmp_path / "corrupt.warc.gz", ["corrupt-one", "corrupt-two", "corrupt-three"])
    sound = path.read_bytes()
    data = bytearray(sound)
    offsets = []
    it = ArchiveIterator(io.BytesIO(bytes(data)))
    for _ in it:
        it.read_to_end()
        offsets.append((it.get_record_offset(), it.get_record_length()))
    start, length = offsets[3]
    for i in range(start + length // 3, start + length // 3 + 60):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path, start, sound


def test_a_corrupt_gzip_member_is_named_in_one_line_without_decompressor_noise(tmp_path, deeply):
    path, start, _ = _corrupt_member(tmp_path)
    db = tmp_path / "archive.db"
    proc = deeply("ingest", path, "--db", db, "--no-progress", "--workers", "0")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: corrupt.warc.gz: FAILED: corrupt gzip member at offset {start}; "
                      "3 records before it kept"], proc.stderr
    assert len(proc.stderr.splitlines()) == 3, proc.stderr  # the file's line, the summary, the error
    out = deeply("extract", path, "--quiet")
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"deeply extract: FAILED: corrupt.warc.gz: corrupt gzip member at offset {start}")


# --- extract and ingest agree ---------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=[str(p.relative_to(FOREIGN)) for p in corpus_files()])
def test_extract_and_ingest_agree_on_every_foreign_file(tmp_path, path):
    from extract.warcs import ReadCounts, iter_many

    errors, counts = [], ReadCounts()
    list(iter_many([path], articles_only=False, on_error=errors.append, counts=counts))
    report = ingest(tmp_path / "archive.db", [path], progress=False, workers=0)
    line = report.files[0].line()
    if errors:
        assert report.files[0].failed
        assert errors[0].reason in line and "Error" not in line
    else:
        assert not report.files[0].failed, line
    assert (report.revisits, report.revisits_unresolved) == (counts.revisits, counts.revisits_unresolved)


def test_extract_and_ingest_resolve_revisits_the_same_way(tmp_path):
    from extract.warcs import ReadCounts, iter_many

    pages = [Page(f"revisited-{i}", title=f"Revisited {i}") for i in range(5)]
    first = OurWarc(tmp_path / "a-first.warc.gz", crawl_id="c1")
    dates = []
    for page in pages:
        first.page(page)
        dates.append(first.when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ids = list(first.ids)
    first.close()

    second = OurWarc(tmp_path / "b-second.warc.gz", crawl_id="c2")
    w = second.writer
    # 1. by WARC-Refers-To alone (its URI and date left out)
    old = "2001-01-01T00:00:00Z"
    r = w.create_revisit_record(pages[0].url, sha1_digest(b"not the digest"), pages[0].url, old)
    r.rec_headers.add_header("WARC-Refers-To", ids[0])
    w.write_record(r)
    # 2. by target URI + date (identical-payload-digest profile, our crawler's way)
    second.revisit(pages[1].url, article_html(pages[1]), dates[1])
    # 3. by digest alone (another URI and date)
    r = w.create_revisit_record(pages[2].url + "?copy", sha1_digest(article_html(pages[2])),
                                "https://elsewhere.example/", "2001-01-01T00:00:00Z")
    w.write_record(r)
    # 4. server-not-modified, no digest: the latest 200 of its URL before it
    second.revisit(pages[3].url, article_html(pages[3]), dates[3], not_modified=True)
    r = w.create_revisit_record(pages[4].url, "sha1:AAAA", pages[4].url, "2001-01-01T00:00:00Z")
    r.rec_headers.replace_header("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/server-not-modified")
    r.rec_headers.remove_header("WARC-Payload-Digest")
    r.rec_headers.remove_header("WARC-Refers-To-Date")
    w.write_record(r)
    # 5. unresolvable: a digest nothing has
    w.write_record(w.create_revisit_record(pages[0].url, sha1_digest(b"nothing"), "https://gone.example/",
                                           "2001-01-01T00:00:00Z"))
    second.close()
    files = [tmp_path / "a-first.warc.gz", tmp_path / "b-second.warc.gz"]

    counts = ReadCounts()
    revisit_pages = [p for p in iter_many(files, articles_only=False, counts=counts) if p.meta["revisit"]]
    db = tmp_path / "archive.db"
    report = ingest(db, files, progress=False, workers=0)
    assert (counts.revisits, counts.revisits_unresolved) == (6, 1)
    assert (report.revisits, report.revisits_unresolved) == (6, 1)
    resolved = rows(db, "select c.id, o.url original from captures c join captures o on o.id = c.refers_to "
                        "where c.is_revisit = 1")
    by_extract = {p.meta["record_id"].strip("<>"): p for p in revisit_pages}
    assert set(by_extract) == {r["id"] for r in resolved}
    for row in resolved:
        assert by_extract[row["id"]].body == article_html(next(p for p in pages if p.url == row["original"]))


# --- index ------------------------------------------------------------------------------------------


def test_index_retries_a_failed_file_repaired_in_place_at_the_same_size(tmp_path):
    from replay.index import update_index

    warcs = tmp_path / "warcs"
    warcs.mkdir()
    path, _, sound = _corrupt_member(tmp_path)
    target = warcs / "x.warc.gz"
    shutil.copy(path, target)
    first = update_index(warcs)
    assert "corrupt gzip member at offset" in first.failed["x.warc.gz"]
    assert "x.warc.gz" in update_index(warcs).failed  # unchanged: the same problem, not re-read

    st = target.stat()
    target.write_bytes(sound)  # repaired in place: the same size, other bytes
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # even under its old mtime: content counts
    assert target.stat().st_size == st.st_size
    again = update_index(warcs)
    assert "x.warc.gz" not in again.failed and again.rebuilt
