"""The benchmark harness end to end at the smallest size, so that `make bench` does not rot between the
times someone runs it. It checks that every row is produced and counted, never how fast anything is."""

from __future__ import annotations

import json
import shutil

import pytest

from bench import results_file
from bench.__main__ import main
from bench.measure import run


def test_measure_reports_a_failed_command_and_a_timeout(tmp_path):
    failed = run(["python3", "-c", "import sys; sys.exit(3)"], timeout=30)
    assert failed.returncode == 3 and not failed.ok
    slow = run(["python3", "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.timed_out and not slow.ok and slow.wall < 20


@pytest.mark.skipif(shutil.which("wget") is None, reason="the crawl reference needs GNU Wget")
def test_bench_runs_every_stage_at_the_smallest_size(tmp_path):
    out = tmp_path / "results"
    code = main(["--sizes", "20", "--no-corpus", "--out", str(out), "--keep", str(tmp_path / "work")])

    text = (out / "latest.md").read_text()
    data = json.loads((out / "latest.json").read_text())
    assert code == 0, text
    # A run with --out writes its RESULTS.md there, never over the committed bench/RESULTS.md.
    page = (out / "RESULTS.md").read_text()
    assert results_file.BEGIN in page and results_file.END in page and text.strip() in page
    for row in ("Crawl to WARC", "Extraction, 1 core", "Extraction, 2 cores", "Ingest into SQLite",
                "Re-ingest of unchanged WARCs", "Re-crawl of the unchanged site", "Peak memory"):
        assert row in text
    from replay.browser import find_chromium

    if find_chromium():
        assert "Replay check (deeply qa)" in text and data["sites"][0]["qa"]["pages"] > 20
        assert data["sites"][0]["qa_plain"]["pages"] == data["sites"][0]["qa"]["pages"]  # the same pages
    assert "x86_64" in text or "cores" in text
    site = data["sites"][0]
    assert site["run1"]["warcs"]["pages"] > 20
    assert site["wget"]["warcs"]["pages"] > 20
    assert site["run1"]["new_versions"] > 0
    assert site["extract_w1"]["records"] == site["extract_w2"]["records"] > 0
    assert site["plain"]["records"] > 0
    assert site["reingest_versions"] == 0
    assert site["run2"]["new_versions"] == 0
    # The resumed re-crawl ends where the uninterrupted one did: the same pages, nothing new.
    assert site["run3"]["new_versions"] == 0
    assert "Re-crawl resumed after SIGKILL" in text
    # The bench's own WARC scanner counts as warcio reads, in our WARCs and in wget's.
    from bench import warcstats

    for folder in ("work/sample-20/warcs", "work/sample-20/wget"):
        for path in warcstats.warc_files(tmp_path / folder):
            assert [(h.rec_type, h.uri, h.status, h.content_type)
                    for h in warcstats.heads(path)] == _reference_heads(path), path


def test_results_page_keeps_what_surrounds_its_markers(tmp_path):
    committed = results_file.DEFAULT.read_text()
    assert committed.count(results_file.BEGIN) == 1 and committed.count(results_file.END) == 1
    page = tmp_path / "RESULTS.md"
    page.write_text(committed)
    results_file.write(page, "### Results\n\nnew table\n")
    again = page.read_text()
    before, after = committed.split(results_file.BEGIN)[0], committed.split(results_file.END)[1]
    assert again.startswith(before) and again.endswith(after) and "new table" in again
    assert "Crawl to WARC" not in again.split(results_file.BEGIN)[1].split(results_file.END)[0]
    results_file.write(page, "### Results\n\nnewer table\n")  # a second run replaces, never adds
    assert page.read_text().count("table\n") == 1 and "newer table" in page.read_text()
    fresh = tmp_path / "new" / "RESULTS.md"
    fresh.parent.mkdir()
    results_file.write(fresh, "### Results\n")
    assert fresh.read_text().startswith("# Benchmark results") and results_file.END in fresh.read_text()


def _reference_heads(path):
    """What warcio reads of each record: the bench's own scanner must agree with it."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            http = record.http_headers if record.rec_type in ("response", "revisit") else None
            ctype = (http.get_header("Content-Type") or "").split(";")[0].strip().lower() if http else ""
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "",
                        http.get_statuscode() if http else None, ctype))
    return out


def _reference_heads_at(fh):
    from warcio.archiveiterator import ArchiveIterator

    record = next(iter(ArchiveIterator(fh)))
    return record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or ""


def test_warc_heads_agree_with_warcio_in_every_layout(tmp_path):
    import gzip
    import io
    import zlib

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from bench import warcstats

    members = tmp_path / "members.warc.gz"
    with open(members, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("members.warc.gz", {"software": "test"}))
        for i, (status, ctype, body) in enumerate([("200 OK", "text/html; charset=utf-8", b"<p>x</p>" * 5000),
                                                   ("404 Not Found", "text/html", b"gone"),
                                                   ("200 OK", "image/png", bytes(range(256)) * 300)]):
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"http://h/{i}", "response", payload=io.BytesIO(body), http_headers=http))
            writer.write_record(writer.create_warc_record(
                f"http://h/{i}", "request",
                http_headers=StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "h")], is_http_request=True)))
    plain = gzip.decompress(members.read_bytes())
    (tmp_path / "plain.warc").write_bytes(plain)
    (tmp_path / "stream.warc.gz").write_bytes(gzip.compress(plain))  # one member for the whole file
    half = len(plain) // 2  # a member boundary inside a record
    first, second = (zlib.compressobj(6, zlib.DEFLATED, 31) for _ in range(2))
    (tmp_path / "split.warc.gz").write_bytes(first.compress(plain[:half]) + first.flush()
                                             + second.compress(plain[half:]) + second.flush())

    expected = _reference_heads(members)
    assert len(expected) == 7 and ("response", "http://h/0", "200", "text/html") in expected
    for name in ("members.warc.gz", "plain.warc", "stream.warc.gz", "split.warc.gz"):
        got = list(warcstats.heads(tmp_path / name))
        assert [(h.rec_type, h.uri, h.status, h.content_type) for h in got] == expected, name
    with open(members, "rb") as fh:  # a member per record: each offset reads back its record
        for head in warcstats.heads(members):
            fh.seek(head.offset)
            assert _reference_heads_at(fh)[1] == head.uri
    assert warcstats.count([members]).pages == 1


def test_warc_heads_refuse_a_file_that_is_not_a_warc(tmp_path):
    import gzip

    from bench import warcstats

    page = b"<html>" + b"x" * 200_000
    files = {"broken.warc.gz": b"\x1f\x8b" + b"not deflate at all" * 10,
             "page.warc": page, "page.warc.gz": gzip.compress(page)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match="not gzip|no WARC record header"):
            list(warcstats.heads(tmp_path / name))
