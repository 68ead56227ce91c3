"""Leftovers and white space: what must never reach a record's text.

The WordPress-era bodies were pasted into the later CMS with their markup escaped, so readers saw
``<!–more–>``, ``<div source=’picture’ id=’7288′ flow=’alignright’ />``, ``<p dir=”rtl”>`` and
``[/caption]`` as text (quotes curled by the typographer), and a Markdown converter left
``[![alt][2]][2]`` behind. Picture placeholders carry the one fact worth keeping, which image stood
where: they become ``images`` entries ``{"id": "7288", "align": "alignright"}`` (the WordPress
attachment id and alignment class, as written). Everything else of the kind is dropped.
"""

from __future__ import annotations

import html
import re

_Q = "[\"'‘’‚‛“”„′″`´]"  # straight and typographic quotes, primes included (’7288′)

# A picture placeholder, escaped: <div source=’picture’ id=’7288′ flow=’alignright’ />
_PICTURE = re.compile(rf"<\s*div\b[^<>]*?\bsource\s*=\s*{_Q}?\s*picture\b[^<>]*>", re.IGNORECASE)
_ATTR_ID = re.compile(rf"\bid\s*=\s*{_Q}?\s*(\d+)", re.IGNORECASE)
_ATTR_FLOW = re.compile(rf"\bflow\s*=\s*{_Q}?\s*([A-Za-z-]+)", re.IGNORECASE)
# An escaped WordPress image: <img class=”alignleft size-medium wp-image-5288″ … />
_WP_IMG = re.compile(r"<\s*img\b[^<>]*>", re.IGNORECASE)
_WP_IMG_ID = re.compile(r"\bwp-image-(\d+)")
_ALIGN = re.compile(r"\b(align(?:left|right|center|none))\b", re.IGNORECASE)

_COMMENT = re.compile(r"<!\s*(?:--|[–—-])[^<>]*?>")  # <!–more–>, <!--more-->, <!-- nextpage -->
_CDATA = re.compile(r"(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_SHORTCODE = re.compile(
    r"\[([a-z][\w-]*)\][^\[\]\s]*\[/\1\]"  # [easyrotator]erc_6_1[/easyrotator]
    r"|\[/?(?:caption|gallery|embed|video|audio|playlist|thethe-[\w-]*|wp_[\w-]*)\b[^\[\]]*\]"
    r"|\[[a-z][\w-]*(?:\s+[\w-]+\s*=\s*[^\[\]]*)+\]"
    r"|\[/[a-z][\w-]*\]",
    re.IGNORECASE,
)
# Markdown image links left by a converter: [![alt][2]][2], the alt text sometimes bracketed itself.
_MARKDOWN_IMG = re.compile(
    r"\[!\[.{0,160}?\]\[\d+\]\]\[\d+\]|^\s*\[\d*\]:\s*\S+\s*$|\s\[\]:\s*https?://\S+\s*$", re.MULTILINE
)
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]{1,300})\]\[\d+\]")  # [link text][1]: the words stay
# ... and the halves of one that a line break split: "Journal: [" | "Allies Reach Out][6]"
_MARKDOWN_HALF = re.compile(r"\]\[\d+\]|\s\[\s*$")
_DOUBLE_ESCAPED = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#[xX][0-9a-fA-F]{2,5});")

_INVISIBLE = re.compile("[\u200b\ufeff\u00ad\u2060]")


def normalize_space(text: str) -> str:
    """Runs of white space (NBSP and the Unicode spaces included) become one plain space.

    Letters stay as published: no Unicode compatibility folding, so curly quotes, dashes and
    Arabic are kept byte for byte; only invisible format characters are dropped.
    """
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())  # str.split() splits on NBSP, thin, narrow and ideographic spaces too


def _unescape_literal(text: str) -> str:
    # Markup escaped twice shows as "&lt;p&gt;" or "&nbsp;" on the page: decode it first so that
    # the rules below see the tag it was.
    if "&" in text:
        return _DOUBLE_ESCAPED.sub(lambda m: html.unescape(m.group(0)), text)
    return text


def find_embeds(text: str) -> list[dict]:
    """The picture placeholders and escaped WordPress images standing in a text, in order."""
    text = _unescape_literal(text)
    found: list[tuple[int, dict]] = []
    for m in _PICTURE.finditer(text):
        ident = _ATTR_ID.search(m.group(0))
        flow = _ATTR_FLOW.search(m.group(0))
        if ident:
            found.append((m.start(), {"id": ident.group(1), "align": flow.group(1).lower() if flow else ""}))
    for m in _WP_IMG.finditer(text):
        ident = _WP_IMG_ID.search(m.group(0))
        align = _ALIGN.search(m.group(0))
        if ident:
            embed = {"id": ident.group(1), "align": align.group(1).lower() if align else ""}
            found.append((m.start(), embed))
    return [embed for _, embed in sorted(found, key=lambda pair: pair[0])]


def strip_leftovers(text: str) -> str:
    """Escaped markup, WordPress comments and shortcodes out; the words between them stay."""
    text = _unescape_literal(text)
    if "<" in text:
        text = _PICTURE.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _CDATA.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "[" in text or "]" in text:
        text = _MARKDOWN_IMG.sub(" ", text)
        text = _MARKDOWN_LINK.sub(r"\1", text)
        text = _MARKDOWN_HALF.sub("", text)
        text = _SHORTCODE.sub(" ", text)
        text = _CDATA.sub(" ", text)
    return text


def clean_text(text: str) -> str:
    return normalize_space(strip_leftovers(text))


def has_words(text: str) -> bool:
    """Whether anything but white space and leftovers is left: `clean_text(text) != ""`, cheaply."""
    if not text or text.isspace():
        return False
    if "<" in text or "[" in text or "&" in text:
        return bool(clean_text(text))
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
        return bool(text) and not text.isspace()
    return True


# Chrome of the newsdeeply.com template. The first group never belongs to an article, whatever the
# source; the second only when the body came from the generic extractor (an op-ed may well end in
# "Sincerely,").
_ALWAYS_CHROME = re.compile(
    r"^(?:Dear Deeply Readers,?|Welcome to the archives of [\w &]+ Deeply\b.*|Most Popular|"
    r"Share Your Story\.?|Suggest your story or issue\.?|About the Author|"
    r"Read the Rest of the Article\b.*|Thank You, Deeply|"
    r"We continue to produce events and special projects while we explore\b.*)$",
    re.IGNORECASE,
)
_FALLBACK_CHROME = re.compile(
    r"^(?:Sincerely,?|Team Deeply|EXPLORE [\w &]+ DEEPLY|BROWSE THE [\w &]+ ARCHIVES|Learn more|"
    r"Have a story idea\?.*|Share via Email|Tweet|Follow us|Written by|Published on|Read time\b.*|"
    r"partners@newsdeeply\.com|In-depth coverage of\b.*|.*Read more about our copyright\b.*)$",
    re.IGNORECASE,
)


# Standard editorial notes closing op-eds and republished pieces: the same sentence on hundreds of
# pages, about the article rather than of it. Only a block that is wholly such a note is dropped
# ("Note: names have been changed. The views expressed…" keeps its first sentence, so it stays).
_EDITORIAL_NOTE = re.compile(
    r"^(?:The (?:views|opinions) expressed in this (?:article|piece|op-ed|commentary|post|story)\b.*"
    r"|This (?:article|piece|story|post|op-ed|commentary) (?:was|is|has been) (?:originally|first) "
    r"(?:published|posted|appeared)\b.*)$",
    re.IGNORECASE,
)


def is_chrome(text: str, generic_source: bool = False) -> bool:
    if _ALWAYS_CHROME.match(text) or _EDITORIAL_NOTE.match(text):
        return True
    return generic_source and bool(_FALLBACK_CHROME.match(text))
