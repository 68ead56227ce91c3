"""Hardening, store side: a killed ingest, a full disk, a reader during an ingest, a damaged store.

Everything runs as a user would run it: `deeply ingest`, `deeply serve` and `deeply verify` as real
processes, killed with a real SIGKILL, on a real size-limited file system. What is promised: the
store is never left inconsistent or half-written, a re-run always completes to what one
uninterrupted ingest gives, and a store that cannot be used is refused in one line, untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.archives import OurWarc
from tests.support.pages import Page
from tests.support.processes import DEEPLY, run_deeply
from tests.support.servers import deeply_serve

TABLES = ("captures", "versions", "articles", "qa_turns", "warc_files", "crawls", "versions_fts")


# --- helpers ----------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from {t}")[0][0] for t in TABLES}


def content(db: Path) -> dict[str, list]:
    """What an ingest decides: which captures, which versions of which article, in which order."""
    return {
        "captures": query(db, "select id, warc_file, warc_offset, warc_length, outcome, "
                              "version_id is not null from captures order by id"),
        "versions": query(db, "select article_key, version, content_hash, capture_id from versions "
                              "order by article_key, version"),
        "articles": query(db, "select key, current_version, first_seen, last_seen from articles "
                              "order by key"),
        "files": query(db, "select name, sha256, records, captures, status from warc_files order by name"),
    }


def assert_consistent(db: Path) -> None:
    """What must hold after any interruption: SQLite's own check, and the store's per-file atomicity."""
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "select count(*) from (select 1 from captures group by warc_file, warc_offset "
                     "having count(*) > 1)") == [(0,)], "a WARC record stored twice"
    assert query(db, "select count(*) from captures where warc_file not in (select name from warc_files)") \
        == [(0,)], "captures of a file whose transaction did not commit"
    assert query(db, "select count(*) from warc_files f where captures != "
                     "(select count(*) from captures c where c.warc_file = f.name)") == [(0,)]
    assert query(db, "select count(*) from articles "
                     "where current_version_id not in (select id from versions)") == [(0,)]
    assert query(db, "select count(*) from versions")[0] == query(db, "select count(*) from versions_fts")[0]


def store_warcs(folder: Path, pages: int = 60, seed: int = 0) -> list[Path]:
    """Three crawls: new pages (some interviews), then revisits and changes of some, then more pages."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    first = [Page(f"kill-{seed}-{i:03d}", title=f"Kill story {i}", paragraphs=[f"Paragraph {i}. " * 30] * 4,
                  qa=[("Syria Deeply", "What happened?"), ("Jane Doe", "Much.")] if i % 7 == 0 else [])
             for i in range(pages)]
    w1 = OurWarc(folder / "a-crawl1.warc.gz", crawl_id="crawl1")
    for page in first:
        w1.page(page)
    w1.close()
    w2 = OurWarc(folder / "b-crawl2.warc.gz", crawl_id="crawl2")
    for page in rnd.sample(first, pages // 2):
        w2.page(Page(page.slug, title=page.title + " (updated)", paragraphs=page.paragraphs + ["More."]))
    w2.close()
    w3 = OurWarc(folder / "c-crawl3.warc.gz", crawl_id="crawl3")
    for i in range(pages):
        w3.page(Page(f"kill-{seed}-late-{i:03d}", title=f"Late story {i}",
                     paragraphs=[f"Late {i}. " * 40] * 3))
    w3.close()
    return [folder / "a-crawl1.warc.gz", folder / "b-crawl2.warc.gz", folder / "c-crawl3.warc.gz"]


def kill_session(proc: subprocess.Popen) -> None:
    """SIGKILL the ingest (what the OOM killer or a power cut does), then its extraction workers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the session is ours: workers left without their parent
    except ProcessLookupError:
        pass


def killed_ingests(tmp_path: Path, kills: int, pages: int, seed: int) -> None:
    files = store_warcs(tmp_path / "warcs", pages=pages, seed=seed)
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    done = run_deeply("ingest", *files, "--db", reference, "--no-progress")
    whole = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    db = tmp_path / "archive.db"
    rnd = random.Random(seed)
    hits = 0
    for _ in range(kills):
        left = len(files) - (query(db, "select count(*) from warc_files where status = 'ingested'")[0][0]
                             if db.exists() and query(db, "select count(*) from sqlite_master "
                                                          "where name = 'warc_files'")[0][0] else 0)
        if left == 0:
            break
        delay = rnd.uniform(0.05, whole * left / len(files))
        proc = subprocess.Popen([str(DEEPLY), "ingest", *map(str, files), "--db", str(db), "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            time.sleep(delay)
        finally:
            kill_session(proc)
        hits += proc.returncode == -signal.SIGKILL
        if db.exists():
            assert_consistent(db)
    assert hits >= 1, "every ingest finished before its kill: nothing was tested"
    final = run_deeply("ingest", *files, "--db", db, "--no-progress")
    assert final.returncode == 0, final.stderr
    assert_consistent(db)
    assert counts(db) == counts(reference)
    assert content(db) == content(reference)


def test_killed_ingests_leave_a_consistent_store_and_a_rerun_completes(tmp_path):
    killed_ingests(tmp_path, kills=3, pages=40, seed=1)


@pytest.mark.soak
def test_soak_killed_ingests(tmp_path):
    for seed in range(2, 6):
        killed_ingests(tmp_path / f"round-{seed}", kills=12, pages=150, seed=seed)


# --- a full disk ----------------------------------------------------------------------------------


@contextmanager
def small_filesystem(mountpoint: Path, megabytes: int = 2):
    """A size-limited tmpfs, else a loopback ext4 image; skips, saying why, when neither mounts."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    tries = [["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mountpoint)]]
    image = mountpoint.with_suffix(".img")
    errors = []
    mounted = False
    for cmd in tries:
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode == 0:
            mounted = True
            break
        errors.append(out.stderr.strip())
    if not mounted:
        with open(image, "wb") as fh:
            fh.truncate(megabytes * 4 << 20)
        mk = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
        out = subprocess.run(["mount", "-o", "loop", str(image), str(mountpoint)], capture_output=True,
                             text=True) if mk.returncode == 0 else mk
        if out.returncode != 0:
            errors.append(out.stderr.strip())
            pytest.skip("cannot mount a small file system here (tmpfs or loopback need root): "
                        + " / ".join(e for e in errors if e)[:200])
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)
        image.unlink(missing_ok=True)


def test_a_full_disk_fails_the_file_in_one_line_and_leaves_the_store_as_it_was(tmp_path, deeply):
    small = OurWarc(tmp_path / "a-small.warc.gz", crawl_id="c1")
    small.page(Page("fits-on-the-disk"))
    small.close()
    # a crawl the store has not seen: its row is made inside the transaction that fails
    big = OurWarc(tmp_path / "b-big.warc.gz", crawl_id="c2")
    for i in range(60):
        big.page(Page(f"too-big-{i}", title=f"Too big {i}", paragraphs=[f"Long paragraph {i}. " * 60] * 20))
    big.close()
    later = OurWarc(tmp_path / "c-later.warc.gz", crawl_id="c2")
    later.page(Page("after-the-failure"))
    later.close()

    with small_filesystem(tmp_path / "disk") as disk:
        db = disk / "archive.db"
        assert deeply("ingest", small.path, "--db", db, "--no-progress").returncode == 0
        before_bytes, before_rows = sha256(db), content(db)

        out = deeply("ingest", big.path, "--db", db, "--no-progress")
        assert out.returncode == 1
        assert "Traceback" not in out.stderr
        errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "b-big.warc.gz" in errors[0] and "disk is full" in errors[0], out.stderr
        assert "nothing of this file was stored" in errors[0]
        # the summary must not count what was rolled back
        assert "0 file(s) ingested, 0 skipped, 1 failed; 0 captures" in out.stderr, out.stderr
        assert query(db, "pragma integrity_check") == [("ok",)]
        assert sha256(db) == before_bytes and content(db) == before_rows

        # The other files go on: the space the failed file took in the WAL is given back.
        out = deeply("ingest", big.path, later.path, "--db", db, "--no-progress")
        assert out.returncode == 1 and "c-later.warc.gz: 3 records, 1 new captures" in out.stderr, out.stderr
        assert query(db, "select count(*) from captures") == [(2,)]
        assert query(db, "select id, captures from crawls order by id") == [("c1", 1), ("c2", 1)]
        assert query(db, "pragma integrity_check") == [("ok",)]


def test_a_store_that_cannot_be_created_on_a_full_disk_is_one_line(tmp_path, deeply):
    w = OurWarc(tmp_path / "a.warc.gz", crawl_id="c1")
    w.page(Page("nowhere-to-go"))
    w.close()
    with small_filesystem(tmp_path / "disk", megabytes=1) as disk:
        with open(disk / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
            except OSError:
                pass  # the disk is full
        out = deeply("ingest", w.path, "--db", disk / "archive.db", "--no-progress")
        assert out.returncode == 1
        lines = [line for line in out.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), out.stderr
        assert "full" in lines[0] or "disk" in lines[0] or "I/O" in lines[0]


# --- Datasette reading while an ingest writes -------------------------------------------------------


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def test_datasette_answers_while_an_ingest_writes(tmp_path, deeply):
    pages = 36
    files = store_warcs(tmp_path / "warcs", pages=pages, seed=9)
    db = tmp_path / "archive.db"
    assert deeply("ingest", files[0], "--db", db, "--no-progress").returncode == 0
    committed = {query(db, "select count(*) from captures")[0][0]}

    # Served immutable, the store refuses an ingest, which would break that promise, in one line.
    with deeply_serve(db, tmp_path / "immutable.log"):
        before = sha256(db)
        out = deeply("ingest", files[1], "--db", db, "--no-progress")
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert [line for line in out.stderr.splitlines() if line.strip()] == [
            f"Error: {db} is in use: another ingest is running, or `deeply serve` serves it immutable "
            "(stop it, or serve with --live while ingesting)"]
        assert sha256(db) == before

    total = 0
    for n in (pages, pages // 2, pages):  # captures per file (see store_warcs), committed file by file
        total += n
        committed.add(total)

    with deeply_serve(db, tmp_path / "live.log", "--live") as (base, _, _):
        assert get_json(f"{base}/-/databases.json")[0]["is_mutable"] is True
        sql = f"{base}/archive.json?sql=select+count(*)+as+n+from+captures&_shape=array"
        ingest = subprocess.Popen([str(DEEPLY), "ingest", *map(str, files), "--db", str(db), "--no-progress"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen = []
        try:
            while ingest.poll() is None:
                seen.append(get_json(sql)[0]["n"])
                assert get_json(f"{base}/archive/latest_versions.json?_size=1")["rows"] is not None
                time.sleep(0.02)
        finally:
            _, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0, err
        final = get_json(sql)[0]["n"]
    assert len(seen) >= 5, "the ingest ended before Datasette was asked anything"
    assert seen == sorted(seen), "a reader saw the store go back"
    assert set(seen) <= committed, f"a reader saw a file half-ingested: {sorted(set(seen) - committed)}"
    assert final == total


# --- a damaged store --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_store(tmp_path_factory, deeply) -> tuple[Path, list[Path]]:
    d = tmp_path_factory.mktemp("good-store")
    files = store_warcs(d / "warcs", pages=30, seed=3)
    db = d / "archive.db"
    assert deeply("ingest", *files[:2], "--db", db, "--no-progress").returncode == 0
    return db, files


def corrupt_middle(path: Path) -> None:
    """Overwrite two pages in the middle of the file, as a failing disk or a stray write would."""
    size = path.stat().st_size
    at = (size // 2) // 4096 * 4096
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(random.Random(5).randbytes(8192))


def damaged_stores(tmp_path: Path, good: Path) -> list[Path]:
    middle = tmp_path / "middle" / "archive.db"
    middle.parent.mkdir()
    middle.write_bytes(good.read_bytes())
    corrupt_middle(middle)
    conn = sqlite3.connect(f"file:{middle}?mode=ro", uri=True)
    try:
        verdict = conn.execute("pragma integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        verdict = str(e)
    finally:
        conn.close()
    assert verdict != "ok"  # the damage is real
    notes = tmp_path / "notes" / "archive.db"
    notes.parent.mkdir()
    notes.write_text("Not a database: my notes about the archive.\n" * 50)
    return [middle, notes]


def assert_refused(out: subprocess.CompletedProcess, db: Path) -> None:
    assert out.returncode != 0
    assert "Traceback" not in out.stdout + out.stderr
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, out.stdout + out.stderr
    assert lines[0].startswith(f"Error: {db} ") and ("damaged" in lines[0] or "not a usable" in lines[0])


@pytest.mark.parametrize("command", ["ingest", "verify", "serve"])
def test_a_damaged_store_is_refused_in_one_line_and_never_modified(tmp_path, good_store, command, deeply,
                                                                   free_port):
    good, files = good_store
    for db in damaged_stores(tmp_path, good):
        before, mtime = sha256(db), db.stat().st_mtime_ns
        if command == "ingest":
            out = deeply("ingest", files[2], "--db", db, "--no-progress")
        elif command == "verify":
            out = deeply("verify", "--db", db)
        else:
            out = deeply("serve", "--db", db, "--port", free_port(), timeout=60)
        assert_refused(out, db)
        assert sha256(db) == before and db.stat().st_mtime_ns == mtime
        assert not (db.parent / f"{db.name}-journal").exists()
