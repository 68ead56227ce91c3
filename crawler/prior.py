"""What earlier crawls captured, for revisit records and conditional requests.

The dedup memory lives in the store (one row per capture), which the caller reads and hands to the
crawl (storage.queries.latest_originals; the crawler does not import the store). This module only
turns those rows into `Prior`s and reads the original record's headers and body back from its WARC
when needed, lazily, so a crawl start costs one query however large the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive import read_record_at
from archive.payload import header_value
from crawler.shared import SharedDict


@dataclass(frozen=True)
class Original:
    """The original capture a prior stands for, read back from its WARC for one fetch and then
    dropped: a crawl holds one per request in flight, never one per URL it has seen."""

    status: int
    headers: list[tuple[str, str]]
    statusline: str
    protocol: str
    body: bytes | None = None  # as stored (still content-encoded); read only when asked for

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    def freshened(self, not_modified: list[tuple[str, str]]):
        """This response as a 304 makes it current (RFC 9111 4.3.4): the original status line and
        headers, with the values the 304 sent replacing theirs."""
        fresh = {k.lower(): (k, v) for k, v in not_modified if k.lower() not in UNFRESHENED}
        merged = []
        for key, value in self.headers:
            merged.append(fresh.pop(key.lower(), (key, value)))
        merged.extend(fresh.values())
        return self.statusline, merged, self.protocol

    def header_dict(self) -> dict[str, list[str]]:
        headers: dict[str, list[str]] = {}
        for key, value in self.headers:
            headers.setdefault(key, []).append(value)
        return headers


@dataclass(slots=True)
class Prior:
    """One row of the dedup memory: small and fixed in size, whatever the page weighed.

    Nothing read from the WARC is cached here. A re-crawl looks up every URL it fetches; caching
    what it read (the body above all) made the crawl's memory grow by the bytes of the whole
    archive, where a first crawl's stays that of the requests in flight.
    """

    url: str
    payload_digest: str
    warc_date: str  # WARC-Date of the original (non-revisit) response
    warc_path: Path | None = None
    offset: int | None = None

    def original(self, with_body: bool = False) -> Original | None:
        """The original response's head (and body if asked), or None when it cannot be read: an
        unreadable prior means a plain fetch, never a failed one."""
        if self.warc_path is None or self.offset is None:
            return None
        try:
            record = read_record_at(self.warc_path, self.offset)
            http = record.http_headers
            body = record.raw_stream.read() if with_body else None
            return Original(int(http.get_statuscode()), list(http.headers), http.statusline,
                            http.protocol, body)
        except Exception:  # noqa: BLE001 - see the docstring
            return None

    def validators(self) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the original, for a conditional request."""
        original = self.original()
        if original is None:
            return None, None
        return original.header("ETag"), original.header("Last-Modified")


# Headers of a 304 that describe the empty 304 message itself, never the stored representation.
UNFRESHENED = {"content-length", "content-encoding", "transfer-encoding", "content-type", "content-range"}


def priors_from(rows, warc_dir: Path) -> dict[str, Prior]:
    """The dedup memory from the store's latest originals (storage.queries.latest_originals: url,
    payload digest, WARC-Date, WARC file, offset), each resolved to its file in the WARC folder."""
    priors = SharedDict()
    paths: dict[str | None, Path | None] = {}  # one lookup and one Path per WARC file, not per URL
    for url, digest, fetched_at, warc_file, offset in rows:
        if not digest:
            continue
        if warc_file not in paths:
            paths[warc_file] = _resolve(warc_dir, warc_file)
        priors[url] = Prior(url, digest, fetched_at, paths[warc_file], offset)
    return priors


def _resolve(warc_dir: Path, warc_file: str | None) -> Path | None:
    if not warc_file:
        return None
    candidate = Path(warc_file)
    if not candidate.is_absolute():
        candidate = Path(warc_dir) / candidate.name
    return candidate if candidate.exists() else None
