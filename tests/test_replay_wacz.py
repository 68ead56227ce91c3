"""WACZ packages of the WARC folder: valid for `wacz validate`, pages from the store or the WARCs."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from extract.urls import is_article_url
from replay.wacz_package import build_wacz, validate_wacz
from tests.support.archives import build_archive
from tests.support.pages import ARTICLES


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("wacz") / "warcs")


def pages_of(path) -> tuple[dict, list[dict]]:
    with zipfile.ZipFile(path) as z:
        lines = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()]
    return lines[0], lines[1:]


def make_store(path, archive, *, extra_article: bool = True) -> None:
    """A store built by the storage package itself (its schema, its versioning and removal rules):
    the first article unchanged at its later capture (so its current version is March's), the
    second changed, the third removed; with `extra_article`, one captured in no WARC of the folder."""
    from extract.record import Record
    from storage import mark_removed, open_store
    from storage.store import apply_record, insert_capture

    db = open_store(path)
    n = 0

    def capture(url, iso):
        nonlocal n
        n += 1
        cap = {"id": f"urn:uuid:wacz-{n}", "url": url, "fetched_at": iso, "warc_file": "t.warc.gz",
               "status": 200, "mime": "text/html", "is_revisit": 0, "crawl_id": "c1",
               "replay_url": f"http://r/{iso}/{url}"}
        insert_capture(db, cap)
        return cap

    def record(key, url, title):
        return Record(url=url, key=key, site="syria", title=title, text=f"The text of {title}.", qa=[])

    keys = []
    with db.conn:
        for i, url in enumerate(archive.article_urls()):
            key = f"syria/{ARTICLES[i]['slug']}"
            keys.append(key)
            caps = sorted({c.timestamp for c in archive.captures if c.url == url})
            for v, ts in enumerate(caps, start=1):
                iso = f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
                title = f"{ARTICLES[i]['title']} (v{1 if i == 0 else v})"
                apply_record(db, record(key, url, title), capture(url, iso))
        if extra_article:
            url = archive.site_url + "/syria/articles/2018/03/09/never-captured"
            apply_record(db, record("syria/never-captured", url, "Never Captured"),
                         capture(url, "2018-06-01T12:00:00Z"))
    db.close()
    seen = [k for k in keys if k != keys[2]] + ["syria/never-captured"]
    mark_removed(path, "c1", seen_keys=seen, when="2018-07-01T00:00:00Z")


def test_wacz_from_warcs_is_valid_and_lists_the_articles(archive, tmp_path):
    out = tmp_path / "deeply.wacz"
    result = build_wacz(out, archive.warc_dir)
    assert result.pages_from == "warcs" and result.pages == len(ARTICLES)
    ok, report = validate_wacz(out)
    assert ok, report

    with zipfile.ZipFile(out) as z:
        infos = {i.filename: i for i in z.infolist()}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())
        assert sorted(n for n in infos if n.startswith("archive/")) == [f"archive/{w}" for w in archive.warcs]
        for name in archive.warcs:  # the WARCs go in byte for byte
            assert z.read(f"archive/{name}") == (archive.warc_dir / name).read_bytes()
        package = json.loads(z.read("datapackage.json"))
        assert package["wacz_version"].startswith("1.1")
        for res in package["resources"]:
            assert res["hash"] == "sha256:" + hashlib.sha256(z.read(res["path"])).hexdigest()
        digest = json.loads(z.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(z.read("datapackage.json")).hexdigest()
        cdxj = gzip.decompress(z.read("indexes/index.cdx.gz")).decode()
        assert "warc/revisit" in cdxj and archive.open_warc.removesuffix(".open") not in cdxj
        assert z.read("indexes/index.idx").startswith(b"!meta")

    header, pages = pages_of(out)
    assert header["format"] == "json-pages-1.0"
    by_url = {p["url"]: p for p in pages}
    assert set(by_url) == set(archive.article_urls())
    for i, url in enumerate(archive.article_urls()):
        latest = archive.latest(url)
        ts = latest.timestamp
        assert by_url[url]["ts"] == f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
        assert by_url[url]["title"].startswith(ARTICLES[i]["title"])  # from the HTML, revisits included


def test_wacz_pages_come_from_the_store(archive, tmp_path):
    db = tmp_path / "archive.db"
    make_store(db, archive)
    out = tmp_path / "store.wacz"
    result = build_wacz(out, archive.warc_dir, db)
    assert result.pages_from == "db" and result.pages == len(ARTICLES)
    assert result.missing == [archive.site_url + "/syria/articles/2018/03/09/never-captured"]
    assert validate_wacz(out)[0]
    _, pages = pages_of(out)
    by_url = {p["url"]: p for p in pages}
    urls = archive.article_urls()
    # current version 1 of the first article: captured in March, not at the later revisit
    assert by_url[urls[0]]["ts"] == "2018-03-01T12:00:00Z" and by_url[urls[0]]["title"].endswith("(v1)")
    assert by_url[urls[1]]["ts"] == "2018-06-01T12:00:00Z" and by_url[urls[1]]["title"].endswith("(v2)")
    assert by_url[urls[2]].get("removed") is True


def test_wacz_without_store_tables_falls_back_to_the_warcs(archive, tmp_path):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    result = build_wacz(tmp_path / "x.wacz", archive.warc_dir, db)
    assert result.pages_from == "warcs" and result.pages == len(ARTICLES)
    assert result.warnings


def test_wacz_command_validates(archive, tmp_path):
    from deeply.cmd_replay import wacz_command

    out = tmp_path / "cli.wacz"
    res = CliRunner().invoke(wacz_command, [str(out), "--warcs", str(archive.warc_dir), "--validate"])
    assert res.exit_code == 0, res.output
    assert "3 pages" in res.output and "valid" in res.output
    # and the wacz tool's own CLI agrees
    cli = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr


def test_wacz_refuses_an_empty_folder(tmp_path):
    from deeply.cmd_replay import wacz_command

    (tmp_path / "warcs").mkdir()
    res = CliRunner().invoke(wacz_command, [str(tmp_path / "x.wacz"), "--warcs", str(tmp_path / "warcs")])
    assert res.exit_code != 0 and "no closed WARC" in res.output
    assert not (tmp_path / "x.wacz").exists()


@pytest.mark.parametrize(
    "url, article",
    [
        ("https://www.newsdeeply.com/syria/articles/2016/12/05/why-aleppo-fell", True),
        ("http://127.0.0.1:8765/syria/articles/2018/4/13/slug.html", True),
        ("https://www.newsdeeply.com/syria/community/2014/03/26/under-a-barrel", True),
        ("https://www.newsdeeply.com/syria/executive-summaries/2017/01/02", True),
        ("https://www.newsdeeply.com/syria/articles/page/3", False),
        ("https://www.newsdeeply.com/syria/articles/page/3.html", False),
        ("https://www.newsdeeply.com/syria/articles", False),
        ("https://www.newsdeeply.com/syria/articles/", False),
        ("https://www.newsdeeply.com/syria/isis/rss", False),
        ("https://www.newsdeeply.com/syria", False),
    ],
)
def test_article_urls(url, article):
    assert is_article_url(url) is article
