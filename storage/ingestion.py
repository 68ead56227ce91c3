"""Ingest WARC files into the store: captures for every response and revisit, versions for articles.

Each file is one transaction: a killed ingest leaves the store as it was before that file, and a
second run finds the file's SHA-256 already recorded and skips it. A file is known by its content
(SHA-256 and size), not its name: another file of the same name is another file, and a damaged
file's records before the damage are kept (the file marked partial) so that a re-run over the same
file grown longer (its first bytes unchanged) continues where it stopped. Every format the archive
reader knows (WARC, ARC, WACZ, whole-file gzip) comes in the same way.

Extraction dominates the cost, so pages go in batches to the extraction pool (extract/pool.py,
one process per core unless told) while this process reads the WARC and writes the database, in
file order (revisits may point at earlier records of the same file, and versions must follow the
order of the captures).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from archive import HTML_MIMES, ArchiveDamage, FileStats, iter_records, record_payload
from extract.pool import ExtractorPool, extract_batch
from extract.record import EXTRACTOR_VERSION
from storage import store
from storage.lock import writer_lock
from storage.replay_links import capture_replay_url
from storage.schema import check_store, open_store, refresh_statistics
from storage.util import StoreError, file_sha256, utc_now

BATCH = 16  # pages per task sent to a worker
IN_FLIGHT = 4  # batches queued ahead, bounding the memory held for pages not yet written


@dataclass
class FileReport:
    name: str
    path: str
    status: str = "pending"  # ingested | skipped | partial | failed
    records: int = 0
    captures: int = 0
    known: int = 0  # captures already in the store (a re-run over a partial file)
    damaged_at: int | None = None
    message: str = ""
    what: str = ""  # "an ARC file", "a WACZ package", "a whole-file gzip": said when it is not a plain WARC
    digest_faults: list = field(default_factory=list)  # (member, offset, record id, fault)

    @property
    def failed(self) -> bool:
        return self.status in ("partial", "failed")

    def line(self) -> str:
        """The one line a person reads for this file."""
        if self.status == "skipped":
            return f"{self.name}: skipped, {self.message}"
        what = f" ({self.what})" if self.what else ""
        faults = self._faults()
        if self.failed and self.damaged_at is None:
            return f"{self.name}: FAILED: {self.message}"
        if self.failed:
            kept = f"{self.records} records before it kept" if self.records else "nothing ingested"
            return f"{self.name}{what}: FAILED: {self.message}; {kept}{faults}"
        extra = f", {self.known} already known" if self.known else ""
        return f"{self.name}{what}: {self.records} records, {self.captures} new captures{extra}{faults}"

    def _faults(self) -> str:
        if not self.digest_faults:
            return ""
        shown = ", ".join(f"{fault} at {member + ' ' if member else ''}offset {offset}"
                          for member, offset, _, fault in self.digest_faults[:3])
        more = f" and {len(self.digest_faults) - 3} more" if len(self.digest_faults) > 3 else ""
        return f"; {len(self.digest_faults)} records fail their digests ({shown}{more}), kept and marked"


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    captures: int = 0
    revisits: int = 0
    revisits_unresolved: int = 0
    extracted: int = 0
    not_articles: int = 0
    extract_errors: int = 0
    new_articles: int = 0
    changed: int = 0
    unchanged: int = 0
    reextracted: int = 0  # new versions whose cause is a newer extractor, not the site
    bytes: int = 0
    seconds: float = 0.0
    crawl_ids: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not any(f.failed for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.failed]

    def summary(self) -> str:
        done = sum(1 for f in self.files if f.status == "ingested")
        skipped = sum(1 for f in self.files if f.status == "skipped")
        parts = [
            f"{done} file(s) ingested, {skipped} skipped, {len(self.failed)} failed",
            f"{self.captures} captures ({self.revisits} revisits, {self.revisits_unresolved} unresolved)",
            f"{self.new_articles} new articles, {self.changed} changed, {self.unchanged} unchanged",
            f"{self.extracted} pages extracted, {self.not_articles} not articles, "
            f"{self.extract_errors} extraction errors",
            f"{self.bytes / 1e6:.1f} MB in {self.seconds:.1f}s",
        ]
        return "; ".join(parts)


# --- the per-file pipeline ----------------------------------------------------------------------


class _FileIngest:
    def __init__(self, db: Database, path: Path, report: IngestReport, file_report: FileReport,
                 extractor: ExtractorPool, crawl_id: str | None, replay_prefix: str | None,
                 warc_dir: Path | None, key: str):
        import extract

        self.extract = extract
        self.db = db
        self.path = path
        self.name = key  # the store's key of this file: its name, unless another file had that name
        self.report = report
        self.file = file_report
        self.extractor = extractor
        self.crawl_id = crawl_id
        self.replay_prefix = replay_prefix
        self.warc_dir = warc_dir
        self.batch: list = []
        self.jobs: list = []
        self.pending: deque = deque()

    # Which payloads go to the extractor: decided from the headers alone, before reading the body.
    def wants_body(self, entry) -> bool:
        return (
            not entry.is_revisit
            and entry.status == 200
            and entry.is_html
            and self.extract.is_article_url(entry.url)
            and not store.capture_exists(self.db, entry.record_id or self._fallback_id(entry))
        )

    def _fallback_id(self, entry) -> str:
        # A record without WARC-Record-ID still needs a stable id for re-ingest to recognise it.
        return f"urn:x-deeply:{self.name}:{entry.offset}"

    def feed(self, entry) -> None:
        if not entry.record_id:
            entry.record_id = self._fallback_id(entry)
        has_job = entry.body is not None
        if has_job:
            self.jobs.append((entry.body, entry.url, entry.headers))
            entry.body = None
        self.batch.append((entry, has_job))
        if len(self.jobs) >= BATCH or len(self.batch) >= 2000:
            self.submit()

    def submit(self) -> None:
        if self.batch:
            self.pending.append((self.batch, self.extractor.submit(self.jobs)))
            self.batch, self.jobs = [], []
        while len(self.pending) > IN_FLIGHT:
            self._apply(*self.pending.popleft())

    def flush(self) -> None:
        self.submit()
        while self.pending:
            self._apply(*self.pending.popleft())

    def _apply(self, batch, handle) -> None:
        results = iter(self.extractor.result(handle))
        for entry, has_job in batch:
            result = next(results) if has_job else None
            self.store(entry, has_job, result)

    # --- one capture ---

    def store(self, entry, has_job: bool, result) -> None:
        db = self.db
        if store.capture_exists(db, entry.record_id):
            self.file.known += 1
            return
        capture = {
            "id": entry.record_id,
            "url": entry.url,
            "fetched_at": entry.fetched_at,
            "status": entry.status,
            "mime": entry.mime,
            "payload_digest": entry.payload_digest,
            "warc_file": self.name,
            "warc_member": entry.member,
            "digest_fault": entry.digest_fault,
            "warc_offset": entry.offset,
            "warc_length": entry.length,
            "warc_type": entry.warc_type,
            "is_revisit": int(entry.is_revisit),
            "refers_to": None,
            "refers_to_uri": entry.refers_to_uri,
            "refers_to_date": entry.refers_to_date,
            "crawl_id": self.crawl_id,
            "article_key": self._key(entry.url),
            "replay_url": capture_replay_url(self.replay_prefix, entry.fetched_at, entry.url),
        }
        original = None
        if entry.is_revisit:
            self.report.revisits += 1
            original = store.resolve_revisit(db, entry)
            if original is None:
                self.report.revisits_unresolved += 1
            else:
                capture["refers_to"] = original["id"]
                capture["status"] = capture["status"] or original["status"]
                capture["mime"] = capture["mime"] or original["mime"]
                capture["payload_digest"] = capture["payload_digest"] or original["payload_digest"]
        store.insert_capture(db, capture)
        self.file.captures += 1
        self.report.captures += 1

        if has_job:
            record, error = result
            if error:
                self.report.extract_errors += 1
                db.execute("UPDATE captures SET outcome = 'extract-error', extract_error = ? WHERE id = ?",
                           [error, capture["id"]])
            elif record is None:
                self._not_article(capture["id"])
            else:
                self.report.extracted += 1
                self._count(store.apply_record(db, record, capture)[0])
        elif original is not None and capture["article_key"]:
            self._apply_revisit(capture, original)

    def _key(self, url: str) -> str | None:
        try:
            return self.extract.canonical_key(url) if self.extract.is_article_url(url) else None
        except Exception:  # noqa: BLE001 - a URL the extractor cannot key is simply not an article
            return None

    def _apply_revisit(self, capture: dict, original: dict) -> None:
        """A revisit is the original's content seen again, at the revisit's time."""
        if original["version_id"] is not None and original["article_key"] == capture["article_key"]:
            # The newest reading of those bytes: a newer extractor may have versioned them again.
            version_id = store.newest_version_from(self.db, original["id"], capture["article_key"])
            record = store.record_from_version(self.db, version_id or original["version_id"])
            if record is not None:
                self._count(store.apply_record(self.db, record, capture, source_capture=original)[0])
                return
        if original["status"] != 200 or original["mime"] not in HTML_MIMES:
            return
        same_page = original["article_key"] == capture["article_key"]
        if (same_page and original["outcome"] == "not-article"
                and original.get("extractor_version") == EXTRACTOR_VERSION):
            # The same bytes under the same URL were found not to be an article by this extractor:
            # extracting them again on every re-crawl (in this process, with trafilatura's caches)
            # cost time and memory for the same answer.
            self._not_article(capture["id"])
            return
        # Same payload under another URL (or never extracted): extract it for this URL.
        try:
            here = self.path if original["warc_file"] == self.name else None
            rec = store.read_capture_row(self.db, original, self.warc_dir, path=here)
            html = record_payload(rec)
            headers = list(rec.http_headers.headers) if rec.http_headers is not None else []
        except Exception as e:  # noqa: BLE001 - the original's file may be gone; keep the capture
            self.db.execute("UPDATE captures SET extract_error = ? WHERE id = ?",
                            [f"original unreadable: {e}"[:500], capture["id"]])
            return
        record, error = extract_batch([(html, capture["url"], headers)])[0]
        if record is not None:
            self.report.extracted += 1
            self._count(store.apply_record(self.db, record, capture, source_capture=original)[0])
        elif error:
            self.report.extract_errors += 1
            self.db.execute("UPDATE captures SET outcome = 'extract-error', extract_error = ? WHERE id = ?",
                            [error, capture["id"]])
        else:
            self._not_article(capture["id"])
            if same_page and original["outcome"] == "not-article":
                self._not_article(original["id"], count=False)  # its verdict is this extractor's now

    def _not_article(self, capture_id: str, count: bool = True) -> None:
        if count:
            self.report.not_articles += 1
        self.db.execute("UPDATE captures SET outcome = 'not-article', extractor_version = ? WHERE id = ?",
                        [EXTRACTOR_VERSION, capture_id])

    def _count(self, outcome: str) -> None:
        if outcome == "new":
            self.report.new_articles += 1
        elif outcome == "changed":
            self.report.changed += 1
        else:
            self.report.unchanged += 1


# --- the entry point ----------------------------------------------------------------------------


def ingest(
    db_path,
    warc_paths: Iterable,
    crawl_id: str | None = None,
    progress: bool = True,
    replay_prefix: str | None = None,
    workers: int | None = None,
    warc_dir=None,
    log: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest WARC files (in the order given: versions follow capture order) into the store.

    `crawl_id` attributes the captures to a crawl; when None, a WARC's warcinfo `isPartOf` is used
    if it has one. `log` receives one line per file (skips and failures included). The store may
    not be written by another ingest meanwhile (StoreBusy).
    """
    from tqdm import tqdm

    started = time.monotonic()
    report = IngestReport()
    paths = [Path(p) for p in warc_paths]
    sizes = {p: (p.stat().st_size if p.is_file() else 0) for p in paths}
    say = log or (lambda line: None)
    with writer_lock(db_path):
        check_store(db_path)
        try:
            db = open_store(db_path)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store {db_path} for writing: {e}") from None
        extractor = ExtractorPool(workers)
        bar = tqdm(total=sum(sizes.values()), unit="B", unit_scale=True, unit_divisor=1024,
                   file=sys.stderr, disable=not progress, desc="ingest", dynamic_ncols=True)
        ok = False
        try:
            # First, so that this ingest's captures are compared with what the current extractor
            # reads in the versions already stored, not with what an older one read.
            _reextract(db, report, warc_dir, say)
            for path in paths:
                base = bar.n
                saved = _counters(report)
                try:
                    fr = _ingest_one(db, path, report, extractor, crawl_id, replay_prefix, warc_dir, bar)
                except (OSError, sqlite3.Error) as e:
                    # Unreadable file, full disk: that file's transaction is rolled back, the rest go on,
                    # and the report must not count what was rolled back.
                    _restore_counters(report, saved)
                    fr = FileReport(name=path.name, path=str(path), status="failed",
                                    message=f"{type(e).__name__}: {e}; nothing of this file was stored")
                report.files.append(fr)
                bar.update(max(base + sizes[path] - bar.n, 0))
                if progress:
                    bar.write(fr.line(), file=sys.stderr)
                say(fr.line())
            if any(f.status in ("ingested", "partial") for f in report.files) or report.reextracted:
                refresh_statistics(db)
            ok = True
        finally:
            extractor.close(abort=not ok)
            bar.close()
            db.close()
    report.seconds = time.monotonic() - started
    return report


WHAT = {"arc": "an ARC file", "wacz": "a WACZ package"}


def _ingest_one(db, path: Path, report: IngestReport, extractor: ExtractorPool, crawl_id, replay_prefix,
                warc_dir, bar) -> FileReport:
    fr = FileReport(name=path.name, path=str(path))
    if not path.is_file():
        fr.status, fr.message = "failed", "no such file"
        return fr
    sha, size = file_sha256(path)
    same = store._one(db, "SELECT name FROM warc_files WHERE sha256 = ? AND size = ? AND status = 'ingested'",
                      [sha, size])
    if same:
        also = "" if same["name"] == path.name else f" as {same['name']}"
        fr.status, fr.message = "skipped", f"already ingested (same SHA-256{also})"
        return fr
    key = file_key(db, path, sha, size)

    stats = FileStats()
    damage: ArchiveDamage | None = None
    base = bar.n
    with db.atomic():
        work = _FileIngest(db, path, report, fr, extractor, crawl_id, replay_prefix,
                           Path(warc_dir) if warc_dir else None, key)
        try:
            # Only the bytes hashed above: a file still being appended to is taken as it was then.
            for entry in iter_records(path, want_body=work.wants_body, stats=stats, size=size):
                if work.crawl_id is None and stats.warcinfo.get("isPartOf"):
                    # Our crawler (and Heritrix) name the crawl in warcinfo: use it when not told.
                    work.crawl_id = stats.warcinfo["isPartOf"]
                if work.crawl_id and work.crawl_id not in report.crawl_ids:
                    store.ensure_crawl(db, work.crawl_id)
                    report.crawl_ids.add(work.crawl_id)
                work.feed(entry)
                if entry.member is None and stats.framing != "stream-gzip":
                    bar.update(max(base + min(entry.offset + entry.length, size) - bar.n, 0))
        except ArchiveDamage as e:
            damage = e
        # Records read before any damage are written; the transaction commits them together.
        work.flush()
        crawl = work.crawl_id
        fr.records = stats.records
        fr.digest_faults = list(stats.digest_faults)
        fr.what = WHAT.get(stats.format or "", "")
        if stats.framing == "stream-gzip":
            fr.what = ", ".join(w for w in (fr.what, "gzipped as one stream") if w)
        if damage is not None:
            fr.status, fr.damaged_at = ("partial" if stats.records else "failed"), damage.offset
            fr.message = f"in {damage.member}: {damage.reason}" if damage.member else damage.reason
        else:
            fr.status = "ingested"
        if stats.records:
            db["warc_files"].upsert(
                {
                    "name": key,
                    "file_name": path.name,
                    "path": str(path.resolve()),
                    "sha256": sha,
                    "size": size,
                    "records": stats.records,
                    "captures": _count_captures(db, key),
                    "status": "ingested" if damage is None else "partial",
                    "damaged_at": damage.offset if damage else None,
                    "error": fr.message if damage else None,
                    "crawl_id": crawl,
                    "ingested_at": utc_now(),
                    "format": stats.format,
                    "framing": stats.framing,
                    "digest_faults": len(stats.digest_faults),
                    "digest_fault_list": json.dumps(
                        [{"member": m, "offset": o, "record_id": r, "fault": f}
                         for m, o, r, f in stats.digest_faults[:1000]]) if stats.digest_faults else None,
                },
                pk="name",
            )
            if stats.pages:
                db["archive_pages"].insert_all(
                    ({"warc_file": key, "url": p["url"], "ts": p.get("ts") or "", "title": p.get("title")}
                     for p in stats.pages), pk=("warc_file", "url", "ts"), replace=True)
        if crawl:
            _update_crawl(db, crawl, key)
    bar.update(max(base + size - bar.n, 0))
    report.bytes += size
    if key != path.name and fr.status != "skipped":
        fr.what = ", ".join(w for w in (fr.what, f"another file than the {path.name} ingested before, "
                                                 f"kept as {key}") if w)
    return fr


def file_key(db, path: Path, sha: str, size: int) -> str:
    """The store's key for this file: the key of the same file (same bytes, or the same file grown
    longer: its first bytes hash to what was ingested), else its name, else, when another file
    already has that name, the name with the first hex digits of its SHA-256."""
    rows = db.execute("SELECT name, sha256, size FROM warc_files WHERE coalesce(file_name, name) = ?",
                      [path.name]).fetchall()
    for name, old_sha, _ in rows:
        if old_sha == sha:
            return name
    for name, old_sha, old_size in rows:
        if old_size is not None and size > old_size and file_sha256(path, limit=old_size)[0] == old_sha:
            return name
    if not store._one(db, "SELECT 1 AS x FROM warc_files WHERE name = ?", [path.name]):
        return path.name
    return f"{path.name}~{sha[:12]}"


def _reextract(db, report: IngestReport, warc_dir, say) -> None:
    """Articles whose current version an older extractor made get read again from their WARC bytes:
    where the content differs, a new version whose cause is the extractor, not the site."""
    def extract(html, url, headers):
        return extract_batch([(html, url, headers)])[0][0]

    counts = store.reextract_stale(db, extract, EXTRACTOR_VERSION, warc_dir)
    report.reextracted = counts["reextracted"]
    if any(counts.values()):
        say(f"re-extracted with extractor {EXTRACTOR_VERSION}: {counts['reextracted']} changed, "
            f"{counts['same']} the same, {counts['unreadable']} unreadable")


_COUNTERS = ("captures", "revisits", "revisits_unresolved", "extracted", "not_articles", "extract_errors",
             "new_articles", "changed", "unchanged")


def _counters(report: IngestReport) -> tuple[dict, set]:
    return {k: getattr(report, k) for k in _COUNTERS}, set(report.crawl_ids)


def _restore_counters(report: IngestReport, saved: tuple[dict, set]) -> None:
    counts, crawl_ids = saved
    for k, v in counts.items():
        setattr(report, k, v)
    # A crawl row made inside the rolled-back transaction is gone too: the next file must make it.
    report.crawl_ids = crawl_ids


def _update_crawl(db, crawl: str, warc_name: str) -> None:
    row = store._one(db, "SELECT warc_files FROM crawls WHERE id = ?", [crawl]) or {}
    names = json.loads(row.get("warc_files") or "[]")
    if warc_name not in names:
        names.append(warc_name)
    db["crawls"].update(crawl, {**store.crawl_counts(db, crawl), "warc_files": json.dumps(names)})


def _count_captures(db, name: str) -> int:
    return db.execute("SELECT count(*) FROM captures WHERE warc_file = ?", [name]).fetchone()[0]
