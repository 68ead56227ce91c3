"""The one reader of web archives (WARC, ARC, WACZ) at the bottom of the stack.

Every stage that reads archives (ingest, extract, the index, the WACZ packager, the crawler's resume
and its revisit priors) goes through this package, so a file is read, judged and described one way
whatever stage meets it. It imports nothing from the project's other packages; warcio parses.

    from archive import iter_records, read_record_at, archives_in, ArchiveDamage
"""

from archive.lazy import lazy_names

# Where each name lives, loaded on first use: `archive.version` (read by `deeply --help`) and the
# lock need not load warcio.
_HOME = {
    "ArchiveDamage": "archive.damage",
    "archives_in": "archive.files",
    "CAPTURE_TYPES": "archive.records",
    "classify": "archive.files",
    "decode_payload": "archive.payload",
    "FileStats": "archive.records",
    "HTML_MIMES": "archive.payload",
    "is_archive_name": "archive.files",
    "is_html": "archive.payload",
    "iter_records": "archive.records",
    "mime_of": "archive.payload",
    "normalize_date": "archive.fields",
    "read_record_at": "archive.records",
    "Record": "archive.records",
    "record_payload": "archive.records",
    "Skipped": "archive.files",
}

__all__ = [
    "ArchiveDamage",
    "CAPTURE_TYPES",
    "FileStats",
    "HTML_MIMES",
    "Record",
    "Skipped",
    "archives_in",
    "classify",
    "decode_payload",
    "is_archive_name",
    "is_html",
    "iter_records",
    "mime_of",
    "normalize_date",
    "read_record_at",
    "record_payload",
]

__getattr__ = lazy_names(__name__, _HOME)
