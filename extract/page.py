"""One captured page to one Record: the rules of the other modules put together."""

from __future__ import annotations

import logging
import sys
import threading

from lxml import etree
from lxml import html as lxml_html

from extract.blocks import Block, fallback_blocks, page_blocks
from extract.charset import Headers, decode_html
from extract.cleanup import find_embeds
from extract.metadata import PageMeta, split_authors
from extract.metadata import page_metadata as read_metadata
from extract.qa import split_interview
from extract.record import Record
from extract.urls import canonical_key, key_date, key_kind, publication_name

log = logging.getLogger(__name__)

# trafilatura's caches grow with every page on long runs (its issue #216) and are per process:
# every caller of extract_page (the extraction pool, a single page) gets them cleared this often.
RESET_EVERY = 2000
_pages_since_reset = 0

# A page without the site's article markup becomes a record only if the generic extractor finds at
# least this much text in it: HTTrack's "Page has moved" stubs and error pages stay out.
MIN_FALLBACK_CHARS = 200
_local = threading.local()


def _parser() -> lxml_html.HTMLParser:
    # lxml parsers must not be shared between threads: one per thread (a caller may use threads).
    if not hasattr(_local, "parser"):
        _local.parser = lxml_html.HTMLParser(
            encoding="utf-8", remove_comments=False, remove_pis=True, huge_tree=True
        )
    return _local.parser


def parse_html(body: bytes | str, headers: Headers = None):
    """An lxml tree of the page, decoded by charset rules, or None when there is nothing to parse."""
    text = decode_html(body, headers) if isinstance(body, bytes) else body
    if not text or not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_parser())
    except (etree.ParserError, ValueError, UnicodeError):
        return None


def _authors(meta: PageMeta, site: str, publication: str) -> list[str]:
    """Bylines naming the vertical itself ("Syria", the JSON-LD author of every executive summary)
    are the publication as author, so they read as its full name."""
    own = {site.casefold(), publication.casefold()}
    if meta.site_name:
        own.add(meta.site_name.casefold())
    out: list[str] = []
    for name in meta.authors:
        name = publication if name.casefold() in own else name
        if name not in out:
            out.append(name)
    return out


def _images(blocks: list[Block]) -> list[dict]:
    seen: set[str] = set()
    images = []
    for block in blocks:
        for embed in block.embeds:
            if embed["id"] not in seen:
                seen.add(embed["id"])
                images.append(dict(embed))
    return images


def _join(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks if b.text)


def _fill_from_trafilatura(meta: PageMeta, doc: dict) -> None:
    meta.title = meta.title or (doc.get("title") or "").strip()
    meta.summary = meta.summary or (doc.get("description") or "").strip()
    if not meta.authors and doc.get("author"):
        # trafilatura joins several authors with "; "
        meta.authors = [n for part in doc["author"].split(";") for n in split_authors(part)]
    if not meta.topics:
        meta.topics = [t for t in (doc.get("tags") or []) if t]


def build_record(
    body: bytes | str, url: str, headers: Headers = None, *, default_url: str | None = None
) -> Record | None:
    """As `extract_page`, but lets unexpected errors through (for tests and debugging).

    Without ``url``, the record takes the URL the page declares for itself (canonical link, JSON-LD,
    og:url, HTTrack's note), else ``default_url`` (a file's path, for the command line).
    """
    if not body:
        return None
    tree = parse_html(body, headers)
    if tree is None:
        return None
    meta = read_metadata(tree)
    if url:
        key = canonical_key(url)  # the URL it was served at decides: a front page is no article
    else:
        url = meta.declared_url or default_url or ""
        key = canonical_key(url) or canonical_key(default_url or "")
    if not key:
        return None
    site = key.split("/", 1)[0]
    publication = publication_name(site)

    blocks = page_blocks(tree) if meta.is_article else None
    embeds: list[dict] = []
    if blocks is None:
        # The generic extractor may drop the escaped picture markers: read them off the page first.
        embeds = [e for body in tree.xpath("//body")[:1] for e in find_embeds(body.text_content())]
        blocks, doc = fallback_blocks(tree, url if "://" in url else None)
        if not meta.is_article and (len(_join(blocks)) < MIN_FALLBACK_CHARS):
            return None
        _fill_from_trafilatura(meta, doc)
    if not meta.title and not blocks:
        return None

    kind = key_kind(key)
    authors = _authors(meta, site, publication)
    text_blocks, qa = blocks, []
    if kind in ("article", "op-ed"):
        interview = split_interview(blocks, publication, [meta.title, meta.summary], authors)
        if interview is not None:
            kind = "interview"
            text_blocks = interview.intro + interview.outro
            qa = interview.turns

    return Record(
        url=url,
        key=key,
        site=site,
        title=meta.title,
        summary=meta.summary,
        authors=authors,
        published=meta.published or key_date(key),
        read_time_minutes=meta.read_time_minutes,
        kind=kind,
        topics=meta.topics,
        text=_join(text_blocks),
        qa=qa,
        images=_images([*blocks, Block("", embeds=embeds)]),
    )


def extract_page(html: bytes, url: str, headers: Headers = None) -> Record | None:
    """The record of an article page, or None for any other page (listing, topic, front page, stub).

    ``headers`` are the HTTP response headers (a dict or (name, value) pairs); their charset is
    trusted first. Never raises on bad input: a page that cannot be read is None (and logged).
    """
    return extract_page_or_error(html, url, headers)[0]


def extract_page_or_error(html: bytes, url: str, headers: Headers = None,
                          log_failure: bool = True) -> tuple[Record | None, str | None]:
    """As `extract_page`, with the one-line error when a page failed, so that callers count the
    failures apart from pages that are no article (a None alone cannot tell them apart); a caller
    that reports the error itself asks for no log line (`log_failure=False`)."""
    _count_page()
    try:
        return build_record(html, url or "", headers), None
    except Exception as e:  # one malformed page must not stop a batch of thousands
        if log_failure:
            log.warning("extract failed for %s: %s: %s", url, type(e).__name__, e,
                        exc_info=log.isEnabledFor(logging.DEBUG))  # the traceback only when asked for
        return None, f"{type(e).__name__}: {e}"[:500]


def _count_page() -> None:
    global _pages_since_reset
    _pages_since_reset += 1
    if _pages_since_reset >= RESET_EVERY:
        _pages_since_reset = 0
        if "trafilatura.meta" in sys.modules:  # nothing to clear if no page needed trafilatura
            sys.modules["trafilatura.meta"].reset_caches()
