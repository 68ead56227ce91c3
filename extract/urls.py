"""Canonical article keys: one key per article, however and wherever it was served.

The same article reaches us as ``https://www.newsdeeply.com/syria/articles/2018/4/13/slug``,
``…/2018/04/13/slug.html`` (HTTrack), ``deeply.thenewhumanitarian.org/syria/…`` (the archive host),
``http://127.0.0.1:PORT/syria/…`` (local copies), a replay URL wrapping any of those, or the old
``www.syriadeeply.org/articles/…`` form. The store deduplicates on the key, so every one of these must
come out the same, and a key fed back in must come out unchanged (ingest re-keys stored rows).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

# Sections whose pages are one article each, with the shape of what follows the section.
DATED_SECTIONS = ("articles", "community")
SUMMARY_SECTION = "executive-summaries"
EXPLAINER_SECTION = "background"
SECTIONS = (*DATED_SECTIONS, SUMMARY_SECTION, EXPLAINER_SECTION)

KIND_BY_SECTION = {
    "articles": "article",
    "community": "op-ed",
    SUMMARY_SECTION: "executive-summary",
    EXPLAINER_SECTION: "explainer",
}

# Path prefixes (and old stand-alone domains) of the News Deeply verticals, with the name each site
# gives itself in its page titles and og:site_name (the women's hub is "Women and Girls"; it was later
# Women's Advancement Deeply, under a path of its own).
PUBLICATIONS = {
    "syria": "Syria Deeply",
    "refugees": "Refugees Deeply",
    "womenandgirls": "Women and Girls",
    "womensadvancement": "Women's Advancement Deeply",
    "peacebuilding": "Peacebuilding Deeply",
    "oceans": "Oceans Deeply",
    "water": "Water Deeply",
    "arctic": "Arctic Deeply",
    "malnutrition": "Malnutrition Deeply",
    "cities": "Cities Deeply",
}
# Spellings of a vertical that name the same site (the old stand-alone domain was waterdeeply.org).
SITE_ALIASES = {
    "waterdeeply": "water",
    "women-and-girls": "womenandgirls",
    "womenandgirlsdeeply": "womenandgirls",
}

# Characters left as they are in a slug (RFC 3986 pchar less "%"); the rest is percent-encoded, so
# decoding and re-encoding gives back the same slug (idempotence).
_SLUG_SAFE = "-._~!$&'()*+,;=:@"
_REQUISITE_EXT = re.compile(
    r"\.(?:css|js|mjs|json|xml|rss|atom|jpe?g|png|gif|webp|svg|ico|pdf|mp[34]|webm|woff2?|ttf|eot|zip|txt)$"
)
_PAGE_EXT = re.compile(r"\.(?:html?|php|aspx?)$", re.IGNORECASE)
_EMBEDDED_URL = re.compile(r"https?:/{1,2}(?=[^/])", re.IGNORECASE)
_DEEPLY_DOMAIN = re.compile(r"^(?:www\.|beta\.|alpha\.)?([a-z]+)deeply\.(?:org|com)$")
_NEWSDEEPLY_SUB = re.compile(r"^([a-z]+)\.newsdeeply\.com$")
_SITE_SEGMENT = re.compile(r"^[a-z][a-z0-9-]*$")
_NOT_SLUGS = {"page", "rss", "feed", "amp", "index"}


def normalize_site(site: str) -> str:
    site = site.lower()
    return SITE_ALIASES.get(site, site)


def publication_name(site: str) -> str:
    """The name a vertical publishes (and asks interview questions) under."""
    site = normalize_site(site)
    if site in PUBLICATIONS:
        return PUBLICATIONS[site]
    return f"{site.replace('-', ' ').title()} Deeply"


def _site_from_host(host: str) -> str | None:
    m = _DEEPLY_DOMAIN.match(host)
    if m and m.group(1) != "news":
        return normalize_site(m.group(1))
    m = _NEWSDEEPLY_SUB.match(host)
    if m and m.group(1) not in {"www", "beta", "alpha", "staging", "api", "cdn", "assets"}:
        return normalize_site(m.group(1))
    return None


def _strip_page_ext(segment: str) -> str:
    while _PAGE_EXT.search(segment):
        segment = _PAGE_EXT.sub("", segment)
    return segment


def _slug(segment: str) -> str | None:
    # Decode, then strip and check, then re-encode: the key fed back in takes the same path.
    name = _strip_page_ext(unquote(segment)).lower()
    name = name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # lone surrogates
    if not name or name in _NOT_SLUGS or name.strip(".") == "" or _REQUISITE_EXT.search(name):
        return None
    return quote(name, safe=_SLUG_SAFE)


def _date(y: str, m: str, d: str) -> tuple[int, int, int] | None:
    if not (re.fullmatch(r"\d{4}", y) and re.fullmatch(r"\d{1,2}", m) and re.fullmatch(r"\d{1,2}", d)):
        return None
    year, month, day = int(y), int(m), int(d)
    if not (1990 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year, month, day


def _key_from_segments(site: str | None, section: str, rest: list[str]) -> str | None:
    if not site or not _SITE_SEGMENT.match(site) or site in SECTIONS:
        return None
    site = normalize_site(site)
    if section in DATED_SECTIONS:
        if len(rest) != 4:
            return None
        ymd = _date(*rest[:3])
        slug = _slug(rest[3])
        if not ymd or not slug:
            return None
        return f"{site}/{section}/{ymd[0]:04d}/{ymd[1]:02d}/{ymd[2]:02d}/{slug}"
    if section == SUMMARY_SECTION:
        if len(rest) not in (3, 4):
            return None
        last = _strip_page_ext(unquote(rest[2]))
        ymd = _date(rest[0], rest[1], last)
        if not ymd:
            return None
        return f"{site}/{section}/{ymd[0]:04d}/{ymd[1]:02d}/{ymd[2]:02d}"
    if section == EXPLAINER_SECTION:
        if len(rest) != 1:
            return None
        slug = _slug(rest[0])
        return f"{site}/{section}/{slug}" if slug else None
    return None


def _key_of_one(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # urlsplit rejects some malformed netlocs (e.g. an unbalanced "[")
        return None
    host = (parts.hostname or "").lower() if parts.netloc else ""
    path = parts.path if (parts.scheme or parts.netloc) else url.split("?")[0].split("#")[0]
    segments = [s for s in path.split("/") if s]
    if not segments or _REQUISITE_EXT.search(segments[-1].lower()):
        return None
    lowered = [s.lower() for s in segments]
    # The rightmost section wins, so file paths (/tmp/x/syria/articles/…) and mirrors key alike.
    for i in range(len(lowered) - 1, -1, -1):
        section = lowered[i]
        if section not in SECTIONS:
            continue
        site = lowered[i - 1] if i >= 1 else _site_from_host(host)
        if i >= 1 and lowered[i - 1] in SECTIONS:
            continue
        key = _key_from_segments(site, section, segments[i + 1 :])
        if key:
            return key
    return None


def canonical_key(url: str) -> str | None:
    """The article's key (``site/section/YYYY/MM/DD/slug``), or None when the URL is no article page.

    Replay URLs wrap the original (``…/20200101000000/https://www.newsdeeply.com/…``): the wrapped
    URL is tried first, innermost last-written wins.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > 4096:
        return None
    starts = [m.start() for m in _EMBEDDED_URL.finditer(url) if m.start() > 0]
    for start in reversed(starts):
        key = _key_of_one(url[start:])
        if key:
            return key
    return _key_of_one(url)


def is_article_url(url: str) -> bool:
    """Cheap URL-only filter: True for article, op-ed, executive summary and explainer pages."""
    return canonical_key(url) is not None


def site_of(url: str) -> str | None:
    """The vertical a URL belongs to, from its key, else from its host or first path segment."""
    key = canonical_key(url)
    if key:
        return key.split("/", 1)[0]
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    site = _site_from_host((parts.hostname or "").lower()) if parts.netloc else None
    if site:
        return site
    segments = [s for s in parts.path.split("/") if s]
    if segments and _SITE_SEGMENT.match(segments[0].lower()):
        return normalize_site(segments[0])
    return None


def key_date(key: str | None) -> str | None:
    """``YYYY-MM-DD`` from a dated key, the last resort for a page's publication date."""
    if not key:
        return None
    m = re.match(r"^[^/]+/[^/]+/(\d{4})/(\d{2})/(\d{2})(?:/|$)", key)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def key_kind(key: str | None) -> str:
    """The kind a page's section implies (an interview is told by its body, not its URL)."""
    if not key:
        return "article"
    parts = key.split("/")
    return KIND_BY_SECTION.get(parts[1], "article") if len(parts) > 1 else "article"
