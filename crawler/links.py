"""Links out of a fetched body, split into pages (to crawl) and requisites (to capture for replay).

Pure functions over bytes, so the same code serves a live response and a body read back from a WARC
when a crawl resumes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from parsel import Selector

# Matched against the lower-cased text (what `re.I` would do, at half the cost), URLs sliced from the
# original: ASCII lower-casing keeps every offset.
CSS_URL = re.compile(rb"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# `rel` tokens whose target the page loads to render (an icon of any kind: `icon`, `apple-touch-icon`, …).
REQUISITE_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "image_src"}
PAGE_RELS = {"alternate", "canonical", "next", "prev"}
_ABSOLUTE = re.compile(r"https?://[^/?#\\]", re.I)
MAX_LINKS = 20_000  # one page cannot flood the frontier


@dataclass(frozen=True)
class Link:
    url: str
    requisite: bool


def _clean(base: str, href: str | None) -> str | None:
    if not href:
        return None
    return _join(base, _origin(base), _folder(base), href.strip())


def _join(base: str, origin: str, folder: str, href: str) -> str | None:
    """`urljoin(base, href)` without its fragment, through caches that hit across pages: a path from
    the root or an absolute URL joins the same way against any page of the site (keyed on the origin),
    a relative path against any page of the same folder (keyed on the folder: `urljoin` uses nothing
    else of the base once the reference has a path of its own)."""
    if "\t" in href or "\n" in href or "\r" in href:
        return _resolve(base, href)  # urljoin deletes them: `/\n/x` is `//x`, another host
    if (href[:1] == "/" and href[1:2] != "/") or _ABSOLUTE.match(href):
        return _resolve(origin, href)
    if _path_only(href):
        return _resolve(folder, href)
    return _resolve(base, href)


def _path_only(href: str) -> bool:
    """A relative path (`page.html`, `../a/b`): nothing of the base but its folder counts. Not
    a query, a fragment, parameters, a `//host`, a scheme (`http:x`), nor what urljoin would strip to
    one of them (it drops leading controls and spaces)."""
    if href[:1] <= " " or href[0] in "/?#;":
        return False
    colon = href.find(":")
    return colon < 0 or -1 < href.find("/") < colon


@lru_cache(maxsize=1_024)
def _origin(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}/"


@lru_cache(maxsize=1_024)
def _folder(base: str) -> str:
    parts = urlsplit(base)
    cut = parts.path.rfind("/")
    if cut < 0:
        return base
    return f"{parts.scheme}://{parts.netloc}{parts.path[:cut + 1]}"


@lru_cache(maxsize=65_536)
def _resolve(base: str, href: str) -> str | None:
    """Cached: every page of a site repeats the same navigation links."""
    if not href or href.startswith(("javascript:", "mailto:", "data:", "tel:", "#")):
        return None
    joined = _down_from(base, href)
    if joined is not None:
        return joined
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return None


_PLAIN_REST = re.compile(r"[^?#;:\\\x00-\x20\x7f]+\Z")
_ODD_SEGMENT = re.compile(r"//|(?:^|/)\.\.?(?:/|$)")  # an empty, `.` or `..` segment


def _down_from(folder: str, href: str) -> str | None:
    """`urljoin(folder, href)` for the links of static copies (`../../2013/07/05/page.html`) at a tenth
    of its cost; None for anything else (a query, a scheme, dot or empty segments, a climb above the
    root), which goes to `urljoin`. Checked against `urljoin` by tests/test_properties.py."""
    if not folder.endswith("/") or not _plain_folder(folder):
        return None
    ups = 0
    while href.startswith("../", ups * 3):
        ups += 1
    rest = href[ups * 3:]
    if not _PLAIN_REST.match(rest) or rest[0] == "/" or _ODD_SEGMENT.search(rest):
        return None
    root = folder.index("/", folder.index("//") + 2)  # the slash that starts the path
    for _ in range(ups):
        if len(folder) - 1 <= root:
            return None
        folder = folder[:folder.rindex("/", 0, len(folder) - 1) + 1]
    return folder + rest


@lru_cache(maxsize=1_024)
def _plain_folder(folder: str) -> bool:
    """A base whose path `urljoin` would leave as it is: no empty, `.` or `..` segments."""
    head, sep, path = folder.partition("//")
    if not sep or "/" not in path:
        return False
    path = path[path.index("/"):]
    if "?" in path or "#" in path:
        return False
    return len(path) == 1 or not _ODD_SEGMENT.search(path[1:-1])


_SPACE = " \t\n\r\f"


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset`, as the HTML standard's parser reads them: a candidate's URL runs to the
    next whitespace (commas inside it are part of it, as in `?auto=format,enhance`; trailing commas end
    the candidate), and its descriptors run to the next comma outside parentheses."""
    urls, pos, n = [], 0, len(value)
    while pos < n:
        while pos < n and (value[pos] in _SPACE or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and value[pos] not in _SPACE:
            pos += 1
        url = value[start:pos]
        if not url:
            break
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        depth = 0  # skip the descriptors: to a comma outside parentheses
        while pos < n:
            ch = value[pos]
            if ch == "(":
                depth += 1
            elif ch == ")" and depth:
                depth -= 1
            elif ch == "," and not depth:
                pos += 1
                break
            pos += 1
    return [u for u in urls if u]


# Elements whose `src` the browser loads with the page; `iframe`s are documents fetched as embeds
# (their own requisites follow, their links are not crawled as pages).
_MEDIA = {"script", "img", "source", "video", "audio", "embed", "track", "iframe", "frame", "input"}
# Lazy-loading scripts keep the real image in one of these until it scrolls into view.
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-bg", "data-background")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_REFRESH = re.compile(r"^\s*[\d.]*\s*[;,]?\s*url\s*=\s*['\"]?\s*([^'\"]+)", re.I)


@lru_cache(maxsize=16)
def _parser(encoding: str) -> etree.HTMLParser:
    # lxml's plain elements: `lxml.html`'s element classes cost a look-up for each element made.
    return etree.HTMLParser(encoding=encoding, recover=True, remove_comments=True, remove_pis=True)


def html_links(body: bytes, url: str, encoding: str = "utf-8") -> list[Link]:
    """Links of an HTML page, each once. The page's own `<base href>` is ignored: scope is the
    caller's, and a base pointing elsewhere must not redirect the crawl."""
    try:
        root = etree.fromstring(body, _parser(encoding)) if body.strip() else None
    except (etree.LxmlError, ValueError, LookupError):
        return []
    if root is None:
        return []
    found: dict[str, bool] = {}  # url -> requisite; a URL seen as a page and a requisite is a page
    origin, folder = _origin(url), _folder(url)

    def add(href: str, requisite: bool) -> None:
        link = _join(url, origin, folder, href.strip())
        if link and len(found) < MAX_LINKS and found.get(link, True):
            found[link] = requisite

    # One walk over every element with `el.get` (an XPath selecting the linking ones first cost more
    # than the walk; `el.attrib` makes a proxy on each access), anchors first (the most common).
    for el in root.iter():
        tag = el.tag
        get = el.get
        if tag == "a" or tag == "area":
            href = get("href")
            if href:
                add(href, False)
        elif tag == "style":
            for item in css_urls((el.text or "").encode("utf-8", "replace")):
                add(item, True)
            continue
        elif tag == "meta":
            if (get("http-equiv") or "").strip().lower() == "refresh":
                refresh = _REFRESH.match(get("content") or "")
                if refresh:
                    add(refresh.group(1), False)
            continue
        elif tag == "link":
            href = get("href")
            if href:
                rels = set((get("rel") or "").lower().split())
                if rels & REQUISITE_RELS or any("icon" in r for r in rels):
                    add(href, True)
                elif rels & PAGE_RELS:
                    add(href, False)
            for item in srcset_urls(get("imagesrcset") or ""):  # a preloaded responsive image
                add(item, True)
        elif tag in _MEDIA:
            src = get("src")
            if src:
                add(src, True)
            if tag == "video":
                poster = get("poster")
                if poster:
                    add(poster, True)
            for name in _LAZY_SRC:
                lazy = get(name)
                if lazy:
                    add(lazy, True)
            for name in _LAZY_SRCSET:
                for item in srcset_urls(get(name) or ""):
                    add(item, True)
        elif tag == "object":
            data = get("data")
            if data:
                add(data, True)
        elif tag == "body" or tag == "table" or tag == "td" or tag == "th":
            background = get("background")
            if background:
                add(background, True)
        srcset = get("srcset")
        if srcset:
            for item in srcset_urls(srcset):
                add(item, True)
        style = get("style")
        if style and "url(" in style:
            for item in css_urls(style.encode("utf-8", "replace")):
                add(item, True)
    return [Link(u, r) for u, r in found.items()]


def css_urls(body: bytes) -> list[str]:
    body = body[:5_000_000]
    out = []
    for m in CSS_URL.finditer(body.lower()):
        group = 1 if m.start(1) >= 0 else 2
        raw = body[m.start(group):m.end(group)]
        if raw and not raw.startswith(b"data:"):
            out.append(raw.decode("utf-8", "replace"))
    return out


def css_links(body: bytes, url: str) -> list[Link]:
    return [Link(u, True) for u in (_clean(url, h) for h in css_urls(body)) if u]


def feed_links(body: bytes, url: str) -> list[Link]:
    """Article links of an RSS or Atom feed."""
    try:
        sel = Selector(text=body.decode("utf-8", "replace"), type="xml")
        sel.remove_namespaces()
        hrefs = sel.xpath("//item/link/text() | //entry/link/@href | //item/guid/text()").getall()
    except Exception:  # noqa: BLE001
        return []
    return [Link(u, False) for u in (_clean(url, h) for h in hrefs[:MAX_LINKS]) if u]


def links_of(body: bytes, url: str, content_type: str) -> list[Link]:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        charset = _charset(content_type)
        return html_links(body, url, charset)
    if ctype == "text/css":
        return css_links(body, url)
    if ctype in ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml"):
        return feed_links(body, url)
    head = body[:512].lstrip().lower()
    if ctype in ("", "application/octet-stream", "text/plain"):
        # Static copies serve extension-less feeds (`syria/rss`) and pages without a useful type.
        if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
            return feed_links(body, url)
        if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
            return html_links(body, url)
    return []


def _charset(content_type: str) -> str:
    m = re.search(r"charset=([\w-]+)", content_type, re.I)
    if m:
        import codecs

        try:
            return codecs.lookup(m.group(1)).name
        except LookupError:
            pass
    return "utf-8"
