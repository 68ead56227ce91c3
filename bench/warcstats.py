"""What a crawl wrote, counted from its WARC files the same way for every tool.

A tool's own summary counts what it meant to fetch; the WARC is what an archive keeps. "Pages" are
the distinct URLs of response records with HTTP status 200 and an HTML content type. Distinct,
because wget fetches some URLs twice (a path that is both a page and a folder, ``/syria`` and
``/syria/…``, makes it download the page again): a page fetched twice is one page captured, and
counting it twice would credit the tool for its own redundant work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

HTML = ("text/html", "application/xhtml+xml")


@dataclass
class WarcStats:
    files: int = 0
    bytes: int = 0
    pages: int = 0  # distinct URLs with a 200 HTML response
    html_responses: int = 0  # 200 HTML responses, repeats included
    responses: int = 0
    revisits: int = 0
    records: Counter = field(default_factory=Counter)


def warc_files(folder: Path, since: set[Path] | None = None) -> list[Path]:
    """Closed WARCs of a folder (not '.open' ones), optionally only those not in ``since``."""
    found = sorted(p for p in Path(folder).rglob("*")
                   if p.is_file() and p.name.endswith((".warc", ".warc.gz")))
    return [p for p in found if not since or p not in since]


def count(paths: list[Path]) -> WarcStats:
    stats = WarcStats()
    urls: set[str] = set()
    for path in paths:
        stats.files += 1
        stats.bytes += path.stat().st_size
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                stats.records[record.rec_type] += 1
                if record.rec_type == "revisit":
                    stats.revisits += 1
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                stats.responses += 1
                if record.http_headers.get_statuscode() != "200":
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                if ctype in HTML:
                    stats.html_responses += 1
                    urls.add(record.rec_headers.get_header("WARC-Target-URI") or "")
    stats.pages = len(urls)
    return stats
