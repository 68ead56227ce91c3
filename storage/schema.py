"""The store's schema, created idempotently on every open for writing, and its migrations.

The table and column names are an interface: archivists write SQL against them and the canned
queries in metadata.yml depend on them. Change them only together with SCHEMA_VERSION.

Two ways a change reaches an existing store, both run by the next open for writing (ingest):
- a new table, index or column written as plain DDL in TABLES / INDEXES: the create-missing pass
  adds it (ALTER TABLE ... ADD COLUMN for a column missing from an existing table);
- anything that moves or derives data: one function in MIGRATIONS, run once, in its own
  transaction together with the bump of meta.schema_version, so a killed migration leaves the
  store at the last version it completed and the next open goes on from there.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
from sqlite_utils import Database

from storage.util import StoreError, utc_now

# Bump on any change of tables, columns, indexes or views; open_store() refuses a newer file
# rather than writing rows an older program does not understand.
SCHEMA_VERSION = 5

# The page cache of a connection that writes (open_store), in KiB.
WRITE_CACHE_KIB = 65536


class SchemaError(StoreError):
    pass


class StoreDamaged(StoreError):
    pass


def _narrow_update_trigger(db, table: str, columns) -> None:
    """sqlite-utils' FTS update trigger fires on any UPDATE of the row; ingest updates `last_seen` on
    every unchanged capture, which re-indexed the whole text each time, for text that had not
    changed. Fire it only when an indexed column changes; idempotent on existing stores."""
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
    half of it) would spread the damage. quick_check reads every page once, cheap beside any
    ingest or serve. A missing or empty file is a new store, not a damaged one.
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
        # One line: a quick_check row can hold several problems, a newline between each.
        detail = "; ".join(" ".join(str(p).split()) for p in problems)[:200]
        raise StoreDamaged(f"{path} is damaged (SQLite quick_check: {detail}): {how}")


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
            notes TEXT,
            requisite_hosts TEXT
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
            digest_fault TEXT,
            extractor_version TEXT
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
    # Each URL's newest capture whose payload is known (a 200, or a revisit of one), kept by the
    # trigger latest_captures_ai: the crawler's dedup memory (storage.queries.latest_originals)
    # reads these rows, as many as the site has URLs, instead of grouping every capture by URL.
    "latest_captures": """
        CREATE TABLE IF NOT EXISTS latest_captures (
            url TEXT PRIMARY KEY,
            fetched_at TEXT,
            payload_digest TEXT,
            capture_id TEXT REFERENCES captures(id)
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
    # The current version of every article, kept in step by ingest (store.sync_latest): the table
    # most pages open, read without a join over all versions, indexed for its facets and sorts.
    # The text stays in versions (version_id): every re-crawl rewrites each row's last_seen, and a
    # row carrying the whole text costs several pages per rewrite.
    "latest_versions": """
        CREATE TABLE IF NOT EXISTS latest_versions (
            article_key TEXT PRIMARY KEY REFERENCES articles(key),
            site TEXT,
            url TEXT,
            version INTEGER,
            version_id INTEGER REFERENCES versions(id),
            title TEXT,
            summary TEXT,
            authors TEXT,
            published TEXT,
            year INTEGER,
            read_time_minutes INTEGER,
            kind TEXT,
            topics TEXT,
            qa_turns INTEGER,
            first_seen TEXT,
            last_seen TEXT,
            removed_at TEXT,
            version_first_seen TEXT,
            replay_url TEXT
        )""",
}

# Many-to-many facets of a version: (lookup table, link table). Names and columns are the ones
# sqlite-utils' table.m2m() makes and finds (`authors_id`, `versions_id`), so ingest writes them
# through it; the JSON columns on versions stay as the record's own copy.
M2M: dict[str, str] = {"authors": "authors_versions", "topics": "topics_versions",
                       "speakers": "speakers_versions"}
for _name, _link in M2M.items():
    TABLES[_name] = f"""
        CREATE TABLE IF NOT EXISTS {_name} (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        )"""
    if _name == "speakers":
        # Each speaker's counts over the current versions, kept by the triggers in TRIGGERS: the
        # speakers list is then a table Datasette paginates, sorts and facets, not a query that
        # groups every turn and renders every speaker at once.
        TABLES[_name] = TABLES[_name].replace("name TEXT NOT NULL", """name TEXT NOT NULL,
            interviews INTEGER NOT NULL DEFAULT 0,
            questions INTEGER NOT NULL DEFAULT 0,
            answers INTEGER NOT NULL DEFAULT 0,
            role TEXT""")
    TABLES[_link] = f"""
        CREATE TABLE IF NOT EXISTS {_link} (
            versions_id INTEGER NOT NULL REFERENCES versions(id),
            {_name}_id INTEGER NOT NULL REFERENCES {_name}(id),
            PRIMARY KEY (versions_id, {_name}_id)
        )"""

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
    # The speakers query groups every turn of the current versions by speaker and role: read
    # from this index alone, never the turns' text.
    ("qa_turns", ("speaker", "role", "version_id"), False),
    # A capture's history lookups (an article's captures, a version's, the revisits of a capture,
    # a URL's) lead with the crawl: a weekly crawl then adds its entries at one end of each index
    # instead of one to every page of it, and a lookup by the second column alone is a skip-scan,
    # one seek per crawl (the statistics of refresh_statistics tell the planner so).
    ("captures", ("crawl_id", "article_key"), False),
    ("captures", ("crawl_id", "url"), False),
    ("captures", ("crawl_id", "version_id"), False),
    ("captures", ("crawl_id", "refers_to"), False),
    ("captures", ("warc_file", "warc_offset"), False),
    ("captures", ("fetched_at",), False),
    ("warc_files", ("sha256",), False),
    ("warc_files", ("file_name",), False),
    # Facets and sorts of the pages people open most.
    ("latest_versions", ("version_id",), True),
    ("latest_versions", ("site", "published"), False),
    ("latest_versions", ("kind", "published"), False),
    ("latest_versions", ("year", "published"), False),
    ("latest_versions", ("published", "article_key"), False),
    ("latest_versions", ("removed_at",), False),
    # Covering the facets: with one of site, kind or year selected, the other two facets and the
    # version ids the author, topic and speaker facets count are read from one index, not the rows.
    ("latest_versions", ("site", "kind", "year", "version_id"), False),
    ("latest_versions", ("kind", "site", "year", "version_id"), False),
    ("latest_versions", ("year", "site", "kind", "version_id"), False),
    ("versions", ("site", "kind", "year"), False),  # the rowid (id) is in every index
    ("versions", ("kind", "site", "year"), False),
    ("versions", ("year", "site", "kind"), False),
    ("versions", ("first_seen",), False),
    ("crawls", ("started",), False),
    *[(name, ("name",), True) for name in M2M],
    *[(link, (f"{name}_id", "versions_id"), False) for name, link in M2M.items()],
    # The speakers list's sorts (interviews is its default order) and its role facet.
    ("speakers", ("interviews",), False),
    ("speakers", ("role", "interviews"), False),
]

# Indexes over the few rows that need them. Every weekly re-crawl adds a capture per page, nearly
# all of them revisits; a full index on a random key dirties one more B-tree page per capture.
# Ingest looks a payload digest up among originals only (is_revisit = 0, storage.store.
# resolve_revisit; the crawler's priors likewise), and digest faults are a handful.
PARTIAL_INDEXES: dict[str, str] = {
    "idx_captures_url_original":
        "CREATE INDEX IF NOT EXISTS idx_captures_url_original "
        "ON captures (url, fetched_at) WHERE is_revisit = 0",
    "idx_captures_payload_digest_original":
        "CREATE INDEX IF NOT EXISTS idx_captures_payload_digest_original "
        "ON captures (payload_digest) WHERE is_revisit = 0",
    "idx_captures_digest_fault_set":
        "CREATE INDEX IF NOT EXISTS idx_captures_digest_fault_set "
        "ON captures (digest_fault) WHERE digest_fault IS NOT NULL",
}


def _speaker_counts(sign: str, version: str) -> str:
    """Statements adding (sign '+') or taking away ('-') one version's share of its speakers'
    counts: one interview each, and its turns by role. The names are qa_turns' speakers as
    storage.store.link_facets stores them (trimmed)."""
    ids = f"(SELECT speakers_id FROM speakers_versions WHERE versions_id = {version})"

    def turns(role):
        return (f"(SELECT count(*) FROM qa_turns q WHERE q.version_id = {version} "
                f"AND trim(q.speaker) = speakers.name AND q.role = '{role}')")

    return f"""
        UPDATE speakers SET interviews = interviews {sign} 1,
            questions = questions {sign} {turns('question')},
            answers = answers {sign} {turns('answer')}
        WHERE id IN {ids};
        UPDATE speakers SET role = {SPEAKER_ROLE} WHERE id IN {ids};"""


SPEAKER_ROLE = ("CASE WHEN questions > 0 AND answers > 0 THEN 'both' WHEN questions > 0 THEN 'question' "
                "WHEN answers > 0 THEN 'answer' END")

# A condition that makes a lookup of an article's (or a URL's) captures seek the crawl-led index
# crawl by crawl whatever the statistics say (a hand-run ANALYZE samples only the first crawl's
# entries, and the planner would then read every capture): `c` is the captures table. Such a
# lookup sorts by `+c.fetched_at`, so that no index on the date is scanned for the order instead.
CAPTURES_CRAWL_BY_CRAWL = "(c.crawl_id IN (SELECT id FROM crawls) OR c.crawl_id IS NULL)"



def latest_capture_where(row: str = "") -> str:
    """The captures latest_captures holds (of `row`, "NEW." in a trigger): a payload the next
    crawl can write a revisit against."""
    return f"{row}payload_digest IS NOT NULL AND ({row}status = 200 OR {row}is_revisit = 1)"


LATEST_CAPTURE_WHERE = latest_capture_where()

# A version's speakers count while it is an article's current one: its row of latest_versions
# arriving, moving to another version or going. Ingest and re-extraction both change that row
# (store.sync_latest, an upsert so that the UPDATE trigger fires: INSERT OR REPLACE would delete
# the old row without its DELETE trigger), so the counts follow every path that writes it.
TRIGGERS: dict[str, str] = {
    "latest_versions_speakers_ai": f"""
        CREATE TRIGGER IF NOT EXISTS latest_versions_speakers_ai AFTER INSERT ON latest_versions
        BEGIN{_speaker_counts('+', 'NEW.version_id')}
        END""",
    "latest_versions_speakers_au": f"""
        CREATE TRIGGER IF NOT EXISTS latest_versions_speakers_au AFTER UPDATE OF version_id ON latest_versions
        WHEN OLD.version_id IS NOT NEW.version_id
        BEGIN{_speaker_counts('-', 'OLD.version_id')}{_speaker_counts('+', 'NEW.version_id')}
        END""",
    "latest_versions_speakers_ad": f"""
        CREATE TRIGGER IF NOT EXISTS latest_versions_speakers_ad AFTER DELETE ON latest_versions
        BEGIN{_speaker_counts('-', 'OLD.version_id')}
        END""",
    # A capture never changes its URL, date, status or digest once written, nor goes: a later one
    # replaces the URL's row, an earlier one (a WARC ingested late) leaves it.
    "latest_captures_ai": f"""
        CREATE TRIGGER IF NOT EXISTS latest_captures_ai AFTER INSERT ON captures
        WHEN {latest_capture_where("NEW.")}
        BEGIN
            INSERT INTO latest_captures (url, fetched_at, payload_digest, capture_id)
            VALUES (NEW.url, NEW.fetched_at, NEW.payload_digest, NEW.id)
            ON CONFLICT (url) DO UPDATE SET fetched_at = excluded.fetched_at,
                payload_digest = excluded.payload_digest, capture_id = excluded.capture_id
            WHERE excluded.fetched_at >= coalesce(latest_captures.fetched_at, '');
        END""",
}

FTS: dict[str, list[str]] = {
    "versions": ["title", "summary", "text"],
    "qa_turns": ["text"],
}

def _columns_of(sql: str) -> list[tuple[str, str]]:
    """(name, declaration) of each column of a CREATE TABLE in TABLES' form: one column a line."""
    out = []
    for line in sql.splitlines():
        m = re.match(r"\s+([a-z_][a-z0-9_]*) ((?:TEXT|INTEGER|REAL|BLOB)\b.*?),?$", line)
        if m and m.group(1) not in ("primary", "foreign", "unique", "check"):
            out.append((m.group(1), m.group(2)))
    return out


# The columns of every table, in their order, read once from the DDL above: for the Datasette
# plugin's labels, latest_versions' sync, and anything else that lists a table's columns.
COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(name for name, _ in _columns_of(sql)) for table, sql in TABLES.items()
}

# latest_versions' rows, from the tables they copy: for ingest's sync and the migration alike.
LATEST_COLUMNS = COLUMNS["latest_versions"]
LATEST_SELECT = """
    SELECT
        a.key AS article_key, a.site, a.url, v.version, v.id AS version_id,
        v.title, v.summary, v.authors, v.published, v.year, v.read_time_minutes, v.kind,
        v.topics, v.qa_turns, a.first_seen, a.last_seen, a.removed_at,
        v.first_seen AS version_first_seen, v.replay_url
    FROM articles a JOIN versions v ON v.id = a.current_version_id
"""


@cache
def latest_upsert(where: str = "1") -> str:
    """The statement writing latest_versions' rows of the articles matching `where` (over
    LATEST_SELECT's `a` and `v`): an upsert, so that a changed row is an UPDATE and the speakers'
    triggers see the version it leaves. Built once per `where`: ingest writes it for every record."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in LATEST_COLUMNS if c != "article_key")
    return (f"INSERT INTO latest_versions ({', '.join(LATEST_COLUMNS)}) {LATEST_SELECT} WHERE {where} "
            f"ON CONFLICT (article_key) DO UPDATE SET {updates}")


def add_missing_columns(db: Database) -> None:
    """A column written into TABLES after a store was made is added to it (NULL in old rows).

    Only what ADD COLUMN allows: a declaration with a PRIMARY KEY, UNIQUE or a non-NULL default
    of an expression belongs in a MIGRATIONS step instead.
    """
    for table, sql in TABLES.items():
        if not db[table].exists():
            continue
        have = set(db[table].columns_dict)
        for name, decl in _columns_of(sql):
            if name not in have:
                db.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {decl}')


def _create_missing(db: Database) -> None:
    for sql in TABLES.values():
        db.execute(sql.strip())
    add_missing_columns(db)
    for table, columns, unique in INDEXES:
        db[table].create_index(
            columns, index_name=f"idx_{table}_{'_'.join(columns)}", unique=unique, if_not_exists=True
        )
    for sql in (*PARTIAL_INDEXES.values(), *TRIGGERS.values()):
        db.execute(sql.strip())
    for table, columns in FTS.items():
        if not db[f"{table}_fts"].exists():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
        _narrow_update_trigger(db, table, columns)


# --- migrations ---------------------------------------------------------------------------------


def _v2_latest_table_and_facets(db: Database) -> None:
    """latest_versions becomes a table (it was a view: every page joined all versions), and
    authors, topics and speakers get their own rows, linked to the versions that name them."""
    db.execute("DROP VIEW IF EXISTS latest_versions")
    for name in ("latest_versions", *M2M, *M2M.values()):
        db.execute(TABLES[name].strip())
    db.execute(latest_upsert())
    for name in ("authors", "topics"):
        source = f"SELECT v.id AS vid, trim(j.value) AS name FROM versions v, json_each(v.{name}) j " \
                 f"WHERE json_valid(v.{name}) AND json_type(v.{name}) = 'array' AND trim(j.value) != ''"
        _fill_m2m(db, name, source)
    _fill_m2m(db, "speakers", "SELECT version_id AS vid, trim(speaker) AS name FROM qa_turns "
                              "WHERE trim(coalesce(speaker, '')) != ''")


def _fill_m2m(db: Database, name: str, source: str) -> None:
    link = M2M[name]
    db.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{name}_name ON {name} (name)")
    db.execute(f"INSERT OR IGNORE INTO {name} (name) SELECT DISTINCT name FROM ({source}) ORDER BY name")
    db.execute(f"INSERT OR IGNORE INTO {link} (versions_id, {name}_id) "
               f"SELECT s.vid, t.id FROM ({source}) s JOIN {name} t ON t.name = s.name")


def _v3_covering_indexes(db: Database) -> None:
    """Indexes that answer the facets and the speakers page without reading the rows: qa_turns by
    (speaker, role, version_id), latest_versions and versions by site, kind and year together.
    The one-column indexes they cover go; the planner's statistics learn of them at once."""
    added = [("qa_turns", ("speaker", "role", "version_id")),
             *[("latest_versions", (*cols, "version_id")) for cols in
               (("site", "kind", "year"), ("kind", "site", "year"), ("year", "site", "kind"))],
             *[("versions", cols) for cols in
               (("site", "kind", "year"), ("kind", "site", "year"), ("year", "site", "kind"))]]
    for table, columns in added:
        db[table].create_index(columns, index_name=f"idx_{table}_{'_'.join(columns)}", if_not_exists=True)
    for name in ("idx_qa_turns_speaker", "idx_versions_site", "idx_versions_kind", "idx_versions_year"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    for table in ("qa_turns", "latest_versions", "versions"):
        db.execute(f"ANALYZE {table}")


def _v4_speaker_counts_and_partial_indexes(db: Database) -> None:
    """Speakers get their counts over the current versions (then kept by TRIGGERS), and the
    captures' payload-digest and digest-fault indexes cover only the rows looked up by them."""
    add_missing_columns(db)
    db.execute("""
        UPDATE speakers SET
            interviews = (SELECT count(*) FROM speakers_versions sv JOIN latest_versions l
                          ON l.version_id = sv.versions_id WHERE sv.speakers_id = speakers.id),
            questions = (SELECT count(*) FROM speakers_versions sv JOIN latest_versions l
                         ON l.version_id = sv.versions_id JOIN qa_turns q ON q.version_id = l.version_id
                         WHERE sv.speakers_id = speakers.id AND trim(q.speaker) = speakers.name
                         AND q.role = 'question'),
            answers = (SELECT count(*) FROM speakers_versions sv JOIN latest_versions l
                       ON l.version_id = sv.versions_id JOIN qa_turns q ON q.version_id = l.version_id
                       WHERE sv.speakers_id = speakers.id AND trim(q.speaker) = speakers.name
                       AND q.role = 'answer')""")
    db.execute(f"UPDATE speakers SET role = {SPEAKER_ROLE}")
    for name in ("idx_captures_payload_digest", "idx_captures_digest_fault"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    for sql in PARTIAL_INDEXES.values():
        db.execute(sql)
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute("ANALYZE speakers")
    db.execute("ANALYZE captures")


def _v5_captures_history_by_crawl(db: Database) -> None:
    """The captures' indexes on a URL, an article, a version or a referred capture lead with the
    crawl, and a URL is looked up among the originals only: what a weekly crawl writes into them
    no longer grows with the crawls before it. Each URL's latest capture gets a table of its own."""
    for name in ("idx_captures_url_fetched_at", "idx_captures_article_key_fetched_at",
                 "idx_captures_version_id", "idx_captures_refers_to"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    for table, columns, unique in INDEXES:
        if table == "captures":
            db[table].create_index(columns, index_name=f"idx_{table}_{'_'.join(columns)}",
                                   unique=unique, if_not_exists=True)
    db.execute(PARTIAL_INDEXES["idx_captures_url_original"])
    db.execute(TABLES["latest_captures"])
    # SQLite's bare columns: with max(), the other columns come from the row holding the max.
    db.execute(f"""
        INSERT OR REPLACE INTO latest_captures (url, fetched_at, payload_digest, capture_id)
        SELECT url, max(fetched_at), payload_digest, id FROM captures
        WHERE {LATEST_CAPTURE_WHERE} GROUP BY url""")
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute("ANALYZE captures")
    _crawl_led_statistics(db)


# (version it brings the store to, the step). Append only; each step may assume the ones before
# it ran, and nothing after it (the create-missing pass runs after all steps).
MIGRATIONS: list[tuple[int, Callable[[Database], None]]] = [
    (2, _v2_latest_table_and_facets),
    (3, _v3_covering_indexes),
    (4, _v4_speaker_counts_and_partial_indexes),
    (5, _v5_captures_history_by_crawl),
]


def migrate(db: Database, version: int) -> list[int]:
    """Run the steps a store of `version` lacks, each atomic with its version bump; returns them."""
    done = []
    for target, step in MIGRATIONS:
        if target <= version:
            continue
        with db.atomic():
            step(db)
            _set_version(db, target)
        done.append(target)
    return done


def _set_version(db: Database, version: int) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", [str(version)])


def ensure_schema(db: Database) -> None:
    """Migrate an older store, then create whatever is missing; never drops data it cannot rebuild."""
    version = schema_version(db)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"store has schema version {version}, this program knows up to {SCHEMA_VERSION}: upgrade it"
        )
    # WAL lets Datasette read while an ingest writes; it must be switched outside a transaction.
    db.enable_wal()
    if version is not None and version < SCHEMA_VERSION:
        migrate(db, version)
    with db.atomic():
        _create_missing(db)
        if version is None:
            db["meta"].insert_all(
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "created_at", "value": utc_now()},
                ],
                replace=True,
            )


def refresh_statistics(db: Database) -> None:
    """Keep the query planner's statistics current after an ingest, at a bounded cost.

    analysis_limit samples each index instead of reading it whole, so this costs the same on a
    store of one crawl and of a hundred; without statistics SQLite can pick a poor index for the
    facet and canned-query plans once the captures outnumber the articles.
    """
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute("ANALYZE")
    _crawl_led_statistics(db)


def _crawl_led_statistics(db: Database) -> None:
    """The statistics of the captures' indexes that lead with the crawl, from what the store knows.

    analysis_limit samples an index from its start, which for these is the first crawl alone: the
    planner would read that a crawl holds a thousand captures and an article a thousand of them,
    and scan the whole table for an article's captures. A crawl holds its share of the captures
    and each of them is one URL's, so a lookup by the second column is one seek per crawl.
    """
    if not db["sqlite_stat1"].exists():
        return
    captures = db.execute("SELECT coalesce(max(rowid), 0) FROM captures").fetchone()[0]
    crawls = db.execute("SELECT count(*) FROM crawls").fetchone()[0] + 1  # and the captures of none
    for table, columns, _unique in INDEXES:
        if table != "captures" or columns[0] != "crawl_id":
            continue
        name = f"idx_{table}_{'_'.join(columns)}"
        counts = (max(captures, 1), max(captures // crawls, 1), *[1] * (len(columns) - 1))
        stat = " ".join(str(n) for n in counts)
        db.execute("DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx = ?", [table, name])
        db.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", [table, name, stat])
    db.execute("ANALYZE sqlite_schema")  # this connection's planner reads them again


def schema_version(db: Database) -> int | None:
    if not db["meta"].exists():
        return None
    rows = list(db.query("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(rows[0]["value"]) if rows else None


def open_store(path, create: bool = True) -> Database:
    """Open (and if needed create) the store for writing."""
    db = sqlite_utils.Database(path)
    # A reader (Datasette in WAL mode) may hold a snapshot briefly: wait instead of failing.
    db.execute("PRAGMA busy_timeout = 30000")
    # Ingest opens a savepoint per record (store.apply_record): SQLite copies every page a
    # savepoint changes into a statement journal, a temporary file by default, written and
    # thrown away record by record. In memory instead; and a page cache that holds a weekly
    # crawl's pages of the captures' indexes rather than reading them again from the file.
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    if create:
        ensure_schema(db)
    return db
