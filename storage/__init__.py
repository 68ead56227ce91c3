"""The deeply-archive store: a SQLite database of articles, their versions and the WARC captures
they came from, with ingest of any standard WARC, fixity checks and a Datasette front end.

    from storage import ingest, open_store, read_capture
    report = ingest("archive.db", ["warcs/a.warc.gz"], crawl_id="2024-05-01")
"""

from storage.fixity import FixityReport, verify
from storage.ingestion import FileReport, IngestReport, ingest
from storage.lock import StoreBusy
from storage.schema import SCHEMA_VERSION, SchemaError, StoreDamaged, check_store, ensure_schema, open_store
from storage.store import (
    apply_record,
    crawl_counts,
    mark_removed,
    read_capture,
    read_payload_capture,
    record_crawl,
    resolve_revisit,
    seen_keys_of,
)
from storage.util import DEFAULT_REPLAY_PREFIX, StoreError
from storage.web import datasette_kwargs, make_datasette, metadata_for, serve

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
