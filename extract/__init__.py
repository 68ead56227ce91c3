"""Turn captured Syria Deeply (and sister-site) pages into structured records.

``extract_page`` is the one entry point storage needs; ``canonical_key`` and ``is_article_url`` let
ingest key and pre-filter URLs without parsing pages.
"""

from archive.lazy import lazy_names
from extract.record import EXTRACTOR_VERSION, Record
from extract.urls import canonical_key, is_article_url, publication_name, site_of

__all__ = [
    "EXTRACTOR_VERSION",
    "Record",
    "canonical_key",
    "extract_page",
    "is_article_url",
    "publication_name",
    "site_of",
]


# `extract_page` brings lxml and trafilatura, slow to import: loaded at the first page, so that
# commands that only key URLs or read records (a re-ingest with nothing new) start fast.
__getattr__ = lazy_names(__name__, {"extract_page": "extract.page"})
