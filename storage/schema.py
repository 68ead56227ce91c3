"""The store's schema, created idempotently on every open for writing.

The table and column names are an interface: archivists write SQL against them and the canned
queries in metadata.yml depend on them. Change them only together with SCHEMA_VERSION.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
from sqlite_utils import Database

from storage.util import StoreError, utc_now

# Bump on any change of tables, columns, indexes or views; open_store() refuses a newer file
# rather than writing rows an older program does not understand.
SCHEMA_VERSION = 1


class SchemaError(StoreError):
    pass


class StoreDamaged(StoreError):
    pass


def _narrow_update_trigger(db, table: str, columns) -> None:
    """sqlite-utils' FTS update trigger fires on any UPDATE of the row; ingest updates `last_seen` on
    every unchanged capture, which re-indexed the whole text each time (a fifth of a re-crawl's
    ingest). Fire it only when an indexed column changes; idempotent on existing stores."""
    name = f"{table}_au"
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone()
    if not row or " UPDATE OF " in row[0].upper():
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = re.sub(rf'AFTER UPDATE ON (\[{table}\]|"{table}"|{table}\b)', rf"AFTER UPDATE OF {cols} ON \1",
                 row[0], count=1)
    if sql == row[0]:
        return  # a form this code does not know: leave it as it is
    db.execute(f'DROP TRIGGER "{name}"')
    db.execute(sql)


def check_store(path) -> None:
    """Refuse a file that is not a sound SQLite database before anything opens it to write or serve.

    Opened read-only: a damaged store is evidence to restore from, and writing into it (or serving
    half of it) would spread the damage. quick_check reads every page once, a fraction of a second
    for hundreds of megabytes. A missing or empty file is a new store, not a damaged one.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return
    how = "restore it from a backup, or ingest the WARCs into a new store; it was left as it is"
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise StoreDamaged(f"{path} is not a usable SQLite store ({e}): {how}") from None
    if problems != ["ok"]:
        raise StoreDamaged(f"{path} is damaged (SQLite quick_check: {'; '.join(problems)[:200]}): {how}")


# Plain DDL rather than table.create(): the references are circular (a version points to its
# capture, a capture to its version), which sqlite-utils' create() cannot declare. Foreign keys
# are declared for Datasette's links and for readers, not enforced (crawl rows may come later).
TABLES: dict[str, str] = {
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key TEXT PRIMARY KEY,
            value TEXT
        )""",
    "crawls": """
        CREATE TABLE IF NOT EXISTS crawls (
            id TEXT PRIMARY KEY,
            started TEXT,
            finished TEXT,
            status TEXT,
            full_crawl INTEGER,
            start_urls TEXT,
            warc_files TEXT,
            pages INTEGER,
            requisites INTEGER,
            new_articles INTEGER,
            changed INTEGER,
            unchanged INTEGER,
            removed INTEGER,
            errors INTEGER,
            captures INTEGER,
            notes TEXT
        )""",
    "warc_files": """
        CREATE TABLE IF NOT EXISTS warc_files (
            name TEXT PRIMARY KEY,
            path TEXT,
            sha256 TEXT,
            size INTEGER,
            records INTEGER,
            captures INTEGER,
            status TEXT,
            damaged_at INTEGER,
            error TEXT,
            crawl_id TEXT REFERENCES crawls(id),
            ingested_at TEXT,
            file_name TEXT,
            format TEXT,
            framing TEXT,
            digest_faults INTEGER,
            digest_fault_list TEXT
        )""",
    "articles": """
        CREATE TABLE IF NOT EXISTS articles (
            key TEXT PRIMARY KEY,
            site TEXT,
            url TEXT,
            first_seen TEXT,
            last_seen TEXT,
            current_version INTEGER,
            current_version_id INTEGER REFERENCES versions(id),
            removed_at TEXT,
            removed_in_crawl TEXT REFERENCES crawls(id)
        )""",
    "versions": """
        CREATE TABLE IF NOT EXISTS versions (
            id INTEGER PRIMARY KEY,
            article_key TEXT NOT NULL REFERENCES articles(key),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            site TEXT,
            url TEXT,
            title TEXT,
            summary TEXT,
            authors TEXT,
            published TEXT,
            year INTEGER,
            read_time_minutes INTEGER,
            kind TEXT,
            topics TEXT,
            text TEXT,
            images TEXT,
            qa_turns INTEGER,
            qa_hash TEXT,
            extractor_version TEXT,
            cause TEXT,
            first_seen TEXT,
            last_seen TEXT,
            crawl_id TEXT REFERENCES crawls(id),
            capture_id TEXT REFERENCES captures(id),
            replay_url TEXT
        )""",
    "qa_turns": """
        CREATE TABLE IF NOT EXISTS qa_turns (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            position INTEGER NOT NULL,
            speaker TEXT,
            role TEXT,
            text TEXT,
            PRIMARY KEY (version_id, position)
        )""",
    "captures": """
        CREATE TABLE IF NOT EXISTS captures (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            fetched_at TEXT,
            status INTEGER,
            mime TEXT,
            payload_digest TEXT,
            warc_file TEXT NOT NULL REFERENCES warc_files(name),
            warc_offset INTEGER,
            warc_length INTEGER,
            warc_type TEXT,
            is_revisit INTEGER,
            refers_to TEXT REFERENCES captures(id),
            refers_to_uri TEXT,
            refers_to_date TEXT,
            crawl_id TEXT REFERENCES crawls(id),
            article_key TEXT REFERENCES articles(key),
            version_id INTEGER REFERENCES versions(id),
            outcome TEXT,
            extract_error TEXT,
            replay_url TEXT,
            warc_member TEXT,
            digest_fault TEXT
        )""",
    # The page list a WACZ package came with (pages/pages.jsonl): its titles are the curator's.
    "archive_pages": """
        CREATE TABLE IF NOT EXISTS archive_pages (
            warc_file TEXT NOT NULL REFERENCES warc_files(name),
            url TEXT NOT NULL,
            ts TEXT NOT NULL,
            title TEXT,
            PRIMARY KEY (warc_file, url, ts)
        )""",
    # `deeply qa`: one row per page of a crawl replayed in a browser (replay/qa.py); a re-check
    # replaces the page's row.
    "qa": """
        CREATE TABLE IF NOT EXISTS qa (
            crawl_id TEXT NOT NULL REFERENCES crawls(id),
            url TEXT NOT NULL,
            capture_id TEXT REFERENCES captures(id),
            checked_at TEXT,
            replay_url TEXT,
            complete INTEGER,
            requests INTEGER,
            request_hosts TEXT,
            found INTEGER,
            missing INTEGER,
            blocked INTEGER,
            failed INTEGER,
            console_errors INTEGER,
            text_match REAL,
            screenshot TEXT,
            missing_urls TEXT,
            blocked_urls TEXT,
            problems TEXT,
            PRIMARY KEY (crawl_id, url)
        )""",
}

# Columns added to tables of schema version 1 (foreign archives: a file known by its content, a
# WACZ member, digest mismatches; why a version exists; requisites by host): added in place to
# older stores, never rewritten.
ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "warc_files": {"file_name": "TEXT", "format": "TEXT", "framing": "TEXT", "digest_faults": "INTEGER",
                   "digest_fault_list": "TEXT"},
    "captures": {"warc_member": "TEXT", "digest_fault": "TEXT"},
    # Why a version exists: "site" (the page changed, or was first seen), "extractor" (the same
    # bytes gave other content under a newer extractor). NULL in older rows means "site".
    "versions": {"cause": "TEXT"},
    "crawls": {"requisite_hosts": "TEXT"},  # JSON: host -> {fetched, failed, skipped}
}

# Every lookup that ingest makes per record, and every filter of the canned queries.
INDEXES: list[tuple[str, tuple[str, ...], bool]] = [
    ("versions", ("article_key", "version"), True),
    ("versions", ("content_hash",), False),
    ("versions", ("crawl_id",), False),
    ("versions", ("capture_id",), False),
    ("versions", ("published",), False),
    ("articles", ("site",), False),
    ("articles", ("removed_in_crawl",), False),
    ("articles", ("removed_at",), False),
    ("articles", ("current_version_id",), True),
    ("articles", ("last_seen",), False),
    ("qa_turns", ("speaker",), False),
    ("captures", ("url", "fetched_at"), False),
    ("captures", ("payload_digest",), False),
    ("captures", ("crawl_id", "article_key"), False),
    ("captures", ("article_key", "fetched_at"), False),
    ("captures", ("version_id",), False),
    ("captures", ("warc_file", "warc_offset"), False),
    ("captures", ("refers_to",), False),
    ("warc_files", ("sha256",), False),
    ("warc_files", ("file_name",), False),
    ("captures", ("digest_fault",), False),
]

FTS: dict[str, list[str]] = {
    "versions": ["title", "summary", "text"],
    "qa_turns": ["text"],
}

# One row per article with its current content: what most questions start from, and a view
# (unlike a canned query) can carry facets in Datasette.
VIEWS = {
    "latest_versions": """
        SELECT
            a.key AS article_key, a.site, a.url, v.version, v.id AS version_id,
            v.title, v.summary, v.authors, v.published, v.year, v.read_time_minutes, v.kind,
            v.topics, v.qa_turns, v.text, a.first_seen, a.last_seen, a.removed_at,
            v.first_seen AS version_first_seen, v.replay_url
        FROM articles a JOIN versions v ON v.id = a.current_version_id
    """,
}


def ensure_schema(db: Database) -> None:
    """Create whatever is missing; never drops or rewrites existing data."""
    version = _schema_version(db)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"store has schema version {version}, this program knows up to {SCHEMA_VERSION}: upgrade it"
        )
    # WAL lets Datasette read while an ingest writes; it must be switched outside a transaction.
    db.enable_wal()
    with db.atomic():
        for sql in TABLES.values():
            db.execute(sql.strip())
        add_missing_columns(db)
        for table, columns, unique in INDEXES:
            db[table].create_index(
                columns, index_name=f"idx_{table}_{'_'.join(columns)}", unique=unique, if_not_exists=True
            )
        for table, columns in FTS.items():
            if not db[f"{table}_fts"].exists():
                db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
            _narrow_update_trigger(db, table, columns)
        for name, sql in VIEWS.items():
            db.execute(f"CREATE VIEW IF NOT EXISTS {name} AS {sql.strip()}")
        if version is None:
            db["meta"].insert_all(
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "created_at", "value": utc_now()},
                ],
                replace=True,
            )


def add_missing_columns(db: Database) -> None:
    """Idempotent: each column of ADDED_COLUMNS that its table lacks is added."""
    for table, columns in ADDED_COLUMNS.items():
        have = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")').fetchall()}
        for name, kind in columns.items():
            if name not in have:
                db.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}')


def _schema_version(db: Database) -> int | None:
    if not db["meta"].exists():
        return None
    rows = list(db.query("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(rows[0]["value"]) if rows else None


def open_store(path, create: bool = True) -> Database:
    """Open (and if needed create) the store for writing."""
    db = sqlite_utils.Database(path)
    # A reader (Datasette in WAL mode) may hold a snapshot briefly: wait instead of failing.
    db.execute("PRAGMA busy_timeout = 30000")
    if create:
        ensure_schema(db)
    return db
