"""A store as years of weekly crawls of the sample site leave it, built in minutes.

Crawling and extracting 10,000 pages 52 times would take hours and measure the crawler; what grows
with the crawls is the store. So the rows are written directly, with the store's own write
functions where ingest calls them (apply_record for a new or changed article, record_crawl and
mark_removed after each crawl) and, for the unchanged revisits that are nearly all of a weekly
crawl, the same statements as ingest's unchanged branch run with executemany (_write_bulk; the
capture-by-capture path, _write_one_by_one, is what the test compares it with), one transaction
per crawl as ingest holds one per WARC file. The content is the sample site's own model
(titles, authors, topics, text, interviews), the first crawl's captures are responses, every later
one mostly revisits:
a few articles edited or retitled each week, a few added, a few no longer found, and the site's
listing pages and images captured every time.

Runs against whichever `storage` package is first on sys.path, so the same generator builds a
store with the current code and with an older checkout (bench/store_bench.py does both).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2025, 1, 6, 3, 0, 0, tzinfo=UTC)
HOST = "http://127.0.0.1:8765"


@dataclass
class Plan:
    articles: int = 10_000  # present at the first crawl
    crawls: int = 52
    edited: int = 8  # per week: a sentence added to the text
    retitled: int = 2  # per week: the title changed
    added: int = 5  # per week: new articles
    removed: int = 2  # per week: no longer found
    pages_per_article: float = 0.15  # listing, topic and author pages, per article
    images: int = 400  # requisites captured on every crawl
    seed: int = 17


@dataclass
class CrawlStat:
    crawl: int
    captures: int  # in this crawl
    total_captures: int
    seconds: float  # writing this crawl's rows, statistics included
    size: int  # bytes of the store after it (WAL folded in)
    versions: int


@dataclass
class Built:
    path: Path
    stats: list[CrawlStat] = field(default_factory=list)
    sample: dict = field(default_factory=dict)  # keys and names the page timings ask for


def _records(total: int, log):
    from extract.record import Record
    from sample_site.content import SYRIA, SiteModel
    from sample_site.truth import article_truth

    model = SiteModel(SYRIA, total, 0)
    out = []
    for i in range(total):
        t = article_truth(model.article(i))
        path = t["path"]
        out.append(Record(
            url=HOST + path, key=path.strip("/"), site=t["site"], title=t["title"], summary=t["summary"],
            authors=t["authors"], published=t["published"], read_time_minutes=t["read_time_minutes"],
            kind=t["kind"], topics=t["topics"], text="\n\n".join(t["paragraphs"]), qa=t["qa"],
            images=t["images"], extractor_version="bench",
        ))
        if (i + 1) % 2000 == 0:
            log(f"  content of {i + 1}/{total} articles")
    # Published order, oldest first: the newest are the ones "added" week by week.
    out.sort(key=lambda r: (r.published or "", r.key))
    return out


def _digest(s: str) -> str:
    return "sha1:" + hashlib.sha1(s.encode()).hexdigest().upper()[:32]


def _record_id(crawl_id: str, name: str, when: datetime) -> str:
    """A WARC-Record-ID as the crawler writes them (crawler.warcfiles.TimeOrderedRecordBuilder: a
    UUID of version 7, its first 48 bits the record's time in milliseconds, the rest random), the
    same on every run: what the captures' primary-key index sees from a weekly crawl."""
    tail = int.from_bytes(hashlib.sha256(f"{crawl_id}/{name}".encode()).digest()[:10], "big")
    ms = int(when.timestamp() * 1000)
    value = (ms << 80) | (7 << 76) | ((tail >> 68) & 0xFFF) << 64 | (0b10 << 62) | (tail & ((1 << 62) - 1))
    return f"urn:uuid:{uuid.UUID(int=value)}"


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(path: Path, plan: Plan, log=print, snapshot_at: dict[int, Path] | None = None,
          bulk: bool = True) -> Built:
    """Write the store at `path` (which must not exist); copy it to snapshot_at[n] after crawl n.

    bulk=False writes every capture through the store's functions one by one, as ingest does:
    the reference that the bulk path is checked against (tests/test_storage_bench_gen.py)."""
    from dataclasses import replace

    from storage import schema, store

    path = Path(path)
    total = plan.articles + plan.added * (plan.crawls - 1)
    log(f"generating the content of {total} articles")
    records = _records(total, log)
    rng = random.Random(plan.seed)
    db = schema.open_store(path)
    present = records[: plan.articles]
    waiting = records[plan.articles:]
    current: dict[str, tuple] = {}  # key -> (record, capture row holding its payload)
    others: dict[str, dict] = {}  # url -> first capture (revisits point there)
    n_pages = int(plan.articles * plan.pages_per_article)
    other_urls = ([f"{HOST}/syria/page/{i}" for i in range(n_pages)]
                  + [f"{HOST}/syria/static/img-{i}.jpg" for i in range(plan.images)])
    built = Built(path)
    captures_total = 0
    for week in range(1, plan.crawls + 1):
        crawl_id = f"crawl-{week:03d}"
        start = T0 + timedelta(weeks=week - 1)
        warc = f"deeply-{start:%Y%m%d%H%M%S}-00000.warc.gz"
        changed: set[str] = set()
        if week > 1:
            present += [waiting.pop(0) for _ in range(min(plan.added, len(waiting)))]
            gone = set(rng.sample([r.key for r in present], plan.removed))
            present = [r for r in present if r.key not in gone]
            pool = [r.key for r in present if r.key in current]
            changed = set(rng.sample(pool, plan.edited + plan.retitled))
        retitle = set(sorted(changed)[: plan.retitled])
        t = time.perf_counter()
        with db.atomic():
            store.ensure_crawl(db, crawl_id)
            article_caps, revisits, fresh = [], [], []
            for i, r in enumerate(present):
                when = _stamp(start + timedelta(seconds=i // 4))
                capture_id = _record_id(crawl_id, f"{i:06d}", start + timedelta(milliseconds=250 * i))
                if r.key in changed:
                    old = current[r.key][0]
                    if r.key in retitle:
                        r = replace(old, title=f"{old.title} (updated week {week})", content_hash="")
                    else:
                        r = replace(old, text=f"{old.text} An added sentence in week {week}.",
                                    content_hash="")
                if r.key in current and r.key not in changed:
                    orig = current[r.key][1]
                    capture = _capture(capture_id, r.url, when, warc, 2000 * i, crawl_id, r.key, orig)
                    revisits.append((r.key, capture, orig))
                else:
                    capture = _capture(capture_id, r.url, when, warc, 2000 * i, crawl_id, r.key, None,
                                       digest=_digest(r.content_hash))
                    fresh.append((r, capture))
                article_caps.append(capture)
            offset = 2000 * len(present)
            page_caps = []
            for j, url in enumerate(other_urls):
                when = _stamp(start + timedelta(seconds=len(present) // 4 + j // 4))
                orig = others.get(url)
                mime = "image/jpeg" if url.endswith(".jpg") else "text/html"
                at = start + timedelta(milliseconds=250 * (len(present) + j))
                record_id = _record_id(crawl_id, f"p{j:06d}", at)
                capture = _capture(record_id, url, when, warc, offset, crawl_id, None,
                                   orig, digest=_digest(url), mime=mime)
                if orig is None:
                    others[url] = capture
                page_caps.append(capture)
                offset += 800
            (_write_bulk if bulk else _write_one_by_one)(db, article_caps, revisits, fresh, page_caps)
            for r, capture in fresh:
                current[r.key] = (r, capture)
            n = len(article_caps) + len(page_caps)
            db["warc_files"].insert({"name": warc, "path": f"/bench/{warc}", "sha256": _digest(warc),
                                     "size": offset, "records": 2 * n, "captures": n, "status": "ingested",
                                     "crawl_id": crawl_id, "ingested_at": _stamp(start)}, replace=True)
        finished = _stamp(start + timedelta(hours=3))
        store.mark_removed(db, crawl_id, when=finished)
        store.record_crawl(db, crawl_id, started=_stamp(start), finished=finished, status="complete",
                           full=True, warc_files=[warc], pages=n - plan.images, requisites=plan.images,
                           errors=0, start_urls=[HOST + "/syria"])
        if hasattr(schema, "refresh_statistics"):  # what ingest does after its files (schema 2 on)
            schema.refresh_statistics(db)
        seconds = time.perf_counter() - t
        captures_total += n
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]
        built.stats.append(CrawlStat(week, n, captures_total, seconds, path.stat().st_size, versions))
        log(f"  {crawl_id}: {n} captures in {seconds:.1f}s, {versions} versions, "
            f"{path.stat().st_size / 1e6:.0f} MB")
        if snapshot_at and week in snapshot_at:
            db.close()
            _copy(path, snapshot_at[week])
            db = schema.open_store(path)
    db.close()
    built.sample = sample_of(path)
    return built


def _write_one_by_one(db, article_caps, revisits, fresh, page_caps) -> None:
    """A crawl's rows through the store's own functions, capture by capture, as ingest writes them."""
    from storage import store

    payload = {key: orig for key, _capture_row, orig in revisits}
    records = {capture["id"]: r for r, capture in fresh}
    for capture in article_caps:
        store.insert_capture(db, capture)
        if capture["id"] in records:
            _outcome, version_id = store.apply_record(db, records[capture["id"]], capture)
            capture["version_id"] = version_id
        else:
            orig = payload[capture["article_key"]]
            record = store.record_from_version(db, orig["version_id"])
            store.apply_record(db, record, capture, source_capture=orig)
    for capture in page_caps:
        store.insert_capture(db, capture)
        if not capture["url"].endswith(".jpg") and not capture["is_revisit"]:
            db.execute("UPDATE captures SET outcome = 'not-article' WHERE id = ?", [capture["id"]])


def _write_bulk(db, article_caps, revisits, fresh, page_caps) -> None:
    """The same rows as _write_one_by_one, most of them in a few statements.

    A revisit of an unchanged article (all but a few of every weekly crawl) writes, in
    storage.store._apply_record's "unchanged" branch: its capture row (article, version and outcome
    set), the version's last_seen, the article's url and times, and latest_versions' copy of them
    (sync_latest(whole=False)). Those are the same statements here, run with executemany; new and
    changed articles still go through store.apply_record, in capture order, so every id is the one
    ingest would give. The test compares the two stores table by table."""
    from storage import store

    conn = db.conn
    done = {capture["id"]: orig for _key, capture, orig in revisits}
    rows = []
    for capture in article_caps:
        orig = done.get(capture["id"])
        extra = ({"version_id": orig["version_id"], "outcome": "unchanged"} if orig is not None
                 else {"version_id": None, "outcome": None})
        rows.append({**capture, **extra})
    for capture in page_caps:
        outcome = None if capture["url"].endswith(".jpg") or capture["is_revisit"] else "not-article"
        rows.append({**capture, "version_id": None, "outcome": outcome})
    columns = list(rows[0])
    conn.executemany(f"INSERT OR IGNORE INTO captures ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' for _ in columns)})", [[r[c] for c in columns] for r in rows])
    seen = [(capture["fetched_at"], capture["url"], key, orig["version_id"])
            for key, capture, orig in revisits]
    conn.executemany("UPDATE versions SET last_seen = max(coalesce(last_seen, ''), ?) WHERE id = ?",
                     [(when, vid) for when, _url, _key, vid in seen])
    conn.executemany(
        """
        UPDATE articles SET
            url = CASE WHEN ? >= coalesce(last_seen, '') THEN ? ELSE url END,
            first_seen = min(coalesce(first_seen, ?), ?),
            last_seen = max(coalesce(last_seen, ''), ?),
            removed_at = NULL,
            removed_in_crawl = NULL
        WHERE key = ?
        """, [(when, url, when, when, when, key) for when, url, key, _vid in seen])
    if hasattr(store, "sync_latest"):  # schema 2 on: latest_versions a table (before, a view)
        conn.executemany(
            "UPDATE latest_versions SET (url, first_seen, last_seen, removed_at) = "
            "(SELECT url, first_seen, last_seen, removed_at FROM articles WHERE key = ?) "
            "WHERE article_key = ?",
            [(key, key) for _when, _url, key, _vid in seen])
    for r, capture in fresh:
        _outcome, version_id = store.apply_record(db, r, capture)
        capture["version_id"] = version_id


def one_more_crawl(path: Path, plan: Plan, label: str) -> tuple[float, float]:
    """Write one more weekly crawl into an existing store, as build's later crawls do (revisits of
    every present article and page, a few edits and retitles); returns the seconds it took, wall
    and this process's CPU (on a shared machine the wall time is mostly waiting for a core).

    The state comes from the store itself, so it runs on a store built by any version of the code:
    the benchmark times it on the store after 1 and after N crawls, alternately, so that the load
    of a shared machine falls on both alike.
    """
    from dataclasses import replace

    from storage import schema, store

    db = schema.open_store(path)
    rng = random.Random(label)
    rows = list(db.query(
        "SELECT a.key, c.* FROM articles a JOIN versions v ON v.id = a.current_version_id "
        "JOIN captures c ON c.id = v.capture_id WHERE a.removed_at IS NULL ORDER BY a.key"))
    others = list(db.query("SELECT * FROM captures WHERE is_revisit = 0 AND article_key IS NULL "
                           "AND crawl_id = (SELECT min(id) FROM crawls)"))
    last = db.execute("SELECT max(started) FROM crawls").fetchone()[0]
    start = datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(weeks=1)
    crawl_id = f"crawl-{label}"
    warc = f"deeply-{start:%Y%m%d%H%M%S}-{label}.warc.gz"
    changed = set(rng.sample([r["key"] for r in rows], plan.edited + plan.retitled))
    retitle = set(sorted(changed)[: plan.retitled])
    t, cpu = time.perf_counter(), time.process_time()
    offset = n = 0
    with db.atomic():
        store.ensure_crawl(db, crawl_id)
        for i, orig in enumerate(rows):
            key = orig.pop("key")
            when = _stamp(start + timedelta(seconds=i // 4))
            capture_id = _record_id(crawl_id, f"{i:06d}", start + timedelta(milliseconds=250 * i))
            record = store.record_from_version(db, orig["version_id"])
            if key in changed:
                if key in retitle:
                    record = replace(record, title=f"{record.title} (updated {label})", content_hash="")
                else:
                    record = replace(record, text=f"{record.text} Added in {label}.", content_hash="")
                capture = _capture(capture_id, orig["url"], when, warc, offset, crawl_id, key, None,
                                   digest=_digest(record.content_hash))
                store.insert_capture(db, capture)
                store.apply_record(db, record, capture)
            else:
                capture = _capture(capture_id, orig["url"], when, warc, offset, crawl_id, key, orig)
                store.insert_capture(db, capture)
                store.apply_record(db, record, capture, source_capture=orig)
            offset += 2000
            n += 1
        for j, orig in enumerate(others):
            when = _stamp(start + timedelta(seconds=len(rows) // 4 + j // 4))
            at = start + timedelta(milliseconds=250 * (len(rows) + j))
            record_id = _record_id(crawl_id, f"p{j:06d}", at)
            capture = _capture(record_id, orig["url"], when, warc, offset, crawl_id,
                               None, orig, mime=orig["mime"])
            store.insert_capture(db, capture)
            offset += 800
            n += 1
        db["warc_files"].insert({"name": warc, "path": f"/bench/{warc}", "sha256": _digest(warc),
                                 "size": offset, "records": 2 * n, "captures": n, "status": "ingested",
                                 "crawl_id": crawl_id, "ingested_at": _stamp(start)}, replace=True)
    finished = _stamp(start + timedelta(hours=3))
    store.mark_removed(db, crawl_id, when=finished)
    store.record_crawl(db, crawl_id, started=_stamp(start), finished=finished, status="complete", full=True,
                       warc_files=[warc], errors=0)
    if hasattr(schema, "refresh_statistics"):
        schema.refresh_statistics(db)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    db.close()
    return seconds, cpu


def _capture(capture_id, url, when, warc, offset, crawl_id, key, orig, digest=None, mime="text/html") -> dict:
    return {
        "id": capture_id, "url": url, "fetched_at": when, "status": 200, "mime": mime,
        "payload_digest": orig["payload_digest"] if orig else digest, "warc_file": warc,
        "warc_offset": offset, "warc_length": 2000 if key else 800,
        "warc_type": "revisit" if orig else "response", "is_revisit": int(orig is not None),
        "refers_to": orig["id"] if orig else None, "refers_to_uri": orig["url"] if orig else None,
        "refers_to_date": orig["fetched_at"] if orig else None, "crawl_id": crawl_id,
        "article_key": key, "replay_url": f"http://127.0.0.1:8080/deeply/{_digits(when)}/{url}",
    }


def _digits(when: str) -> str:
    return "".join(c for c in when[:19] if c.isdigit())


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(src)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    shutil.copyfile(src, dst)


def sample_of(path: Path) -> dict:
    """An article with the most versions, an interview's speaker, an author, a topic, a word and
    the last crawl: what the timed pages ask for."""
    conn = sqlite3.connect(path)
    try:
        one = lambda sql: (conn.execute(sql).fetchone() or [None])[0]  # noqa: E731
        return {
            "key": one("SELECT article_key FROM versions GROUP BY article_key ORDER BY max(version) DESC, "
                       "article_key LIMIT 1"),
            "speaker": one("SELECT speaker FROM qa_turns WHERE role = 'answer' GROUP BY speaker "
                           "ORDER BY count(*) DESC LIMIT 1"),
            "author": one("SELECT j.value FROM versions, json_each(versions.authors) j GROUP BY j.value "
                          "ORDER BY count(*) DESC LIMIT 1"),
            "topic": one("SELECT j.value FROM versions, json_each(versions.topics) j GROUP BY j.value "
                         "ORDER BY count(*) DESC LIMIT 1"),
            "kind": "interview",
            "year": one("SELECT year FROM versions GROUP BY year ORDER BY count(*) DESC LIMIT 1"),
            "site": "syria",
            "crawl": one("SELECT id FROM crawls ORDER BY started DESC LIMIT 1"),
            "q": "siege",
        }
    finally:
        conn.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("db", type=Path)
    p.add_argument("--articles", type=int, default=Plan.articles)
    p.add_argument("--crawls", type=int, default=Plan.crawls)
    p.add_argument("--snapshot", action="append", default=[], metavar="N=PATH",
                   help="Copy the store to PATH after crawl N (repeatable).")
    p.add_argument("--stats", type=Path, help="Write the per-crawl numbers here (JSON).")
    p.add_argument("--one-by-one", action="store_true",
                   help="Write every capture through the store's functions one at a time (the slow "
                        "reference the bulk writes are checked against).")
    p.add_argument("--one-more", metavar="LABEL",
                   help="Instead: write one more weekly crawl into the existing store DB; print its "
                        "seconds, wall and CPU.")
    args = p.parse_args(argv)
    if args.one_more:
        print("{:.3f} {:.3f}".format(*one_more_crawl(args.db, Plan(), args.one_more)))
        return 0
    if args.db.exists():
        p.error(f"{args.db} exists: the generator writes a new store")
    snaps = {int(s.split("=", 1)[0]): Path(s.split("=", 1)[1]) for s in args.snapshot}
    built = build(args.db, Plan(articles=args.articles, crawls=args.crawls),
                  log=lambda m: print(m, file=sys.stderr, flush=True), snapshot_at=snaps,
                  bulk=not args.one_by_one)
    if args.stats:
        import json
        from dataclasses import asdict

        args.stats.write_text(json.dumps({"stats": [asdict(s) for s in built.stats], "sample": built.sample},
                                         indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
