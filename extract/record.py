"""The structured record of one article page: the contract between extract and storage.

Kept apart from the extraction rules so that storage can depend on the shape without
pulling in trafilatura.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field

# Bump when a rule change can alter records for the same HTML: the store keeps it per version
# so that a re-extraction with better rules is told apart from a change on the site.
EXTRACTOR_VERSION = "1.2.3"

# The fields that make up an article's content. Anything else on the page (sidebar, banner,
# "Most Popular") is excluded, so a page whose chrome changed hashes the same.
CONTENT_FIELDS = (
    "title",
    "summary",
    "authors",
    "published",
    "read_time_minutes",
    "kind",
    "topics",
    "text",
    "qa",
    "images",
)


@dataclass
class Record:
    url: str
    key: str
    site: str
    title: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    read_time_minutes: int | None = None
    kind: str = "article"
    topics: list[str] = field(default_factory=list)
    text: str = ""
    qa: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    content_hash: str = ""
    extractor_version: str = EXTRACTOR_VERSION

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self)

    def as_dict(self) -> dict:
        return asdict(self)


_SPACES = re.compile(r"[^\S\n]+")  # runs of white space other than the paragraph breaks


def _normalized(value):
    """Strings in NFC with white space collapsed, recursively: a record built elsewhere (a test, an
    older extractor) that differs only in Unicode composition or spacing hashes the same."""
    if isinstance(value, str):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if isinstance(value, list | tuple):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    return value


def content_hash(record: Record) -> str:
    """SHA-256 over the content fields, normalized, serialized canonically (sorted keys, no spacing)."""
    content = {name: _normalized(getattr(record, name)) for name in CONTENT_FIELDS}
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
