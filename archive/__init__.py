"""The one reader of web archives (WARC, ARC, WACZ) at the bottom of the stack.

Every stage that reads archives (ingest, extract, the index, the WACZ packager, the crawler's resume
and its revisit priors) goes through this package, so a file is read, judged and described one way
whatever stage meets it. It imports nothing from the project's other packages; warcio parses.

    from archive import iter_records, read_record_at, archives_in, ArchiveDamage
"""

from archive.damage import ArchiveDamage
from archive.fields import normalize_date
from archive.files import Skipped, archives_in, classify, is_archive_name
from archive.payload import HTML_MIMES, decode_payload, is_html, mime_of
from archive.records import CAPTURE_TYPES, FileStats, Record, iter_records, read_record_at, record_payload

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
