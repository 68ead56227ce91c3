"""Discovery only: what to follow from each captured body, and what is in scope.

Writing the WARCs is the downloader middleware's job (crawler/warc.py); this spider never sees raw
bytes and never decides what is stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.guard import OutOfScope
from crawler.linkpool import LinkExtractor, Sieve, default_workers
from crawler.options import MAX_URL_LENGTH
from crawler.scope import DEFAULT_START, HostRule, Scope

REQUISITE_OUTCOMES = ("fetched", "failed", "skipped")


class SyriaDeeplySpider(scrapy.Spider):
    """Depth, its limit and priority, the URL length limit and the Referer header are set here, where
    each link is made, rather than by Scrapy's spider middlewares: each of them walks every
    output of every response on the crawl's one busy thread, and here a requisite is never dropped
    for being one link too deep."""

    name = "syriadeeply"
    # Every response reaches `parse` (after retries and redirects), so each status is counted as an
    # outcome, never silently dropped (Scrapy's HttpErrorMiddleware is off; the list tells the redirect
    # and retry middlewares these statuses are the spider's to see).
    handle_httpstatus_list = list(range(400, 600))
    custom_settings = {
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,
            "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
    }

    def __init__(self, start_urls=None, scope_prefix=None, max_pages=None, resume_links=None,
                 already_captured=None, link_workers=None, max_depth=0, depth_priority=1,
                 max_url_length=MAX_URL_LENGTH, requisite_hosts=None, resolve=None, requisite_hops=3,
                 max_requisites=0, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = start_urls.split()
        self.start_urls = list(start_urls or [DEFAULT_START])
        rule = requisite_hosts if isinstance(requisite_hosts, HostRule) else \
            HostRule.parse(requisite_hosts, self.start_urls, resolve)
        self.scope = Scope.from_urls(self.start_urls, scope_prefix, rule)
        # Requisites chain: a page's stylesheet (1) imports another (2) that loads a font (3); an
        # iframe's document (1) has a stylesheet (2). Bounded in hops and in number.
        self.requisite_hops = int(requisite_hops or 0)
        self.max_requisites = int(max_requisites or 0)
        self.scheduled_requisites = 0
        # host -> {"fetched": n, "failed": n, "skipped": n}: the summary's requisites by host.
        self.requisite_hosts: defaultdict[str, Counter] = defaultdict(Counter)
        self.skipped: set[str] = set()
        self.max_pages = int(max_pages) if max_pages else 0
        self.seen: set[str] = set(already_captured or ())
        # A resumed crawl keeps to the budget of the whole crawl: its pages count, its requisites
        # (from any host, and many) do not.
        self.scheduled_pages = sum(1 for url in self.seen if self.scope.page_in_scope(url))
        self.resume_links = resume_links or ()
        self.outcomes: Counter = Counter()
        self.max_depth = int(max_depth or 0)
        self.depth_priority = int(depth_priority)
        self.max_url_length = int(max_url_length or 0)
        self.links = LinkExtractor(default_workers() if link_workers is None else int(link_workers),
                                   Sieve(self.scope, once=not self.max_depth))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        s = crawler.settings
        kwargs.setdefault("start_urls", s.getlist("DEEPLY_START_URLS") or None)
        kwargs.setdefault("scope_prefix", s.get("DEEPLY_SCOPE_PREFIX"))
        kwargs.setdefault("max_pages", s.getint("DEEPLY_MAX_PAGES"))
        kwargs.setdefault("already_captured", s.get("DEEPLY_ALREADY_CAPTURED"))
        kwargs.setdefault("link_workers", s.get("DEEPLY_LINK_WORKERS"))
        kwargs.setdefault("max_depth", s.getint("DEPTH_LIMIT"))
        kwargs.setdefault("depth_priority", s.getint("DEPTH_PRIORITY"))
        kwargs.setdefault("max_url_length", s.getint("URLLENGTH_LIMIT"))
        kwargs.setdefault("requisite_hosts", s.get("DEEPLY_REQUISITE_HOSTS"))
        kwargs.setdefault("resolve", s.getdict("DEEPLY_RESOLVE"))
        kwargs.setdefault("requisite_hops", s.getint("DEEPLY_REQUISITE_HOPS"))
        kwargs.setdefault("max_requisites", s.getint("DEEPLY_MAX_REQUISITES"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.links.close, signal=scrapy.signals.spider_closed)
        return spider

    async def start(self):
        for url in self.start_urls:
            request = self._page(url, depth=0)
            if request is not None:
                yield request
        # A resumed crawl re-reads the pages it had captured (from its WARCs, not the network) and
        # schedules what they link to that it has not captured yet.
        for link in self.resume_links:
            request = self._make(link.url, link.requisite, depth=1)
            if request is not None:
                yield request

    def _make(self, url: str, requisite: bool, depth: int, referer: str | None = None, hops: int = 0):
        if requisite:
            return self._requisite(url, depth, referer, hops + 1)
        return self._page(url, depth, referer)

    def _page(self, url: str, depth: int, referer: str | None = None):
        if url in self.seen or not self.scope.page_in_scope(url):
            return None
        if self.max_depth and depth > self.max_depth:
            self.outcomes["beyond max depth"] += 1
            return None
        if self._too_long(url):
            return None
        if self.max_pages and self.scheduled_pages >= self.max_pages:
            self.outcomes["page budget reached"] += 1
            return None
        self.seen.add(url)
        self.scheduled_pages += 1
        # Breadth-first with DEPTH_PRIORITY > 0: listings before the deep pages they lead to.
        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"depth": depth},
                              priority=-depth * self.depth_priority, headers=_referer(referer))

    def _requisite(self, url: str, depth: int = 0, referer: str | None = None, hops: int = 1):
        if url in self.seen:
            return None
        if not self.scope.requisite_in_scope(url):
            host = self.scope.requisite_host_denied(url)
            if host is not None and url not in self.skipped:
                self.skipped.add(url)
                self.requisite_hosts[host]["skipped"] += 1
            return None
        if self._too_long(url):
            return None
        if self.requisite_hops and hops > self.requisite_hops:
            self.outcomes["requisite beyond max hops"] += 1
            return None
        if self.max_requisites and self.scheduled_requisites >= self.max_requisites:
            self.outcomes["requisite budget reached"] += 1
            return None
        self.seen.add(url)
        self.scheduled_requisites += 1
        # Ahead of pages (a page replays whole as soon as possible); never cut by the depth limit.
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              meta={"requisite": True, "depth": depth, "hops": hops},
                              priority=10 - depth * self.depth_priority, headers=_referer(referer))

    def _off_host_requisite(self, request) -> bool:
        """A requisite off the start hosts: its failure is the other host's, reported by host (the
        summary's requisites lines), and does not make the crawl's exit code a failure."""
        return bool(request.meta.get("requisite")) and not self.scope.on_start_host(request.url)

    def _count_requisite(self, request, outcome: str) -> None:
        if request.meta.get("requisite"):
            host = (urlsplit(request.url).hostname or "").lower()
            self.requisite_hosts[host][outcome] += 1

    def _too_long(self, url: str) -> bool:
        if self.max_url_length and len(url) > self.max_url_length:
            self.outcomes["url too long"] += 1
            return True
        return False

    async def parse(self, response: Response):
        if not 200 <= response.status < 300:
            # A 4xx or 5xx (after retries), or a 3xx the redirect middleware did not follow (no
            # Location, too many hops, 300): kept in the WARC as it came, counted, not parsed.
            if not self._off_host_requisite(response.request):
                self.outcomes[f"http {response.status}"] += 1
            self._count_requisite(response.request, "failed")
            return
        self._count_requisite(response.request, "fetched")
        # A redirect's target is a new URL: it is marked seen here so that links to it are not refetched.
        self.seen.add(response.url)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        depth = response.meta.get("depth", 0)
        requisite = response.meta.get("requisite")
        hops = response.meta.get("hops", 0) if requisite else 0
        if requisite and self.requisite_hops and hops >= self.requisite_hops:
            return  # its own requisites would be a hop too far: not parsed at all
        for link in await self.links(response.body, response.url, content_type, not requisite):
            if requisite and not link.requisite:
                continue  # a stylesheet's links are fonts and images, never pages
            request = self._make(link.url, link.requisite, depth + 1, response.url, hops)
            if request is not None:
                yield request

    def failed(self, failure):
        if failure.check(OutOfScope):
            self.outcomes["redirect out of scope"] += 1
            self._count_requisite(failure.request, "skipped")
            return
        if failure.check(IgnoreRequest):
            reason = str(failure.value)
            self.outcomes["robots.txt disallowed" if "robots" in reason.lower() else "ignored"] += 1
            self._count_requisite(failure.request, "skipped")
            return
        self._count_requisite(failure.request, "failed")
        self.logger.info("fetch failed: %s (%s)", failure.request.url, failure.value)
        if self._off_host_requisite(failure.request):
            return  # a dead CDN or tracker elsewhere: listed by host, not a failure of this crawl
        self.outcomes[type(failure.value).__name__] += 1


def _referer(url: str | None) -> dict | None:
    """What a browser sends from an http(s) page (the default no-referrer-when-downgrade policy, for
    a crawl that never leaves its hosts): the page's URL, which has no fragment."""
    return {"Referer": url} if url else None
