"""Turn captured Syria Deeply (and sister-site) pages into structured records.

``extract_page`` is the one entry point storage needs; ``canonical_key`` and ``is_article_url`` let
ingest key and pre-filter URLs without parsing pages.
"""

from extract.page import extract_page
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
