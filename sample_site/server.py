"""The HTTP side: routing, caching headers, compression, chunking, and the fault pages.

One process, several loopback listeners on the same port, as the real site had its CDN buckets: the
pages on 127.0.0.1, their stylesheet, script and icons on 127.0.0.2, their pictures on 127.0.0.3, and
one script on 127.0.0.4, where nothing listens (a requisite no crawl can capture). Every listener
serves every path; only the page markup says which host each asset is on.

It behaves like the real server as far as a crawler can tell (keep-alive, conditional requests,
gzip, chunked listings, redirects, 404s, robots.txt) while rendering every page on demand from the
deterministic model, with a small LRU of recent pages so that repeated fetches stay cheap.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from sample_site import assets, content, faults, pages, words
from sample_site.content import REFUGEES, REFUGEES_ARTICLES, SYRIA, SiteModel
from sample_site.faults import FaultOptions

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
COMPRESSIBLE = ("text/html", "text/css", "application/javascript", "application/rss+xml")
CHUNK = 8192
# Last-Modified of every page in an edition: the site as copied, then two later re-crawls.
EDITION_DATES = (
    datetime(2020, 9, 9, 15, 44, 1, tzinfo=UTC).timestamp(),
    datetime(2020, 10, 1, 9, 0, 0, tzinfo=UTC).timestamp(),
    datetime(2020, 11, 2, 9, 0, 0, tzinfo=UTC).timestamp(),
)
ROBOTS = b"""# Sample Syria Deeply: everything may be crawled except search results and accounts.
User-agent: *
Disallow: /syria/search
Disallow: /login
Disallow: /register
"""


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    chunked: bool = False
    cacheable: bool = True
    last_modified: float = EDITION_DATES[0]
    zipped: bytes | None = None
    etag: str = ""


def make(body: bytes | str, *, content_type: str = HTML, chunked: bool = False, cacheable: bool = True,
         last_modified: float = EDITION_DATES[0], status: int = 200,
         headers: tuple[tuple[str, str], ...] = ()) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    zipped = gzip.compress(data, 6, mtime=0) if content_type.startswith(COMPRESSIBLE) else None
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    return Response(status, data, content_type, headers, chunked, cacheable, last_modified, zipped, etag)


def redirect(location: str, status: int = 301) -> Response:
    body = f'<!DOCTYPE html>\n<html><body><a href="{location}">Moved here</a></body></html>\n'
    return make(body, status=status, cacheable=False, headers=(("Location", location),))


def not_found(path: str) -> Response:
    return make(pages.not_found_page(path), status=404, cacheable=False)


# ---------------------------------------------------------------------------------------------
# Routing


SECTION_RE = r"/(?P<section>syria|refugees)"
YMD = r"/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
DATED = re.compile(SECTION_RE + r"/(?P<dir>articles|community)" + YMD + r"/(?P<slug>[a-z0-9-]+)")
SUMMARY = re.compile(SECTION_RE + r"/executive-summaries" + YMD)
OLD_ID = re.compile(SECTION_RE + r"/articles/(?P<id>\d{1,7})")
LISTING = re.compile(
    SECTION_RE + r"(?:/(?P<name>articles|community|executive-summaries)|/categories/(?P<cat>[a-z-]+)"
    r"|/contributor/(?P<person>[a-z0-9-]+)|/(?P<topic>[a-z-]+))(?:/page/(?P<page>\d{1,6}))?"
)
FEED = re.compile(SECTION_RE + r"(?:/contributor/(?P<person>[a-z0-9-]+)|/(?P<topic>[a-z-]+))?/rss")
TOPIC_SLUGS = {slug: (k, name) for k, (slug, name) in enumerate(words.TOPICS)}
CATEGORIES = {
    "articles": ("articles", "Articles"), "general": ("general", "General"), "qa": ("qa", "Q&A"),
    "op-eds": ("op-eds", "Op-Eds"), "community": ("community", "Community"),
}
LISTING_TEXT = {
    "articles": ("Articles", "Features, analysis and in-depth coverage from our network of correspondents."),
    "community": ("Community & Insight", "Op-eds and commentary from the Deeply community."),
    "executive-summaries": ("Executive Summaries", "The key developments of each day, in brief."),
}


@dataclass(frozen=True)
class PageKey:
    section: str
    n: int
    edition: int
    faults: bool
    path: str
    origin: str
    sidebar: int | None = None
    hosts: pages.AssetHosts = pages.AssetHosts()


def section_model(key: PageKey):
    if key.section == "refugees":
        return SiteModel(REFUGEES, REFUGEES_ARTICLES, 0)
    return SiteModel(SYRIA, key.n, key.edition, key.sidebar)


@lru_cache(maxsize=256)
def render(key: PageKey) -> Response | None:
    """One page of one site state; None means 404. Cached: pages are pure functions of the key."""
    page = _render(key)
    if page is None or not key.hosts.assets or not page.content_type.startswith("text/html"):
        return page
    about = key.path == f"/{key.section}/about"
    body = pages.place_assets(page.body.decode("utf-8"), key.hosts, with_refused=about)
    return make(body, content_type=page.content_type, chunked=page.chunked, cacheable=page.cacheable,
                last_modified=page.last_modified, status=page.status, headers=page.headers)


def _render(key: PageKey) -> Response | None:
    model = section_model(key)
    modified = EDITION_DATES[key.edition]
    path = key.path
    s = model.section.slug
    if path == f"/{s}":
        return make(pages.front_page(model, key.faults), chunked=True, last_modified=modified)
    if m := DATED.fullmatch(path):
        i = model.find(m["dir"], int(m["y"]), int(m["m"]), int(m["d"]), m["slug"])
        return None if i is None else make(pages.article_page(model, i, path), last_modified=modified)
    if m := SUMMARY.fullmatch(path):
        i = model.find("executive-summaries", int(m["y"]), int(m["m"]), int(m["d"]), None)
        return None if i is None else make(pages.summary_page(model, i, path), last_modified=modified)
    if m := OLD_ID.fullmatch(path):
        i = model.by_data_id(int(m["id"]))
        return None if i is None else redirect(model.meta(i).path())
    if m := FEED.fullmatch(path):
        return feed(model, m, key.origin, modified)
    if path == f"/{s}/background" and model.section is SYRIA:
        return make(pages.background_index(model), last_modified=modified)
    if path.startswith(f"/{s}/background/") and model.section is SYRIA:
        page = pages.explainer_page(model, path.rsplit("/", 1)[1])
        return None if page is None else make(page, last_modified=modified)
    if path in (f"/{s}/about", f"/{s}/search"):
        title = "About" if path.endswith("about") else "Search"
        text = f"{model.section.name} is a sample imitation of a news archive, generated for tests."
        return make(pages.simple_page(model, title, text, path), last_modified=modified)
    if m := LISTING.fullmatch(path):
        return listing(model, m, modified)
    return None


def listing(model: SiteModel, m: re.Match, modified: float) -> Response | None:
    s = model.section.slug
    page = int(m["page"] or 1)
    header, rss, body_class = "", None, "articles"
    if m["name"]:
        name, key = m["name"], 0
        title, intro = LISTING_TEXT[name]
        base = f"/{s}/{name}"
        rss = f"/{s}/rss" if name == "articles" else None
    elif m["cat"]:
        if m["cat"] not in CATEGORIES:
            return None
        name, key = CATEGORIES[m["cat"]][0], 0
        title, intro = CATEGORIES[m["cat"]][1], f"Everything filed under {CATEGORIES[m['cat']][1]}."
        base = f"/{s}/categories/{m['cat']}"
    elif m["person"]:
        person = find_person(model, m["person"])
        if person is None:
            return None
        name, key = "author", person.index
        title, intro = person.name, person.bio
        base = f"/{s}/contributor/{person.slug}"
        rss = f"{base}/rss"
        header = pages.contributor_header(person)
    else:
        if m["topic"] not in TOPIC_SLUGS:
            return None
        key, topic_name = TOPIC_SLUGS[m["topic"]]
        name, title = "topic", topic_name
        intro = f"Reporting and analysis on {topic_name.lower()} in the Syrian conflict."
        base = f"/{s}/{m['topic']}"
        rss = f"{base}/rss"
        header, body_class = pages.topic_header(topic_name), "archive articles"
    indices, pages_count = model.listing(name, key, page)
    if page < 1 or page > pages_count:
        return None
    html_text = pages.listing_page(
        model, indices, title=title, intro=intro, base=base, page=page, pages=pages_count,
        rss=rss, header=header, body_class=body_class,
    )
    return make(html_text, chunked=True, last_modified=modified)


def find_person(model: SiteModel, slug: str) -> content.Person | None:
    for a in range(content.author_count(model.n)):
        p = content.person(model.section, a)
        if p.slug == slug:
            return p
    return None


def feed(model: SiteModel, m: re.Match, origin: str, modified: float) -> Response | None:
    s = model.section.slug
    if m["person"]:
        person = find_person(model, m["person"])
        if person is None:
            return None
        indices, _ = model.listing("author", person.index)
        title, self_path = person.name, f"/{s}/contributor/{person.slug}/rss"
    elif m["topic"]:
        if m["topic"] not in TOPIC_SLUGS:
            return None
        key, title = TOPIC_SLUGS[m["topic"]]
        indices, _ = model.listing("topic", key)
        self_path = f"/{s}/{m['topic']}/rss"
    else:
        indices, _ = model.listing("all")
        title, self_path = model.section.vertical, f"/{s}/rss"
    return make(pages.rss_feed(model, indices, title, self_path, origin), content_type=RSS,
                chunked=True, last_modified=modified)


ASSET = re.compile(r"/assets/(?:fonts/)?(?P<name>[a-z0-9.-]+)")
IMAGE = re.compile(r"/assets/images/(?P<id>\d{1,9})\.jpg")


def static_response(path: str) -> Response | None:
    if path == "/robots.txt":
        return make(ROBOTS, content_type="text/plain; charset=utf-8")
    if path == "/favicon.ico":
        return make(assets.static_files()["bookmark.png"], content_type="image/png")
    if m := IMAGE.fullmatch(path):
        return image_response(int(m["id"]))
    if m := ASSET.fullmatch(path):
        name = m["name"]
        data = assets.static_files().get(name)
        if data is None:
            return None
        suffix = name[name.rfind("."):]
        return make(data, content_type=assets.TYPES.get(suffix, "application/octet-stream"),
                    headers=(("Cache-Control", "public, max-age=31536000"),))
    return None


@lru_cache(maxsize=2048)
def image_response(image_id: int) -> Response:
    return make(assets.jpeg(image_id), content_type="image/jpeg",
                headers=(("Cache-Control", "public, max-age=31536000"),))


# ---------------------------------------------------------------------------------------------
# The running site


@dataclass
class Site:
    """The handle serve() yields: where the site is, what it serves, and what it was asked for."""

    url: str
    articles: int
    faults: bool
    options: FaultOptions
    edition: int = 0
    hits: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    connections: set = field(default_factory=set)
    churn: bool = True  # False: editions change articles only, never the sidebar
    hosts: pages.AssetHosts = pages.AssetHosts()  # where the pages say their assets are

    @property
    def start_url(self) -> str:
        return self.url + "/syria"

    def set_edition(self, edition: int) -> None:
        if edition not in content.EDITIONS:
            raise ValueError(f"edition must be one of {content.EDITIONS}")
        with self.lock:
            self.edition = edition

    def record(self, path: str) -> int:
        with self.lock:
            self.hits[path] += 1
            return self.hits[path]

    def hits_snapshot(self) -> Counter:
        with self.lock:
            return Counter(self.hits)

    def model(self) -> SiteModel:
        return SiteModel(SYRIA, self.articles, self.edition, None if self.churn else 0)

    def truth(self, path: str) -> dict | None:
        from sample_site.truth import truth

        return truth(path, articles=self.articles, edition=self.edition)

    def expected_changes(self) -> dict:
        from sample_site.truth import expected_changes

        return expected_changes(self.articles, self.edition)


def respond(site: Site, path: str, origin: str) -> Response:
    if path in ("/", "/syria/", "/refugees/"):
        return redirect("/syria" if path == "/" else path.rstrip("/"))
    if path == "/peacebuilding" or path.startswith("/peacebuilding/"):
        return make(pages.peacebuilding_page(path))
    found = static_response(path)
    if found is not None:
        return found
    if site.faults:
        fault = fault_response(site, path)
        if fault is not None:
            return fault
    section = "refugees" if path == "/refugees" or path.startswith("/refugees/") else "syria"
    if section == "syria" and path != "/syria" and not path.startswith("/syria/"):
        return not_found(path)
    feed_path = path.endswith("/rss")
    key = PageKey(section, site.articles, site.edition, site.faults, path, origin if feed_path else "",
                  None if site.churn else 0, site.hosts)
    page = render(key)
    return page if page is not None else not_found(path)


def fault_response(site: Site, path: str) -> Response | None:
    base = faults.FAULTS_PAGE
    if path == base:
        return make(faults.index_html(), cacheable=False)
    if path.startswith(faults.CALENDAR_PREFIX):
        n = path[len(faults.CALENDAR_PREFIX):]
        if n.isdigit() and 1 <= int(n) <= 10**9:
            return make(faults.calendar_html(int(n)))
        return None
    if not path.startswith(base + "/"):
        return None
    name = path[len(base) + 1:]
    if name == "error":
        page = faults.small_html("Internal Server Error", "Something went wrong.")
        return make(page, status=500, cacheable=False)
    if name == "busy":
        if site.hits[path] % 2 == 1:
            return make(faults.small_html("Too Many Requests", "Slow down."), status=429, cacheable=False,
                        headers=(("Retry-After", "1"),))
        return make(faults.small_html("Busy page", "This time it worked."), cacheable=False)
    if name in ("loop", "loop-back"):
        return redirect(f"{base}/{'loop-back' if name == 'loop' else 'loop'}", status=302)
    if name == "binary":
        return make(faults.binary_body())
    if name == "windows-1256":
        return make(faults.arabic_html("windows-1256"), content_type="text/html; charset=windows-1256")
    if name == "wrong-charset":
        return make(faults.arabic_html("windows-1256"), content_type=HTML)
    if name == "malformed":
        return make(faults.malformed_html())
    return None


# ---------------------------------------------------------------------------------------------
# The request handler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DeeplySample/1.0"
    timeout = 30  # an idle keep-alive connection is dropped after this many seconds

    def version_string(self) -> str:
        return self.server_version

    @property
    def site(self) -> Site:
        return self.server.site  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate sends: without this, every keep-alive response after
        # the first waits 40 ms for the client's delayed ACK, as production servers do not.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.site.lock:
            self.site.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        with self.site.lock:
            self.site.connections.discard(self.connection)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self.serve(head=False)

    def do_HEAD(self) -> None:
        self.serve(head=True)

    def serve(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.site.record(path)
        special = self.special(path)
        try:
            if special is not None:
                special(head)
                return
            origin = f"http://{self.headers.get('Host') or self.server.server_address[0]}"
            self.send(respond(self.site, path, origin), head)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception:  # a bug in a page must not hang the client: answer 500 and say why on stderr
            traceback.print_exc()
            self.close_connection = True
            self.send(make(faults.small_html("Internal Server Error", "The page failed to render."),
                           status=500, cacheable=False), head)

    # -- faults that need the socket -------------------------------------------------------------

    def special(self, path: str) -> Callable[[bool], None] | None:
        if not self.site.faults or not path.startswith(faults.FAULTS_PAGE + "/"):
            return None
        return {"slow": self.slow, "reset": self.reset, "huge": self.huge}.get(path.rsplit("/", 1)[1])

    def slow(self, head: bool) -> None:
        if self.site.stop.wait(self.site.options.slow_seconds):
            self.close_connection = True
            return
        self.send(make(faults.small_html("Slow page", "Worth the wait."), cacheable=False), head)

    def reset(self, head: bool) -> None:
        body = faults.small_html("Reset", "x" * self.site.options.reset_declared)
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body[: self.site.options.reset_after])
        self.wfile.flush()
        self.close_connection = True
        faults.reset_connection(self.connection)

    def huge(self, head: bool) -> None:
        total = self.site.options.huge_bytes
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        if head:
            return
        for piece in faults.huge_blocks(total):
            if self.site.stop.is_set():
                self.close_connection = True
                return
            self.wfile.write(piece)

    # -- ordinary responses ----------------------------------------------------------------------

    def send(self, resp: Response, head: bool) -> None:
        body, etag = resp.body, resp.etag
        zipped = resp.zipped is not None and "gzip" in self.headers.get("Accept-Encoding", "").lower()
        if zipped:
            body, etag = resp.zipped, resp.etag[:-1] + '-gzip"'
        if resp.cacheable and resp.status == 200 and self.not_modified(resp):
            self.send_response(304)
            self.validators(resp, etag)
            self.end_headers()
            return
        chunked = resp.chunked and self.request_version == "HTTP/1.1"
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.cacheable:
            self.validators(resp, etag)
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if chunked:
            self.write_chunked(body)
        else:
            self.wfile.write(body)

    def validators(self, resp: Response, etag: str) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(resp.last_modified, usegmt=True))
        if resp.zipped is not None:
            self.send_header("Vary", "Accept-Encoding")

    def not_modified(self, resp: Response) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = {t.strip().removeprefix("W/") for t in match.split(",")}
            return "*" in tags or resp.etag in tags or resp.etag[:-1] + '-gzip"' in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(resp.last_modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def write_chunked(self, body: bytes) -> None:
        for k in range(0, len(body), CHUNK):
            piece = body[k:k + CHUNK]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")


# ---------------------------------------------------------------------------------------------
# serve()


@contextmanager
def serve(
    articles: int = 40, edition: int = 0, port: int = 0, host: str = "127.0.0.1", faults: bool = False,
    *, slow_seconds: float = 5.0, huge_bytes: int = 50 * 1024 * 1024, verbose: bool = False,
    churn: bool = True, cdn: bool = True,
) -> Iterator[Site]:
    """Serve the sample site on host:port (0 picks a free port) for the duration of the with block;
    with `cdn` (on 127.0.0.1) its assets on the asset hosts, on the same port."""
    check(articles, edition)
    servers = listen(host, port, cdn and host == "127.0.0.1")
    options = FaultOptions(slow_seconds=slow_seconds, huge_bytes=huge_bytes)
    bound_host, bound_port = servers[0].server_address[:2]
    hosts = pages.AssetHosts()
    if len(servers) > 1:
        hosts = pages.AssetHosts(*(f"http://{h}:{bound_port}" for h in (*CDN_HOSTS, REFUSING_HOST)))
    site = Site(f"http://{url_host(bound_host)}:{bound_port}", articles, faults, options, edition,
                churn=churn, hosts=hosts)
    threads = []
    for server in servers:
        server.daemon_threads = True
        server.block_on_close = False
        server.site = site  # type: ignore[attr-defined]
        server.verbose = verbose  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        threads.append(thread)
    try:
        yield site
    finally:
        site.stop.set()
        for server in servers:
            server.shutdown()
        close_connections(site)
        for server, thread in zip(servers, threads, strict=True):
            server.server_close()
            thread.join(timeout=5)


CDN_HOSTS = ("127.0.0.2", "127.0.0.3")  # the assets' host, the pictures' host
REFUSING_HOST = "127.0.0.4"  # nothing listens there
BIND_TRIES = 20


def listen(host: str, port: int, cdn: bool) -> list[ThreadingHTTPServer]:
    """The page listener, and with `cdn` one per asset host on the same port (a free port taken by
    another program on one of those addresses is given up for another, up to a bound)."""
    for _ in range(BIND_TRIES if port == 0 and cdn else 1):
        first = ThreadingHTTPServer((host, port), Handler)
        if not cdn:
            return [first]
        servers = [first]
        try:
            for cdn_host in CDN_HOSTS:
                servers.append(ThreadingHTTPServer((cdn_host, first.server_address[1]), Handler))
            return servers
        except OSError:
            for server in servers:
                server.server_close()
            if port:
                raise
    raise OSError(f"no port free on {host} and {', '.join(CDN_HOSTS)} after {BIND_TRIES} tries")


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def close_connections(site: Site) -> None:
    """Wake handler threads blocked on idle keep-alive sockets, so that nothing outlives serve()."""
    with site.lock:
        open_now = list(site.connections)
    for conn in open_now:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def check(articles: int, edition: int) -> None:
    if not content.MIN_ARTICLES <= articles <= content.MAX_ARTICLES:
        raise ValueError(f"articles must be between {content.MIN_ARTICLES} and {content.MAX_ARTICLES}")
    if edition not in content.EDITIONS:
        raise ValueError(f"edition must be one of {content.EDITIONS}")


DEFAULT_PORT = 8765  # the demo's, the README's and the crawl defaults' sample site


def run(host: str = "127.0.0.1", port: int = DEFAULT_PORT, articles: int = 40, edition: int = 0,
        faults: bool = False, verbose: bool = True, announce: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C, for people (the demo, a browser, a manual crawl) rather than tests."""
    options = {"articles": articles, "edition": edition, "port": port, "host": host, "faults": faults}
    with serve(**options, verbose=verbose) as site:
        announce(f"Sample Syria Deeply ({articles} articles, edition {edition}"
                 f"{', faults on' if faults else ''}) at {site.start_url}")
        if site.hosts.assets:
            announce(f"Its assets at {site.hosts.assets}, its pictures at {site.hosts.images}, "
                     f"one script at {site.hosts.refused} (refused)")
        announce("Press Ctrl-C to stop.")
        try:
            while not site.stop.wait(3600):
                pass
        except KeyboardInterrupt:
            announce("Stopped.")
