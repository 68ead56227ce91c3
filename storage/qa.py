"""What `deeply qa` reads from the store (a crawl's pages, with their extracted text) and writes back
(one `qa` row per page checked): the replay check asks, the store answers in its own SQL."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from storage.lock import writer_lock
from storage.schema import open_store
from storage.util import StoreError

QA_COLUMNS = ("crawl_id", "url", "capture_id", "checked_at", "replay_url", "complete", "requests",
              "request_hosts", "found", "missing", "blocked", "failed", "console_errors", "text_match",
              "screenshot", "missing_urls", "blocked_urls", "problems")


@dataclass(frozen=True)
class QaPage:
    url: str
    capture_id: str
    timestamp: str  # 14 digits, as replay URLs have it
    text: str | None  # the extracted record's text; None for a page with no record (a listing)


def _read_only(db_path) -> sqlite3.Connection:
    path = Path(db_path)
    if not path.is_file():
        raise StoreError(f"no store at {path} (run `deeply ingest` or `deeply run` first)")
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def latest_crawl(db_path) -> str | None:
    """The crawl that started last among those with captures in the store."""
    conn = _read_only(db_path)
    try:
        row = conn.execute(
            "SELECT c.id FROM crawls c WHERE EXISTS (SELECT 1 FROM captures WHERE crawl_id = c.id) "
            "ORDER BY coalesce(c.started, '') DESC, c.rowid DESC LIMIT 1"
        ).fetchone()
        return row["id"] if row else None
    finally:
        conn.close()


def crawl_pages(db_path, crawl_id: str) -> list[QaPage]:
    """The HTML pages a crawl captured on its start hosts (200s, and revisits of them), by URL: an
    iframe's document on another host is a requisite, checked as part of its page."""
    conn = _read_only(db_path)
    try:
        crawl = conn.execute("SELECT start_urls FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        if crawl is None:
            raise StoreError(f"no crawl {crawl_id!r} in {db_path}")
        starts = json.loads(crawl["start_urls"] or "[]")
        hosts = {urlsplit(u).netloc.lower() for u in starts}
        rows = conn.execute(
            """SELECT c.id, c.url, c.fetched_at, v.text
               FROM captures c
               LEFT JOIN captures o ON o.id = c.refers_to
               LEFT JOIN versions v ON v.id = c.version_id
               WHERE c.crawl_id = ? AND c.status IN (200, 304)
                 AND coalesce(o.mime, c.mime, '') IN ('text/html', 'application/xhtml+xml')
               ORDER BY c.url, c.fetched_at DESC""",
            [crawl_id],
        ).fetchall()
    finally:
        conn.close()
    pages: dict[str, QaPage] = {}
    for row in rows:
        if row["url"] in pages or (hosts and urlsplit(row["url"]).netloc.lower() not in hosts):
            continue
        stamp = "".join(ch for ch in row["fetched_at"] or "" if ch.isdigit())[:14]
        pages[row["url"]] = QaPage(row["url"], row["id"], stamp, row["text"])
    return list(pages.values())


def record_qa(db_path, rows: list[dict]) -> None:
    """One row per (crawl, page); a page checked again replaces its row. One transaction."""
    if not rows:
        return
    unknown = {k for row in rows for k in row} - set(QA_COLUMNS)
    if unknown:
        raise TypeError(f"unknown qa fields: {', '.join(sorted(unknown))}")
    with writer_lock(db_path):
        db = open_store(Path(db_path))
        with db.atomic():
            db["qa"].insert_all(rows, pk=("crawl_id", "url"), replace=True)
        db.close()
