"""Articles, versions and captures: the versioning rules and the crawl bookkeeping.

Everything here takes an open sqlite_utils.Database (or a path) and leaves transaction control to
the caller: ingest wraps one WARC file in one transaction, and these functions nest inside it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlite_utils import Database

from archive import ArchiveDamage, read_record_at, record_payload
from archive.fields import uri
from extract.record import Record
from storage.schema import M2M, latest_upsert
from storage.util import as_db, utc_now

# Columns of a version that come straight from the Record.
JSON_FIELDS = ("authors", "topics", "images")


def _json(value) -> str:
    return json.dumps(value if value is not None else [], ensure_ascii=False)


def qa_hash(qa: list[dict]) -> str:
    blob = json.dumps(qa or [], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _year(published: str | None) -> int | None:
    if published and len(published) >= 4 and published[:4].isdigit():
        return int(published[:4])
    return None


def _one(db: Database, sql: str, params=()) -> dict | None:
    # The cursor itself, not db.query(): that wraps every read in a savepoint, and ingest reads
    # once or more for every capture.
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row is not None else None


def get_capture(db: Database, capture_id: str) -> dict | None:
    return _one(db, "SELECT * FROM captures WHERE id = ?", [capture_id])


def capture_exists(db: Database, capture_id: str) -> bool:
    return bool(list(db.execute("SELECT 1 FROM captures WHERE id = ?", [capture_id]).fetchall()))


def insert_capture(db: Database, capture: dict) -> bool:
    """Add one capture; False (and nothing written) when its WARC-Record-ID is already known."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO captures ({}) VALUES ({})".format(
            ", ".join(capture), ", ".join("?" for _ in capture)
        ),
        list(capture.values()),
    )
    return cursor.rowcount == 1


def apply_record(
    db: Database,
    record: Record,
    capture: dict,
    source_capture: dict | None = None,
) -> tuple[str, int]:
    """Fold one extracted page into its article; returns (outcome, version_id).

    A new version is written only when the content hash differs from the article's *current*
    version: an unchanged page, a change outside the content (sidebar, banner), the same article
    under another URL or a revisit adds the capture and moves last_seen, nothing more. Going back
    to earlier content (A, B, A) is a new version too, because it is a change seen at that time.

    `capture` is where the page was seen (its time, crawl and URL); `source_capture` is where its
    bytes are, when that differs (a revisit record carries no payload of its own).
    """
    with db.atomic():
        return _apply_record(db, record, capture, source_capture or capture)


def _apply_record(db: Database, record: Record, capture: dict, source: dict) -> tuple[str, int]:
    seen = capture["fetched_at"] or utc_now()
    article = _one(db, "SELECT * FROM articles WHERE key = ?", [record.key])
    current = None
    if article and article["current_version_id"] is not None:
        current = _one(db, "SELECT id, content_hash, version FROM versions WHERE id = ?",
                       [article["current_version_id"]])

    if current is not None and current["content_hash"] == record.content_hash:
        version_id = current["id"]
        outcome = "unchanged"
        db.execute(
            "UPDATE versions SET last_seen = max(coalesce(last_seen, ''), ?) WHERE id = ?",
            [seen, version_id],
        )
    else:
        number = 1 if current is None else _next_version(db, record.key)
        outcome = "new" if article is None or current is None else "changed"
        if article is None:
            # The article row first, so that the version's reference resolves inside the transaction.
            db.execute(
                "INSERT INTO articles (key, site, url, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
                [record.key, record.site, capture["url"], seen, seen],
            )
        version_id = _insert_version(db, record, number, seen, capture, source)
        db.execute(
            "UPDATE articles SET current_version = ?, current_version_id = ? WHERE key = ?",
            [number, version_id, record.key],
        )

    db.execute(
        """
        UPDATE articles SET
            url = CASE WHEN ? >= coalesce(last_seen, '') THEN ? ELSE url END,
            first_seen = min(coalesce(first_seen, ?), ?),
            last_seen = max(coalesce(last_seen, ''), ?),
            removed_at = NULL,
            removed_in_crawl = NULL
        WHERE key = ?
        """,
        [seen, capture["url"], seen, seen, seen, record.key],
    )
    db.execute(
        "UPDATE captures SET article_key = ?, version_id = ?, outcome = ? WHERE id = ?",
        [record.key, version_id, outcome, capture["id"]],
    )
    sync_latest(db, record.key, whole=outcome != "unchanged")
    return outcome, version_id


def sync_latest(db: Database, key: str, whole: bool = True) -> None:
    """Bring the article's row of latest_versions in step with articles and its current version.

    `whole=False` when only the article's own columns moved (an unchanged capture: url, times,
    removal), which is most of every re-crawl: those four columns, not the text again.
    """
    if whole:
        db.execute(latest_upsert("a.key = ?"), [key])
        return
    db.execute(
        "UPDATE latest_versions SET (url, first_seen, last_seen, removed_at) = "
        "(SELECT url, first_seen, last_seen, removed_at FROM articles WHERE key = ?) WHERE article_key = ?",
        [key, key],
    )


def _next_version(db: Database, key: str) -> int:
    row = _one(db, "SELECT max(version) AS n FROM versions WHERE article_key = ?", [key])
    return (row["n"] or 0) + 1


def _insert_version(db: Database, record: Record, number: int, seen: str, capture: dict,
                    source: dict, cause: str = "site") -> int:
    row = {
        "article_key": record.key,
        "version": number,
        "content_hash": record.content_hash,
        "site": record.site,
        "url": capture["url"],
        "title": record.title,
        "summary": record.summary,
        "authors": _json(record.authors),
        "published": record.published,
        "year": _year(record.published),
        "read_time_minutes": record.read_time_minutes,
        "kind": record.kind,
        "topics": _json(record.topics),
        "text": record.text,
        "images": _json(record.images),
        "qa_turns": len(record.qa or []),
        "qa_hash": qa_hash(record.qa),
        "extractor_version": record.extractor_version,
        "cause": cause,
        "first_seen": seen,
        "last_seen": seen,
        "crawl_id": capture.get("crawl_id"),
        "capture_id": source["id"],
        "replay_url": source.get("replay_url"),
    }
    cursor = db.execute(
        "INSERT INTO versions ({}) VALUES ({})".format(", ".join(row), ", ".join("?" for _ in row)),
        list(row.values()),
    )
    version_id = cursor.lastrowid
    turns = [
        (version_id, i, turn.get("speaker"), turn.get("role"), turn.get("text"))
        for i, turn in enumerate(record.qa or [], start=1)
    ]
    if turns:
        db.conn.executemany(
            "INSERT INTO qa_turns (version_id, position, speaker, role, text) VALUES (?, ?, ?, ?, ?)",
            turns,
        )
    link_facets(db, version_id, authors=record.authors, topics=record.topics,
                speakers=[t.get("speaker") for t in record.qa or []])
    return version_id


def link_facets(db: Database, version_id: int, **names) -> None:
    """Authors, topics and speakers of a version as rows of their own, through sqlite-utils' m2m
    (one lookup row per distinct name, one link row per version and name)."""
    versions = db.table("versions")
    versions.last_pk = version_id  # what m2m() links from; update() without changes does not set it
    for table, values in names.items():
        for name in dict.fromkeys((v or "").strip() for v in values or []):
            if name:
                versions.m2m(table, lookup={"name": name}, m2m_table=M2M[table])


def newest_version_from(db: Database, capture_id: str, key: str) -> int | None:
    """The newest version read from this payload capture (a re-extraction adds one from the same
    bytes), or None."""
    row = _one(db, "SELECT id FROM versions WHERE capture_id = ? AND article_key = ? "
                   "ORDER BY version DESC LIMIT 1", [capture_id, key])
    return row["id"] if row else None


def record_from_version(db: Database, version_id: int) -> Record | None:
    """The Record a stored version was made from (for a revisit: same payload, same content)."""
    v = _one(db, "SELECT * FROM versions WHERE id = ?", [version_id])
    if v is None:
        return None
    qa = [
        {"speaker": speaker, "role": role, "text": text}
        for speaker, role, text in db.execute(
            "SELECT speaker, role, text FROM qa_turns WHERE version_id = ? ORDER BY position", [version_id])
    ]
    return Record(
        url=v["url"],
        key=v["article_key"],
        site=v["site"],
        title=v["title"] or "",
        summary=v["summary"] or "",
        authors=json.loads(v["authors"] or "[]"),
        published=v["published"],
        read_time_minutes=v["read_time_minutes"],
        kind=v["kind"] or "article",
        topics=json.loads(v["topics"] or "[]"),
        text=v["text"] or "",
        qa=qa,
        images=json.loads(v["images"] or "[]"),
        content_hash=v["content_hash"],
        extractor_version=v["extractor_version"],
    )


# --- a newer extractor ------------------------------------------------------------------------


def stale_versions(db: Database, extractor_version: str) -> list[dict]:
    """Current versions made by another extractor than this one, with the capture holding their bytes."""
    return list(db.query(
        """
        SELECT v.id, v.article_key, v.capture_id, v.url, v.first_seen, v.content_hash
        FROM articles a JOIN versions v ON v.id = a.current_version_id
        WHERE coalesce(v.extractor_version, '') != ? AND v.capture_id IS NOT NULL
        ORDER BY v.id
        """,
        [extractor_version],
    ))


def apply_reextraction(db: Database, current: dict, record: Record) -> str:
    """The current version's own bytes, extracted again by a newer extractor: a new version whose
    cause is the extractor when the content differs ("reextracted"), else the current version is
    marked as made by the new extractor too ("same"). Times are those of the capture, since the
    site did not change: only the reading of it did."""
    with db.atomic():
        if record.content_hash == current["content_hash"]:
            db.execute("UPDATE versions SET extractor_version = ? WHERE id = ?",
                       [record.extractor_version, current["id"]])
            return "same"
        capture = get_capture(db, current["capture_id"]) or {"id": current["capture_id"]}
        seen = current["first_seen"] or capture.get("fetched_at") or utc_now()
        number = _next_version(db, current["article_key"])
        version_id = _insert_version(db, record, number, seen, {"url": record.url, **capture}, capture,
                                     cause="extractor")
        db.execute("UPDATE articles SET current_version = ?, current_version_id = ? WHERE key = ?",
                   [number, version_id, current["article_key"]])
        sync_latest(db, current["article_key"])
        return "reextracted"


def reextract_stale(db: Database, extract, extractor_version: str, warc_dir=None) -> dict[str, int]:
    """Every current version an older extractor made, read again from its WARC bytes by ``extract``
    ((html, url, headers) -> Record or None); counts of "reextracted", "same" and "unreadable"."""
    counts = {"reextracted": 0, "same": 0, "unreadable": 0}
    for current in stale_versions(db, extractor_version):
        try:
            rec = read_payload_capture(db, current["capture_id"], warc_dir)
            html = record_payload(rec)
            headers = list(rec.http_headers.headers) if rec.http_headers is not None else []
            # The version's own URL: the payload may have been captured under another one.
            url = current["url"] or uri(rec.rec_headers.get_header("WARC-Target-URI"))
        except (OSError, KeyError, ValueError, ArchiveDamage):  # moved, gone or changed: keep what is stored
            counts["unreadable"] += 1
            continue
        record = extract(html, url, headers)
        if record is None or record.key != current["article_key"]:
            counts["unreadable"] += 1
            continue
        counts[apply_reextraction(db, current, record)] += 1
    return counts


# --- revisits ---------------------------------------------------------------------------------


def resolve_revisit(db: Database, entry) -> dict | None:
    """The payload-bearing capture a revisit record stands for, or None.

    The archive layer's one rule (`archive.revisits`), in SQL over every capture the store holds:
    WARC-Refers-To (a record id), then WARC-Refers-To-Target-URI with WARC-Refers-To-Date, then the
    payload digest, then, for a server-not-modified revisit, the latest 200 of that URL before it.
    Earlier records of the file being ingested are already in the table, so they are found too.
    """
    if entry.refers_to:
        row = _follow(db, get_capture(db, entry.refers_to))
        if row:
            return row
    target = entry.refers_to_uri or entry.url
    if entry.refers_to_uri and entry.refers_to_date:
        row = _one(
            db,
            "SELECT * FROM captures WHERE url = ? AND is_revisit = 0 AND fetched_at = ? LIMIT 1",
            [entry.refers_to_uri, entry.refers_to_date],
        ) or _one(
            db,
            "SELECT * FROM captures WHERE url = ? AND is_revisit = 0 "
            "AND substr(fetched_at, 1, 19) = substr(?, 1, 19) LIMIT 1",
            [entry.refers_to_uri, entry.refers_to_date],
        )
        if row:
            return row
    if entry.payload_digest:
        row = _one(
            db,
            "SELECT * FROM captures WHERE payload_digest = ? AND is_revisit = 0 "
            "ORDER BY (url = ?) DESC, (status = 200) DESC, fetched_at DESC LIMIT 1",
            [entry.payload_digest, target],
        )
        if row:
            return row
    if "not-modified" in (entry.profile or ""):
        return _one(
            db,
            "SELECT * FROM captures WHERE url = ? AND is_revisit = 0 AND status = 200 "
            "AND fetched_at <= coalesce(?, fetched_at) ORDER BY fetched_at DESC LIMIT 1",
            [target, entry.fetched_at],
        )
    return None


def _follow(db: Database, row: dict | None) -> dict | None:
    seen = set()
    while row is not None and row["is_revisit"] and row["refers_to"] and row["id"] not in seen:
        seen.add(row["id"])
        row = get_capture(db, row["refers_to"])
    if row is not None and row["is_revisit"]:
        return None
    return row


# --- reading bytes back -----------------------------------------------------------------------


def warc_path(db: Database, warc_file: str, warc_dir=None) -> Path:
    """Where a stored archive is now: in `warc_dir` if given, else where it was ingested from.

    `warc_file` is the store's key of the file; two different files of one name have two keys, and
    the name on disk is `file_name`."""
    row = _one(db, "SELECT * FROM warc_files WHERE name = ?", [warc_file]) or {}
    name = row.get("file_name") or warc_file
    if warc_dir is not None:
        return Path(warc_dir) / name
    if row.get("path"):
        return Path(row["path"])
    return Path(name)


def read_capture_row(db: Database, row: dict, warc_dir=None, path=None):
    """The warcio record a capture row points to (its file, WACZ member, offset and length).

    The record read must be the capture's own (same WARC-Record-ID, same URI): a file replaced by
    another of the same name would otherwise hand back some other record's bytes.
    """
    info = _one(db, "SELECT * FROM warc_files WHERE name = ?", [row["warc_file"]]) or {}
    path = Path(path) if path is not None else warc_path(db, row["warc_file"], warc_dir)
    framing = info.get("framing") if info.get("framing") in ("plain", "record-gzip", "stream-gzip") else None
    record = read_record_at(path, row["warc_offset"], row["warc_length"], member=row.get("warc_member"),
                            framing=framing)
    rid = (record.rec_headers.get_header("WARC-Record-ID") or "").strip().strip("<>")
    same_id = info.get("format") == "arc" or row["id"].startswith("urn:x-deeply:") or rid == row["id"]
    if not same_id or uri(record.rec_headers.get_header("WARC-Target-URI")) != row["url"]:
        raise ArchiveDamage(row["warc_offset"], f"{path.name} no longer holds this capture at offset "
                                                f"{row['warc_offset']} (the file was changed or replaced)",
                            row.get("warc_member"))
    return record


def read_capture(db, capture_id: str, warc_dir=None):
    """The warcio record of a capture, read from the exact bytes its row points to."""
    db = as_db(db)
    row = get_capture(db, capture_id)
    if row is None:
        raise KeyError(f"no capture {capture_id!r}")
    return read_capture_row(db, row, warc_dir)


def read_payload_capture(db, capture_id: str, warc_dir=None):
    """For a revisit, the record holding its payload; for a response, the response itself."""
    db = as_db(db)
    row = _follow(db, get_capture(db, capture_id))
    if row is None:
        raise KeyError(f"no payload-bearing capture for {capture_id!r}")
    return read_capture(db, row["id"], warc_dir)


# --- crawls -----------------------------------------------------------------------------------

COUNT_FIELDS = ("pages", "requisites", "new_articles", "changed", "unchanged", "removed", "errors",
                "captures")


def ensure_crawl(db: Database, crawl_id: str) -> None:
    db.execute("INSERT OR IGNORE INTO crawls (id, status) VALUES (?, 'ingested')", [crawl_id])


def crawl_counts(db: Database, crawl_id: str) -> dict:
    """What the store itself knows about a crawl, from the captures ingested under its id."""

    def scalar(sql):
        return list(db.execute(sql, [crawl_id]).fetchone())[0] or 0

    new = scalar("SELECT count(*) FROM versions WHERE crawl_id = ? AND version = 1")
    # A version a newer extractor made from an old capture is no change of the site.
    changed = scalar("SELECT count(*) FROM versions WHERE crawl_id = ? AND version > 1 "
                     "AND coalesce(cause, 'site') = 'site'")
    touched = scalar(
        "SELECT count(DISTINCT article_key) FROM captures WHERE crawl_id = ? AND version_id IS NOT NULL"
    )
    return {
        "new_articles": new,
        "changed": changed,
        "unchanged": max(touched - new - changed, 0),
        "removed": scalar("SELECT count(*) FROM articles WHERE removed_in_crawl = ?"),
        "captures": scalar("SELECT count(*) FROM captures WHERE crawl_id = ?"),
    }


def record_crawl(
    db,
    crawl_id: str | None = None,
    *,
    started: str | None = None,
    finished: str | None = None,
    start_urls: list[str] | None = None,
    status: str | None = None,
    full: bool | None = None,
    warc_files: list[str] | None = None,
    notes: str | dict | None = None,
    requisite_hosts: dict | None = None,
    **counts,
) -> str:
    """Write (or update) a crawl's row; returns its id.

    The crawler passes what only it knows (times, start URLs, pages, requisites, errors);
    new_articles, changed, unchanged, removed and captures are counted from the store unless given.
    Call it again after ingest and mark_removed to refresh the counts.
    """
    db = as_db(db)
    unknown = set(counts) - set(COUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown crawl fields: {', '.join(sorted(unknown))}")
    if crawl_id is None:
        crawl_id = "crawl-" + (started or utc_now()).replace(":", "").replace("-", "")
    with db.atomic():
        ensure_crawl(db, crawl_id)
        derived = crawl_counts(db, crawl_id)
        row: dict = {k: v for k, v in derived.items() if counts.get(k) is None}
        row.update({k: v for k, v in counts.items() if v is not None})
        if started is not None:
            row["started"] = started
        if finished is not None:
            row["finished"] = finished
        if start_urls is not None:
            row["start_urls"] = _json(list(start_urls))
        if status is not None:
            row["status"] = status
        if full is not None:
            row["full_crawl"] = int(bool(full))
        if warc_files is not None:
            row["warc_files"] = _json([Path(w).name for w in warc_files])
        if notes is not None:
            row["notes"] = notes if isinstance(notes, str) else json.dumps(notes, ensure_ascii=False)
        if requisite_hosts is not None:
            row["requisite_hosts"] = json.dumps(requisite_hosts, ensure_ascii=False, sort_keys=True)
        db["crawls"].update(crawl_id, row)
    return crawl_id


def seen_keys_of(db: Database, crawl_id: str) -> set[str]:
    """Articles a crawl found: any capture of their URL except a definite 404/410.

    A 5xx or a timeout says nothing about the article being gone, so such captures count as seen.
    """
    return {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT article_key FROM captures WHERE crawl_id = ? AND article_key IS NOT NULL "
            "AND coalesce(status, 0) NOT IN (404, 410)",
            [crawl_id],
        ).fetchall()
    }


def mark_removed(db, crawl_id: str, seen_keys=None, sites: list[str] | None = None,
                 when: str | None = None) -> list[str]:
    """After a full crawl: articles it did not find get removed_at; ones found again lose it.

    `seen_keys` defaults to the articles captured under `crawl_id` (see seen_keys_of). `sites`
    limits the check to the sites the crawl covered. Returns the keys newly marked removed.
    """
    db = as_db(db)
    with db.atomic():
        ensure_crawl(db, crawl_id)
        seen = set(seen_keys) if seen_keys is not None else seen_keys_of(db, crawl_id)
        if when is None:
            # The crawl's end if known, else its last capture: when the absence was observed.
            row = _one(
                db,
                "SELECT coalesce(finished, (SELECT max(fetched_at) FROM captures WHERE crawl_id = ?)) AS t "
                "FROM crawls WHERE id = ?",
                [crawl_id, crawl_id],
            )
            when = (row or {}).get("t") or utc_now()
        where = "removed_at IS NULL"
        params: list = []
        if sites:
            where += " AND site IN ({})".format(", ".join("?" for _ in sites))
            params += list(sites)
        candidates = [r[0] for r in db.execute(f"SELECT key FROM articles WHERE {where}", params)]
        removed = [k for k in candidates if k not in seen]
        db.conn.executemany(
            "UPDATE articles SET removed_at = ?, removed_in_crawl = ? WHERE key = ?",
            [(when, crawl_id, k) for k in removed],
        )
        back = [r[0] for r in db.execute("SELECT key FROM articles WHERE removed_at IS NOT NULL")
                if r[0] in seen]
        db.conn.executemany(
            "UPDATE articles SET removed_at = NULL, removed_in_crawl = NULL WHERE key = ?",
            [(k,) for k in back],
        )
        for key in (*removed, *back):
            sync_latest(db, key, whole=False)
        db["crawls"].update(crawl_id, crawl_counts(db, crawl_id))
    return removed
