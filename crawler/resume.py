"""Resuming a crawl from its WARCs: what it already captured, and the links those pages held.

The WARC files are the crawl's saved state. Scrapy's own job directory survives only a graceful
stop; a crawl killed with SIGKILL or by a power cut is resumed from what its WARCs hold instead:
every URL already captured is skipped, and the links of every page already captured are read back
from the WARCs (not fetched again) to rebuild the frontier.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from archive import ArchiveDamage, decode_payload, iter_records
from crawler.links import Link, links_of
from crawler.prior import Prior
from crawler.shared import SharedSet
from crawler.warcfiles import open_warcs, repair

log = logging.getLogger(__name__)


def repair_open_files(folder: Path) -> list[Path]:
    """Close every `.open` file left by a crash, cut at its last whole record."""
    return [repair(p) for p in open_warcs(folder)]


def captured_so_far(files: list[Path]) -> set[str]:
    """URLs of the responses and revisits already in this crawl's WARCs (their whole records)."""
    urls = SharedSet()
    for path in files:
        try:
            for record in iter_records(path):
                urls.add(record.url)
        except ArchiveDamage:
            continue  # the whole records before the damage were counted
    return urls


def frontier_from(files: list[Path], priors: dict[str, Prior] | None = None) -> Iterator[Link]:
    """Links of every page already captured by this crawl, read from its WARCs, lazily.

    A re-crawl records most pages as revisits, whose links are those of the original they point
    to: read back from the earlier capture (the prior the revisit was written against). Without
    them a killed re-crawl would resume with an empty frontier, take every page it had not reached
    for gone, and the store would mark those articles removed.
    """
    priors = priors or {}
    for path in files:
        try:
            for record in iter_records(path, want_body=lambda r: r.status == 200 and not r.is_revisit):
                status = record.status or 0
                if 300 <= status < 400:
                    location = record.header("Location")
                    if location:
                        yield from links_of(f'<a href="{location}">'.encode(), record.url, "text/html")
                elif record.body is not None:
                    yield from links_of(record.body, record.url, record.header("Content-Type") or "")
                elif status == 200 and record.is_revisit:
                    yield from _revisit_links(record, priors.get(record.url))
        except ArchiveDamage:
            continue


def _revisit_links(record, prior: Prior | None) -> list[Link]:
    url = record.url
    if prior is None or (record.payload_digest and record.payload_digest != prior.payload_digest):
        log.warning("resume: the original of the revisit of %s is not in the store; its links are "
                    "not followed", url)
        return []
    original = prior.original(with_body=True)
    if original is None or original.body is None:
        log.warning("resume: the original of the revisit of %s cannot be read from %s; its links are "
                    "not followed", url, prior.warc_path)
        return []
    return links_of(decode_payload(original.body, original.headers), url,
                    original.header("Content-Type") or record.header("Content-Type") or "")
