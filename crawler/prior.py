"""What earlier crawls captured, for revisit records and conditional requests.

The dedup memory lives in the store (one row per capture); this module only turns those rows into
`Prior`s and reads the original record's headers and body back from its WARC when needed, lazily,
so a crawl start costs one query however large the archive.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from archive import read_record_at


@dataclass
class Prior:
    url: str
    payload_digest: str
    warc_date: str  # WARC-Date of the original (non-revisit) response
    warc_path: Path | None = None
    offset: int | None = None
    _record: tuple | None = field(default=None, repr=False)

    def _load(self):
        if self._record is None and self.warc_path is not None and self.offset is not None:
            try:
                record = read_record_at(self.warc_path, self.offset)
                http = record.http_headers
                body = record.raw_stream.read()  # as stored: still content-encoded
                self._record = (int(http.get_statuscode()), http.headers, body, http.statusline,
                                http.protocol)
            except Exception:  # noqa: BLE001 - an unreadable prior means a plain fetch
                self._record = ()
        return self._record or None

    def header(self, name: str) -> str | None:
        loaded = self._load()
        if not loaded:
            return None
        for key, value in loaded[1]:
            if key.lower() == name.lower():
                return value
        return None

    def freshened(self, not_modified: list[tuple[str, str]]):
        """The stored response as a 304 makes it current (RFC 9111 4.3.4): the original status line and
        headers, with the values the 304 sent replacing theirs. None when the original is unreadable."""
        loaded = self._load()
        if not loaded:
            return None
        _, pairs, _, statusline, protocol = loaded
        fresh = {k.lower(): (k, v) for k, v in not_modified if k.lower() not in UNFRESHENED}
        merged = []
        for key, value in pairs:
            if key.lower() in fresh:
                merged.append(fresh.pop(key.lower()))
            else:
                merged.append((key, value))
        merged.extend(fresh.values())
        return statusline, merged, protocol

    @property
    def etag(self) -> str | None:
        return self.header("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.header("Last-Modified")

    def load_response(self):
        """(status, headers, body as stored: still content-encoded) of the original capture."""
        loaded = self._load()
        if not loaded:
            return None
        status, pairs, body = loaded[:3]
        headers: dict[str, list[str]] = {}
        for key, value in pairs:
            headers.setdefault(key, []).append(value)
        return status, headers, body


# Headers of a 304 that describe the empty 304 message itself, never the stored representation.
UNFRESHENED = {"content-length", "content-encoding", "transfer-encoding", "content-type", "content-range"}


def load_priors(db_path: Path, warc_dir: Path) -> dict[str, Prior]:
    """The latest successful capture of every URL in the store, resolved to its original response."""
    db_path = Path(db_path)
    if not db_path.exists():
        return {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if "captures" not in tables:
            return {}
        rows = conn.execute(PRIORS_SQL).fetchall()
    finally:
        conn.close()
    priors = {}
    for url, digest, fetched_at, warc_file, offset in rows:
        if not digest:
            continue
        path = _resolve(warc_dir, warc_file)
        priors[url] = Prior(url, digest, fetched_at, path, offset)
    return priors


def _resolve(warc_dir: Path, warc_file: str | None) -> Path | None:
    if not warc_file:
        return None
    candidate = Path(warc_file)
    if not candidate.is_absolute():
        candidate = Path(warc_dir) / candidate.name
    return candidate if candidate.exists() else None


# The newest capture per URL whose payload is known (a 200 response, or a revisit of one); for a
# revisit, the original is the response with the same URL and payload digest.
PRIORS_SQL = """
with latest as (
  select url, payload_digest, max(fetched_at) as fetched_at
  from captures
  where payload_digest is not null and (status = 200 or is_revisit = 1)
  group by url
)
select l.url, l.payload_digest, o.fetched_at, o.warc_file, o.warc_offset
from latest l
join captures o on o.rowid = (
  select rowid from captures o2
  where o2.url = l.url and o2.payload_digest = l.payload_digest and o2.is_revisit = 0 and o2.status = 200
  order by o2.fetched_at desc limit 1
)
"""
