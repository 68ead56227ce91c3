"""The store's tables as the stages around it read them: one named query each, read-only.

The crawler's dedup memory, `deeply run`'s pending WARCs and crawl counts, and the WACZ page list
ask the store through these functions, so a change of the tables is made here and in schema.py
only. Plain sqlite3 on a read-only connection: no sqlite-utils, no schema migration, nothing
written; a missing store (or one older than a table) reads as empty, never as an error.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from storage.schema import LATEST_CAPTURE_WHERE


@contextmanager
def read_only(db_path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the store, or None when there is no store file."""
    path = Path(db_path)
    if not path.is_file():
        yield None
        return
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


# The newest capture per URL whose payload is known (a 200 response, or a revisit of one; kept in
# latest_captures by a trigger), with the original response of its payload: the one with the same
# URL and payload digest.
LATEST_SQL = "select url, payload_digest from latest_captures"
# A store made before latest_captures (schema 5), until its next ingest migrates it: the same rows,
# grouped from every capture.
LATEST_SQL_BEFORE_V5 = f"""
  select url, payload_digest, max(fetched_at) as fetched_at
  from captures where {LATEST_CAPTURE_WHERE} group by url
"""
PRIORS_SQL = """
select l.url, l.payload_digest, o.fetched_at, o.warc_file, o.warc_offset
from ({latest}) l
join captures o on o.rowid = (
  select rowid from captures o2
  where o2.url = l.url and o2.payload_digest = l.payload_digest and o2.is_revisit = 0 and o2.status = 200
  order by o2.fetched_at desc limit 1
)
"""


def latest_originals(db_path) -> list[tuple[str, str, str, str | None, int | None]]:
    """(url, payload digest, WARC-Date, WARC file, offset) of the original response behind the
    latest capture of every URL: the dedup memory a re-crawl writes its revisits against."""
    with read_only(db_path) as conn:
        if conn is None:
            return []
        tables = _tables(conn)
        if "captures" not in tables:
            return []
        latest = LATEST_SQL if "latest_captures" in tables else LATEST_SQL_BEFORE_V5
        return conn.execute(PRIORS_SQL.format(latest=latest)).fetchall()


def ingested_warc_names(db_path) -> set[str]:
    """Names of the WARC files the store has ingested in full."""
    with read_only(db_path) as conn:
        if conn is None:
            return set()
        try:
            return {r[0] for r in conn.execute("SELECT name FROM warc_files WHERE status = 'ingested'")}
        except sqlite3.OperationalError:
            return set()


def crawl_row(db_path, crawl_id: str) -> dict:
    """The store's row of one crawl (its counts of new, changed, unchanged, removed articles)."""
    with read_only(db_path) as conn:
        if conn is None:
            return {}
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        return dict(row) if row else {}


def current_articles(db_path) -> list[dict] | None:
    """Every article with the URL, title and capture time (ISO, as stored) of its current version;
    None without a store or an article table.

    Columns beyond the documented few are not assumed, so a store of an older schema still lists
    its articles.
    """
    with read_only(db_path) as conn:
        if conn is None:
            return None
        acols = _columns(conn, "articles")
        if not {"key", "url"} <= acols:
            return None
        vcols = _columns(conn, "versions")
        ccols = _columns(conn, "captures")
        conn.row_factory = sqlite3.Row
        optional = ("current_version", "current_version_id", "removed_at", "first_seen")
        select = ["key", "url"] + [c for c in optional if c in acols]
        articles = [dict(r) for r in conn.execute(f"SELECT {', '.join(select)} FROM articles ORDER BY key")]
        versions: dict[str, list[dict]] = defaultdict(list)
        if {"article_key", "version"} <= vcols:
            vopt = ("id", "title", "url", "first_seen", "capture_id")
            vsel = ["article_key", "version"] + [c for c in vopt if c in vcols]
            for r in conn.execute(f"SELECT {', '.join(vsel)} FROM versions"):
                versions[r["article_key"]].append(dict(r))
        captures: dict = {}
        if {"id", "fetched_at"} <= ccols:
            csel = ["id", "fetched_at"] + (["url"] if "url" in ccols else [])
            captures = {r["id"]: dict(r) for r in conn.execute(f"SELECT {', '.join(csel)} FROM captures")}

    out = []
    for art in articles:
        vs = sorted(versions.get(art["key"], []), key=lambda v: v["version"] or 0)
        current_id = art.get("current_version_id")
        current = (
            next((v for v in vs if current_id is not None and v.get("id") == current_id), None)
            or next((v for v in vs if v["version"] == art.get("current_version")), None)
            or (vs[-1] if vs else {})
        )
        capture = captures.get(current.get("capture_id")) or {}
        out.append(
            {
                "key": art["key"],
                "url": capture.get("url") or current.get("url") or art["url"],
                "store_url": art["url"],
                "title": current.get("title") or "",
                "captured": capture.get("fetched_at") or current.get("first_seen") or art.get("first_seen"),
                "version": current.get("version"),
                "removed": bool(art.get("removed_at")),
            }
        )
    return out
