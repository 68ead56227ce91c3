"""The deeply-archive store: a SQLite database of articles, their versions and the WARC captures
they came from, with ingest of any standard WARC, fixity checks and a Datasette front end.

    from storage import ingest, open_store, read_capture
    report = ingest("archive.db", ["warcs/a.warc.gz"], crawl_id="2024-05-01")
"""

from archive.lazy import lazy_names

# Where each name lives. Loaded on first use: `storage.queries` (a crawl's start, a WACZ's page
# list) must not pay for sqlite-utils, Datasette and the extractor.
_HOME = {
    "apply_record": "storage.store",
    "check_store": "storage.schema",
    "crawl_counts": "storage.store",
    "datasette_kwargs": "storage.web",
    "DEFAULT_REPLAY_PREFIX": "storage.replay_links",
    "ensure_schema": "storage.schema",
    "FileReport": "storage.ingestion",
    "FixityReport": "storage.fixity",
    "ingest": "storage.ingestion",
    "IngestReport": "storage.ingestion",
    "make_datasette": "storage.web",
    "mark_removed": "storage.store",
    "metadata_for": "storage.web",
    "open_store": "storage.schema",
    "read_capture": "storage.store",
    "read_payload_capture": "storage.store",
    "record_crawl": "storage.store",
    "resolve_revisit": "storage.store",
    "SCHEMA_VERSION": "storage.schema",
    "SchemaError": "storage.schema",
    "seen_keys_of": "storage.store",
    "serve": "storage.web",
    "StoreBusy": "storage.lock",
    "StoreDamaged": "storage.schema",
    "StoreError": "storage.util",
    "verify": "storage.fixity",
}

__all__ = [
    "DEFAULT_REPLAY_PREFIX",
    "SCHEMA_VERSION",
    "FileReport",
    "FixityReport",
    "IngestReport",
    "SchemaError",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "apply_record",
    "check_store",
    "crawl_counts",
    "datasette_kwargs",
    "ensure_schema",
    "ingest",
    "make_datasette",
    "mark_removed",
    "metadata_for",
    "open_store",
    "read_capture",
    "read_payload_capture",
    "record_crawl",
    "resolve_revisit",
    "seen_keys_of",
    "serve",
    "verify",
]

__getattr__ = lazy_names(__name__, _HOME)
