"""``python -m bench.plain_extract [--every K] WARC…``: the extraction reference, a plain loop of
``trafilatura.bare_extraction`` over the article pages of the WARCs, on one core.

The pages are read from the WARCs first, outside the timing: the reference is the extractor alone,
while ``deeply extract`` is timed as a user runs it (start-up and WARC reading included), so the ratio
is if anything unfair to us. The same article pages as ``deeply extract`` reads (200 HTML responses at
article URLs); ``--every K`` keeps one page in K, for a rate on a large crawl in bounded time.
Prints one JSON object: pages, extracted, seconds, cpu.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from bench import warcstats
from bench.warcstats import HTML

_ARTICLE = re.compile(
    r"/(articles|community|executive-summaries|background)/\d{4}/\d{1,2}/\d{1,2}|/background/[^/]+$")


def _is_article(url: str) -> bool:
    """The extractor's own rule when it is importable, else an equivalent of it."""
    try:
        from extract.urls import is_article_url
    except ImportError:
        return bool(_ARTICLE.search(url.split("?")[0].removesuffix(".html")))
    return is_article_url(url)


def article_pages(paths: list[str], every: int = 1) -> list[tuple[str, bytes]]:
    """The pages, found by their heads (bench/warcstats.py) and then read one by one at their offsets,
    rather than by warcio reading every record of a large crawl for one page in K."""
    pages: list[tuple[str, bytes]] = []
    seen = 0
    for path in paths:
        wanted = []
        for head in warcstats.heads(Path(path)):
            if (head.rec_type != "response" or head.status != "200" or head.content_type not in HTML
                    or not _is_article(head.uri)):
                continue
            seen += 1
            if (seen - 1) % every == 0:
                wanted.append(head)
        with open(path, "rb") as fh:
            for head in wanted:
                if head.offset is None:
                    raise ValueError(f"{path}: a record not at the start of a gzip member")
                fh.seek(head.offset)
                record = next(iter(ArchiveIterator(fh)))
                pages.append((head.uri, record.content_stream().read()))
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plain_extract")
    parser.add_argument("warcs", nargs="+")
    parser.add_argument("--every", type=int, default=1)
    args = parser.parse_args(argv)

    import trafilatura

    pages = article_pages(args.warcs, args.every)
    cpu0, t0 = time.process_time(), time.perf_counter()
    extracted = 0
    for url, body in pages:
        doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
        extracted += doc is not None
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(json.dumps({"pages": len(pages), "extracted": extracted, "seconds": seconds, "cpu": cpu}))


if __name__ == "__main__":
    main()
