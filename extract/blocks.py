"""The article body as a list of paragraph blocks, each remembering how it opens.

Interview labels live in the markup (``<strong>SD</strong>:``, a heading, a bold lead-in), which a plain
text rendering flattens away; so the body is walked here once, keeping per block its clean text, the
text of its leading bold run, and whether it is a heading or set wholly in italics.

The site marks its body (``itemprop="articleBody"``; explainers use ``article.detail``) and that element
is walked as it stands: it is exact, whereas a generic extractor drops short paragraphs and keeps pull
quotes twice. Pages without that markup (other templates, old WordPress pages) go through trafilatura,
whose formatted XML output is walked by the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from extract.cleanup import clean_text, find_embeds, has_words, is_chrome
from extract.metadata import BYLINE, DEK

_BLOCK_HTML = {
    "p", "div", "section", "article", "main", "blockquote", "pre", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "tbody", "thead", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "center",
    "address", "figcaption", "details", "summary",
}  # fmt: skip
_BLOCK_TEI = {"doc", "body", "p", "head", "list", "item", "quote", "table", "row", "cell", "code", "div"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "head"}
_BOLD = {"strong", "b"}
_ITALIC = {"em", "i", "cite"}
_BREAKS = {"br", "lb"}
_ITEMS = {"li", "item", "dd", "dt"}
# Never article text: media, scripts, forms, the pull quotes and figures set in <aside>, and the
# captions and photo credits of pictures (pull quotes repeat a sentence of the body; figures go to
# `images`; a caption set between two paragraphs of an answer is no part of what was said).
_SKIP = {
    "script", "style", "noscript", "iframe", "object", "embed", "img", "svg", "video", "audio",
    "source", "picture", "figure", "aside", "button", "form", "input", "select", "textarea", "template",
    "link", "meta", "nav", "header", "footer", "graphic", "map", "canvas", "title", "figcaption",
}  # fmt: skip
_SKIP_CLASS = re.compile(
    r"\b(?:post-holder|restricted|share|intents|newsletter|related|sidebar|widget|modal|sunset|"
    r"social|advert|promo|wp-caption|wp-caption-text|thumb-caption|pull-?quote\w*|[\w-]*quote-block)\b"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass
class Block:
    text: str
    lead: str = ""  # clean text of the bold run the block opens with ("" if it opens in roman)
    heading: bool = False
    italic: bool = False
    embeds: list[dict] = field(default_factory=list)
    rule: bool = False  # an <hr>: the page's own break between parts (no text)
    listed: bool = False  # an item of a list (<li>, TEI <item>)
    item: int = 0  # which list item it is in (a serial; 0 outside lists): one item may hold several blocks
    after_picture: bool = False  # a picture stands between it and the block before


@dataclass
class _Segment:
    text: str
    bold: bool
    italic: bool


# A caption set as a paragraph of its own right under a picture, or a credit line standing alone:
# "A student takes notes. (Photo Courtesy of …)", "(All photographs courtesy of …)", "(AFP/…)".
_CREDIT = re.compile(
    r"\((?:[^()]*\b(?:[Pp]hotos?|[Pp]hotograph(?:s|y)?|[Cc]ourtesy|AFP|Reuters|AP|Getty|EPA|Flickr|Images?)\b[^()]*"
    r"|[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*\s?/[^()]+)\)$"
)


def is_credit(text: str, after_picture: bool) -> bool:
    """A photo credit standing alone, or under a picture a paragraph that ends in one."""
    if text.startswith("(") and _CREDIT.search(text) and text.count("(") == 1:
        return True
    return after_picture and len(text) < 400 and bool(_CREDIT.search(text))


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.after_picture = False  # a picture came since the last paragraph: its caption may follow
        self.picture_since = False  # a picture, captioned or not, came since the last paragraph
        self.segments: list[_Segment] = []
        self.heading = False
        self.listed = False
        self.item = 0

    def add(self, text: str | None, bold: bool, italic: bool) -> None:
        if text:
            self.segments.append(_Segment(text, bold, italic))

    def flush(self) -> None:
        segments, heading, listed, item = self.segments, self.heading, self.listed, self.item
        self.segments, self.heading, self.listed = [], False, False
        if not segments:
            return
        raw = "".join(s.text for s in segments)
        embeds = find_embeds(raw) if "<" in raw or "&" in raw else []
        text = clean_text(raw)
        if not text:
            if embeds:
                self.blocks.append(Block("", embeds=embeds))
            return
        after_picture, self.after_picture = self.after_picture, False
        picture_since, self.picture_since = self.picture_since, False
        if is_credit(text, after_picture):
            return
        lead_parts: list[str] = []
        opens_bold = False
        worded = [has_words(s.text) for s in segments]
        meaningful = [s for s, w in zip(segments, worded, strict=True) if w]
        for s, words in zip(segments, worded, strict=True):
            if s.bold or heading:
                lead_parts.append(s.text)
                opens_bold = opens_bold or words
            elif words:
                break
            else:
                lead_parts.append(s.text)
        lead = clean_text("".join(lead_parts)) if opens_bold else ""
        italic = bool(meaningful) and all(s.italic for s in meaningful)
        self.blocks.append(
            Block(
                text, lead=lead, heading=heading, italic=italic, embeds=embeds, listed=listed,
                item=item if listed else 0, after_picture=picture_since,
            )
        )

    def rule(self) -> None:
        self.flush()
        self.blocks.append(Block("", rule=True))


def _local(tag) -> str | None:
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1].lower()


def _skipped(el, tag: str) -> bool:
    if tag in _SKIP:
        return True
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return bool(_SKIP_CLASS.search(el.get("class") or ""))


def walk_blocks(root, tei: bool = False) -> list[Block]:
    """Blocks in document order; iterative, so deeply nested broken markup cannot hit a recursion limit."""
    block_tags = _BLOCK_TEI if tei else _BLOCK_HTML
    # iterwalk does not report comments, and their tails are text: fold them away first (in place).
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    builder = _Builder()
    style: list[tuple[bool, bool]] = [(False, False)]
    skipped: set = set()
    items = 0  # open list items: what is flushed inside one is `listed`
    open_items: list[int] = []  # serials of the open list items, innermost last
    serial = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = _local(el.tag)
        if event == "start":
            if el is not root and (tag is None or _skipped(el, tag)):
                if tag in ("img", "picture", "figure"):
                    builder.after_picture = True
                if tag in ("img", "picture", "figure") or any(
                    _local(d.tag) in ("img", "picture") for d in el.iter()
                ):
                    builder.picture_since = True  # a captioned picture too (div.wp-caption)
                skipped.add(el)
                walker.skip_subtree()
                continue
            bold, italic = style[-1]
            if tag in _BREAKS:
                builder.flush()
                style.append((bold, italic))
                continue
            if tag == "hr":
                builder.rule()
            elif tag in block_tags or tag in _HEADINGS:
                builder.flush()
                if tag in _ITEMS:
                    items += 1
                    serial += 1
                    open_items.append(serial)
                builder.heading = tag in _HEADINGS
                builder.listed = items > 0
                builder.item = open_items[-1] if open_items else 0
            rend = (el.get("rend") or "") if tei else ""
            bold = bold or tag in _BOLD or tag in _HEADINGS or (tag == "hi" and "#b" in rend)
            italic = italic or tag in _ITALIC or (tag == "hi" and "#i" in rend)
            style.append((bold, italic))
            builder.add(el.text, bold, italic)
        else:
            if el in skipped:
                skipped.discard(el)
            else:
                style.pop()
                if tag in block_tags or tag in _HEADINGS:
                    builder.flush()
                    if tag in _ITEMS:
                        items -= 1
                        open_items.pop()
                    builder.listed = items > 0
                    builder.item = open_items[-1] if open_items else 0
            if el is not root:
                bold, italic = style[-1]
                builder.add(el.tail, bold, italic)
    builder.flush()
    return builder.blocks


_ARTICLE = '//article[contains(concat(" ", normalize-space(@class), " "), " detail ")]'


def find_body(tree):
    """The site's own article body element, or None when the page does not mark one."""
    bodies = tree.xpath('//*[@itemprop="articleBody"]')
    if bodies:
        return max(bodies, key=lambda el: len(el.text_content()))
    explainers = [el for el in tree.xpath(_ARTICLE) if el.xpath("./header//h1 | ./h1")]
    if explainers:
        return explainers[0]
    return None


# Template chrome pruned before trafilatura sees a page, so its guess cannot land on the banner.
_PRUNE = [
    '//*[contains(@class, "sunset-popup")]',
    '//*[contains(@class, "modal")]',
    '//*[contains(@class, "restricted-post-holder")]',
    '//aside[contains(@class, "sidebar")]',
    '//section[contains(@class, "contribute")]',
    '//header[contains(@class, "sitenav")]',
    '//ul[contains(@class, "intents")]',
    '//ul[contains(@class, "categories")]',
    '//p[contains(@class, "lede")]',
    DEK,
    BYLINE,
    '//table[contains(@class, "meta")]',
    "//h1",
]


def fallback_blocks(tree, url: str | None = None) -> tuple[list[Block], dict]:
    """Blocks and metadata from trafilatura, for pages without a marked body.

    Mutates ``tree`` (trafilatura cleans in place): call it last.
    """
    import trafilatura

    for xp in _PRUNE:
        for el in tree.xpath(xp):
            parent = el.getparent()
            if parent is not None:
                el.drop_tree() if hasattr(el, "drop_tree") else parent.remove(el)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            include_formatting=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            with_metadata=True,
        )
    except Exception:  # trafilatura raises on some degenerate trees; a page without text is no record
        return [], {}
    if doc is None or getattr(doc, "body", None) is None:
        return [], {}
    blocks = [b for b in walk_blocks(doc.body, tei=True) if not is_chrome(b.text, generic_source=True)]
    return blocks, doc.as_dict()


def page_blocks(tree) -> list[Block] | None:
    """Blocks of the site's marked body (chrome patterns dropped), or None to ask for the fallback."""
    body = find_body(tree)
    if body is None:
        return None
    return [b for b in walk_blocks(body) if not is_chrome(b.text)]
