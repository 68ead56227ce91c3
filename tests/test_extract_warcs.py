"""WARC streaming, the parallel driver and the two command lines, on WARCs written here with warcio."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import ArchiveDamage
from deeply.cmd_extract import extract_command
from extract import batch
from extract.warcs import iter_article_responses, iter_many
from tests.support.pages import HOMS_LIKE, article_page

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8765"
ARTICLES = [
    ("/syria/articles/2013/07/05/first-story", "<p>First story text.</p>"),
    ("/syria/community/2014/02/03/an-op-ed", "<p>An op-ed text.</p>"),
    ("/syria/articles/2015/06/07/an-interview", HOMS_LIKE),
]


def _http(status: str, content_type: str, body: bytes, extra=()) -> StatusAndHeaders:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def write_warc(path: Path, *, gz: bool = True, revisit: bool = True) -> list[str]:
    """A crawl-like WARC: warcinfo, request/response pairs, requisites, a listing, a 404, metadata,
    a gzip-encoded response and a revisit. Returns the URLs that are article responses, in order."""
    expected = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))

        def exchange(url, http, body):
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "h")], is_http_request=True),
            )
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            writer.write_record(request)
            writer.write_record(response)
            return response

        first = None
        for path_, body in ARTICLES:
            html = article_page(body, title=path_.rsplit("/", 1)[1]).encode()
            record = exchange(BASE + path_, _http("200 OK", "text/html; charset=utf-8", html), html)
            first = first or record
            expected.append(BASE + path_)
        exchange(BASE + "/assets/app.css", _http("200 OK", "text/css", b"body{}"), b"body{}")
        listing = b"<html><body><a href='/syria/articles/2013/07/05/first-story'>x</a></body></html>"
        exchange(BASE + "/syria/articles", _http("200 OK", "text/html", listing), listing)
        missing = b"<html><body>Not found</body></html>"
        gone = BASE + "/syria/articles/2013/07/06/gone"
        exchange(gone, _http("404 Not Found", "text/html", missing), missing)
        pdf = b"%PDF-1.4 not html"
        exchange(BASE + "/syria/articles/2013/07/07/a-pdf", _http("200 OK", "application/pdf", pdf), pdf)
        writer.write_record(
            writer.create_warc_record(
                BASE + "/syria/articles/2013/07/05/first-story",
                "metadata",
                payload=io.BytesIO(b"outlinks: none"),
                warc_content_type="application/warc-fields",
            )
        )
        # stored as sent: gzip Content-Encoding, which warcio undoes on reading
        html = article_page("<p>Compressed story.</p>", title="compressed").encode()
        packed = gzip.compress(html)
        url = BASE + "/syria/articles/2016/01/02/compressed"
        exchange(url, _http("200 OK", "text/html", packed, [("Content-Encoding", "gzip")]), packed)
        expected.append(url)
        if revisit:
            # the same story under its unpadded URL, deduplicated against the first capture
            url = BASE + "/syria/articles/2013/7/5/first-story"
            digest = first.rec_headers.get_header("WARC-Payload-Digest")
            record = writer.create_revisit_record(
                url,
                digest,
                BASE + ARTICLES[0][0],
                first.rec_headers.get_header("WARC-Date"),
                http_headers=_http("200 OK", "text/html; charset=utf-8", b""),
            )
            writer.write_record(record)
            expected.append(url)
            orphan = writer.create_revisit_record(
                BASE + "/syria/articles/2013/07/08/orphan",
                "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                BASE + "/elsewhere",
                "2018-01-01T00:00:00Z",
                http_headers=_http("200 OK", "text/html", b""),
            )
            writer.write_record(orphan)  # its original is in no file read: skipped
    return expected


@pytest.fixture()
def warcs(tmp_path):
    gz = tmp_path / "crawl-1.warc.gz"
    plain = tmp_path / "crawl-2.warc"
    return {"gz": (gz, write_warc(gz)), "plain": (plain, write_warc(plain, gz=False, revisit=False))}


@pytest.mark.parametrize("kind", ["gz", "plain"])
def test_iter_article_responses_yields_article_responses_only(warcs, kind):
    path, expected = warcs[kind]
    pages = list(iter_article_responses(path))
    assert [p.url for p in pages] == expected
    for page in pages:
        headers, body, meta = page.headers, page.body, page.meta
        assert body.lstrip().startswith(b"<!DOCTYPE html>")  # decoded, whatever the Content-Encoding
        assert meta["file"] == str(path) and meta["status"] == 200
        assert meta["offset"] >= 0 and meta["length"] > 0 and meta["warc_date"]
        assert any(name.lower() == "content-type" for name, _ in headers)


def test_revisit_is_resolved_to_the_body_it_points_to(warcs):
    path, _ = warcs["gz"]
    pages = list(iter_article_responses(path))
    original = next(p for p in pages if p.url.endswith("2013/07/05/first-story"))
    revisit = next(p for p in pages if p.meta["revisit"])
    assert revisit.url.endswith("2013/7/5/first-story")
    assert revisit.body == original.body


def test_offsets_point_at_the_records(warcs):
    from warcio.archiveiterator import ArchiveIterator

    path, _ = warcs["gz"]
    for page in iter_article_responses(path):
        if page.meta["revisit"]:
            continue
        with open(path, "rb") as fh:
            fh.seek(page.meta["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == page.url


def test_progress_reports_every_byte(warcs):
    path, _ = warcs["gz"]
    seen = []
    list(iter_article_responses(path, progress=seen.append))
    assert sum(seen) == path.stat().st_size


def test_all_html_when_asked(warcs):
    path, expected = warcs["plain"]
    urls = [p.url for p in iter_article_responses(path, articles_only=False)]
    assert urls == [*expected[:3], BASE + "/syria/articles", expected[3]]


def test_truncated_and_foreign_files_stop_with_file_and_offset(tmp_path, warcs):
    path, expected = warcs["gz"]
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    foreign = tmp_path / "notes.warc"
    foreign.write_bytes(b"these are not the records you are looking for\n" * 20)

    got = []
    with pytest.raises(ArchiveDamage) as info:
        for page in iter_article_responses(cut):
            got.append(page.url)
    assert got == expected[: len(got)] and got
    assert info.value.path == str(cut) and 0 < info.value.offset < len(data)
    assert cut.name in str(info.value) and f"at {info.value.offset}" in str(info.value)

    errors = []
    urls = [p.url for p in iter_many([foreign, cut, path], on_error=errors.append)]
    assert [e.path for e in errors] == [str(foreign), str(cut)]
    assert urls[-len(expected) :] == expected  # the good file still read in full


def test_extract_stream_keeps_order_with_processes(warcs):
    path, expected = warcs["gz"]
    pages = list(iter_article_responses(path)) * 5
    def run(**options):
        return [(m["offset"], r.as_dict() if r else None) for m, r in batch.extract_stream(pages, **options)]

    one, two = run(workers=1), run(workers=2, chunk_size=2)
    assert one == two
    assert len(one) == len(pages) and all(r for _, r in one)
    assert [r["key"] for _, r in one[: len(expected)]] == [
        "syria/articles/2013/07/05/first-story",
        "syria/community/2014/02/03/an-op-ed",
        "syria/articles/2015/06/07/an-interview",
        "syria/articles/2016/01/02/compressed",
        "syria/articles/2013/07/05/first-story",
    ]


def test_trafilatura_caches_are_reset_periodically(monkeypatch):
    import trafilatura.meta

    from extract import page

    calls = []
    monkeypatch.setattr(trafilatura.meta, "reset_caches", lambda: calls.append(1))
    monkeypatch.setattr(page, "RESET_EVERY", 10)
    monkeypatch.setattr(page, "_pages_since_reset", 0)
    for _ in range(28):
        page.extract_page(b"", "x")
    assert len(calls) == 2


# --- `deeply extract` --------------------------------------------------------------------------------


def test_deeply_extract_writes_json_lines_in_order(warcs, tmp_path):
    gz, expected_gz = warcs["gz"]
    plain, expected_plain = warcs["plain"]
    result = CliRunner().invoke(extract_command, [str(gz), str(plain), "--workers", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in rows] == expected_gz + expected_plain
    interview = next(r for r in rows if r["key"].endswith("an-interview"))
    assert interview["kind"] == "interview" and len(interview["qa"]) == 6
    assert rows[0]["content_hash"] == rows[4]["content_hash"]  # the revisit: same article, same hash

    out = tmp_path / "records.jsonl"
    arguments = [str(tmp_path), "-o", str(out), "--workers", "1", "--provenance"]
    result = CliRunner().invoke(extract_command, arguments)
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["url"] for r in written] == expected_gz + expected_plain  # a folder: its WARCs, sorted
    assert written[0]["warc"]["file"] == str(gz) and written[0]["warc"]["offset"] > 0
    assert "records from" in result.stderr


def test_deeply_extract_reports_a_broken_file_and_goes_on(warcs, tmp_path):
    gz, expected = warcs["gz"]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(gz.read_bytes()[:-300])
    result = CliRunner().invoke(extract_command, [str(cut), str(gz), "--quiet"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "FAILED" in line]
    assert len(errors) == 1 and f"FAILED: {cut.name}: truncated at " in errors[0]
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert urls[-len(expected) :] == expected


def test_deeply_extract_help():
    result = CliRunner().invoke(extract_command, ["--help"])
    assert result.exit_code == 0
    for word in ("WARCS", "--output", "--workers", "Exit status", "revisit"):
        assert word in result.output


# --- `python -m extract` --------------------------------------------------------------------------------


def test_python_m_extract(tmp_path):
    article = tmp_path / "story.html"
    article.write_text(article_page(HOMS_LIKE), encoding="utf-8")
    listing = tmp_path / "articles.html"
    listing.write_text("<html><body><p>A listing</p></body></html>")
    command = [sys.executable, "-m", "extract"]
    url = "https://www.newsdeeply.com/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs"

    done = subprocess.run([*command, "--url", url, str(article)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["url"] == url and record["kind"] == "interview"

    # without --url: the URL the page declares (its JSON-LD here); a listing gets a line on stderr
    done = subprocess.run([*command, str(listing), str(article)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["key"] == "syria/articles/2013/07/05/a-test-article"
    assert done.stderr.strip().count("\n") == 0 and str(listing) in done.stderr
