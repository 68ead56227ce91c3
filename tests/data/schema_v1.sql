-- The store's DDL at schema version 1 (storage/schema.py before version 2), as SQLite kept it:
-- tests/test_storage_migration.py builds a v1 store from it and migrates that in place.
CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );
CREATE TABLE crawls (
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
        );
CREATE TABLE warc_files (
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
            ingested_at TEXT
        );
CREATE TABLE articles (
            key TEXT PRIMARY KEY,
            site TEXT,
            url TEXT,
            first_seen TEXT,
            last_seen TEXT,
            current_version INTEGER,
            current_version_id INTEGER REFERENCES versions(id),
            removed_at TEXT,
            removed_in_crawl TEXT REFERENCES crawls(id)
        );
CREATE TABLE versions (
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
            first_seen TEXT,
            last_seen TEXT,
            crawl_id TEXT REFERENCES crawls(id),
            capture_id TEXT REFERENCES captures(id),
            replay_url TEXT
        );
CREATE TABLE qa_turns (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            position INTEGER NOT NULL,
            speaker TEXT,
            role TEXT,
            text TEXT,
            PRIMARY KEY (version_id, position)
        );
CREATE TABLE captures (
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
            replay_url TEXT
        );
CREATE UNIQUE INDEX "idx_versions_article_key_version"
    ON "versions" ("article_key", "version");
CREATE INDEX "idx_versions_content_hash"
    ON "versions" ("content_hash");
CREATE INDEX "idx_versions_crawl_id"
    ON "versions" ("crawl_id");
CREATE INDEX "idx_versions_capture_id"
    ON "versions" ("capture_id");
CREATE INDEX "idx_versions_published"
    ON "versions" ("published");
CREATE INDEX "idx_articles_site"
    ON "articles" ("site");
CREATE INDEX "idx_articles_removed_in_crawl"
    ON "articles" ("removed_in_crawl");
CREATE INDEX "idx_articles_removed_at"
    ON "articles" ("removed_at");
CREATE UNIQUE INDEX "idx_articles_current_version_id"
    ON "articles" ("current_version_id");
CREATE INDEX "idx_articles_last_seen"
    ON "articles" ("last_seen");
CREATE INDEX "idx_qa_turns_speaker"
    ON "qa_turns" ("speaker");
CREATE INDEX "idx_captures_url_fetched_at"
    ON "captures" ("url", "fetched_at");
CREATE INDEX "idx_captures_payload_digest"
    ON "captures" ("payload_digest");
CREATE INDEX "idx_captures_crawl_id_article_key"
    ON "captures" ("crawl_id", "article_key");
CREATE INDEX "idx_captures_article_key_fetched_at"
    ON "captures" ("article_key", "fetched_at");
CREATE INDEX "idx_captures_version_id"
    ON "captures" ("version_id");
CREATE INDEX "idx_captures_warc_file_warc_offset"
    ON "captures" ("warc_file", "warc_offset");
CREATE INDEX "idx_captures_refers_to"
    ON "captures" ("refers_to");
CREATE INDEX "idx_warc_files_sha256"
    ON "warc_files" ("sha256");
CREATE VIRTUAL TABLE "versions_fts" USING FTS5 (
    "title", "summary", "text",
    tokenize='porter',
    content="versions"
);
CREATE TRIGGER "versions_ai" AFTER INSERT ON "versions" BEGIN
  INSERT INTO "versions_fts" (rowid, "title", "summary", "text") VALUES (new.rowid, new."title", new."summary", new."text");
END;
CREATE TRIGGER "versions_ad" AFTER DELETE ON "versions" BEGIN
  INSERT INTO "versions_fts" ("versions_fts", rowid, "title", "summary", "text") VALUES('delete', old.rowid, old."title", old."summary", old."text");
END;
CREATE TRIGGER "versions_au" AFTER UPDATE OF "title", "summary", "text" ON "versions" BEGIN
  INSERT INTO "versions_fts" ("versions_fts", rowid, "title", "summary", "text") VALUES('delete', old.rowid, old."title", old."summary", old."text");
  INSERT INTO "versions_fts" (rowid, "title", "summary", "text") VALUES (new.rowid, new."title", new."summary", new."text");
END;
CREATE VIRTUAL TABLE "qa_turns_fts" USING FTS5 (
    "text",
    tokenize='porter',
    content="qa_turns"
);
CREATE TRIGGER "qa_turns_ai" AFTER INSERT ON "qa_turns" BEGIN
  INSERT INTO "qa_turns_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE TRIGGER "qa_turns_ad" AFTER DELETE ON "qa_turns" BEGIN
  INSERT INTO "qa_turns_fts" ("qa_turns_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "qa_turns_au" AFTER UPDATE OF "text" ON "qa_turns" BEGIN
  INSERT INTO "qa_turns_fts" ("qa_turns_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "qa_turns_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE VIEW latest_versions AS SELECT
            a.key AS article_key, a.site, a.url, v.version, v.id AS version_id,
            v.title, v.summary, v.authors, v.published, v.year, v.read_time_minutes, v.kind,
            v.topics, v.qa_turns, v.text, a.first_seen, a.last_seen, a.removed_at,
            v.first_seen AS version_first_seen, v.replay_url
        FROM articles a JOIN versions v ON v.id = a.current_version_id;
INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('created_at', '2026-01-01T00:00:00Z');
