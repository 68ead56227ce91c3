"""CDXJ indexing of the WARC folder and pywb replay over it, on WARCs recorded from a real server."""

from __future__ import annotations

import json
import re
import signal
import time
import zlib
from pathlib import Path

import pytest
import surt
from click.testing import CliRunner

from replay.index import STATE_FILE, cdxj_lines, closed_warcs, index_path, update_index
from replay.pywb_collection import build_collection, start
from tests.support.archives import build_archive, close_open_warc
from tests.support.pages import ARTICLES, CSS
from tests.support.servers import deeply_replay, fetch, port_open


def index_rows(path: Path) -> list[tuple[str, str, dict]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, ts, data = line.split(" ", 2)
        rows.append((key, ts, json.loads(data)))
    return rows


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("replay") / "warcs")


@pytest.fixture(scope="module")
def pywb(archive, tmp_path_factory, free_port):
    collection = build_collection(archive.warc_dir, tmp_path_factory.mktemp("pywb-root"), "deeply")
    log = tmp_path_factory.mktemp("pywb-log") / "pywb.log"
    with start(collection, port=free_port(), log_path=log) as server:
        yield server


# -- index -----------------------------------------------------------------------------------


def test_closed_warcs_skip_files_being_written(archive):
    names = [p.name for p in closed_warcs(archive.warc_dir)]
    assert names == archive.warcs
    assert (archive.warc_dir / archive.open_warc).exists()
    assert not any(n.endswith(".open") for n in names)


def test_index_is_sorted_surt_cdxj_of_closed_warcs(tmp_path):
    rec = build_archive(tmp_path / "warcs")
    result = update_index(rec.warc_dir)
    assert result.index == rec.warc_dir / "indexes" / "index.cdxj"
    assert result.added == rec.warcs and not result.failed
    raw = result.index.read_bytes()
    lines = raw.decode().splitlines(keepends=True)
    assert lines == sorted(lines), "index must be in byte order for binary search"
    rows = index_rows(result.index)
    assert len(rows) == result.total_lines == len(rec.captures)
    for key, ts, fields in rows:
        assert key == surt.surt(fields["url"])
        assert re.fullmatch(r"\d{14}", ts)
        assert fields["filename"] in rec.warcs  # bare name: resolved against archive_paths
        assert int(fields["offset"]) >= 0 and int(fields["length"]) > 0
    revisits = [(f["url"], ts) for _, ts, f in rows if f["mime"] == "warc/revisit"]
    assert revisits and all(
        any(c.url == u and c.timestamp == ts and c.record_type == "revisit" for c in rec.captures)
        for u, ts in revisits
    )
    # offset/length point at the record itself: the slice is one gzip member holding it
    first = rows[0][2]
    with open(rec.warc_dir / first["filename"], "rb") as fh:
        fh.seek(int(first["offset"]))
        member = fh.read(int(first["length"]))
    text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member)
    assert text.startswith(b"WARC/1.") and first["url"].encode() in text


def test_index_is_incremental_and_matches_a_full_rebuild(tmp_path):
    rec = build_archive(tmp_path / "warcs")
    first = update_index(rec.warc_dir)
    assert first.rebuilt and first.added == rec.warcs
    index = index_path(rec.warc_dir)
    inode = index.stat().st_ino

    again = update_index(rec.warc_dir)
    assert again.added == [] and again.lines_added == 0 and not again.rebuilt
    assert index.stat().st_ino == inode, "nothing new: the index must not be rewritten"

    closed = close_open_warc(rec)
    third = update_index(rec.warc_dir)
    assert third.added == [closed] and not third.rebuilt
    assert third.lines_added == 2 and third.total_lines == first.total_lines + 2
    state = json.loads((index.parent / STATE_FILE).read_text())
    assert sorted(state["warcs"]) == rec.warcs
    assert state["warcs"][closed]["records"] == 2

    incremental = index.read_text()
    full = update_index(rec.warc_dir, full=True)
    assert full.rebuilt and index.read_text() == incremental
    expected = sorted(line for w in closed_warcs(rec.warc_dir) for line in cdxj_lines(w))
    assert incremental.splitlines(keepends=True) == expected
    assert not [p for p in index.parent.iterdir() if p.name.endswith(".tmp") or p.is_dir()], "temp files left"


def test_index_rebuilds_when_an_indexed_warc_changes(tmp_path):
    rec = build_archive(tmp_path / "warcs", with_open=False)
    update_index(rec.warc_dir)
    gone = rec.warcs[0]
    (rec.warc_dir / gone).unlink()
    result = update_index(rec.warc_dir)
    assert result.rebuilt
    assert {f["filename"] for _, _, f in index_rows(result.index)} == {rec.warcs[1]}


def test_unreadable_warc_is_reported_and_retried(tmp_path):
    rec = build_archive(tmp_path / "warcs", with_open=False)
    bad = rec.warc_dir / "deeply-20180801120000-00009-testhost.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    result = update_index(rec.warc_dir)
    assert result.added == rec.warcs and list(result.failed) == [bad.name]
    retry = update_index(rec.warc_dir)
    assert list(retry.failed) == [bad.name] and retry.added == []


def test_index_command(tmp_path):
    from deeply.cmd_replay import index_command

    rec = build_archive(tmp_path / "warcs")
    out = CliRunner().invoke(index_command, ["--warcs", str(rec.warc_dir)])
    assert out.exit_code == 0, out.output
    assert "2 new WARC(s)" in out.output and f"{len(rec.captures)} lines in all" in out.output
    out = CliRunner().invoke(index_command, ["--warcs", str(rec.warc_dir)])
    assert out.exit_code == 0 and "0 new WARC(s)" in out.output


# -- collection ------------------------------------------------------------------------------


def test_collection_references_warcs_in_place(archive, tmp_path):
    coll = build_collection(archive.warc_dir, tmp_path / "root", "deeply")
    config = coll.config.read_text()
    assert f"archive_paths: {archive.warc_dir.resolve()}/" in config
    assert f"index_paths: {index_path(archive.warc_dir.resolve())}" in config
    # nothing copied or linked into the collection root
    assert [p.name for p in coll.root.iterdir()] == ["config.yaml"]
    with pytest.raises(ValueError):
        build_collection(archive.warc_dir, tmp_path / "root", "bad name/..")


# -- pywb ------------------------------------------------------------------------------------


def test_pywb_id_replay_returns_the_stored_bytes(archive, pywb):
    for url in archive.article_urls() + [archive.site_url + "/static/deeply.css"]:
        capture = archive.first(url)
        status, headers, body = fetch(pywb.replay_url(capture.timestamp, url, "id_"))
        assert status == 200, url
        assert body == capture.body
        assert headers["Content-Type"] == capture.content_type
    status, _, body = fetch(
        pywb.replay_url(
            archive.first(archive.site_url + "/static/photo.png").timestamp,
            archive.site_url + "/static/photo.png",
            "id_",
        )
    )
    assert status == 200 and body.startswith(b"\x89PNG")


def test_pywb_replays_a_url_whose_latest_capture_is_a_revisit(archive, pywb):
    url = archive.article_urls()[0]
    latest = archive.latest(url)
    assert latest.record_type == "revisit"
    # a later timestamp than any capture: pywb picks the closest, which is the revisit
    status, headers, body = fetch(pywb.replay_url("20300101000000", url, "id_"))
    assert status == 200
    assert headers["Memento-Datetime"] == "Fri, 01 Jun 2018 12:00:00 GMT"
    assert body == latest.body == archive.first(url).body


def test_pywb_replays_the_changed_version_at_its_date(archive, pywb):
    url = archive.article_urls()[1]
    first, latest = archive.first(url), archive.latest(url)
    assert first.body != latest.body
    assert fetch(pywb.replay_url(first.timestamp, url, "id_"))[2] == first.body
    assert fetch(pywb.replay_url(latest.timestamp, url, "id_"))[2] == latest.body


def test_pywb_rewrites_requisites_to_the_archive(archive, pywb):
    url = archive.article_urls()[0]
    status, _, body = fetch(pywb.replay_url(archive.latest(url).timestamp, url, "mp_"))
    page = body.decode()
    assert status == 200
    assert ARTICLES[0]["title"] in page and ARTICLES[0]["question"] in page
    css = f"/deeply/{archive.latest(url).timestamp}cs_/{archive.site_url}/static/deeply.css"
    assert f'href="{css}"' in page
    status, _, css_body = fetch(pywb.base_url + css)
    assert status == 200 and CSS.decode().split("{")[0].strip() in css_body.decode()


def test_pywb_cdx_api_reads_the_index(archive, pywb):
    url = archive.article_urls()[0]
    status, _, body = fetch(f"{pywb.coll_url}cdx?url={url}&output=json")
    assert status == 200
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert [r["timestamp"] for r in rows] == ["20180301120000", "20180601120000"]
    assert rows[1]["mime"] == "warc/revisit"


def test_open_warc_is_not_replayed_until_closed_and_indexed(tmp_path, free_port):
    rec = build_archive(tmp_path / "warcs")
    collection = build_collection(rec.warc_dir, tmp_path / "root", "deeply")
    with start(collection, port=free_port(), log_path=tmp_path / "pywb.log") as server:
        home = rec.site_url + "/"
        status, headers, _ = fetch(server.replay_url("20180701120000", home, "id_"))
        assert headers.get("Memento-Datetime") == "Fri, 01 Jun 2018 12:00:00 GMT"
        close_open_warc(rec)
        update_index(rec.warc_dir)
        # the running pywb re-reads the index file: the new capture is there without a restart
        status, headers, body = fetch(server.replay_url("20180701120000", home, "id_"))
        assert status == 200 and headers.get("Memento-Datetime") == "Sun, 01 Jul 2018 12:00:00 GMT"
        assert body == rec.latest(home).body


# -- `deeply replay` -------------------------------------------------------------------------


def test_deeply_replay_prints_urls_and_stops_pywb(tmp_path, free_port):
    rec = build_archive(tmp_path / "warcs")
    port = free_port()
    with deeply_replay(rec.warc_dir, port, tmp_path / "replay.log") as (proc, urls):
        assert urls["collection"] == f"http://127.0.0.1:{port}/deeply/"
        ts, _, url = urls["an article"].removeprefix(urls["collection"]).partition("/")
        assert url in rec.article_urls() and ts == rec.latest(url).timestamp
        status, _, body = fetch(urls["an article"])
        assert status == 200 and b"wb_frame" in body  # pywb's framed replay page
        status, _, body = fetch(urls["collection"] + f"{ts}id_/{url}")
        assert status == 200 and body == rec.latest(url).body
        assert index_path(rec.warc_dir).exists()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    deadline = time.monotonic() + 10
    while port_open(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not port_open(port), "pywb outlived `deeply replay`"


def test_default_root_is_inside_the_warc_folder(tmp_path):
    rec = build_archive(tmp_path / "warcs", with_open=False)
    coll = build_collection(rec.warc_dir)
    assert coll.root == (rec.warc_dir / "pywb").resolve()
    assert coll.config.exists() and not (rec.warc_dir / "pywb" / "collections").exists()


def test_start_refuses_a_port_in_use(archive, tmp_path):
    import socket

    from replay.pywb_collection import PortInUse

    coll = build_collection(archive.warc_dir, tmp_path / "root", "deeply")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(PortInUse):
            start(coll, port=busy.getsockname()[1])
