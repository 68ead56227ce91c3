"""The page's own statements about the article: JSON-LD, the meta table, the lede, ``<time>``, meta tags.

Each field has an order of sources, most specific first. The visible ``<time itemprop=datePublished>``
is what readers saw, so it leads for the date; authors are JSON-LD's names in the visible byline's
order (see `_credited`); titles come from the headline element,
since JSON-LD strings were written by a template that sometimes left entities in them. Sidebars
carry their own ``<time>`` and headlines ("Most Popular"), so every look-up is anchored on the
article's own elements.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from extract.cleanup import clean_text

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "blogposting",
    "reportagenewsarticle",
    "opinionnewsarticle",
    "analysisnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "scholarlyarticle",
}

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TEXT_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_TEXT_DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_READ_TIME = re.compile(r"Read\s*time\W*(?:Approx\.?|About|~)?\s*(\d{1,3})\s*min", re.IGNORECASE)
_ISO_DURATION = re.compile(r"^P(?:T)?(?:(\d+)H)?(?:(\d+)M)?", re.IGNORECASE)
_AUTHOR_JOIN = re.compile(r"\s*(?:;|\+|&|\band\b)\s*", re.IGNORECASE)
_AUTHOR_COMMA = re.compile(r"\s*,\s*")
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}
_MIRRORED_FROM = re.compile(r"Mirrored from (\S+) by HTTrack")
_JSON_LINE = re.compile(
    r'^\s*"(headline|url|description|datePublished|articleSection)"\s*:\s*"(.*)"\s*,?\s*$'
)
_JSON_NAMES = re.compile(r'"name"\s*:\s*"([^"]*)"')
_JSON_AUTHOR_STR = re.compile(r'"author"\s*:\s*"([^"]*)"')


@dataclass
class PageMeta:
    title: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    read_time_minutes: int | None = None
    topics: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    declared_url: str | None = None
    site_name: str | None = None
    is_article: bool = False


def _text(el) -> str:
    return clean_text(el.text_content()) if el is not None else ""


def _first(tree, *xpaths):
    for xp in xpaths:
        found = tree.xpath(xp)
        if found:
            return found[0]
    return None


def _meta_content(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _unescaped(value) -> str:
    return clean_text(html.unescape(value)) if isinstance(value, str) else ""


# --- JSON-LD ---------------------------------------------------------------------------------


def _json_string(value: str) -> str:
    try:
        return json.loads(f'"{value}"', strict=False)
    except ValueError:
        return value.replace('\\"', '"').replace("\\/", "/")


def _salvage_jsonld(raw: str) -> dict:
    """A field-by-field reading of a JSON-LD block that does not parse.

    The site's template interpolated descriptions without escaping, so some blocks carry raw quotes
    ("on the cheap") inside strings. One field per line lets the fields around them still be read.
    """
    found: dict = {}
    for line in raw.splitlines():
        m = _JSON_LINE.match(line)
        if m and m.group(1) not in found:
            found[m.group(1)] = _json_string(m.group(2))
    author = raw.split('"author"', 1)
    if len(author) == 2:
        head = author[1].split('"publisher"', 1)[0]
        names = _JSON_NAMES.findall(head)
        m = _JSON_AUTHOR_STR.search('"author"' + author[1][:400])
        if names:
            found["author"] = [{"name": _json_string(n)} for n in names]
        elif m:
            found["author"] = _json_string(m.group(1))
    if found:
        found.setdefault("@type", "NewsArticle")
    return found


def _flatten_jsonld(data) -> list[dict]:
    out: list[dict] = []
    if isinstance(data, list):
        for item in data:
            out.extend(_flatten_jsonld(item))
    elif isinstance(data, dict):
        if "@graph" in data:
            out.extend(_flatten_jsonld(data["@graph"]))
        out.append(data)
    return out


def _is_article_type(item: dict) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds)


def jsonld_article(tree) -> dict | None:
    """The page's JSON-LD article object, read leniently (raw newlines, unescaped quotes)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = script.text or ""
        if not raw.strip():
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            data = _salvage_jsonld(raw)
        for item in _flatten_jsonld(data):
            if _is_article_type(item):
                return item
    return None


def jsonld_authors(item: dict | None, bios: Iterable[str] = ()) -> list[str]:
    if not item:
        return []
    author = item.get("author")
    entries = author if isinstance(author, list) else [author]
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, dict):
            entry = entry.get("name")
        if isinstance(entry, str):
            names.extend(split_authors(html.unescape(entry), bios))
    return _dedupe(names)


# --- parsing helpers -----------------------------------------------------------------------------


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


_OTHER_ROLE = re.compile(
    r"^(?:edited|editing|translated|translation|photos?|photographs?|illustrations?|graphics?|video)"
    r"\s+by\b", re.IGNORECASE)


def _opens_a_bio(name: str, bios: list[str]) -> bool:
    """A bio opens on its person as the subject: "Xanthe Ackerman is …", "… was …", "…, a writer
    …", "… (@handle)"; not "Los Angeles Times reporter …" or "Aleppo-based …", which say where
    the person works."""
    opening = re.compile(re.escape(name) + r"(?=\s+(?:is|was)\b|,\s+(?:an?|the)\b|\s*\()", re.IGNORECASE)
    return any(opening.match(bio) for bio in bios)


def split_authors(value: str, bios: Iterable[str] = ()) -> list[str]:
    """One name per entry from a byline: "A and B", "A, B & C", "A + B", "A / Aleppo".

    What follows a slash is the writer's dateline or outlet ("Mohammed Sergie / Aleppo", "Phil
    Sands / The National"), not a writer, and it runs to the next "and", "&", ";" or "+": a
    dateline has commas of its own ("Sari Youssef / Ayn Aasan, Aleppo province"). It is a writer
    only when one of the page's author bios opens with it ("100Reporters / Xanthe Ackerman" over a
    bio "Xanthe Ackerman is a freelance writer …"): the bio says who the byline's person is. A
    leading "The" is part of an outlet's or organisation's name ("Nick Wilson, The Tribune", "and
    the Syrian Independent Media Group"), so it stays, capitalised as a name's first word is.
    """
    value = clean_text(value)
    value = re.sub(r"^(?:written\s+)?by\s+", "", value, flags=re.IGNORECASE)
    bios = [bio for bio in bios if bio]
    names: list[str] = []
    for chunk in _AUTHOR_JOIN.split(value):
        head, *tails = chunk.split("/")
        parts = _AUTHOR_COMMA.split(head)
        for tail in tails:
            parts += [p for p in _AUTHOR_COMMA.split(tail) if p.strip() and _opens_a_bio(p.strip(), bios)]
        for part in parts:
            part = re.sub(r"^the\s+", "The ", part.strip(" ,;:"), flags=re.IGNORECASE).strip()
            if part == "The" or not part or _OTHER_ROLE.match(part):
                continue  # "Edited by …", "Photos by …": credited, but not for writing it
            if part.lower() in _NAME_SUFFIXES and names:
                names[-1] = f"{names[-1]}, {part}"
                continue
            names.append(part)
    return _dedupe(names)


def parse_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` from an ISO stamp ("2013-07-05 00:00:00 UTC") or a written date ("Dec. 29, 2016")."""
    if not value:
        return None
    value = value.strip()
    m = _ISO_DATE.search(value)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _TEXT_DATE.search(value)
        if m:
            month = _MONTHS.get(m.group(1).lower())
            day, year = int(m.group(2)), int(m.group(3))
        else:
            m = _TEXT_DATE_DMY.search(value)
            if not m:
                return None
            month = _MONTHS.get(m.group(2).lower())
            day, year = int(m.group(1)), int(m.group(3))
        if not month:
            return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_read_time(value: str | None) -> int | None:
    if not value:
        return None
    m = _READ_TIME.search(value)
    if m:
        return int(m.group(1))
    m = _ISO_DURATION.match(value.strip())
    if m and (m.group(1) or m.group(2)):
        return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
    return None


# --- the page ------------------------------------------------------------------------------------

# The article's own container: the sidebar, "Most Popular" and the author box live outside it.
_ARTICLE = '//article[contains(concat(" ", normalize-space(@class), " "), " detail ")]'


def _name_key(name: str) -> str:
    return re.sub(r"[’'`.\s-]+", "", name.casefold())


def _credited(byline: list[str], structured: list[str]) -> list[str]:
    """Authors as JSON-LD spells them, in the visible byline's order when both name the same people.

    The byline is the credited order, and JSON-LD lists are sometimes reversed; but the byline text
    is the contributor page's title, which can lag a corrected spelling ("Ahmad Zaza" against
    "Ahmad Zaazaa"), so when the two disagree on who, the structured list wins.
    """
    if not structured:
        return byline
    if byline and sorted(map(_name_key, byline)) == sorted(map(_name_key, structured)):
        spelled = {_name_key(n): n for n in structured}
        return [spelled[_name_key(n)] for n in byline]
    return structured


def _meta_table(tree, bios: list[str]) -> dict[str, object]:
    """The visible "Written by / Published on / Read time" row."""
    out: dict[str, object] = {}
    for td in tree.xpath('//table[contains(concat(" ", normalize-space(@class), " "), " meta ")]//td'):
        label = _text(_first(td, "./small")).lower()
        if label.startswith("written"):
            holder = _first(td, "./span") if td.xpath("./span") else td
            text = _text(holder)
            if label and text.lower().startswith(label):
                text = text[len(label) :]
            out["authors"] = split_authors(text, bios)
        elif label.startswith("published"):
            stamp = td.xpath(".//time/@datetime")
            out["published"] = parse_date(stamp[0]) if stamp else parse_date(_text(td))
        elif label.startswith("read"):
            out["read_time"] = parse_read_time(_text(td))
    return out


def _time_element(tree) -> str | None:
    for xp in (
        '//time[@itemprop="datePublished"]',
        f"{_ARTICLE}//header//time | {_ARTICLE}//table//time",
        "//article//header//time[@datetime]",
    ):
        for el in tree.xpath(xp):
            date = parse_date(el.get("datetime")) or parse_date(_text(el))
            if date:
                return date
    return None


def _topics(tree, item: dict | None) -> list[str]:
    channel = '//ul[contains(@class, "categories")]//a[contains(concat(" ", @class, " "), " channel ")]'
    topics = [_text(a) for a in tree.xpath(channel)]
    if not topics and item:
        keywords = item.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        if isinstance(keywords, list):
            topics = [_unescaped(k) for k in keywords if isinstance(k, str)]
    if not topics:
        topics = [clean_text(v) for v in tree.xpath('//meta[@property="article:tag"]/@content')]
    return _dedupe([t for t in topics if t])


def _categories(tree) -> list[str]:
    category = '//ul[contains(@class, "categories")]//a[contains(concat(" ", @class, " "), " category ")]'
    return _dedupe([_text(a) for a in tree.xpath(category)])


def _absolute(url) -> str | None:
    if isinstance(url, str) and re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def _declared_url(tree, item: dict | None) -> str | None:
    """The URL the page gives for itself: canonical link, JSON-LD, og:url, or HTTrack's note."""
    candidates = [
        *tree.xpath('//link[@rel="canonical"]/@href'),
        (item or {}).get("url"),
        _meta_content(tree, "og:url"),
        *tree.xpath('//*[@itemprop="mainEntityOfPage"]/@itemid'),
    ]
    for candidate in candidates:
        url = _absolute(candidate)
        if url:
            return url
    for comment in tree.xpath("//comment()")[:8]:
        m = _MIRRORED_FROM.search(comment.text or "")
        if m:
            return m.group(1) if "://" in m.group(1) else f"https://{m.group(1)}"
    return None


def _title(tree, item: dict | None) -> str:
    el = _first(tree, '//h1[@itemprop="headline"]', f"{_ARTICLE}//header//h1", "//article//h1")
    title = _text(el)
    if not title and item:
        title = _unescaped(item.get("headline"))
    if not title:
        title = clean_text(_meta_content(tree, "og:title", "twitter:title") or "")
    if not title:
        raw = _text(_first(tree, "//title"))
        title = re.split(r"\s+[—|–-]\s+", raw)[0] if raw else ""
    return title


def _class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


# The dek of other templates (older WordPress themes): a subtitle under the headline, not body text.
_DEK_CLASSES = ("dek", "deck", "subtitle", "entry-subtitle", "standfirst")
DEK = "//*[{}]".format(" or ".join(_class(c) for c in _DEK_CLASSES))
# The author box under the article: the byline's name over a bio of its person.
_AUTHOR_BIOS = '//div[contains(concat(" ", normalize-space(@class), " "), " author ")]//p'
# Bylines of other templates: author links, or a byline element to split.
_AUTHOR_LINKS = '//a[@rel="author"]'
BYLINE = "//*[{}]".format(" or ".join(_class(c) for c in ("byline", "author-name", "entry-author")))


def _summary(tree, item: dict | None) -> str:
    el = _first(tree, '//p[contains(concat(" ", normalize-space(@class), " "), " lede ")]', DEK)
    summary = _text(el)
    if not summary and item:
        summary = _unescaped(item.get("description"))
    if not summary:
        described = _meta_content(tree, "og:description", "description", "twitter:description")
        summary = clean_text(described or "")
    return summary


def page_metadata(tree) -> PageMeta:
    item = jsonld_article(tree)
    bios = [_text(p) for p in tree.xpath(_AUTHOR_BIOS)]
    table = _meta_table(tree, bios)
    meta = PageMeta()
    meta.title = _title(tree, item)
    meta.summary = _summary(tree, item)

    authors = _credited(list(table.get("authors") or []), jsonld_authors(item, bios))
    if not authors:  # other templates: every author link, else the byline's names
        authors = _dedupe([_text(a) for a in tree.xpath(_AUTHOR_LINKS) if _text(a)])
    if not authors:
        byline = _first(tree, BYLINE)
        authors = split_authors(_text(byline), bios) if byline is not None else []
    if not authors:
        for value in tree.xpath('//meta[@itemprop="author"]/@content') or [
            _meta_content(tree, "author", "article:author", "sailthru.author", "parsely-author") or ""
        ]:
            authors.extend(split_authors(value, bios))
    meta.authors = _dedupe(authors)

    stamp = (item or {}).get("datePublished")
    meta.published = (
        _time_element(tree)
        or parse_date(stamp if isinstance(stamp, str) else None)
        or table.get("published")
        or parse_date(
            _meta_content(
                tree,
                "article:published_time",
                "og:article:published_time",
                "datePublished",
                "pubdate",
                "publishdate",
                "date",
                "DC.date.issued",
                "dc.date",
                "sailthru.date",
                "parsely-pub-date",
            )
        )
    )
    meta.read_time_minutes = table.get("read_time")
    if meta.read_time_minutes is None:
        required = (item or {}).get("timeRequired")
        meta.read_time_minutes = parse_read_time(required if isinstance(required, str) else None)
    if meta.read_time_minutes is None:
        header = _first(tree, f"{_ARTICLE}//header", f"{_ARTICLE}//table")
        meta.read_time_minutes = parse_read_time(_text(header)) if header is not None else None
    if meta.read_time_minutes is None:  # written in another template's text: "Read time Approx. 6 minutes"
        for el in tree.xpath('//body//*[contains(text(), "Read time") or contains(text(), "Read Time")]')[:3]:
            meta.read_time_minutes = parse_read_time(_text(el))
            if meta.read_time_minutes is not None:
                break
    meta.topics = _topics(tree, item)
    meta.categories = _categories(tree)
    meta.declared_url = _declared_url(tree, item)
    meta.site_name = _meta_content(tree, "provider", "og:site_name")
    meta.is_article = bool(
        item
        or tree.xpath('//h1[@itemprop="headline"] | //*[@itemprop="articleBody"]')
        or tree.xpath(f"{_ARTICLE}//header//h1")
    )
    return meta
