"""A crawl shared by several worker processes through a real Redis captures what one crawl does,
each URL once, every worker a part; a worker SIGKILLed mid-crawl loses nothing; a Redis that
restarted empty resumes from the WARCs; two crawls on one Redis never mix."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.archives import check_pairs, warcio_check
from tests.support.processes import VENV_BIN
from tests.support.redis_server import redis_server
from tests.support.servers import free_port

ARTICLES = 150
TIMEOUT = 900
READ_BACK = "resuming from them"  # a worker's warning as it reads its folder's WARCs into Redis


@pytest.fixture(scope="module")
def site():
    from sample_site import serve

    with serve(articles=ARTICLES, edition=0, port=0) as s:
        yield s


@pytest.fixture()
def redis_url(tmp_path):
    with redis_server(tmp_path / "redis", free_port()) as url:
        yield url


def deeply_cmd(*args) -> list[str]:
    return [str(VENV_BIN / "deeply"), *args]


def captures_by_file(files) -> dict[str, set[str]]:
    """URLs of each file's responses and revisits (robots.txt aside: every worker reads it)."""
    return {str(f): {u for u in check_pairs([f]) if urlsplit(u).path != "/robots.txt"} for f in files}


def union(files) -> set[str]:
    return set().union(*captures_by_file(files).values()) if files else set()


def summary_number(text: str, label: str) -> int:
    return int(re.search(rf"^\s*{label}:\s+(\d+)", text, re.M).group(1))


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    """A single crawl (no Redis) of the same site: its URL set and page count."""
    warcs = tmp_path_factory.mktemp("single")
    done = subprocess.run(deeply_cmd("crawl", site.start_url, "--warcs", str(warcs), "--quiet"),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    return union(sorted(warcs.glob("*.warc.gz"))), summary_number(done.stdout, "pages")


def worker_of(path) -> str:
    """The worker part of a file name (PREFIX-STAMP-SERIAL-WORKER.warc.gz)."""
    return Path(path).name.split("-", 3)[3]


def assert_shared_fairly(files, expected: set[str]) -> None:
    by_worker: dict[str, set[str]] = {}
    for f, urls in captures_by_file(files).items():
        by_worker.setdefault(worker_of(f), set()).update(urls)
    assert all(by_worker.values()), f"a worker captured nothing: {[w for w, u in by_worker.items() if not u]}"
    where = Counter(u for urls in by_worker.values() for u in urls)
    twice = sorted(u for u, n in where.items() if n > 1)
    assert not twice, f"captured by two workers: {twice[:5]}"
    got = set(where)
    assert got == expected, f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_the_crawl_and_a_second_run_writes_revisits(site, reference, redis_url, tmp_path,
                                                                  workers):
    expected, pages = reference
    warcs, db = tmp_path / "warcs", tmp_path / "archive.db"
    cmd = deeply_cmd("run", site.start_url, "--redis", redis_url, "--workers", str(workers),
                 "--warcs", str(warcs), "--db", str(db), "--quiet")
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert first.returncode == 0, first.stdout + first.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    assert len(files) == workers, [f.name for f in files]
    assert len({worker_of(f) for f in files}) == workers, "each worker names its own files"
    warcio_check(files)
    assert_shared_fairly(files, expected)
    # The summary and the crawls table add up every worker's pages.
    assert summary_number(first.stdout, "pages") == pages
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select id, pages from crawls").fetchall()
    assert [r[1] for r in rows] == [pages]
    assert len({_is_part_of(f) for f in files}) == 1 and _is_part_of(files[0]) == rows[0][0]

    second = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert second.returncode == 0, second.stdout + second.stderr
    assert summary_number(second.stdout, "revisits") > 0
    new = sorted(set(warcs.glob("*.warc.gz")) - set(files))
    assert 1 <= len(new) <= workers
    warcio_check(new)
    assert union(new) == expected
    revisits = [u for f in new for u, recs in check_pairs([f]).items()
                if any(r[0] == "revisit" for r in recs)]
    assert revisits, "the second run wrote no revisit records"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from crawls").fetchone()[0] == 2


def _warcinfos(path):
    from tests.support.archives import records

    return [r for r in records(path) if r[0] == "warcinfo"]


def _is_part_of(path) -> str:
    rtype, head, http, body = _warcinfos(path)[0]
    return re.search(rb"isPartOf: (\S+)", body).group(1).decode()


def worker_cmd(site_url: str, redis_url: str, warcs: Path) -> list[str]:
    return deeply_cmd("crawl", site_url, "--redis", redis_url, "--warcs", str(warcs), "--quiet")


def kill_first_written(procs, folders: list[Path], size: int) -> int:
    """SIGKILL the first worker whose open WARC holds `size` bytes (within five minutes); its index.
    Whichever it is: the share each worker takes of a crawl is not fixed."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for i, (proc, folder) in enumerate(zip(procs, folders, strict=True)):
            partial_files = list(folder.glob("*.warc.gz.open"))
            if partial_files and partial_files[0].stat().st_size > size:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return i
        assert all(p.poll() is None for p in procs), "a worker ended before one could be killed"
        time.sleep(0.02)
    pytest.fail("no worker wrote enough to be killed mid-crawl")


def kill_when_written(proc, warcs: Path, size: int) -> None:
    """SIGKILL `proc` once its open WARC holds `size` bytes (within five minutes)."""
    kill_first_written([proc], [warcs], size)


def test_a_worker_killed_mid_crawl_loses_no_url(site, reference, redis_url, tmp_path):
    from crawler.resume import repair_open_files

    expected, _ = reference
    folders = [tmp_path / f"worker{i}" for i in range(3)]
    procs = [subprocess.Popen(worker_cmd(site.start_url, redis_url, f), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for f in folders]
    killed = kill_first_written(procs, folders, 300_000)
    for p in procs[:killed] + procs[killed + 1:]:
        out, _ = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, out
        assert "complete" in out
    procs[killed].stdout.close()
    repair_open_files(folders[killed])  # what the next run in that folder does first
    files = sorted(f for folder in folders for f in folder.glob("*.warc.gz"))
    warcio_check(files)
    # What the killed worker had taken and not finished was crawled by the others (it may have
    # captured some of it before dying: those are the only URLs allowed twice).
    assert union(files) == expected
    assert union(sorted(folders[killed].glob("*.warc.gz"))), "the killed worker had captured some"


def test_a_redis_restarted_empty_resumes_from_the_warcs(site, reference, tmp_path):
    expected, _ = reference
    port = free_port()
    warcs = tmp_path / "warcs"
    with redis_server(tmp_path / "redis1", port) as url:
        kill_when_written(subprocess.Popen(worker_cmd(site.start_url, url, warcs),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                          warcs, 400_000)
    with redis_server(tmp_path / "redis2", port) as url:  # the same address, nothing in it
        again = subprocess.run(worker_cmd(site.start_url, url, warcs), capture_output=True, text=True,
                               timeout=TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resumed" in again.stdout
    assert READ_BACK in again.stderr, "Redis lost the crawl: the worker reads its WARCs back into it"
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    by_file = captures_by_file(files)
    first = [f for f in files if f.stat().st_mtime == min(p.stat().st_mtime for p in files)]
    before = by_file[str(first[0])]
    after = set().union(*(u for f, u in by_file.items() if f != str(first[0])))
    assert not before & after, f"captured twice: {sorted(before & after)[:5]}"
    assert before | after == expected
    assert len({_is_part_of(f) for f in files}) == 1, "the resumed crawl keeps its crawl id"


def test_two_crawls_on_one_redis_do_not_mix(site, reference, redis_url, tmp_path):
    import redis

    from sample_site import serve

    expected, _ = reference
    with serve(articles=20, edition=0, port=0) as other:
        a, b = tmp_path / "a", tmp_path / "b"
        procs = [subprocess.Popen(worker_cmd(site.start_url, redis_url, a), stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True),
                 subprocess.Popen(worker_cmd(other.start_url, redis_url, b), stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)]
        for p in procs:
            out, _ = p.communicate(timeout=TIMEOUT)
            assert p.returncode == 0, out
    assert union(sorted(a.glob("*.warc.gz"))) == expected
    theirs = union(sorted(b.glob("*.warc.gz")))
    port = urlsplit(other.start_url).port
    assert theirs and all(urlsplit(u).port == port for u in theirs)
    metas = redis.StrictRedis.from_url(redis_url).keys("deeply:*:meta")
    assert len(metas) == 2


def test_an_unreachable_redis_is_a_one_line_error(site, tmp_path):
    port = free_port()  # nothing listens there
    done = subprocess.run(worker_cmd(site.start_url, f"redis://:secret@127.0.0.1:{port}/0", tmp_path / "w"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot use Redis at" in lines[0], done.stderr
    assert "secret" not in done.stderr


def test_the_crawler_imports_no_redis_without_it():
    code = ("import sys, deeply.cli, crawler.run, deeply.pipeline; "
            "sys.exit(1 if 'redis' in sys.modules or 'scrapy_redis' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def syria_start(corpus_dir):
    """The real Syria copy served on 127.0.0.1 for this module, as tests/test_crawler_corpus.py does."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(corpus_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/syria/articles.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def syria_reference(syria_start, tmp_path_factory):
    """A single crawl (no Redis) of the real copy: its URL set and page count."""
    warcs = tmp_path_factory.mktemp("syria-single")
    began = time.monotonic()
    done = subprocess.run(deeply_cmd("crawl", syria_start, "--warcs", str(warcs), "--quiet"),
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    urls = union(sorted(warcs.glob("*.warc.gz")))
    pages = summary_number(done.stdout, "pages")
    print(f"\nsyria, one crawl: {pages} pages, {len(urls)} URLs, {time.monotonic() - began:.0f} s")
    return urls, pages


@pytest.mark.corpus
@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_the_real_syria_copy(syria_start, syria_reference, redis_url, tmp_path, workers):
    expected, pages = syria_reference
    warcs = tmp_path / "shared"
    began = time.monotonic()
    shared = subprocess.run(deeply_cmd("run", syria_start, "--redis", redis_url, "--workers", str(workers),
                                       "--warcs", str(warcs), "--db", str(tmp_path / "a.db"), "--quiet"),
                            capture_output=True, text=True, timeout=1800)
    took = time.monotonic() - began
    assert shared.returncode in (0, 1), shared.stdout + shared.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    assert len({worker_of(f) for f in files}) == workers, [f.name for f in files]
    warcio_check(files)
    assert_shared_fairly(files, expected)
    assert summary_number(shared.stdout, "pages") == pages
    share: Counter = Counter()
    for f, urls in captures_by_file(files).items():
        share[worker_of(f)] += len(urls)
    print(f"\nsyria, {workers} workers: {len(expected)} URLs in {len(files)} files, {took:.0f} s "
          f"(crawl and ingest); URLs by worker: {sorted(share.values(), reverse=True)}")


def sigterm_when_written(cmd: list[str], warcs: Path, size: int) -> tuple[int, str, str]:
    """Start `cmd` (a `deeply run`), SIGTERM it once its open WARC files hold `size` bytes, and
    return its exit code and output once it has stopped."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if sum(f.stat().st_size for f in warcs.glob("*.warc.gz.open")) > size:
            break
        assert proc.poll() is None, "the run ended before it could be stopped"
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("the run wrote too little to be stopped mid-crawl")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err


def test_a_sigtermed_run_of_workers_stops_as_interrupted_and_the_next_run_completes(site, reference,
                                                                                     redis_url, tmp_path):
    """`deeply run --workers` stopped by SIGTERM (cron's or systemd's stop): the workers close their
    files, the run ingests what they wrote and exits 3; the next run finishes the same crawl."""
    expected, _ = reference
    warcs, db = tmp_path / "warcs", tmp_path / "archive.db"
    cmd = deeply_cmd("run", site.start_url, "--redis", redis_url, "--workers", "2", "--warcs", str(warcs),
                     "--db", str(db), "--quiet")
    code, out, err = sigterm_when_written(cmd, warcs, 200_000)  # mid-crawl: pages in the open files
    assert code == 3, out + err
    assert "Traceback" not in err, err
    assert not list(warcs.glob("*.open")) and not list(warcs.glob(".deeply-worker-*"))
    first = sorted(warcs.glob("*.warc.gz"))
    warcio_check(first)
    ingested = {r[0] for r in sqlite3.connect(db).execute("select name from warc_files")}
    assert {f.name for f in first} <= ingested, "what the workers wrote was ingested"

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(resumed)" in again.stdout
    # Redis kept the crawl: its frontier is whole there, and no worker reads the WARCs again.
    assert READ_BACK not in again.stderr, again.stderr
    assert union(sorted(warcs.glob("*.warc.gz"))) == expected


def html_pages(files) -> set[str]:
    """URLs of the 200 HTML responses (the pages, not their requisites)."""
    return {u for u, recs in check_pairs(files).items()
            if any(r[0] == "response" and int(r[2].get_statuscode()) == 200
                   and "html" in (r[2].get_header("Content-Type") or "") for r in recs)}


def test_limit_is_the_whole_crawls_page_budget(site, redis_url, tmp_path):
    """`--limit K` with N workers takes K pages between them, as one crawl does, not K each."""
    limit = "20"
    single = subprocess.run(deeply_cmd("crawl", site.start_url, "--warcs", str(tmp_path / "single"),
                                       "--limit", limit, "--quiet"),
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert single.returncode == 0, single.stdout + single.stderr
    warcs, db = tmp_path / "warcs", tmp_path / "archive.db"
    shared = subprocess.run(deeply_cmd("run", site.start_url, "--redis", redis_url, "--workers", "3",
                                       "--limit", limit, "--warcs", str(warcs), "--db", str(db), "--quiet"),
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert shared.returncode == 0, shared.stdout + shared.stderr
    pages = summary_number(single.stdout, "pages")
    assert 0 < pages <= int(limit)
    assert summary_number(shared.stdout, "pages") == pages
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    assert len(html_pages(files)) == len(html_pages(sorted((tmp_path / "single").glob("*.warc.gz"))))
    assert "page budget reached" in shared.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select pages from crawls").fetchall() == [(pages,)]


def test_workers_read_the_warcs_into_a_redis_that_lost_the_crawl(site, reference, tmp_path):
    """Redis restarted empty: each worker of `deeply run --workers 2` reads the folder's WARCs back
    into it; stopped (SIGTERM) and run again, they finish the same crawl under one crawl id."""
    from crawler.resume import repair_open_files

    expected, _ = reference
    port = free_port()
    warcs, db = tmp_path / "warcs", tmp_path / "archive.db"
    with redis_server(tmp_path / "redis1", port) as url:
        kill_when_written(subprocess.Popen(worker_cmd(site.start_url, url, warcs),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                          warcs, 400_000)
    repair_open_files(warcs)  # what the next run does first: only the new workers' files are open
    with redis_server(tmp_path / "redis2", port) as url:  # the same address, nothing in it
        cmd = deeply_cmd("run", site.start_url, "--redis", url, "--workers", "2", "--warcs", str(warcs),
                         "--db", str(db), "--quiet")
        code, out, err = sigterm_when_written(cmd, warcs, 300_000)  # well into the resumed crawl
        assert code == 3, out + err
        assert err.count(READ_BACK) == 2, err  # each worker read the folder back
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    files = sorted(warcs.glob("*.warc.gz"))
    warcio_check(files)
    assert union(files) == expected
    assert len({_is_part_of(f) for f in files}) == 1, "one crawl id from the first worker to the last"
